"""Preformatted text in HTML keeps its spaces: the shared clean-up collapses runs of spaces between
words (decode.clean), so inside `<pre>` they wait as private-use stand-ins until the page is parsed."""

from __future__ import annotations

import re

_PRE = re.compile(r"(<pre(?=[\s/>])[^>]*>)(.*?)(</pre\s*>)", re.IGNORECASE | re.DOTALL)
_PRE_OPENS = re.compile(r"<pre(?=[\s/>])", re.IGNORECASE)
_TAG = re.compile(r"(<[^>]*>)")
_SPACE, _TAB = "\ue000", "\ue001"  # never in a page that gets here (see shield)


def shield(text: str) -> tuple[str, bool]:
    """The page with every space and tab inside `<pre>` (outside its tags) made a stand-in; and
    whether any was (a page already using these private-use characters is left as it is)."""
    if not _PRE_OPENS.search(text) or _SPACE in text or _TAB in text:
        return text, False

    def stand_in(match: re.Match) -> str:
        pieces = _TAG.split(match.group(2))
        body = "".join(
            piece if piece.startswith("<") else piece.replace(" ", _SPACE).replace("\t", _TAB) for piece in pieces
        )
        return match.group(1) + body + match.group(3)

    shielded = _PRE.sub(stand_in, text)
    return shielded, shielded != text


def unshield(root) -> None:
    """The spaces and tabs back, in every `<pre>` of the parsed page."""
    for pre in root.iter("pre"):
        for node in pre.iter():
            if node.text and (_SPACE in node.text or _TAB in node.text):
                node.text = node.text.replace(_SPACE, " ").replace(_TAB, "\t")
            if node is not pre and node.tail and (_SPACE in node.tail or _TAB in node.tail):
                node.tail = node.tail.replace(_SPACE, " ").replace(_TAB, "\t")
