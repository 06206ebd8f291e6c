"""Plain-text manuscripts: a `Key: value` header, blank-line paragraphs, blank-run and mark scene
breaks, heading lines, indented quotations and verse, marked lists and [1] notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..diagnostics import Diagnostics
from ..model import (
    Block,
    BlockQuote,
    Inline,
    LineBlock,
    ListBlock,
    Loc,
    Note,
    Paragraph,
    Story,
    Text,
    block_inlines,
    walk,
)
from .assemble import Break, ChapterStart, Item, assemble
from .decode import clean, decode
from .header import PROSE_FIELDS, apply_field, header_field
from .inline_markup import parse_inlines
from .inlines import PROSE_LINE, list_markers, reads_as_verse
from .ledger import Ledger
from .marks import chapter_title, is_break_mark

# A line this long inside a paragraph means the file puts one paragraph per line (not hard-wrapped).
_UNWRAPPED_LINE = 120


@dataclass
class _Para:
    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)


@dataclass
class _Break:
    line: int
    explicit: bool  # a mark line, as opposed to a run of blank lines


def read(
    data: bytes, rel: str, diagnostics: Diagnostics, *, chapter_file: bool = False, ledger: Ledger | None = None
) -> Story:
    """Decode and parse a plain-text manuscript file's bytes."""
    text = clean(decode(data, rel, diagnostics), rel, diagnostics)
    return read_txt(text, rel, diagnostics, chapter_file=chapter_file, ledger=ledger)


def read_txt(
    text: str, rel: str, diagnostics: Diagnostics, *, chapter_file: bool = False, ledger: Ledger | None = None
) -> Story:
    """Parse a plain-text manuscript into a Story; `ledger` notes every line of text it was given."""
    lines = text.split("\n")
    story = Story(source=rel)
    ledger = ledger or Ledger(rel)
    body_start = _read_header(lines, story, rel, diagnostics, ledger)
    ledger.add_lines(lines[body_start:], body_start + 1)
    scanned = _scan_body(lines, body_start)
    assemble(_items(scanned, rel, _body_indent(lines, body_start)), story, diagnostics, chapter_file=chapter_file)
    return story


# ---------------------------------------------------------------------------------------------
# Header


def _header_field(line: str) -> tuple[str, str, str] | None:
    """header.header_field, after a look that rules out most lines at once (keys are short)."""
    return header_field(line) if ":" in line[:40] else None


def _read_header(lines: list[str], story: Story, rel: str, diagnostics: Diagnostics, ledger: Ledger) -> int:
    """Read the header block at the top; return the index of the first body line.

    A text file's header is lines, not paragraphs: fields follow one another without blank lines,
    a value runs on over the lines after its key, and its end notes may be there too. So it is
    read here, line by line, before the body is made into paragraphs, rather than by take_header,
    which reads the leading paragraphs of the other readers; both ask header_field of a line."""
    index, count = 0, len(lines)
    while index < count:
        if not lines[index].strip():
            index += 1
            continue
        found = _header_field(lines[index])
        if found is None:
            break
        canonical, _key, value = found
        start = index + 1
        value_lines = [value] if value else []
        index += 1
        while index < count and lines[index].strip() and _header_field(lines[index]) is None:
            value_lines.append(lines[index].strip())
            index += 1
        value = " ".join(value_lines)
        loc = Loc(rel, start)
        if canonical != "language":  # a language is a setting, not words of the text
            ledger.add(start, value)  # the value, not the `Key:` label
        blocks: list[Block] | None = (
            [Paragraph(parse_inlines(value), loc=loc)] if canonical in PROSE_FIELDS and value else None
        )
        apply_field(story, canonical, value, loc=loc, diagnostics=diagnostics, blocks=blocks)
    return index


# ---------------------------------------------------------------------------------------------
# Body


def _scan_body(lines: list[str], start: int) -> list[_Para | _Break]:
    """Group lines into paragraphs and scene breaks."""
    items: list[_Para | _Break] = []
    current: _Para | None = None
    blank_run = 0
    for index in range(start, len(lines)):
        raw, number = lines[index], index + 1
        if not raw.strip():
            if current is not None:
                items.append(current)
                current = None
            blank_run += 1
            continue
        if is_break_mark(raw):
            if current is not None:
                items.append(current)
                current = None
            if not (items and isinstance(items[-1], _Break)):
                items.append(_Break(number, explicit=True))
            elif not items[-1].explicit:  # blank run then a mark: one break, at the mark
                items[-1] = _Break(number, explicit=True)
            blank_run = 0
            continue
        if current is None:
            if blank_run >= 2 and items and isinstance(items[-1], _Para):
                items.append(_Break(number - blank_run, explicit=False))
            current = _Para()
        current.lines.append((number, raw))
        blank_run = 0
    if current is not None:
        items.append(current)
    return items


