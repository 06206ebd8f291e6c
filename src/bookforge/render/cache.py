"""Rendered story documents kept between builds of one process (`bookforge watch`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable

from ..model import Story

# Set on a Story by the story cache: a key for everything its content came from (manuscript
# bytes, [[story]] overrides, typography, language). Absent when the story is not cacheable.
FINGERPRINT = "_fingerprint"


def fingerprint(story: Story) -> Hashable | None:
    return story.__dict__.get(FINGERPRINT)


def set_fingerprint(story: Story, key: Hashable | None) -> None:
    if key is None:
        story.__dict__.pop(FINGERPRINT, None)
    else:
        story.__dict__[FINGERPRINT] = key


class RenderCache:
    """One entry per story source: the documents rendered for a fingerprint and a backend, and
    the images they linked (replayed on a hit, so a backend still packages them).

    Only a story whose manuscript is unchanged hits; an edited one replaces its own entry, so the
    cache never holds more than one rendering per story and backend.
    """

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[Hashable, list, list[str]]] = {}
        self.hits = 0
        self.misses = 0

    def documents(self, story: Story, tag: str, context: Hashable, image_src: Callable[[str], str],
                  render: Callable[[Callable[[str], str]], list]) -> list:
        """The story's documents: from the cache when its fingerprint, id and `context` match."""
        story_key = fingerprint(story)
        if story_key is None:
            return render(image_src)
        key = (story_key, story.id, context)
        slot = (story.source, tag)
        entry = self.entries.get(slot)
        if entry is not None and entry[0] == key:
            self.hits += 1
            for src in entry[2]:
                image_src(src)
            return [dataclasses.replace(document, story=story) for document in entry[1]]
        self.misses += 1
        linked: list[str] = []

        def recording(src: str) -> str:
            linked.append(src)
            return image_src(src)

        documents = render(recording)
        self.entries[slot] = (key, [dataclasses.replace(document, story=None) for document in documents], linked)
        return documents
