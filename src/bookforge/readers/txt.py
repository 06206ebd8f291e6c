"""Plain-text manuscripts: a `Key: value` header, blank-line paragraphs, blank-run and mark scene breaks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..diagnostics import Diagnostics
from ..model import Chapter, Loc, Paragraph, SceneBreak, Story
from .decode import clean, decode
from .header import HEADER_LINE, LIST_FIELDS, PROSE_FIELDS, canonical_field, language_tag, split_list
from .inline_markup import parse_inlines

# Symbols a line made only of break marks may use: `***`, `* * *`, `#`, `~~~`, `---`, `◇`, `❧`…
_BREAK_SYMBOLS = set("*#~=_+•·◇◆○●◦❖✦✧✶✻❧☙⁂§-–—")
# Symbols that make a scene break even alone on their line.
_SINGLE_BREAK_SYMBOLS = set("*#◇◆❖✦✧✶✻❧☙⁂§•")
# `o0o`, `oOo`, `-o-`, `~o~`…: fan-fiction favourites.
_O_BREAK = re.compile(r"^[-~=*_]*(?:[oO0][-~=*_]*){3,}$|^[-~=*_]+[oO0][-~=*_]+$")

_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred)(?:[ -](?:one|two|three|four|five|six|seven|eight|nine))?"
)
_CHAPTER_HEADING = re.compile(
    r"^(?:#{1,6}[ \t]+(?P<hashed>\S.*?)[ \t]*#*"
    r"|(?P<worded>(?:chapter|part|book)[ \t]+(?:\d+|[ivxlcdm]+|" + _NUMBER_WORD + r")\b\.?"
    r"(?:[ \t]*[:.\-–—][ \t]*\S.*|[ \t]+\S.*)?"
    r"|(?:prologue|epilogue|interlude|afterword|foreword)(?:[ \t]*[:.\-–—][ \t]*\S.*)?))[ \t]*$",
    re.IGNORECASE,
)
# A line this long inside a paragraph means the file puts one paragraph per line (not hard-wrapped).
_UNWRAPPED_LINE = 120


def is_break_mark(line: str) -> bool:
    """True for a line made only of scene-break marks."""
    first = line.lstrip()[:1]
    if first.isalnum() and first not in "oO0" or first in "\"“‘'(":  # most lines: prose
        return False
    compact = "".join(line.split())
    if not compact:
        return False
    if all(c in _BREAK_SYMBOLS for c in compact):
        if len(compact) >= 3:
            return True
        return len(set(compact)) == 1 and compact[0] in _SINGLE_BREAK_SYMBOLS
    return bool(_O_BREAK.match(compact))


def chapter_title(line: str) -> str | None:
    """The chapter title when a one-line paragraph is a chapter heading, else None."""
    if len(line) > 100:
        return None
    match = _CHAPTER_HEADING.match(line.strip())
    if not match:
        return None
    return (match.group("hashed") or match.group("worded")).strip()


@dataclass
class _Para:
    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)


@dataclass
class _Break:
    line: int
    explicit: bool  # a mark line, as opposed to a run of blank lines


def read(data: bytes, rel: str, diagnostics: Diagnostics) -> Story:
    """Decode and parse a plain-text manuscript file's bytes."""
    return read_txt(clean(decode(data, rel, diagnostics), rel, diagnostics), rel, diagnostics)


def read_txt(text: str, rel: str, diagnostics: Diagnostics) -> Story:
    """Parse a plain-text manuscript into a Story."""
    lines = text.split("\n")
    story = Story(source=rel)
    body_start = _read_header(lines, story, rel, diagnostics)
    items = _scan_body(lines, body_start)
    _assemble(items, story, rel, diagnostics)
    return story


# ---------------------------------------------------------------------------------------------
# Header


def _header_field(line: str) -> tuple[str, str, str] | None:
    """(canonical field, key as written, value) when the line starts a header field."""
    if ":" not in line[:40]:  # keys are short: most lines can be ruled out at once
        return None
    match = HEADER_LINE.match(line)
    if not match:
        return None
    canonical = canonical_field(match.group(1))
    if canonical is None:
        return None
    return canonical, match.group(1).strip(), (match.group(2) or "").strip()


