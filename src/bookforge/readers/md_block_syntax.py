"""markdown-it block and core rules for the shapes no plugin reads: Obsidian `%%` comment blocks,
pandoc grid tables and heading attributes (`# Prologue {.unnumbered}`), callouts (`> [!note]
Title`), lists typed as lines (`a.`, `ii.`, `•`) and a MultiMarkdown / iA Writer `Title: …`
metadata block.

The core rules rewrite the token stream before the reader (and its word ledger) sees it, so every
later step finds ordinary paragraphs, lists and quotations.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .header import header_field
from .inlines import list_markers

# A line that could open an item of a list typed by hand (a bullet Markdown does not read, or a
# letter or roman numeral with its stop): the quick test before any paragraph is looked at.
# (Searched in "\n" + the text: a pattern that starts with a literal is found by a fast scan.)
_TYPED_ITEM = re.compile(r"\n[ \t]*(?:•|(?:[A-Za-z]|[ivxlcdmIVXLCDM]{2,8})[.)])[ \t]")
_GRID_BORDER = re.compile(r"^\+(?:[-=:]+\+)+[ \t]*$")
_CALLOUT = re.compile(r"^\[!([A-Za-z][\w-]*)\][+-]?[ \t]*")
# Pandoc's attributes closing a heading: `{#id .class}`, `{-}` (unnumbered), `{lang=fr}`.
_HEADING_ATTRIBUTES = re.compile(r"[ \t]+\{[ \t]*(?:-|[#.][\w-][^{}]*|[\w-]+=[^{}]*)\}[ \t]*$")
_BREAKS = ("softbreak", "hardbreak")


def markdown_block_syntax_plugin(md: MarkdownIt, blocks: bool = True) -> None:
    """Add the rules (the block ones only where a file may hold `%%` or a grid table); the core
    ones run last, on the finished tokens."""
    if blocks:
        md.block.ruler.before("fence", "obsidian_comment", _comment_block)
        md.block.ruler.before("table", "grid_table", _grid_table)
    md.core.ruler.push("heading_attributes", _heading_attributes)
    md.core.ruler.push("metadata_header", _metadata_header)
    md.core.ruler.push("callouts", _callouts)
    md.core.ruler.push("typed_lists", _typed_lists)


# ---------------------------------------------------------------------------------------------
# Block rules


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _comment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A `%%` comment on lines of its own (blank lines inside allowed): left out, as Obsidian does."""
    if state.is_code_block(start_line):
        return False
    first = _line(state, start_line)
    if not first.startswith("%%"):
        return False
    closing = first.find("%%", 2)
    last = start_line if closing >= 0 else None
    if last is None:
        unclosed = state.env.setdefault("bookforge_unclosed_comment", {})
        if unclosed.get(end_line, end_line) <= start_line:  # looked in vain from an earlier line
            return False
        for line in range(start_line + 1, end_line):
            closing = _line(state, line).find("%%")
            if closing >= 0:
                last = line
                break
        if last is None:
            unclosed[end_line] = start_line
            return False
    if _line(state, last)[closing + 2 :].strip():
        return False  # text after the comment: the inline rule takes the comment out of its paragraph
    if not silent:
        token = state.push("comment_block", "", 0)
        token.map = [start_line, last + 1]
        token.meta = {"text": state.getLines(start_line, last + 1, state.blkIndent, False)}
    state.line = last + 1
    return True


def _grid_table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A pandoc grid table (`+---+---+` borders, `|` rows): recognised, so the reader can keep it
    as typed, never read as a paragraph whose dashes typography makes into em dashes."""
    if state.is_code_block(start_line) or not _GRID_BORDER.match(_line(state, start_line)):
        return False
    last, line = start_line, start_line + 1
    while line < end_line and _line(state, line)[:1] in ("+", "|") and state.sCount[line] >= state.blkIndent:
        last, line = line, line + 1
    if last == start_line or not _GRID_BORDER.match(_line(state, last)):
        return False
    if not silent:
        token = state.push("grid_table", "", 0)
        token.map = [start_line, last + 1]
        token.content = state.getLines(start_line, last + 1, state.blkIndent, False)
    state.line = last + 1
    return True


# ---------------------------------------------------------------------------------------------
# Core rules: token rewriting


def _paragraphs(tokens: list[Token]):
    """(index of paragraph_open, its inline token) for every paragraph, last first, so a rule may
    replace a paragraph's three tokens without moving the ones still to come."""
    for index in range(len(tokens) - 3, -1, -1):
        if tokens[index].type == "paragraph_open" and tokens[index + 1].type == "inline":
            yield index, tokens[index + 1]


def _lines(inline: Token) -> list[list[Token]] | None:
    """An inline token's children cut at its line ends; None when markup runs from one line into
    the next (an emphasis over two lines), which no cut can keep."""
    lines: list[list[Token]] = [[]]
    depth = 0
    for child in inline.children or []:
        if child.type in _BREAKS:
            if depth:
                return None
            lines.append([])
            continue
        depth += child.nesting
        lines[-1].append(child)
    return lines if len(lines) == inline.content.count("\n") + 1 else None


def _paragraph(source: Token, children: list[Token], line: int | None, lines: int = 1) -> list[Token]:
    """paragraph_open, inline, paragraph_close for a run of inline tokens (line: 0-based)."""
    line_map = [line, line + lines] if line is not None else None
    opening = Token("paragraph_open", "p", 1, map=line_map, level=source.level, hidden=source.hidden)
    content = "".join("\n" if child.type in _BREAKS else child.content for child in children)
    inline = Token("inline", "", 0, map=line_map, level=source.level + 1, content=content, children=children)
    return [opening, inline, Token("paragraph_close", "p", -1, level=source.level, hidden=source.hidden)]


