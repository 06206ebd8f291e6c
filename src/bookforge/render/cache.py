"""Rendered story documents kept between builds of one process (`bookforge watch`)."""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable, Hashable

from ..model import Story


class Fingerprints:
    """A side table, story → a key for everything its content came from (manuscript bytes,
    [[story]] overrides, typography, language), set by the story cache. The stories themselves
    carry nothing: a story without an entry (not from the cache, or changed since) is not
    cacheable. Entries hold the story weakly, so a story gone with its build takes its key along."""

    def __init__(self) -> None:
        self._keys: dict[int, tuple[weakref.ref[Story], Hashable]] = {}

    def set(self, story: Story, key: Hashable) -> None:
        self._keys[id(story)] = (weakref.ref(story, self._drop), key)

    def _drop(self, gone: weakref.ref[Story]) -> None:
        for story_id, (ref, _) in list(self._keys.items()):
            if ref is gone:
                del self._keys[story_id]

    def forget(self, story: Story) -> None:
        self._keys.pop(id(story), None)

    def get(self, story: Story) -> Hashable | None:
        entry = self._keys.get(id(story))
        return entry[1] if entry is not None and entry[0]() is story else None


class RenderCache:
    """One entry per story source: the documents rendered for a fingerprint and a backend, and
    the images they linked (replayed on a hit, so a backend still packages them).

    Only a story whose manuscript is unchanged hits; an edited one replaces its own entry, so the
    cache never holds more than one rendering per story and backend.
    """

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[Hashable, list, list[str]]] = {}
        self.fingerprints = Fingerprints()
        self.hits = 0
        self.misses = 0

    def documents(
        self,
        story: Story,
        tag: str,
        context: Hashable,
        image_src: Callable[[str], str],
        render: Callable[[Callable[[str], str]], list],
    ) -> list:
        """The story's documents: from the cache when its fingerprint, id and `context` match."""
        story_key = self.fingerprints.get(story)
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