def _read_header(lines: list[str], story: Story, rel: str, diagnostics: Diagnostics) -> int:
    """Read the header block at the top; return the index of the first body line."""
    index, count = 0, len(lines)
    while index < count:
        if not lines[index].strip():
            index += 1
            continue
        found = _header_field(lines[index])
        if found is None:
            break
        canonical, key, value = found
        start = index + 1
        value_lines = [value] if value else []
        index += 1
        while index < count and lines[index].strip() and _header_field(lines[index]) is None:
            value_lines.append(lines[index].strip())
            index += 1
        _apply_field(story, canonical, key, " ".join(value_lines), Loc(rel, start), diagnostics)
    return index


def _apply_field(story: Story, canonical: str, key: str, value: str, loc: Loc, diagnostics) -> None:
    if not value:
        return
    if canonical == "title":
        story.title = value
    elif canonical == "authors":
        story.authors = split_list(value)
    elif canonical in PROSE_FIELDS:
        getattr(story, canonical).append(Paragraph(parse_inlines(value), loc=loc))
    elif canonical == "language":
        tag = language_tag(value)
        if tag:
            story.language = tag
        else:
            diagnostics.warn(
                "M007",
                f"'{value}' is not a language bookforge knows; the book's language is used",
                path=loc.path,
                line=loc.line,
                hint='write a language tag such as "en", "fr" or "de"',
            )
    elif canonical in LIST_FIELDS:
        story.meta[canonical] = split_list(value)
    else:
        story.meta[canonical] = value


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


def _is_indented(text: str) -> bool:
    return text.startswith("\t") or text.startswith("  ")


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


def _assemble(items: list[_Para | _Break], story: Story, rel: str, diagnostics: Diagnostics) -> None:
    chapter = Chapter(loc=Loc(rel, 1))
    chapters = [chapter]
    in_end_notes = False
    for item in items:
        if isinstance(item, _Break):
            if in_end_notes:
                continue
            chapter.blocks.append(SceneBreak(loc=Loc(rel, item.line)))
            continue
        first_line, first_text = item.lines[0]
        loc = Loc(rel, first_line)
        if len(item.lines) == 1:
            title = chapter_title(first_text)
            if title is not None and not in_end_notes:
                if chapter.blocks or chapter.title is not None:
                    chapter = Chapter(loc=loc)
                    chapters.append(chapter)
                chapter.title = title
                chapter.loc = loc
                continue
        found = _header_field(first_text)
        if found is not None and found[0] == "end_notes":
            in_end_notes = True
            text = _join(item)
            value = text.split(":", 1)[1].strip()
            if value:
                story.end_notes.append(Paragraph(parse_inlines(value), loc=loc))
            continue
        target = story.end_notes if in_end_notes else chapter.blocks
        if len(item.lines) == 1:  # the common case: a paragraph on one line
            target.append(Paragraph(parse_inlines(first_text.strip()), loc=loc))
            continue
        for para in _split_unwrapped(item):
            line = para.lines[0][0]
            target.append(Paragraph(parse_inlines(_join(para)), loc=loc if line == first_line else Loc(rel, line)))
    story.chapters = [c for c in chapters if c.blocks or c.title is not None]
    _trim_breaks(story, rel, diagnostics)


def _trim_breaks(story: Story, rel: str, diagnostics: Diagnostics) -> None:
    """A scene break at the very start or end of a chapter separates nothing: drop it, say so."""
    for chapter in story.chapters:
        blocks = chapter.blocks
        while blocks and isinstance(blocks[0], SceneBreak):
            _warn_dropped(blocks.pop(0), rel, diagnostics, "start")
        while blocks and isinstance(blocks[-1], SceneBreak):
            _warn_dropped(blocks.pop(), rel, diagnostics, "end")
        # Two breaks in a row (a mark line between blank runs was merged already) collapse to one.
        chapter.blocks = [
            b for i, b in enumerate(blocks)
            if not (isinstance(b, SceneBreak) and i and isinstance(blocks[i - 1], SceneBreak))
        ]


def _warn_dropped(block: SceneBreak, rel: str, diagnostics: Diagnostics, where: str) -> None:
    if block.loc is not None and where == "start" and block.loc.line <= 1:
        return
    diagnostics.warn(
        "M006",
        f"scene break at the {where} of a chapter dropped",
        path=rel,
        line=block.loc.line if block.loc else None,
        hint="nothing to separate there; remove the break marks to silence this",
    )
