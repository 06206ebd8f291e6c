"""Which HTML elements are blocks (and which inline ones hold blocks), the text each block holds
(for the word ledger), and whether an element is still inside another."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ledger import Ledger

CONTAINERS = {
    "div",
    "section",
    "article",
    "main",
    "body",
    "center",
    "header",
    "footer",
    "aside",
    "address",
    "dl",
    "dd",
    "html",
    "details",
    "summary",
    "nav",
}
BLOCKS = CONTAINERS | {
    "p",
    "blockquote",
    "ul",
    "ol",
    "li",
    "pre",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dt",
    "table",
    "figure",
    "figcaption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
}


def block_holders(root) -> set:
    """The inline elements (font, span, a…) that hold blocks: read as containers, not as text."""
    holders: set = set()
    for block in root.iter(*BLOCKS):
        parent = block.getparent()
        while (
            parent is not None
            and isinstance(parent.tag, str)
            and parent.tag.lower() not in BLOCKS
            and parent not in holders
        ):
            holders.add(parent)
            parent = parent.getparent()
    return holders


def record_text(container, ledger: Ledger) -> None:
    """Note the text of every block in `container` in the ledger, each block on its own (text
    inside a nested block belongs to that block, and so do the blocks an inline element holds)."""
    holders = block_holders(container)
    for element in container.iter():
        if not isinstance(element.tag, str) or (
            element.tag not in BLOCKS and element not in holders and element is not container
        ):
            continue
        pieces = [element.text or ""]
        for child in element:
            if isinstance(child.tag, str) and child.tag not in BLOCKS and child not in holders:
                pieces.append(child.text_content())
            pieces.append(child.tail or "")
        ledger.add(element.sourceline or 1, " ".join("".join(pieces).split()))


def is_within(element, ancestor) -> bool:
    """`element` is `ancestor` or inside it (not cut out of the page since)."""
    while element is not None:
        if element is ancestor:
            return True
        element = element.getparent()
    return False
