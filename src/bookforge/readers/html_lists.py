"""Google Docs' lists: written flat, one `<ol class="lst-kix_<list>-<level>">` per run of items at
one level (with `start` numbers, a `start` class where a level restarts), nested back by level and
each list's runs joined, so the book numbers 1, 2 (a, b), 3 as the document does."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # an XML element; lxml ships no types, so it is Any to the checker
    from lxml.etree import _Element

_KIX = re.compile(r"(?:^|\s)lst-kix_([\w]+)-(\d+)(?:\s|$)")
# `.lst-kix_q1-1>li:before{content:"" counter(lst-ctn-kix_q1-1,lower-latin) ". "}`: a level's numbers
_COUNTER = re.compile(r"counter\(\s*lst-ctn-kix_([\w]+)-(\d+)\s*,\s*([a-z-]+)\s*\)", re.IGNORECASE)


def nest_google_lists(root) -> None:
    """Nest every run of Google Docs list levels in the page (before its <style> is cleaned away)."""
    lists = [element for element in root.iter("ol", "ul") if _KIX.search(element.get("class") or "")]
    if not lists:
        return
    styles = {
        (match.group(1), match.group(2)): match.group(3).lower()
        for style in root.iter("style")
        for match in _COUNTER.finditer(style.text or "")
    }
    for element in lists:
        match = _KIX.search(element.get("class") or "")
        style = styles.get((match.group(1), match.group(2))) if match else None
        if element.tag == "ol" and style and not element.get("style"):
            element.set("style", f"list-style-type: {style}")  # (the sanitiser reads it as the list's style)
    parents = []
    for element in lists:
        if element.getparent() is not None and element.getparent() not in parents:
            parents.append(element.getparent())
    for parent in parents:
        _nest(parent)


def _nest(parent) -> None:
    open_lists: list[tuple[str, int, _Element]] = []  # (list id, level, element): the list open at each level
    for child in list(parent):
        before = child.getprevious()
        if before is not None and (before.tail or "").strip():
            open_lists.clear()  # text between two lists: a run ends
        match = _KIX.search(child.get("class") or "") if isinstance(child.tag, str) else None
        if match is None:
            if isinstance(child.tag, str):
                open_lists.clear()
            continue
        list_id, level = match.group(1), int(match.group(2))
        restart = "start" in (child.get("class") or "").split()
        while open_lists and (open_lists[-1][0] != list_id or open_lists[-1][1] > level):
            open_lists.pop()
        if open_lists and open_lists[-1][1] == level:
            same = open_lists[-1][2]
            if not restart and same.tag == child.tag:  # the same list going on: its items join it
                for item in list(child):
                    same.append(item)
                _take_out(child)
                continue
            open_lists.pop()
        items = [item for item in open_lists[-1][2] if item.tag == "li"] if open_lists else []
        if items:  # a deeper level: inside the item it follows
            _take_out(child)
            items[-1].append(child)
        open_lists.append((list_id, level, child))


def _take_out(element) -> None:
    """Take an element out of its parent; text after it stays where it was."""
    parent, before, tail = element.getparent(), element.getprevious(), element.tail
    element.tail = None
    if tail:
        if before is not None:
            before.tail = (before.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)