def _split_unwrapped(para: _Para) -> list[_Para]:
    """Split a block whose lines are whole paragraphs (one per line, or indented first lines)."""
    lines = para.lines
    if len(lines) < 2:
        return [para]
    if any(len(text.strip()) > _UNWRAPPED_LINE for _, text in lines[:-1]):
        return [_Para([line]) for line in lines]
    # Typewriter style: every paragraph's first line indented, no blank lines between them.
    if _is_indented(lines[0][1]) and any(_is_indented(text) for _, text in lines[1:]):
        paras: list[_Para] = []
        for line in lines:
            if _is_indented(line[1]) or not paras:
                paras.append(_Para([line]))
            else:
                paras[-1].lines.append(line)
        return paras
    return [para]


def _is_indented(text: str, base: int = 0) -> bool:
    if text[:1] not in (" ", "\t"):  # the usual line: not indented at all
        return False
    indent = _indent(text)
    return indent > base and (text.startswith("\t") or indent >= base + 2)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t")) + text[: len(text) - len(text.lstrip(" \t"))].count("\t") * 3


def _body_indent(lines: list[str], start: int) -> int:
    """How far the file's prose is indented as a rule (0 for most files): only deeper is a quotation."""
    lowest = None
    for line in lines[start:]:
        if line[:1] not in (" ", "\t"):
            if line:
                return 0  # the usual file: a line starts at the margin
            continue
        if line.strip():
            lowest = _indent(line) if lowest is None else min(lowest, _indent(line))
    return lowest or 0


def _join(para: _Para) -> str:
    """Join hard-wrapped lines with spaces; a line ending in a backslash forces a line break."""
    parts = []
    for index, (_, text) in enumerate(para.lines):
        text = text.strip()
        if text.endswith("\\") and not text.endswith("\\\\") and index < len(para.lines) - 1:
            parts.append(text[:-1].rstrip() + "\n")
        else:
            parts.append(text + " ")
    return "".join(parts).rstrip()


def _items(scanned: list[_Para | _Break], rel: str, base_indent: int) -> list[Item]:
    """Scanned paragraphs and breaks → the skeleton's stream (paragraphs, quotations, lists, breaks)."""
    pieces = _headings_apart(scanned, rel, base_indent)
    items: list[Item] = []
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        if isinstance(piece, _Break):
            items.append(Break(Loc(rel, piece.line), explicit=piece.explicit))
            index += 1
            continue
        first_line, first_text = piece.lines[0]
        loc = Loc(rel, first_line)
        quoted = _quotation_run(pieces, index, base_indent) if first_text[:1] in (" ", "\t") else []
        if quoted:
            items.append(BlockQuote([_quotation(p, Loc(rel, p.lines[0][0])) for p in quoted], loc=loc))
            index += len(quoted)
            continue
        index += 1
        listed = _marked_list(piece, rel)
        if listed is not None:
            items.append(listed)
        elif len(piece.lines) == 1:  # the common case: a paragraph on one line
            items.append(Paragraph(parse_inlines(first_text.strip()), loc=loc))
        else:
            for para in _split_unwrapped(piece):
                line = para.lines[0][0]
                items.append(Paragraph(parse_inlines(_join(para)), loc=loc if line == first_line else Loc(rel, line)))
    return _with_notes(items)


def _headings_apart(scanned: list[_Para | _Break], rel: str, base_indent: int) -> list[_Para | _Break]:
    """ "Chapter 1" directly above the text (no blank line between) is a heading of its own."""
    out: list[_Para | _Break] = []
    for item in scanned:
        if (
            isinstance(item, _Para)
            and len(item.lines) > 1
            and chapter_title(item.lines[0][1])
            and not _is_indented(item.lines[0][1], base_indent)
        ):
            out += [_Para(item.lines[:1]), _Para(item.lines[1:])]
        else:
            out.append(item)
    return out


