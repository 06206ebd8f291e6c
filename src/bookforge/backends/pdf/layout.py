"""Lay out one part of the book with WeasyPrint (runs in worker processes)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field


@dataclass
class PartJob:
    """Everything a worker needs to lay out one part; plain data, so it pickles cheaply."""

    name: str  # "front", a story id, or "back"
    html: str
    css: list[tuple[str, str]]  # (name for messages, CSS text), in cascade order
    base_url: str
    roots: list[str]  # folders the fetcher may read
    variant: str | None = None  # WeasyPrint pdf_variant (one-pass builds only)
    metadata_html: bool = False  # one-pass: take PDF metadata from the HTML head


@dataclass
class PartResult:
    name: str
    pdf: bytes
    pages: int
    anchors: dict[str, int] = field(default_factory=dict)  # element id → page index in the part
    page_names: list[str] = field(default_factory=list)  # CSS named page of each page ("" if none)
    blank: list[bool] = field(default_factory=list)  # pages WeasyPrint left blank (forced breaks)
    warnings: list[str] = field(default_factory=list)  # WeasyPrint's complaints, for diagnostics
    refused: list[str] = field(default_factory=list)  # URLs the fetcher refused


# Reading-system properties in the shared stylesheet that WeasyPrint rightly ignores.
_HARMLESS = ("adobe-", "-epub-", "-webkit-", "@charset")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.source = ""  # the stylesheet being parsed, so messages can name it

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if any(marker in message for marker in _HARMLESS):
            return
        self.messages.append(f"{self.source}: {message}" if self.source else message)


def render_part(job: PartJob) -> PartResult:
    """HTML + CSS → PDF bytes, with the page count and where each anchor landed."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from .fetcher import ProjectFetcher

    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False  # our diagnostics report these instead
    try:
        fetcher = ProjectFetcher(job.roots)
        fonts = FontConfiguration()
        sheets = []
        for name, text in job.css:
            handler.source = name
            sheets.append(CSS(string=text, base_url=job.base_url, url_fetcher=fetcher, font_config=fonts))
        handler.source = ""
        document = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=fonts
        )
        anchors: dict[str, int] = {}
        names, blank = [], []
        for index, page in enumerate(document.pages):
            for anchor in page.anchors:
                anchors.setdefault(anchor, index)
            page_type = page._page_box.page_type  # WeasyPrint keeps no public "blank" flag
            names.append(page_type.name or "")
            blank.append(bool(page_type.blank))
        options = {"pdf_variant": job.variant} if job.variant else {}
        pdf = document.write_pdf(**options)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    return PartResult(job.name, pdf, len(document.pages), anchors, names, blank, handler.messages, fetcher.refused)
