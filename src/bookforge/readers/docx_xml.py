"""WordprocessingML names and the small lookups every module of the Word reader shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # an XML element; lxml ships no types, so it is Any to the checker
    from lxml.etree import _Element

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_OFF = {"0", "false", "off", "none"}


def val(element) -> str | None:
    """An element's w:val, or None when there is no element."""
    return element.get(W + "val") if element is not None else None


def to_int(value: str | None, default: int) -> int:
    """An attribute's whole number, or the default when it is missing or not a number."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def is_on(element, default: str = "true") -> bool:
    """A toggle property (w:b, w:i, w:vanish, w:u…) that is present and not switched off."""
    return element is not None and (element.get(W + "val") or default).lower() not in _OFF


class Styles:
    """A document's styles by id, each with the chain of styles it is based on (w:basedOn), looked
    up once: python-docx's get_by_id is an XPath search, and every paragraph and run asks."""

    def __init__(self, element) -> None:
        self.element = element  # w:styles
        self._by_id: dict[str, _Element] = {}
        for style in element.findall(W + "style"):
            self._by_id.setdefault(style.get(W + "styleId"), style)  # the first of a duplicated id wins
        self._chains: dict[str | None, tuple] = {}

    def get(self, style_id: str | None):
        return self._by_id.get(style_id) if style_id else None

    def chain(self, style_id: str | None) -> tuple:
        """The style and the styles it is based on, nearest first; a loop is cut."""
        if style_id not in self._chains:
            chain: list = []
            seen: set[str] = set()
            current = style_id
            while current and current not in seen and current in self._by_id:
                seen.add(current)
                style = self._by_id[current]
                chain.append(style)
                current = val(style.find(W + "basedOn"))
            self._chains[style_id] = tuple(chain)
        return self._chains[style_id]


def between(element, top, tags: tuple[str, ...]) -> bool:
    """Is there an element with one of these tags between `element` and `top`?"""
    for ancestor in element.iterancestors():
        if ancestor is top:
            return False
        if ancestor.tag in tags:
            return True
    return False


def excluded(element, top) -> bool:
    """Inside a deletion, a moved-from range or an mc:Fallback (the copy of an mc:Choice)."""
    return between(element, top, (W + "del", W + "moveFrom", MC + "Fallback"))


def is_toc_control(sdt) -> bool:
    """A content control holding Word's table of contents (docPartGallery "Table of Contents")."""
    gallery = sdt.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
    return gallery is not None and "contents" in (val(gallery) or "").lower()
