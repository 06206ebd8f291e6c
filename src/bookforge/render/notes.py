"""Footnotes and endnotes: numbered per story, called where they were written, set where the book
puts them (the end of the document, the story's end, a Notes section at the back, the page foot)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import Block, Note, Story, notes_called_in
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
    document: str = ""  # the document of the text the call is in (for a note called in a note: its text's)
    parent: NoteMark | None = None  # the note this one is called in, if any


def reading_order(story: Story, author_notes: str = "story") -> list[list[Block]]:
    """The story's runs of blocks in the order the book is read, for numbering its notes.

    `author_notes` is the book's `notes` placement: with "front" the author's notes are read
    before every story (the collected notes section), with "end" they and the story's end notes
    are read after every story; with "story" they stand where the story puts them."""
    lists = story.block_lists()
    if author_notes == "front":
        return [story.notes] + [blocks for blocks in lists if blocks is not story.notes]
    if author_notes == "end":
        gathered = (story.notes, story.end_notes)
        return [blocks for blocks in lists if not any(blocks is g for g in gathered)] + list(gathered)
    return lists


def number_notes(
    story: Story, places: dict[int, str] | None = None, order: list[list[Block]] | None = None
) -> list[NoteMark]:
    """Every call of a note in the story, in reading order (`order`, by default the story's own),
    with its label: footnotes 1, 2, 3…; endnotes 1, 2, 3… too, or i, ii, iii… when the story has
    footnotes as well (Word's own convention), so the two never mix up. `places` maps each of the
    story's block lists (by id) to the document it is rendered in. A note object called twice
    (a reader's slip) gets a mark per call, so no two calls share an anchor."""
    calls: list[tuple[Note, str]] = []
    for blocks in story.block_lists() if order is None else order:
        document = (places or {}).get(id(blocks), "")
        calls += [(note, document) for note in notes_called_in(blocks)]
    both = len({note.kind for note, _ in calls}) > 1
    counts = {"footnote": 0, "endnote": 0}
    marks: list[NoteMark] = []
    # notes_called_in puts the calls inside a note right after it: the notes being read into,
    # each with how many of the calls that follow are inside it.
    inside: list[list] = []
    for note, document in calls:
        kind = note.kind if note.kind in counts else "footnote"
        counts[kind] += 1
        number = counts[kind]
        label = roman(number) if kind == "endnote" and both else str(number)
        short = "fn" if kind == "footnote" else "en"
        while inside and inside[-1][1] == 0:
            inside.pop()
        parent = inside[-1][0] if inside else None
        for entry in inside:
            entry[1] -= 1
        mark = NoteMark(
            note, kind, label, f"{story.id}-{short}{number}", f"{story.id}-{short}ref{number}", number, document, parent
        )
        marks.append(mark)
        within = len(notes_called_in(note.blocks))
        if within:
            inside.append([mark, within])
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
    order: list[list[Block]] | None = None  # the story's block lists as the book is read (reading_order)
    pending: list[NoteMark] = field(default_factory=list)  # footnotes called in the current document
    _marks: dict[int, list[NoteMark]] | None = None  # numbered when the first call is met (most stories: never)
    _calls: dict[int, int] = field(default_factory=dict)  # note id → calls of it rendered so far

    @property
    def marks(self) -> dict[int, list[NoteMark]]:
        """Each note's marks (one per call; more than one only for a note object called twice)."""
        if self._marks is None:
            self._marks = {}
            for mark in number_notes(self.story, self.places, self.order):
                self._marks.setdefault(id(mark.note), []).append(mark)
        return self._marks

    def mark(self, note: Note) -> NoteMark | None:
        """The mark of this call of the note: its calls take its marks in turn."""
        marks = self.marks.get(id(note))
        if not marks:
            return None
        seen = self._calls.get(id(note), 0)
        self._calls[id(note)] = seen + 1
        return marks[seen % len(marks)]

    def all_marks(self) -> list[NoteMark]:
        """Every mark, in numbering order."""
        return sorted(
            (mark for marks in self.marks.values() for mark in marks),
            key=lambda mark: (mark.kind != "footnote", mark.number),
        )

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
        document = self.call_document(mark)
        return f"#{mark.ref_id}" if self.set_here(mark) or not document else self.href(document, mark.ref_id)

    def call_document(self, mark: NoteMark) -> str:
        """The document the call stands in: its text's, or for a note called in a note, the
        document that note is set in (the notes document, or where its own call is)."""
        if mark.parent is None:
            return mark.document
        if self.placement == "book" or mark.parent.kind == "endnote":
            return self.notes_document
        return self.call_document(mark.parent)

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
            return self.all_marks()
        return [mark for mark in self.all_marks() if mark.kind == "endnote"]