def _cut(children: list[Token], length: int) -> list[Token] | None:
    """The line without its first `length` characters (a marker), which its first text token holds."""
    if not children or children[0].type != "text" or len(children[0].content) < length:
        return None
    first = children[0].copy(content=children[0].content[length:])
    return ([first] if first.content else []) + children[1:]


def _line_text(line: list[Token]) -> str:
    """A line's text as far as a marker or label at its start can tell (markup stands as one character)."""
    return "".join(child.content if child.type == "text" else "\ufffc" for child in line)


def _heading_attributes(state: StateCore) -> None:
    """`# Prologue {.unnumbered}`: the attributes are layout, not the heading's words; left out."""
    if "{" not in state.src:
        return
    tokens = state.tokens
    for index in range(len(tokens) - 1):
        if tokens[index].type != "heading_open" or "{" not in tokens[index + 1].content:
            continue
        children = tokens[index + 1].children or []
        last = children[-1] if children else None
        match = _HEADING_ATTRIBUTES.search(last.content) if last is not None and last.type == "text" else None
        if last is not None and match:
            children[-1] = last.copy(content=last.content[: match.start()])
            tokens[index + 1].content = tokens[index + 1].content[
                : len(tokens[index + 1].content) - len(match.group(0))
            ]


def _metadata_header(state: StateCore) -> None:
    """A MultiMarkdown / Scrivener / iA Writer metadata block opening the file (`Title: …` and
    `Author: …` lines with no blank line between): one paragraph per field, for the reader's
    header. Only when its first line is a field bookforge knows, as in a plain-text file: a story
    that opens "Note: it was late" is prose. A line that names no field continues the one above."""
    tokens = state.tokens
    if (
        not state.env.get("metadata_header")
        or len(tokens) < 3
        or tokens[0].type != "paragraph_open"
        or tokens[1].type != "inline"
        or "\n" not in tokens[1].content
    ):
        return
    lines = _lines(tokens[1])
    if lines is None:
        return
    fields: list[tuple[int, list[Token]]] = []  # (first line, its tokens)
    for number, line in enumerate(lines):
        if header_field(_line_text(line)):
            fields.append((number, list(line)))
        elif not fields:
            return  # not a header
        else:
            fields[-1][1].extend([Token("softbreak", "br", 0), *line])
    if len(fields) < 2:
        return
    first = tokens[0].map[0] if tokens[0].map else 0
    replacement: list[Token] = []
    for position, (number, children) in enumerate(fields):
        following = fields[position + 1][0] if position + 1 < len(fields) else len(lines)
        replacement += _paragraph(tokens[0], children, first + number, following - number)
    tokens[0:3] = replacement


def _callouts(state: StateCore) -> None:
    """Obsidian's `> [!note] Title` (and GitHub's `> [!NOTE]`): a quotation marked "callout",
    its title (the kind, when none is given) a paragraph of its own marked "callout-title"."""
    if "[!" not in state.src:
        return
    tokens = state.tokens
    for index, inline in _paragraphs(tokens):
        if index == 0 or tokens[index - 1].type != "blockquote_open" or not inline.content.startswith("[!"):
            continue
        marker = _CALLOUT.match(inline.content)
        lines = _lines(inline)
        if marker is None or lines is None:
            continue
        title = _cut(lines[0], marker.end())
        if title is None:
            continue
        if not title:
            title = [Token("text", "", 0, content=marker.group(1).replace("-", " ").capitalize())]
        quote = tokens[index - 1]
        quote.meta = {**(quote.meta or {}), "callout": marker.group(1).lower()}
        line = tokens[index].map[0] if tokens[index].map else None
        replacement = _paragraph(tokens[index], title, line)
        replacement[0].meta = {"callout_title": True}
        rest = [
            token
            for number, run in enumerate(lines[1:])
            for token in ([Token("softbreak", "br", 0)] if number else []) + run
        ]
        if rest:
            replacement += _paragraph(tokens[index], rest, None if line is None else line + 1, len(lines) - 1)
        tokens[index : index + 3] = replacement


def _typed_lists(state: StateCore) -> None:
    """A paragraph whose every line is an item of a list typed by hand, marked in sequence (`a.`
    `b.`, `i.` `ii.`, `A)` `B)`, or `•`, which Markdown does not read): that list."""
    if not _TYPED_ITEM.search("\n" + state.src):  # no line starts like such an item: nothing to look at
        return
    tokens = state.tokens
    for index, inline in _paragraphs(tokens):
        if "\n" not in inline.content:
            continue
        lines = _lines(inline)
        markers = list_markers([_line_text(line) for line in lines]) if lines else None
        if lines is None or markers is None:
            continue
        items = [item for line, width in zip(lines, markers.widths) if (item := _cut(line, width)) is not None]
        if len(items) != len(lines):
            continue
        opening = tokens[index]
        first = opening.map[0] if opening.map else None
        kind = "ordered_list" if markers.ordered else "bullet_list"
        list_open = Token(f"{kind}_open", "ol" if markers.ordered else "ul", 1, map=opening.map, level=opening.level)
        if markers.ordered and markers.start != 1:
            list_open.attrs = {"start": markers.start}
        list_open.meta = {"style": markers.style}
        replacement = [list_open]
        for number, item in enumerate(items):
            line = None if first is None else first + number
            replacement.append(Token("list_item_open", "li", 1, map=None if line is None else [line, line + 1]))
            replacement += _paragraph(opening, item, line)
            replacement.append(Token("list_item_close", "li", -1))
        replacement.append(Token(f"{kind}_close", list_open.tag, -1))
        tokens[index : index + 3] = replacement
