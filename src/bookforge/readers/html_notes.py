"""Footnotes in HTML, in the shapes tools and authors write them: a short marked link to a note later
in the page (pandoc's `a.footnote-ref` → `li#fn1`, LibreOffice's `sdfootnoteanc` → `div#sdfootnote1`,
Word's `_ftn1`, EPUB `noteref` → `aside`, an archive author's `<sup><a href="#footnote1">1</a></sup>`
→ `<p><a name="footnote1"></a>1. …</p>`). A note is every block of it: its container whole, or the
paragraph its anchor sits in and the paragraphs and lists after it that are still the note's; notes
written one after another in one block are cut apart at their anchors."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING

from lxml import etree

from ..model import Note
from .html_blocks import BLOCKS, is_within, record_text

if TYPE_CHECKING:
    from lxml.etree import _Element  # an XML element; lxml ships no types, so it is Any to the checker

    from .html import _Reader

NOTE_TAG = "bookforge-note"  # the placeholder a call becomes until the reader meets it
# What a call's text looks like: 1, [2], (3), *, †, a, iv …
_MARKER = re.compile(r"^[\[(]?(?:\d{1,3}|[*†‡§¶#]{1,3}|[a-z]|[ivxlc]{1,6})[\])]?\.?$", re.IGNORECASE)
_NOTEISH = re.compile(r"foot|endnote|noteref|fnref|sdfootnote|sdendnote|_ftn|_edn|note", re.IGNORECASE)
_ENDNOTEISH = re.compile(r"endnote|sdendnote|_edn", re.IGNORECASE)
_NOTE_CONTAINERS = {"li", "aside", "div", "section", "dd"}
_INLINE_WRAPPERS = {"sup", "span", "a", "b", "strong", "i", "em", "font", "u", "small"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_RUN_BLOCKS = {"p", "ul", "ol", "blockquote", "pre", "dl", "table"}  # what a note's later blocks can be
_EPUB_TYPE = "epub:type"


def extract_notes(root, reader: _Reader) -> dict[str, Note]:
    """Find every note call under `root` with its note: the note's elements leave the text, the call
    becomes a placeholder element the reader turns into the Note (which holds the note's blocks)."""
    targets = _targets(root)
    order = {element: index for index, element in enumerate(root.iter())}
    pairs = [
        (call, target) for call in list(root.iter("a")) if (target := _call_target(call, targets, order)) is not None
    ]
    starts = {target for _, target in pairs}
    calls = [call for call, _ in pairs]
    _split_shared_blocks(starts)
    notes: dict[str, Note] = {}
    read: dict[object, Note] = {}  # target → its note, for a note called twice
    emptied: list = []
    for call, target in pairs:
        if target in read:
            key = str(len(notes) + 1)
            notes[key] = copy.deepcopy(read[target])
            _replace_call(call, key)
            continue
        body = _note_elements(target, call, starts, calls, order)
        if not body or not is_within(target, root):
            continue
        for element in body:
            _strip_back_links(element, call, target)
        _strip_leading_marker(body[0], _marker_text(call))
        key = str(len(notes) + 1)
        kind = "endnote" if _is_endnote(call, target) else "footnote"
        notes[key] = read[target] = Note(reader.note_blocks(body), kind=kind)
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
    hints = " ".join(
        filter(
            None, (call.get("class"), call.get("role"), call.get(_EPUB_TYPE), call.get("id"), call.get("name"), href)
        )
    )
    parent = call.getparent()
    raised = parent is not None and parent.tag == "sup" or call.find(".//sup") is not None
    if not _MARKER.match(text) or not (raised or _NOTEISH.search(hints)):
        return None
    return target


def _marker_text(call) -> str:
    return " ".join(call.text_content().split()).strip("[]().")


def _note_elements(target, call, starts: set, calls: list, order: dict) -> list:
    """The elements that make up the note the target starts: a note container whole (pandoc's
    `li#fn1`, an `aside`); else the block the target is or sits in, and the blocks after it that
    are still the note's (a second paragraph, a list), see `_continuation`."""
    if target.tag in _NOTE_CONTAINERS:
        return [target]
    start = target
    if target.tag not in BLOCKS:  # an anchor (`<a name="fn1">`, `<a id>`): the block it sits in
        start = target.getparent()
        while start is not None and start.tag in _INLINE_WRAPPERS:
            start = start.getparent()
    if start is None or start.tag in ("body", "html") or start.tag in _HEADINGS or is_within(call, start):
        return []  # (a raised number linking to a heading is a cross-reference, not a note)
    if start.tag != "p":
        return [start]
    return [start, *_continuation(start, call, starts, calls, order, order[target])]


def _continuation(start, call, starts: set, calls: list, order: dict, position: int) -> list:
    """The blocks after a note's first that are the note's too: up to its link back to the call
    (↩, the archive's shape); else, where the text is over (no call comes after the note in its
    container: LibreOffice's `div#sdfootnote1`, Google Docs' `<div>` a note, a notes section),
    up to the next note, a heading, a rule, a blank paragraph or the container's end."""
    names = _call_names(call)
    if _ends_linking_back(start, names):
        return []
    called = set(calls)
    run = []
    for sibling in start.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag not in _RUN_BLOCKS or _blank(sibling) or _holds(sibling, starts) or _holds(sibling, called):
            break
        run.append(sibling)
        if _ends_linking_back(sibling, names):
            return run
    container = start.getparent()
    if any(order.get(other, -1) > position and is_within(other, container) for other in calls):
        return []  # text and notes still take turns here: the note is its one block
    return run


def _split_shared_blocks(starts: set) -> None:
    """Notes written one after another in one block (`<div><a name="fn1"></a>1. …<br><a
    name="fn2"></a>2. …</div>`): each becomes a paragraph of its own, from its anchor to the next
    note's anchor, a blank line (`<br><br>`) or a block, whichever comes first."""
    anchors: dict[_Element, list[_Element]] = {}
    for target in starts:
        if target.tag in BLOCKS:
            continue  # (a block is a note of its own)
        top = target
        while top.getparent() is not None and top.getparent().tag in _INLINE_WRAPPERS:
            top = top.getparent()
        block = top.getparent()
        if block is not None and block.tag not in _HEADINGS and top not in anchors.setdefault(block, []):
            anchors[block].append(top)
    for block, tops in anchors.items():
        children = list(block)
        tops.sort(key=children.index)
        if len(tops) == 1 and _opens(block, tops[0]):
            continue  # the block is the note's own
        for number, top in enumerate(tops):
            end = children.index(tops[number + 1]) if number + 1 < len(tops) else len(children)
            segment: list[_Element] = []
            for node in children[children.index(top) : end]:
                if isinstance(node.tag, str) and node.tag in BLOCKS or _blank_line(segment, node):
                    break
                segment.append(node)
            while segment and segment[-1].tag == "br" and not (segment[-1].tail or "").strip():
                segment.pop()  # the line break that ended the note
            paragraph = block.makeelement("p", {})  # (an HtmlElement, like the page's own)
            paragraph.sourceline = top.sourceline or 1
            top.addprevious(paragraph)
            for node in segment:
                paragraph.append(node)  # with its tail: the note's text after it


def _opens(block, top) -> bool:
    """Nothing but white space comes before `top` in its block."""
    before = [block.text or ""]
    for node in block:
        if node is top:
            break
        before += [node.text_content() if isinstance(node.tag, str) else "", node.tail or ""]
    return not "".join(before).strip()


def _blank_line(segment: list, node) -> bool:
    """`node` is the second `<br>` of a blank line."""
    return node.tag == "br" and bool(segment) and segment[-1].tag == "br" and not (segment[-1].tail or "").strip()


def _call_names(call) -> set[str]:
    """What the note's link back to its call points at: the call's id or name, or its <sup>'s id."""
    names = {call.get("id"), call.get("name")} - {None}
    parent = call.getparent()
    if parent is not None and parent.tag == "sup" and parent.get("id"):
        names.add(parent.get("id"))
    return names


def _ends_linking_back(element, names: set[str]) -> bool:
    """The block ends with a link back to the call (the archive's `↩`; the number a note opens
    with, LibreOffice's and Google's, links back too, but does not end it)."""
    links = [link for link in element.iter("a") if (link.get("href") or "").lstrip("#") in names]
    if not links:
        return False
    after, node = [], links[-1]
    while node is not element:
        after.append(node.tail or "")
        after += [
            (sibling.text_content() if isinstance(sibling.tag, str) else "") + (sibling.tail or "")
            for sibling in node.itersiblings()
        ]
        node = node.getparent()
    return not "".join(after).strip()


def _holds(element, nodes) -> bool:
    return any(node in nodes for node in element.iter())


def _blank(element) -> bool:
    """An empty paragraph (`<p>&nbsp;</p>`), which sets what follows off from the note."""
    return element.tag == "p" and not element.text_content().strip() and element.find(".//img") is None


def _strip_back_links(element, call, target) -> None:
    """The note's link back to its call (↩, the number itself) is the reader's job to draw; the
    empty anchor the call points at goes too (other notes' anchors stay for their calls)."""
    names = _call_names(call)
    for link in list(element.iter("a")):
        href = (link.get("href") or "").lstrip("#")
        hints = " ".join(filter(None, (link.get("class"), link.get("role"), link.get(_EPUB_TYPE))))
        if (
            href in names
            or re.search(r"back|sdfootnotesym|sdendnotesym", hints)
            or link is target
            and not link.text_content().strip()
        ):
            _remove(link)


def _strip_leading_marker(element, marker: str) -> None:
    """`1. The note…`, `[1] The note…`: the number the author typed before the note's text."""
    first = element
    while (
        len(first)
        and not (first.text or "").strip()
        and isinstance(first[0].tag, str)
        and first[0].tag in ("p", "span", "sup", "b", "strong")
    ):
        first = first[0]
    text = first.text or ""
    pattern = r"^\s*[\[(]?" + re.escape(marker) + r"[\])]?[.:]?\s*" if marker else None
    if pattern and re.match(pattern, text):
        first.text = re.sub(pattern, "", text, count=1)
        if not first.text and first.tag == "sup":
            _remove(first)


def _is_endnote(call, target) -> bool:
    hints = " ".join(
        filter(
            None,
            (
                call.get("class"),
                call.get("href"),
                call.get(_EPUB_TYPE),
                target.get("id"),
                target.get("class"),
                target.get(_EPUB_TYPE),
                target.get("name"),
            ),
        )
    )
    return bool(_ENDNOTEISH.search(hints))


def _replace_call(call, key: str) -> None:
    """The call (and the <sup> around it, when that holds nothing else) becomes the placeholder."""
    node = call
    parent = call.getparent()
    if (
        parent is not None
        and parent.tag == "sup"
        and not (parent.text or "").strip()
        and len(parent) == 1
        and not (call.tail or "").strip()
    ):
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
        leftovers = [
            child
            for child in container
            if isinstance(child.tag, str) and child.tag not in ("hr", "h1", "h2", "h3", "h4", "h5", "h6", "br")
        ]
        if leftovers or (container.text or "").strip():
            return
        if any(
            isinstance(child.tag, str) and child.tag.startswith("h") and child.tag != "hr" for child in container
        ) and not _NOTEISH.search(
            " ".join(filter(None, (container.get("class"), container.get("id"), container.get("role"))))
        ):
            return  # a heading in a container that is not a notes section is the author's
        parent = container.getparent()
        previous = container.getprevious()
        if previous is not None and previous.tag == "hr" and not (previous.tail or "").strip():
            _remove(previous)  # the rule that set the notes off from the text (Google Docs, Word)
        _remove(container)
        container = parent
