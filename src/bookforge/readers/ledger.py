"""The word ledger: every reader notes the text it was handed, paragraph by paragraph; once the story
is read, each paragraph's words must be in it (looked for after the previous paragraph's, then
anywhere, since a reader may move a note or a caption). Whatever is missing is said (F001), so a
shape of manuscript nobody foresaw can lose nothing silently."""

from __future__ import annotations

import bisect
import re

from ..diagnostics import Diagnostics
from ..model import Story, block_text, notes_called_in
from .header import HEADER_LINE, canonical_field
from .marks import is_break_mark

# ASCII bytes that are not letters or digits: squeezed out, so markup, spacing and punctuation
# never count (non-ASCII bytes stay: the slow path below looks at those by words).
_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())
_WORD = re.compile(r"[^\W_]+")
# How far past the last match a paragraph is looked for before the slow path looks everywhere.
_NEAR = 4096
_MAX_REPORTS = 5  # per file; more are counted in the last one
_HEADER_ENTRIES = 12  # header paragraphs (`Notes: …`) are among a file's first entries


def _squeeze(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass").translate(None, _NOT_ALNUM)


class Ledger:
    """The text a reader was given: (line, text) per paragraph, in the order the file has them."""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self._entries: list[tuple[int, str]] = []
        self._runs: list[tuple[int, list[str], int]] = []  # (position among entries, lines, first line number)

    def add(self, line: int, text: str) -> None:
        if text and not text.isspace():
            self._entries.append((line, text))

    def extend(self, other: Ledger) -> None:
        self._entries += other.entries()

    def add_lines(self, lines: list[str], first_line: int) -> None:
        """A run of source lines, one entry each (blank ones are skipped), noted without copying."""
        self._runs.append((len(self._entries), lines, first_line))

    def entries(self) -> list[tuple[int, str]]:
        out = list(self._entries)
        for position, lines, first in reversed(self._runs):
            out[position:position] = [(first + i, line) for i, line in enumerate(lines) if line.strip()]
        return out

    def _joined(self) -> str:
        pieces: list[str] = []
        runs = iter(self._runs)
        run = next(runs, None)
        for index, (_, text) in enumerate(self._entries):
            while run is not None and run[0] == index:
                pieces.append("".join(run[1]))
                run = next(runs, None)
            # A leading `Notes:` paragraph's label is structure: without it, the usual story's text
            # and the ledger's are the same bytes, the quick comparison below.
            pieces.append(_without_label(text) if index < _HEADER_ENTRIES and ":" in text[:40] else text)
        while run is not None:
            pieces.append("".join(run[1]))
            run = next(runs, None)
        return "".join(pieces)

    def check(self, story: Story, diagnostics: Diagnostics) -> None:
        """Warn (F001) for every paragraph whose words did not reach the story."""
        if not self._entries and not self._runs:
            return
        model = _model_text(story)
        blob = _squeeze(model)
        joined = _squeeze(self._joined())
        if joined == blob:
            return  # the usual case: everything, in the same order (a story without notes)
        # The notes are looked for only now: finding them walks every block, which a story
        # without notes need not pay (benchmarks/ledger_cost.py's share).
        notes = _notes_text(story)
        model, blob = f"{model} {notes}", blob + _squeeze(notes)
        if joined == blob:
            return  # everything, its notes after it
        missing = _Matcher(model, blob).missing(self.entries())
        for number, (line, lost) in enumerate(missing):
            if number == _MAX_REPORTS:
                diagnostics.warn(
                    "F001",
                    f"and {len(missing) - _MAX_REPORTS} more paragraphs lost words",
                    path=self.rel,
                    line=line,
                    hint=_HINT,
                )
                break
            diagnostics.warn("F001", f"words did not reach the book: “{lost}”", path=self.rel, line=line, hint=_HINT)


_HINT = (
    "bookforge could not carry this part of the manuscript; please report it with the file "
    "(the line of a .docx is its paragraph number)"
)


def _model_text(story: Story) -> str:
    """All the story's text in reading order, without its notes (a block's text holds none)."""
    parts: list[str] = [story.title, story.subtitle or "", " ".join(story.authors)]
    for value in story.meta.values():
        parts.append(" ".join(map(str, value)) if isinstance(value, list) else str(value))
    titles = {id(chapter.summary): chapter.title for chapter in story.chapters}
    for blocks in story.block_lists():
        title = titles.get(id(blocks))
        if title:
            parts.append(title)
        parts += map(block_text, blocks)
    return " ".join(parts)


def _notes_text(story: Story) -> str:
    """The text of the story's notes, in the order they are called (a note's own notes after it):
    they come after the text, where files keep them (a Word document's notes part, Markdown's
    definitions, a page's notes section)."""
    notes = [note for blocks in story.block_lists() for note in notes_called_in(blocks)]
    return " ".join(block_text(block) for note in notes for block in note.blocks)


class _Matcher:
    """Finds each paragraph in the story: by its squeezed bytes near the last match, else by its
    words anywhere (in order, close together), else reports its first lost words."""

    def __init__(self, model: str, blob: bytes) -> None:
        self.model = model
        self.blob = blob
        self._positions: dict[str, list[int]] | None = None

    @property
    def positions(self) -> dict[str, list[int]]:
        if self._positions is None:  # built only when a paragraph is not where it was expected
            self._positions = {}
            for index, word in enumerate(_WORD.findall(self.model.casefold())):
                self._positions.setdefault(word, []).append(index)
        return self._positions

    def missing(self, entries: list[tuple[int, str]]) -> list[tuple[int, str]]:
        lost: list[tuple[int, str]] = []
        cursor = 0
        for line, text in entries:
            key = _squeeze(text)
            if not key or is_break_mark(text):
                continue
            found = self.blob.find(key, cursor, cursor + len(key) + _NEAR)
            if found < 0:  # a `Notes:` label is structure: the value is what must be there
                unlabelled = _without_label(text)
                if unlabelled is not text:
                    key = _squeeze(unlabelled)
                    found = self.blob.find(key, cursor, cursor + len(key) + _NEAR)
            if found < 0:  # out of the expected order (a header field, a note): anywhere will do
                found = self.blob.find(key)
            if found >= 0:
                cursor = found + len(key)
                continue
            words = _WORD.findall(_without_label(text).casefold())
            gap = self._first_gap(words)
            if gap is not None:
                originals = _WORD.findall(_without_label(text))
                lost.append((line, " ".join(originals[gap : gap + 8]) + ("…" if len(originals) > gap + 8 else "")))
        return lost

    def _first_gap(self, words: list[str]) -> int | None:
        """None when the words are in the story in order and close together; else the index of the
        first word that is not (after the longest run that is)."""
        # Numbers of one to three digits are often markers (a list's 3., a note's [2]) that became
        # structure; they are not looked for.
        words = [word for word in words if not (word.isdigit() and len(word) <= 3)]
        if not words:
            return None
        positions = self.positions
        absent = next((index for index, word in enumerate(words) if word not in positions), None)
        if absent is not None:
            return absent if absent >= 3 else 0
        # Anchor on the rarest word, then look for the others in order around it, close together.
        anchor = min(range(len(words)), key=lambda index: len(positions[words[index]]))
        span = 3 * len(words) + 20
        best = 0
        for place in positions[words[anchor]][:64]:
            matched, position = 0, place
            for word in reversed(words[:anchor]):
                places = positions[word]
                index = bisect.bisect_left(places, position) - 1
                if index < 0 or place - places[index] > span:
                    break
                position = places[index]
                matched += 1
            if matched < anchor:
                continue
            position = place
            for word in words[anchor + 1 :]:
                places = positions[word]
                index = bisect.bisect_right(places, position)
                if index == len(places) or places[index] - place > span:
                    break
                position = places[index]
                matched += 1
            if matched == len(words) - 1:
                return None
            best = max(best, matched + 1)
        return best if best >= 3 else 0  # a word or two found is chance: the paragraph is lost


def _without_label(text: str) -> str:
    """A paragraph without a label that is structure, not text: a header field's `Notes:`, a
    Markdown table caption's `Table:`."""
    match = HEADER_LINE.match(text[:60])
    if match and (canonical_field(match.group(1)) or match.group(1).strip().lower() == "table"):
        return text[text.index(":") + 1 :]
    return text
