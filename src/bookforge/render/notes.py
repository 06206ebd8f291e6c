"""Footnotes and endnotes: numbered per story, called where they were written, set where the book
puts them (the end of the document, the story's end, a Notes section at the back, the page foot)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import Note, Story, notes_called_in
from ..names import roman

@dataclass
class NoteMark:
    """How one note is numbered and anchored."""

    note: Note
    kind: str  # "footnote" or "endnote"
    label: str  # what the reader sees: "1", "ii"
    id: str  # the note's anchor
    ref_id: str  # the call's anchor
    number: int  # its place among the story's notes of its kind
    document: str = ""  # the document the call is in


def number_notes(story: Story, places: dict[int, str] | None = None) -> list[NoteMark]:
    """Every note of the story with its label: footnotes 1, 2, 3…; endnotes 1, 2, 3… too, or i, ii,
    iii… when the story has footnotes as well (Word's own convention), so the two never mix up.
    `places` maps each of the story's block lists (by id) to the document it is rendered in."""
    calls: list[tuple[Note, str]] = []
    for blocks in story.block_lists():
        document = (places or {}).get(id(blocks), "")
        calls += [(note, document) for note in notes_called_in(blocks)]
    both = len({note.kind for note, _ in calls}) > 1
    counts = {"footnote": 0, "endnote": 0}
    marks = []
    for note, document in calls:
        kind = note.kind if note.kind in counts else "footnote"
        counts[kind] += 1
        number = counts[kind]
        label = roman(number) if kind == "endnote" and both else str(number)
        short = "fn" if kind == "footnote" else "en"
        marks.append(NoteMark(note, kind, label, f"{story.id}-{short}{number}", f"{story.id}-{short}ref{number}",
                              number, document))
    return marks


@dataclass
class StoryNotes:
    """The notes of one story while it is rendered.

    `placement`: "document" (footnotes at the end of the document that calls them, endnotes at the
    story's end: the EPUB), "page" (footnotes float to the page foot, endnotes at the story's end:
    print) or "book" (all in the book's Notes section). `href(document, fragment)` links documents;
    `notes_document` is the document holding the notes that are not in the calling document.
    """

    story: Story
    placement: str
    href: Callable[[str, str | None], str]
    notes_document: str = ""  # where endnotes (and in "book" placement, every note) are set
    places: dict[int, str] = field(default_factory=dict)  # block list id → its document
    # Every call is rendered with this story (its notes and afterword stay with it, the notes are
    # not all in the book's Notes section): then a story no call was met in has no notes to set.
    calls_seen_here: bool = True
    pending: list[NoteMark] = field(default_factory=list)  # footnotes called in the current document
    _marks: dict[int, NoteMark] | None = None  # numbered when the first call is met (most stories: never)

    @property
    def marks(self) -> dict[int, NoteMark]:
        if self._marks is None:
            self._marks = {id(mark.note): mark for mark in number_notes(self.story, self.places)}
        return self._marks

    def mark(self, note: Note) -> NoteMark | None:
        return self.marks.get(id(note))

    def floats(self, mark: NoteMark) -> bool:
        """Is this note set at the page foot where it is called (print footnotes)?"""
        return self.placement == "page" and mark.kind == "footnote"

    def set_here(self, mark: NoteMark) -> bool:
        """Is the note set in the document that calls it (EPUB footnotes)?"""
        return self.placement == "document" and mark.kind == "footnote"

    def target(self, mark: NoteMark) -> str:
        """The link from a call to its note."""
        return f"#{mark.id}" if self.set_here(mark) else self.href(self.notes_document, mark.id)

    def back(self, mark: NoteMark) -> str:
        """The link from a note back to its call."""
        return f"#{mark.ref_id}" if self.set_here(mark) or not mark.document else self.href(mark.document,
                                                                                            mark.ref_id)

    def called(self, mark: NoteMark) -> None:
        if self.placement == "document" and mark.kind == "footnote":
            self.pending.append(mark)

    def take_pending(self) -> list[NoteMark]:
        pending, self.pending = self.pending, []
        return pending

    def gathered(self) -> list[NoteMark]:
        """The notes set together at the story's end or in the book's Notes section."""
        if self._marks is None and self.calls_seen_here and self.placement != "book":
            return []  # no call was rendered: the story has no notes
        if self.placement == "book":
            return list(self.marks.values())
        return [mark for mark in self.marks.values() if mark.kind == "endnote"]
