"""Markdown's lines: a paragraph's soft line breaks are spaces, except where its lines read as
verse; a pandoc line block keeps its indentation."""

from __future__ import annotations

import re

from ..model import Block, Container, Inline, LineBlock, LineBreak, Paragraph, Text, plain_text
from .inlines import PROSE_LINE, is_filled, reads_as_sentences, reads_as_verse

_INDENTED_BAR_LINE = re.compile(r"\n\| [ \t]")  # (searched in "\n" + the text: a fast literal scan)
_LINE_BLOCK_INDENT = re.compile(r"^(\| )([ \t]+)(?=\S)")
_TABLE_DELIMITER = re.compile(r"^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")


def line_block_indents(text: str) -> str:
    """A pandoc line block's indented lines (`|     knead it twice`) keep their indentation, as
    no-break spaces (as pandoc keeps it), before clean() makes runs of spaces one. A line block
    is a run of lines that all start with `|`, none of them a table's delimiter row or border."""
    if not _INDENTED_BAR_LINE.search("\n" + text):  # no `|` line indented after its bar: nothing to keep
        return text
    lines = text.split("\n")
    start = None
    for index in range(len(lines) + 1):
        line = lines[index] if index < len(lines) else ""
        if line.strip():
            start = index if start is None else start
            continue
        if start is not None and all(
            line.startswith("|") and not _TABLE_DELIMITER.match(line) for line in lines[start:index]
        ):
            for number in range(start, index):
                lines[number] = _LINE_BLOCK_INDENT.sub(
                    lambda m: m.group(1) + "\u00a0" * len(m.group(2).expandtabs(4)), lines[number]
                )
        start = None
    return "\n".join(lines)


def no_newlines(block):
    """Soft line breaks are spaces (outside verse)."""
    for run in [block.children] if isinstance(block, Paragraph) else block.lines:
        spaces_for_newlines(run)
    return block


def spaces_for_newlines(inlines: list[Inline]) -> None:
    for index, node in enumerate(inlines):
        if isinstance(node, Text) and "\n" in node.text:
            inlines[index] = Text(node.text.replace("\n", " "))
        elif isinstance(node, Container):
            spaces_for_newlines(node.children)


def verse(block: Paragraph, quoted: bool, source: str = "") -> Block:
    """A paragraph whose lines read as verse (lyrics, a poem, an address, a run of text messages)
    keeps them; wrapped prose (lines filled to a margin) is one paragraph. In a quotation, set off
    by the author, two lines are verse when the first is short; outside one, lines that each end a
    sentence are prose written one sentence a line."""
    # Filled to a margin is measured on the lines as typed, markup included: the editor wrapped
    # those (and most paragraphs with line ends are such prose: known before the inlines are split).
    if source and "\n" not in source:
        return block  # one line: nothing to keep or to join (most paragraphs)
    if source and is_filled(source.split("\n")):
        return no_newlines(block)
    # The lines as written: a soft break inside emphasis ends a source line too.
    lines = "\n".join(plain_text(line) for line in split_at_newlines(block.children)).split("\n")
    typed = source.split("\n") if source.count("\n") == len(lines) - 1 else lines
    if len(lines) < 2 or is_filled(typed) or (not quoted and reads_as_sentences(lines)):
        return no_newlines(block)
    if not (reads_as_verse(lines) or (quoted and len(lines) == 2 and len(lines[0].strip()) < PROSE_LINE)):
        return no_newlines(block)
    return no_newlines(LineBlock(split_at_newlines(block.children), loc=block.loc, attrs=block.attrs))


def split_at_newlines(inlines: list[Inline]) -> list[list[Inline]]:
    lines: list[list[Inline]] = [[]]
    for node in inlines:
        if isinstance(node, Text) and "\n" in node.text:
            parts = node.text.split("\n")
            for number, part in enumerate(parts):
                if number:
                    lines.append([])
                if part:
                    lines[-1].append(Text(part))
        elif isinstance(node, LineBreak):
            lines.append([])
        else:
            lines[-1].append(node)
    return lines
