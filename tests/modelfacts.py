"""Facts about a read story's model: every node of a kind, and the chapters' blocks in order."""

from __future__ import annotations


def every(value, kind) -> list:
    """Every node of `kind` in a model value, in reading order (a story's media bytes skipped)."""
    found = []
    if isinstance(value, kind):
        found.append(value)
    if isinstance(value, list):
        for item in value:
            found += every(item, kind)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            if name != "media":
                found += every(getattr(value, name), kind)
    return found


def blocks(story) -> list:
    """The top-level blocks of every chapter of a story, in order."""
    return [block for chapter in story.chapters for block in chapter.blocks]
