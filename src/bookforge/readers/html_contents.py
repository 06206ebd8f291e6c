"""A word processor's own table of contents in its HTML export (LibreOffice's `div#"Table of
Contents1"`, Word's `p.MsoToc1` paragraphs): entries with page numbers of a printed page. The book
makes its own contents from the chapter headings, so this one is left out, and said (H003)."""

from __future__ import annotations

import re

from ..diagnostics import Diagnostics

_NUMBERED_NAME = re.compile(r"\S\d+$")  # LibreOffice names an index by its kind and a number
_WORD_ENTRY = re.compile(r"^MsoToc\d$", re.IGNORECASE)  # Word's "Web Page, Filtered": TOC 1 … TOC 9
_WORD_HEAD = re.compile(r"^MsoTocHeading$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^[\s.·…\divxlcIVXLC]*$")  # what an entry may hold outside its link


def drop_own_contents(body, rel: str, diagnostics: Diagnostics) -> None:
    """Leave out the document's own table of contents, if it has one."""
    headings = {
        name
        for heading in body.iter("h1", "h2", "h3", "h4", "h5", "h6")
        for node in heading.iter()
        if isinstance(node.tag, str)
        for name in (node.get("id"), node.get("name"))
        if name
    }
    for div in list(body.iter("div")):
        if div.getparent() is not None and _is_libreoffice_index(div, headings):
            head = next((child for child in div.iter("div") if (child.get("id") or "").endswith("_Head")), None)
            _said(div, " ".join(head.text_content().split()) if head is not None else "", rel, diagnostics)
            div.drop_tree()
    entries = [p for p in body.iter("p") if _WORD_ENTRY.match(p.get("class") or "")]
    if entries:
        heads = [p for p in body.iter("p") if _WORD_HEAD.match(p.get("class") or "")]
        _said(
            heads[0] if heads else entries[0],
            " ".join(heads[0].text_content().split()) if heads else "",
            rel,
            diagnostics,
        )
        for p in heads + entries:
            p.drop_tree()


def _is_libreoffice_index(div, headings: set[str]) -> bool:
    """A div named like "Table of Contents1" whose every entry is a link to a heading of the page,
    with at most a page number besides."""
    if not _NUMBERED_NAME.search(div.get("id") or ""):
        return False
    entries = [
        p
        for p in div.iter("p")
        if p.text_content().strip()
        and not any((ancestor.get("id") or "").endswith("_Head") for ancestor in p.iterancestors("div"))
    ]
    return bool(entries) and all(_is_entry(p, headings) for p in entries)


def _is_entry(paragraph, headings: set[str]) -> bool:
    links = [a for a in paragraph.iter("a") if (a.get("href") or "").startswith("#")]
    if not links or not all(
        a.get("href")[1:] in headings or a.get("href").startswith(("#__RefHeading", "#_Toc")) for a in links
    ):
        return False
    outside = paragraph.text_content()
    for link in links:
        outside = outside.replace(link.text_content(), " ", 1)
    return bool(_PAGE_NUMBER.match(outside))


def _said(element, title: str, rel: str, diagnostics: Diagnostics) -> None:
    shown = f" (“{title}”)" if title else ""
    diagnostics.warn(
        "H003",
        f"the document's own table of contents{shown} left out",
        path=rel,
        line=element.sourceline or 1,
        hint="the book makes its own contents from the chapter headings (the page numbers of this one "
        "belong to the printed page); delete it from the document to silence this",
    )