def _quotation_run(pieces: list[_Para | _Break], start: int, base_indent: int) -> list[_Para]:
    """The quotation starting at `start`: a run of indented paragraphs one blank line apart (a
    letter's salutation, its paragraphs, its signature; a poem's stanzas), of which at least one
    has several lines. Empty when there is none."""
    run: list[_Para] = []
    for piece in pieces[start:]:
        if not isinstance(piece, _Para) or not all(_is_indented(text, base_indent) for _, text in piece.lines):
            break
        if run and piece.lines[0][0] != run[-1].lines[-1][0] + 2:
            break
        run.append(piece)
    return run if any(len(piece.lines) > 1 for piece in run) else []


def _marked_list(para: _Para, rel: str) -> ListBlock | None:
    """A block whose every line starts with the same bullet (- * •), or with markers counting up in
    one style (3. 4. 5. / a. b. c. / i) ii) iii)): a list, one item a line."""
    markers = list_markers([text for _, text in para.lines])
    if markers is None:
        return None
    return ListBlock(
        [
            [Paragraph(parse_inlines(text[width:].strip()), loc=Loc(rel, n))]
            for (n, text), width in zip(para.lines, markers.widths)
        ],
        ordered=markers.ordered,
        loc=Loc(rel, para.lines[0][0]),
        start=markers.start,
        style=markers.style,
    )


_NOTE_CALL = re.compile(r"\[(\d{1,3})\]")
_NOTE_TEXT = re.compile(r"^\[(\d{1,3})\]\s+")


def _with_notes(items: list[Item]) -> list[Item]:
    """`[1]` calls in the text and `[1] …` paragraphs at the story's end, numbered 1, 2, 3… and each
    called exactly once, in order: footnotes. Anything less clear-cut is left as the author typed it."""
    end = len(items)
    definitions: list[Paragraph] = []
    while end and isinstance(last := items[end - 1], Paragraph) and _note_number(last) is not None:
        definitions.insert(0, last)
        end -= 1
    if not definitions or [_note_number(p) for p in definitions] != list(range(1, len(definitions) + 1)):
        return items
    # The text's runs, listed before any call is made a note: a note's own "[2]" is its text, and
    # the walk must not reach into the notes it is placing.
    runs = [
        run
        for item in items[:end]
        if not isinstance(item, (Break, ChapterStart))
        for node in walk([item])
        if not isinstance(node, Note)
        for run in block_inlines(node)
    ]
    calls = [
        int(m.group(1))
        for run in runs
        for node in run
        if isinstance(node, Text)
        for m in _NOTE_CALL.finditer(node.text)
    ]
    if calls != list(range(1, len(definitions) + 1)):
        return items
    notes = {number: Note([_without_number(p)]) for number, p in enumerate(definitions, start=1)}
    for run in runs:
        run[:] = [piece for node in run for piece in _split_calls(node, notes)]
    return items[:end]


def _note_number(paragraph: Paragraph) -> int | None:
    first = paragraph.children[0] if paragraph.children else None
    match = _NOTE_TEXT.match(first.text) if isinstance(first, Text) else None
    return int(match.group(1)) if match else None


def _without_number(paragraph: Paragraph) -> Paragraph:
    first = paragraph.children[0]
    rest = _NOTE_TEXT.sub("", first.text, count=1) if isinstance(first, Text) else ""
    return Paragraph(([Text(rest)] if rest else []) + paragraph.children[1:], loc=paragraph.loc)


def _split_calls(node: Inline, notes: dict[int, Note]) -> list[Inline]:
    if not isinstance(node, Text) or "[" not in node.text:
        return [node]
    out: list[Inline] = []
    position = 0
    for match in _NOTE_CALL.finditer(node.text):
        if match.start() > position:
            out.append(Text(node.text[position : match.start()]))
        out.append(notes[int(match.group(1))])
        position = match.end()
    if position < len(node.text):
        out.append(Text(node.text[position:]))
    return out


def _quotation(para: _Para, loc: Loc) -> Paragraph | LineBlock:
    """An indented run of lines: wrapped prose (a letter, a quotation) is one paragraph; shorter
    lines are verse, kept line by line."""
    texts = [text.strip() for _, text in para.lines]
    if not reads_as_verse(texts) and not (len(texts) == 2 and len(texts[0]) < PROSE_LINE):
        return Paragraph(parse_inlines(_join(para)), loc=loc)
    return LineBlock([parse_inlines(text) for text in texts], loc=loc)
