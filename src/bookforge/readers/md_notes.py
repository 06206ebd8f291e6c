"""Markdown footnotes as mdit-py-plugins' footnote plugin leaves them: which notes the text leads
to, and the line where a note is defined."""

from __future__ import annotations

import re


def unreached_notes(tokens, end: int) -> set[int]:
    """The ids of the notes (their tokens after `end`, the footnote block) that no call from the
    text leads to, directly or through other notes: a note called only from itself, or only from
    a note nothing calls."""
    calls: dict[int | None, list[int]] = {}  # None: the text; an id: that note
    current = None
    for token in tokens[end:]:
        if token.type == "footnote_open":
            current = token.meta["id"]
        elif token.type == "inline":
            calls.setdefault(current, []).extend(_calls(token))
    if not any(calls.values()):  # no note calls a note: every note here was called from the text
        return set()
    calls[None] = [note for token in tokens[:end] if token.type == "inline" for note in _calls(token)]
    reached: set[int] = set()
    waiting = list(calls[None])
    while waiting:
        note = waiting.pop()
        if note not in reached:
            reached.add(note)
            waiting += calls.get(note, [])
    return {token.meta["id"] for token in tokens[end:] if token.type == "footnote_open"} - reached


def _calls(inline) -> list[int]:
    return [child.meta["id"] for child in inline.children or () if child.type == "footnote_ref"]


def definition_line(name: str, text: str, offset: int) -> int | None:
    """The file line of `[^name]:`, the note's definition (None when not found)."""
    match = re.search(r"^ {0,3}\[\^" + re.escape(name) + r"\]:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 + offset if match else None
