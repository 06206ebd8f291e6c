"""Lay out one part of the book with WeasyPrint (runs in worker processes)."""

from __future__ import annotations

import atexit
import gc
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a process first lays out: it loads WeasyPrint
    from .fetcher import ProjectFetcher


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
    pad_to_even: bool = False  # one-pass: end on a left-hand page, as a printed book does
    font_rules: str = ""  # fontconfig rules for CJK fallback faces (fallback.py); "" for most books
    fonts_key: str = ""  # which installed fonts the text falls back to (coverage.py), for the cache
    cmyk_profile: bytes | None = None  # PDF/X: pictures are separated through this output intent


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


@dataclass
class _Styles:
    """Parsed stylesheets and their fonts, shared by every part a process lays out."""

    fonts: object
    sheets: list
    fetcher: ProjectFetcher
    profiles: dict  # @color-profile rules: WeasyPrint keeps them only in a dict shared with render()
    warnings: list[str]
    refused: list[str]


_STYLES: dict[tuple, _Styles] = {}  # one entry per distinct set of stylesheets, per process
# Let the fonts go while the interpreter is whole: WeasyPrint's FontConfiguration.__del__ fails
# (harmlessly, but loudly) when it runs during interpreter teardown.
atexit.register(_STYLES.clear)


def _styles(job: PartJob, handler: _Collect) -> _Styles:
    """Parse the stylesheets once per process: every part of a book shares them (and their fonts)."""
    from . import weasy_fixes
    from .fallback import activate

    weasy_fixes.apply()
    activate(job.font_rules)  # before the FontConfiguration: its fonts are chosen with these rules
    key = (tuple(job.css), job.base_url, tuple(job.roots), job.font_rules, job.cmyk_profile)
    if key in _STYLES:
        return _STYLES[key]
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from .fetcher import ProjectFetcher

    pictures = None
    if job.cmyk_profile:
        from .cmyk import converter_for

        pictures = converter_for(job.cmyk_profile).picture
    fetcher = ProjectFetcher(job.roots, pictures)
    fonts = FontConfiguration()
    profiles: dict = {}
    sheets = []
    start = len(handler.messages)
    for name, text in job.css:
        handler.source = name
        sheets.append(
            CSS(string=text, base_url=job.base_url, url_fetcher=fetcher, font_config=fonts, color_profiles=profiles)
        )
    handler.source = ""
    styles = _Styles(fonts, sheets, fetcher, profiles, handler.messages[start:], list(fetcher.refused))
    _STYLES.clear()  # a new book: forget the last one's styles
    _STYLES[key] = styles
    return styles


def prime(job: PartJob, language: str = "en") -> None:
    """Parse the stylesheets, load the fonts and lay out a sample paragraph now, before worker
    processes are forked from us: they then share that memory (stylesheets, fonts, hyphenation
    dictionary, shaping caches) instead of each building its own copy."""
    from weasyprint import HTML

    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        styles = _styles(job, handler)
        sample = (
            f'<html lang="{language}"><body class="print drop-caps"><div class="print-story" style="page: p-sample">'
            '<section class="story"><p class="opening"><span class="lead-in">A sample</span> paragraph, '
            '<em>hyphenated</em> and justified, with “quotes”—and an ornament.</p><hr class="scene-break"/>'
            "<p>Another paragraph follows it.</p></section></div></body></html>"
        )
        HTML(string=sample, base_url=job.base_url, url_fetcher=styles.fetcher).render(
            stylesheets=styles.sheets, font_config=styles.fonts
        ).write_pdf()
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def release_memory() -> None:
    """Free a finished part's layout now: WeasyPrint's boxes refer to one another, so only the
    cycle collector frees them, and a part's are many."""
    gc.collect()


def render_part_in_worker(job: PartJob) -> PartResult:
    """render_part for worker processes: the memory of each part is released after it."""
    try:
        return render_part(job)
    finally:
        release_memory()


# A page with nothing on it but the page's own geometry (size, bleed, crop marks): see print-pad.
_PAD_HTML = '<html><body><div class="print-pad"></div></body></html>'


def _padded(document, job: PartJob, styles: _Styles):
    """The document with one blank page after its last (parts builds pad in the assembler)."""
    from weasyprint import HTML

    pad = HTML(string=_PAD_HTML, base_url=job.base_url, url_fetcher=styles.fetcher).render(
        stylesheets=styles.sheets, font_config=styles.fonts, color_profiles=styles.profiles
    )
    return document.copy([*document.pages, pad.pages[0]])


def _bleed_box_to_the_edge(document, pdf) -> None:
    """WeasyPrint sets each page's BleedBox at most 10pt past the trim, whatever the bleed; the
    MediaBox it writes is the CSS bleed area, so the BleedBox is made that (a 0.25in bleed is then
    the bleed a printer's preflight finds)."""
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/Page" and "BleedBox" in obj and "MediaBox" in obj:
            obj["BleedBox"] = obj["MediaBox"]


def render_part(job: PartJob) -> PartResult:
    """HTML + CSS → PDF bytes, with the page count and where each anchor landed."""
    from weasyprint import HTML

    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False  # our diagnostics report these instead
    try:
        styles = _styles(job, handler)
        fetcher = styles.fetcher
        refused_before = len(fetcher.refused)
        document = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render(
            stylesheets=styles.sheets, font_config=styles.fonts, color_profiles=styles.profiles
        )
        if job.pad_to_even and len(document.pages) % 2 == 1:
            document = _padded(document, job, styles)
        anchors: dict[str, int] = {}
        names, blank = [], []
        for index, page in enumerate(document.pages):
            for anchor in page.anchors:
                anchors.setdefault(anchor, index)
            page_type = page._page_box.page_type  # WeasyPrint keeps no public "blank" flag
            names.append(page_type.name or "")
            blank.append(bool(page_type.blank))
        options = {"pdf_variant": job.variant} if job.variant else {}
        from . import weasy_fixes

        weasy_fixes.set_document(job.html)  # a PDF/X-4 DocumentID of its own, the same every build
        pdf = document.write_pdf(finisher=_bleed_box_to_the_edge, **options)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    # Stylesheet problems belong to every part (any one of them may be the one rebuilt and cached).
    warnings = styles.warnings + [m for m in handler.messages if m not in styles.warnings]
    refused = styles.refused + fetcher.refused[refused_before:]
    return PartResult(job.name, pdf, len(document.pages), anchors, names, blank, warnings, refused)
