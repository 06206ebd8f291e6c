"""Readers' shared inline helpers: tidying (texts joined, edges trimmed), labels cut off, and the
shapes typed lines take (verse, lists one item a line)."""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple

from ..model import (
    Block,
    Code,
    Container,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Note,
    Paragraph,
    Text,
    notes_in,
    plain_text,
)

_SPACE_RUN = re.compile(" {2,}")


def join_text(inlines: list[Inline]) -> list[Inline]:
    """Neighbouring Text nodes joined, runs of spaces made one, empty ones dropped."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(_SPACE_RUN.sub(" ", out[-1].text + node.text))
        elif isinstance(node, Text):
            if node.text:
                out.append(Text(_SPACE_RUN.sub(" ", node.text)) if "  " in node.text else node)
        else:
            out.append(node)
    return out


def _is_edge_space(node: Inline) -> bool:
    return isinstance(node, LineBreak) or (isinstance(node, Text) and not node.text.strip(" "))


def trim_inlines(inlines: list[Inline]) -> list[Inline]:
    """A paragraph's inlines with no space or line break at its edges, and no space around its
    line breaks (documents keep whatever the author typed there)."""
    inlines = join_text(inlines)
    while inlines and _is_edge_space(inlines[0]):
        inlines.pop(0)
    while inlines and _is_edge_space(inlines[-1]):
        inlines.pop()
    for index, node in enumerate(inlines):
        if not isinstance(node, Text):
            continue
        text = node.text
        if index == 0 or isinstance(inlines[index - 1], LineBreak):
            text = text.lstrip(" ")
        if index == len(inlines) - 1 or isinstance(inlines[index + 1], LineBreak):
            text = text.rstrip(" ")
        inlines[index] = Text(text)
    # Spaces at the very start or end inside emphasis (`<em> word </em>`) go too.
    head = inlines[0] if inlines else None
    if isinstance(head, Container) and head.children and isinstance(head.children[0], Text):
        head.children[0] = Text(head.children[0].text.lstrip(" "))
    tail = inlines[-1] if inlines else None
    if isinstance(tail, Container) and tail.children and isinstance(tail.children[-1], Text):
        tail.children[-1] = Text(tail.children[-1].text.rstrip(" "))
    return [node for node in inlines if not (isinstance(node, Text) and not node.text)]


def split_lines(inlines: list[Inline]) -> list[list[Inline]]:
    """A paragraph's inlines cut at its top-level line breaks."""
    lines: list[list[Inline]] = [[]]
    for node in inlines:
        if isinstance(node, LineBreak):
            lines.append([])
        else:
            lines[-1].append(node)
    return lines


def is_blank(block: Block) -> bool:
    """An empty paragraph (only spaces, no-break spaces or line breaks: no image, no note)."""
    return isinstance(block, Paragraph) and not plain_text(block.children).strip() and not holds_object(block.children)


def holds_object(inlines: list[Inline]) -> bool:
    """Whether inlines hold an image or a note (something that is there without any text)."""
    return any(
        isinstance(node, (Image, Note)) or (isinstance(node, Container) and holds_object(node.children))
        for node in inlines
    )


def without_label(inlines: list[Inline], length: int) -> list[Inline]:
    """The inlines after the first `length` characters (a `Notes:` label), leading space trimmed.

    A note called inside the label (`Notes[^1]:`) has no characters of its own: it is kept, at the
    start of what remains; a code span or container that runs past the label keeps its rest."""
    out: list[Inline] = []
    for node in inlines:
        if length <= 0:
            out.append(node)
            continue
        if isinstance(node, Text):
            if len(node.text) > length:
                out.append(Text(node.text[length:]))
            length -= len(node.text)
        elif isinstance(node, Note):
            out.append(node)
        elif isinstance(node, Code):
            if len(node.text) > length:
                out.append(Code(node.text[length:]))
            length -= len(node.text)
        else:
            size = len(plain_text([node]))
            if size > length and isinstance(node, Container):
                node.children = without_label(node.children, length)
                out.append(node)
            else:  # a label in emphasis with a note in it: the note stays
                out += notes_in([node])
            length -= size
    # Leading spaces go, also after the notes the label called.
    first = next((index for index, node in enumerate(out) if not isinstance(node, Note)), None)
    if first is None:
        return out
    while first < len(out) and _is_blank_text(out[first]):
        out.pop(first)
    lead = out[first] if first < len(out) else None
    if isinstance(lead, Text):
        out[first] = Text(lead.text.lstrip())
    elif isinstance(lead, Code):
        out[first] = Code(lead.text.lstrip())
    return out


def _is_blank_text(node: Inline) -> bool:
    return isinstance(node, Text) and not node.text.strip()


# Lines mostly at least this long are wrapped prose, not verse.
PROSE_LINE = 55


def reads_as_verse(lines: list[str]) -> bool:
    """Three or more lines, most of them short: verse, lyrics, an address, a run of text messages."""
    lines = [line.strip() for line in lines]
    if len(lines) < 3:
        return False
    return sum(len(line) >= PROSE_LINE for line in lines[:-1]) < 0.6 * (len(lines) - 1)


