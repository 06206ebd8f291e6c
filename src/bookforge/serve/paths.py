"""Which file of the built book a request path names: a name inside the EPUB, never a path on disk."""

from __future__ import annotations

from collections.abc import Container

# What no name bookforge puts in an EPUB holds: a request with one is an attempt, not a typo.
_FORBIDDEN = ("\\", "\0", "%", ":")


def book_member(requested: str, members: Container[str]) -> str | None:
    """The EPUB member a (percent-decoded) request path names, or None: `..`, `.`, empty segments,
    absolute paths, backslashes and anything still percent-encoded after decoding (a double-encoded
    `%252e%252e`) name nothing. Only names in `members` are served, so the file system is never
    consulted: a symlink in the project cannot lead a request out of it."""
    if not requested or requested.startswith("/") or any(mark in requested for mark in _FORBIDDEN):
        return None
    segments = requested.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        return None
    return requested if requested in members else None
