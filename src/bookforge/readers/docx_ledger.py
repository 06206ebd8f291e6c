"""The Word reader's entries in the word ledger: each paragraph's text as Word holds it, counted
with the reader's own rules (what is hidden, a ruby's reading, a non-breaking hyphen)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .docx_xml import MC, W, excluded, is_toc_control
from .ledger import Ledger
from .symbols import symbol_char

if TYPE_CHECKING:  # an XML element; lxml ships no types, so it is Any to the checker
    from lxml.etree import _Element

# Not the paragraph's own text: removed text, Word's fallback copies, a text box's paragraphs
# (entries of their own), and properties (which hold no text).
_NOT_OWN = {W + "p", W + "del", W + "moveFrom", MC + "Fallback", W + "pPr", W + "rPr"}


def note_words(document, reader, ledger: Ledger) -> None:
    """The ledger: every w:t, w:sym, w:tab and w:noBreakHyphen of every paragraph (in the body, its
    tables and text boxes, and the notes it calls), outside deletions, hidden text and Word's
    fallback copies; numbered as the reader numbers paragraphs. Comments, headers and footers are
    not the text."""
    number = 0
    notes: list[tuple[int, _Element | None]] = []  # read after the body, as the notes part comes after it
    body = document.element.body
    for p in body.iter(W + "p"):
        if excluded(p, body):
            continue
        if reader.is_toc(p) or any(a.tag == W + "sdt" and is_toc_control(a) for a in p.iterancestors()):
            continue  # Word's own table of contents: left out on purpose (D001 says so)
        number += 1
        ledger.add(number, paragraph_words(p, reader.hidden))
        for reference in p.iter(W + "footnoteReference", W + "endnoteReference"):
            if not excluded(reference, p):
                kind = "footnotes" if reference.tag == W + "footnoteReference" else "endnotes"
                notes.append((number, reader.notes_of(kind).get(reference.get(W + "id") or "")))
    for number, note in notes:
        for inner in note.iter(W + "p") if note is not None else ():
            ledger.add(number, paragraph_words(inner, reader.hidden))


def paragraph_words(p, hidden: Callable[[object], bool]) -> str:
    """A paragraph's own text, as the reader writes it: a ruby's base, then its reading in brackets."""
    pieces: list[str] = []
    _words(p, pieces, hidden)
    return "".join(pieces)


def _words(element, pieces: list[str], hidden: Callable[[object], bool]) -> None:
    for child in element:
        tag = child.tag
        if tag in _NOT_OWN or (tag == W + "r" and hidden(child)):
            continue
        if tag == W + "t":
            pieces.append(child.text or "")
        elif tag == W + "sym":
            pieces.append(symbol_char(child.get(W + "font"), child.get(W + "char") or "") or "")
        elif tag == W + "tab":
            pieces.append(" ")
        elif tag == W + "noBreakHyphen":
            pieces.append("\u2011")
        elif tag == W + "ruby":  # in the file the reading comes first; the reader sets it after
            base, reading = child.find(W + "rubyBase"), child.find(W + "rt")
            if base is not None:
                _words(base, pieces, hidden)
            if reading is not None:
                annotation: list[str] = []
                _words(reading, annotation, hidden)
                if "".join(annotation):
                    pieces += ["(", *annotation, ")"]
        else:
            _words(child, pieces, hidden)
