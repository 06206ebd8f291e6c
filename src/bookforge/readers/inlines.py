"""Tidying a reader's inlines: neighbouring texts joined, spaces at the edges and around breaks trimmed."""

from __future__ import annotations

import re

from ..model import Block, Image, Inline, LineBlock, LineBreak, Note, Paragraph, Text, plain_text

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
    if inlines and getattr(inlines[0], "children", None) and isinstance(inlines[0].children[0], Text):
        inlines[0].children[0] = Text(inlines[0].children[0].text.lstrip(" "))
    if inlines and getattr(inlines[-1], "children", None) and isinstance(inlines[-1].children[-1], Text):
        inlines[-1].children[-1] = Text(inlines[-1].children[-1].text.rstrip(" "))
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
    return isinstance(block, Paragraph) and not plain_text(block.children).strip() and not _holds_object(block.children)


def _holds_object(inlines: list[Inline]) -> bool:
    return any(isinstance(node, (Image, Note)) or _holds_object(getattr(node, "children", [])) for node in inlines)


def without_label(inlines: list[Inline], length: int) -> list[Inline]:
    """The inlines after the first `length` characters (a `Notes:` label), leading space trimmed."""
    out: list[Inline] = []
    for node in inlines:
        if length <= 0:
            out.append(node)
            continue
        if isinstance(node, Text):
            if len(node.text) > length:
                out.append(Text(node.text[length:]))
            length -= len(node.text)
        else:
            size = len(plain_text([node]))
            if size > length and hasattr(node, "children"):
                node.children = without_label(node.children, length)
                out.append(node)
            length -= size
    while out and isinstance(out[0], Text) and not out[0].text.strip():
        out.pop(0)
    if out and isinstance(out[0], Text):
        out[0] = Text(out[0].text.lstrip())
    return out


# Lines mostly at least this long are wrapped prose, not verse.
PROSE_LINE = 55


def reads_as_verse(lines: list[str]) -> bool:
    """Three or more lines, most of them short: verse, lyrics, an address, a run of text messages."""
    lines = [line.strip() for line in lines]
    if len(lines) < 3:
        return False
    return sum(len(line) >= PROSE_LINE for line in lines[:-1]) < 0.6 * (len(lines) - 1)


def verse_or_paragraph(paragraph: Paragraph, forced: bool = False) -> Paragraph | LineBlock:
    """A paragraph whose line breaks are the author's lines (short lines, or a poem's container)
    becomes a LineBlock; prose with a break or two stays a paragraph."""
    if not any(isinstance(node, LineBreak) for node in paragraph.children):
        return paragraph
    lines = split_lines(paragraph.children)
    if forced or reads_as_verse([plain_text(line) for line in lines]):
        return LineBlock([trim_inlines(line) for line in lines], loc=paragraph.loc, attrs=paragraph.attrs)
    return paragraph
