"""Plain-text inline markup: `*italic*`, `_italic_`, `**bold**`, backslash escapes, forced line breaks."""

from __future__ import annotations

import re

from ..model import Emph, Inline, LineBreak, Strong, Text

# Placeholders for escaped delimiters (private-use characters never appear in manuscripts we keep).
_ESCAPES = {"\\*": "\ue001", "\\_": "\ue002", "\\\\": "\ue003"}
_RESTORE = {"\ue001": "*", "\ue002": "_", "\ue003": "\\"}

# A delimiter opens only before a non-space and after a non-word character, and closes only after
# a non-space and before a non-word character, so `2 * 3`, `snake_case` and `x*y*z` stay literal.
# Each alternative starts with its delimiter and checks the character before it with a lookbehind
# placed after it: a literal first character lets the regex engine skip ahead quickly.
_MARKUP = re.compile(
    r"\*\*(?<![\w*]\*\*)(?=[^\s*])(?P<strong_star>.+?)(?<=[^\s*])\*\*(?![\w*])"
    r"|__(?<![\w_]__)(?=[^\s_])(?P<strong_under>.+?)(?<=[^\s_])__(?![\w_])"
    r"|\*(?<![\w*]\*)(?=[^\s*])(?P<em_star>.+?)(?<=[^\s*])\*(?![\w*])"
    r"|_(?<![\w_]_)(?=[^\s_])(?P<em_under>.+?)(?<=[^\s_])_(?![\w_])",
    re.DOTALL,
)


def parse_inlines(text: str) -> list[Inline]:
    """Parse one paragraph's text (lines already joined; '\\n' marks a forced break) into inlines."""
    if "*" not in text and "_" not in text and "\\" not in text:  # most paragraphs: no markup
        return [Text(text)] if "\n" not in text else _text(text)
    for escape, placeholder in _ESCAPES.items():
        text = text.replace(escape, placeholder)
    return _parse(text)


def _parse(text: str) -> list[Inline]:
    nodes: list[Inline] = []
    position = 0
    for match in _MARKUP.finditer(text):
        if match.start() > position:
            nodes.extend(_text(text[position : match.start()]))
        kind = match.lastgroup or ""
        children = _parse(match.group(kind))
        nodes.append(Strong(children) if kind.startswith("strong") else Emph(children))
        position = match.end()
    if position < len(text):
        nodes.extend(_text(text[position:]))
    return nodes


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
