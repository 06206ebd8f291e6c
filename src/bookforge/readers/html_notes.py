"""Footnotes in HTML, in the shapes tools and authors write them: a short marked link to a note later
in the page (pandoc's `a.footnote-ref` → `li#fn1`, LibreOffice's `sdfootnoteanc` → `div#sdfootnote1`,
Word's `_ftn1`, EPUB `noteref` → `aside`, an archive author's `<sup><a href="#footnote1">1</a></sup>`
→ `<p><a name="footnote1"></a>1. …</p>`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Note
from .html_blocks import record_text

if TYPE_CHECKING:
    from .html import _Reader

NOTE_TAG = "bookforge-note"  # the placeholder a call becomes until the reader meets it
# What a call's text looks like: 1, [2], (3), *, †, a, iv …
_MARKER = re.compile(r"^[\[(]?(?:\d{1,3}|[*†‡§¶#]{1,3}|[a-z]|[ivxlc]{1,6})[\])]?\.?$", re.IGNORECASE)
_NOTEISH = re.compile(r"foot|endnote|noteref|fnref|sdfootnote|sdendnote|_ftn|_edn|note", re.IGNORECASE)
_ENDNOTEISH = re.compile(r"endnote|sdendnote|_edn", re.IGNORECASE)
_NOTE_CONTAINERS = {"li", "aside", "div", "section", "dd"}
_EPUB_TYPE = "epub:type"


def extract_notes(root, reader: _Reader) -> dict[str, Note]:
    """Find every note call under `root` with its note: the note's elements leave the text, the call
    becomes a placeholder element the reader turns into the Note (which holds the note's blocks)."""
    targets = _targets(root)
    order = {element: index for index, element in enumerate(root.iter())}
    notes: dict[str, Note] = {}
    emptied: list = []
    for call in list(root.iter("a")):
        target = _call_target(call, targets, order)
        if target is None:
            continue
        body = _note_elements(target, call)
        if not body:
            continue
        for element in body:
            _strip_back_links(element, call)
            _strip_leading_marker(element, _marker_text(call))
        key = str(len(notes) + 1)
        kind = "endnote" if _is_endnote(call, target) else "footnote"
        notes[key] = Note(reader.note_blocks(body), kind=kind)
        for element in body:  # the note's words, as the page holds them (its number and ↩ gone)
            record_text(element, reader.note_ledger)
        for element in body:
            parent = element.getparent()
            if parent is not None:
                emptied.append(parent)
                _remove(element)
        _replace_call(call, key)
    for container in emptied:
        _remove_if_empty(container)
    return notes


def _targets(root) -> dict[str, object]:
    """Every element a `#fragment` can point at: by id, and `<a name>` anchors."""
    found: dict[str, object] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for key in (element.get("id"), element.get("name") if element.tag == "a" else None):
            if key:
                found.setdefault(key, element)
    return found


def _call_target(call, targets: dict, order: dict):
    href = (call.get("href") or "").strip()
    if not href.startswith("#") or len(href) < 2:
        return None
    target = targets.get(href[1:])
    if target is None or target is call or order.get(target, -1) < order.get(call, 0):
        return None  # notes follow their calls; a link back up the page is a back-link
    text = " ".join(call.text_content().split())
    hints = " ".join(filter(None, (call.get("class"), call.get("role"), call.get(_EPUB_TYPE), call.get("id"),
                                   call.get("name"), href)))
    parent = call.getparent()
    raised = parent is not None and parent.tag == "sup" or call.find(".//sup") is not None
    if not _MARKER.match(text) or not (raised or _NOTEISH.search(hints)):
        return None
    return target


def _marker_text(call) -> str:
    return " ".join(call.text_content().split()).strip("[]().")


def _note_elements(target, call) -> list:
    """The elements that make up the note the target starts."""
    if target.tag in _NOTE_CONTAINERS or target.tag == "p":
        return [target]
    # An anchor (`<a name="fn1">` or `<a id>`): the block it sits in is the note.
    block = target.getparent()
    while block is not None and block.tag in ("sup", "span", "a", "b", "strong", "i", "em"):
        block = block.getparent()
    if block is None or block.tag in ("body", "html") or _contains(block, call):
        return []
    return [block]


def _contains(element, other) -> bool:
    return any(node is other for node in element.iter())


def _strip_back_links(element, call) -> None:
    """The note's link back to its call (↩, the number itself) is the reader's job to draw."""
    call_names = {call.get("id"), call.get("name")} - {None}
    parent = call.getparent()
    if parent is not None and parent.tag == "sup" and parent.get("id"):
        call_names.add(parent.get("id"))
    for link in list(element.iter("a")):
        href = (link.get("href") or "").lstrip("#")
        hints = " ".join(filter(None, (link.get("class"), link.get("role"), link.get(_EPUB_TYPE))))
        if href in call_names or re.search(r"back|sdfootnotesym|sdendnotesym", hints):
            _remove(link)
        elif link.get("name") and not link.get("href") and not link.text_content().strip():
            _remove(link)  # the empty anchor the call points at


def _strip_leading_marker(element, marker: str) -> None:
    """`1. The note…`, `[1] The note…`: the number the author typed before the note's text."""
    first = element
    while len(first) and not (first.text or "").strip() and isinstance(first[0].tag, str) and first[0].tag in (
            "p", "span", "sup", "b", "strong"):
        first = first[0]
    text = first.text or ""
    pattern = r"^\s*[\[(]?" + re.escape(marker) + r"[\])]?[.:]?\s*" if marker else None
    if pattern and re.match(pattern, text):
        first.text = re.sub(pattern, "", text, count=1)
        if not first.text and first.tag == "sup":
            _remove(first)


def _is_endnote(call, target) -> bool:
    hints = " ".join(filter(None, (call.get("class"), call.get("href"), call.get(_EPUB_TYPE), target.get("id"),
                                   target.get("class"), target.get(_EPUB_TYPE), target.get("name"))))
    return bool(_ENDNOTEISH.search(hints))


def _replace_call(call, key: str) -> None:
    """The call (and the <sup> around it, when that holds nothing else) becomes the placeholder."""
    from lxml import etree

    node = call
    parent = call.getparent()
    if parent is not None and parent.tag == "sup" and not (parent.text or "").strip() and len(parent) == 1 \
            and not (call.tail or "").strip():
        node = parent
    placeholder = etree.Element(NOTE_TAG)
    placeholder.set("data-note", key)
    placeholder.tail = node.tail
    node.getparent().replace(node, placeholder)


def _remove(element) -> None:
    """Remove an element, keeping its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _remove_if_empty(container) -> None:
    """A notes list or section left with only a rule or a heading ("Footnotes") goes too."""
    while container is not None and container.tag not in ("body", "html") and container.getparent() is not None:
        leftovers = [child for child in container if isinstance(child.tag, str)
                     and child.tag not in ("hr", "h1", "h2", "h3", "h4", "h5", "h6", "br")]
        if leftovers or (container.text or "").strip():
            return
        if any(isinstance(child.tag, str) and child.tag.startswith("h") and child.tag != "hr" for child in container) \
                and not _NOTEISH.search(" ".join(filter(None, (container.get("class"), container.get("id"),
                                                               container.get("role"))))):
            return  # a heading in a container that is not a notes section is the author's
        parent = container.getparent()
        previous = container.getprevious()
        if previous is not None and previous.tag == "hr" and not (previous.tail or "").strip():
            _remove(previous)  # the rule that set the notes off from the text (Google Docs, Word)
        _remove(container)
        container = parent
