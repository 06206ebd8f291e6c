"""Give every story and chapter a unique id that is also a safe file name."""

from __future__ import annotations

from ..model import Book
from ..names import slugify

# Names the renderer uses for the book's own documents; stories must not take them.
RESERVED = frozenset({"halftitle", "titlepage", "imprint", "contents", "notes", "cover", "toc", "nav", "endnotes"})


def assign_ids(book: Book) -> None:
    """Story ids come from titles ("a-pale-shadow"); chapter ids add a number ("a-pale-shadow-2")."""
    used: set[str] = set(RESERVED)
    for number, story in enumerate(book.stories, start=1):
        base = slugify(story.title, fallback=f"story-{number}")
        if not base[0].isalpha():  # XML ids must not start with a digit
            base = f"story-{base}"
        count = len(story.chapters)
        story_id, suffix = base, 2
        while story_id in used or any(f"{story_id}-{i}" in used for i in range(1, count + 1)):
            story_id, suffix = f"{base}-{suffix}", suffix + 1
        story.id = story_id
        used.add(story_id)
        for index, chapter in enumerate(story.chapters, start=1):
            chapter.id = f"{story_id}-{index}"
            used.add(chapter.id)
