"""Plain-text inline markup: `*italic*`, `_italic_`, `**bold**`, backslash escapes, forced line breaks.

Delimiters are paired with a stack, in one pass (as CommonMark does), so a paragraph of 200,000
characters full of unmatched asterisks costs no more than any other: a regex with a lazy `.+?`
would rescan to the end of the paragraph for every opener.
"""

from __future__ import annotations

import re

from ..model import Emph, Inline, LineBreak, Strong, Text

# Placeholders for escaped delimiters (private-use characters never appear in manuscripts we keep).
_ESCAPES = {"\\\\": "\ue003", "\\*": "\ue001", "\\_": "\ue002"}
_RESTORE = {"\ue001": "*", "\ue002": "_", "\ue003": "\\"}
_DELIMITERS = re.compile(r"\*+|_+")


def parse_inlines(text: str) -> list[Inline]:
    """Parse one paragraph's text (lines already joined; '\\n' marks a forced break) into inlines."""
    if "*" not in text and "_" not in text and "\\" not in text:  # most paragraphs: no markup
        return [Text(text)] if "\n" not in text else _text(text)
    if "\\" not in text and "_" not in text and text.count("*") == 2:
        simple = _one_emphasis(text)
        if simple is not None:
            return simple
    for escape, placeholder in _ESCAPES.items():
        text = text.replace(escape, placeholder)
    return _build(text, _tokens(text))


def _one_emphasis(text: str) -> list[Inline] | None:
    """The common `… *word* …`: two single asterisks, decided by the rules _tokens applies,
    without building tokens. None when the general parser must look (or nothing pairs)."""
    first = text.index("*")
    second = text.index("*", first + 1)
    if second == first + 1:  # `**`: one run of two, not two runs
        return None
    before, after = text[first - 1] if first else "", text[first + 1]
    if after.isspace() or (before and _is_word(before)):
        return None  # the first cannot open
    before, after = text[second - 1], text[second + 1] if second + 1 < len(text) else ""
    if before.isspace() or (after and _is_word(after)):
        return None  # the second cannot close
    return [*_text(text[:first]), Emph(_text(text[first + 1 : second])), *_text(text[second + 1 :])]


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _tokens(text: str) -> list:
    """Text pieces (str) and delimiter runs [char, length, can_open, can_close, start, end].

    A run opens before a non-space and after a non-word character; it closes after a non-space and
    before a non-word character. So `2 * 3`, `snake_case` and `x*y*z` stay literal.
    """
    tokens: list = []
    position = 0
    for match in _DELIMITERS.finditer(text):
        start, end = match.span()
        if start > position:
            tokens.append(text[position:start])
        char = text[start]
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        can_open = bool(after) and not after.isspace() and not (before and _is_word(before))
        can_close = bool(before) and not before.isspace() and not (after and _is_word(after))
        tokens.append([char, end - start, can_open, can_close, start, end])
        position = end
    if position < len(text):
        tokens.append(text[position:])
    return tokens


def _build(text: str, tokens: list) -> list[Inline]:
    # Pair runs of the same character and length with a stack; `bottom` remembers, per kind, how far
    # down the stack a failed search already looked, so no closer rescans it (linear overall).
    pairs: dict[int, int] = {}
    stack: list[int] = []
    bottom: dict[tuple[str, int], int] = {}
    for index, token in enumerate(tokens):
        if isinstance(token, str):
            continue
        char, length, can_open, can_close = token[0], token[1], token[2], token[3]
        key = (char, min(length, 3))
        matched = False
        if can_close:
            lowest = bottom.get(key, 0)
            for depth in range(len(stack) - 1, lowest - 1, -1):
                opener = tokens[stack[depth]]
                if (opener[0], min(opener[1], 3)) == key:
                    pairs[stack[depth]] = index
                    del stack[depth:]  # openers in between stay literal
                    matched = True
                    break
            if not matched:
                bottom[key] = len(stack)
        if not matched and can_open:
            stack.append(index)

    # Build the tree without recursion: pairs nest properly, so a closer always ends the newest frame.
    root: list[Inline] = []
    frames: list[list[Inline]] = [root]
    closers = set(pairs.values())
    pending: list[str] = []  # literal text waiting to become a Text node

    def flush() -> None:
        if pending:
            frames[-1].extend(_text("".join(pending)))
            pending.clear()

    for index, token in enumerate(tokens):
        if isinstance(token, str):
            pending.append(token)
        elif index in pairs:
            flush()
            length = token[1]
            node = Strong() if length >= 2 else Emph()
            frames[-1].append(node)
            frames.append(node.children)
            if length >= 3:  # ***both***: strong around emphasis
                inner = Emph()
                node.children.append(inner)
                frames.append(inner.children)
        elif index in closers:
            flush()
            frames.pop()
            if token[1] >= 3:
                frames.pop()
        else:
            pending.append(text[token[4] : token[5]])
    flush()
    return root


def _text(text: str) -> list[Inline]:
    for placeholder, char in _RESTORE.items():
        if placeholder in text:
            text = text.replace(placeholder, char)
    if "\n" not in text:
        return [Text(text)] if text else []
    nodes: list[Inline] = []
    for index, part in enumerate(text.split("\n")):
        if index:
            nodes.append(LineBreak())
        if part:
            nodes.append(Text(part))
    return nodes