# Lines that end a sentence: one sentence a line is a way of writing prose, not verse.
_SENTENCE_END = re.compile(r"[.!?…][\"'’”)\]]*$")
# Wrapped prose is filled to a margin at least this wide; verse's lines are shorter, or ragged.
_WRAP_MARGIN = 40
_WRAP_SLACK = 2


def reads_as_sentences(lines: list[str]) -> bool:
    """Every line but the last ends a sentence: prose written one sentence a line (Markdown's
    "semantic line breaks"), not verse."""
    return len(lines) > 1 and all(_SENTENCE_END.search(line.rstrip()) for line in lines[:-1])


def is_filled(lines: list[str]) -> bool:
    """Three or more lines hard-wrapped at a margin: each but the last would have run past the
    longest with the next line's first word. Verse's lines end where the poet ended them."""
    lines = [line.strip() for line in lines]
    if len(lines) < 3:
        return False
    margin = max(len(line) for line in lines)
    if margin < _WRAP_MARGIN:
        return False
    # (A character or two of slack: invisible characters the editor counted are gone by now.)
    return all(
        len(line) + 1 + len(following.split(" ", 1)[0]) > margin - _WRAP_SLACK
        for line, following in itertools.pairwise(lines)
    )


def verse_or_paragraph(paragraph: Paragraph, forced: bool = False) -> Paragraph | LineBlock:
    """A paragraph whose line breaks are the author's lines (short lines, or a poem's container)
    becomes a LineBlock; prose with a break or two stays a paragraph."""
    if not any(isinstance(node, LineBreak) for node in paragraph.children):
        return paragraph
    lines = split_lines(paragraph.children)
    if forced or reads_as_verse([plain_text(line) for line in lines]):
        return LineBlock([trim_inlines(line) for line in lines], loc=paragraph.loc, attrs=paragraph.attrs)
    return paragraph


# ---------------------------------------------------------------------------------------------
# Lists typed as lines of text: `- milk`, `3. Rub the butter…`, `a. the door sticks`, `ii. Wash…`

_BULLET_MARK = re.compile(r"^\s*([-*•])\s+(?=\S)")
_ORDER_MARK = re.compile(r"^\s*(\d{1,3}|[a-zA-Z]|[ivxlcdm]{1,7}|[IVXLCDM]{1,7})([.)])\s+(?=\S)")
_ROMAN = re.compile(r"^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


class ListMarkers(NamedTuple):
    """A run of lines that are a list, one item a line: its kind and where each item's text starts."""

    ordered: bool
    start: int  # the first item's number (ordered lists)
    style: str  # a LIST_STYLES name; "" for bullets and decimal numbers
    widths: list[int]  # per line, the characters of its marker and the spaces after it


def list_markers(lines: list[str]) -> ListMarkers | None:
    """Two or more lines that each start with the same bullet (- * •), or with markers counting
    up with the same punctuation (3. 4. 5. / a. b. c. / i) ii) iii) / A. B. C.): a list.
    None for anything else, so prose that merely opens with "A. Writer" stays prose."""
    if len(lines) < 2:
        return None
    bullets = [match for line in lines if (match := _BULLET_MARK.match(line))]
    if len(bullets) == len(lines):
        if len({match.group(1) for match in bullets}) == 1:
            return ListMarkers(False, 1, "", [match.end() for match in bullets])
        return None
    marks = [match for line in lines if (match := _ORDER_MARK.match(line))]
    if len(marks) != len(lines) or len({match.group(2) for match in marks}) != 1:
        return None
    labels = [match.group(1) for match in marks]
    numbered = _counting(labels)
    if numbered is None:
        return None
    start, style = numbered
    return ListMarkers(True, start, style, [match.end() for match in marks])


def _counting(labels: list[str]) -> tuple[int, str] | None:
    """(first number, style) when the labels count up by one in one style; decimal first, then
    single letters (c. d. e.), then roman numerals (i. ii. iii.): `i. j.` are letters, `i. ii.` numerals."""
    if all(label.isdigit() for label in labels):
        values = [int(label) for label in labels]
        style = ""
    elif (
        all(len(label) == 1 and label.isalpha() for label in labels)
        and _one_case(labels)
        and _consecutive([ord(label) for label in labels])
    ):
        return ord(labels[0].lower()) - ord("a") + 1, "upper-alpha" if labels[0].isupper() else "lower-alpha"
    elif _one_case(labels) and all(_ROMAN.match(label.lower()) for label in labels):
        values = [_roman_value(label.lower()) for label in labels]
        style = "upper-roman" if labels[0].isupper() else "lower-roman"
    else:
        return None
    return (values[0], style) if _consecutive(values) else None


def _one_case(labels: list[str]) -> bool:
    return all(label.isupper() for label in labels) or all(label.islower() for label in labels)


def _consecutive(values: list[int]) -> bool:
    return values == list(range(values[0], values[0] + len(values)))


def _roman_value(numeral: str) -> int:
    total = 0
    for index, char in enumerate(numeral):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total
