"""Which HTML elements are blocks, and the text each block holds (for the word ledger)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ledger import Ledger

CONTAINERS = {"div", "section", "article", "main", "body", "center", "header", "footer", "aside",
              "address", "dl", "dd", "html", "details", "summary", "nav"}
BLOCKS = CONTAINERS | {"p", "blockquote", "ul", "ol", "li", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
                       "dt", "table", "figure", "figcaption", "thead", "tbody", "tfoot", "tr", "td", "th", "caption"}


def record_text(container, ledger: Ledger) -> None:
    """Note the text of every block in `container` in the ledger, each block on its own (text
    inside a nested block belongs to that block)."""
    for element in container.iter():
        if not isinstance(element.tag, str) or (element.tag not in BLOCKS and element is not container):
            continue
        pieces = [element.text or ""]
        for child in element:
            if isinstance(child.tag, str) and child.tag not in BLOCKS:
                pieces.append(child.text_content())
            pieces.append(child.tail or "")
        ledger.add(element.sourceline or 1, " ".join("".join(pieces).split()))
