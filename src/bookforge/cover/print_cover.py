"""The full-wrap print cover as one PDF: laid out by WeasyPrint, the back text fitted, cached by content."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from .. import __version__
from ..backends.pdf import _require_weasyprint, weasy_fixes
from ..backends.pdf.cmyk import BLACK_TEXT, converter_for
from ..diagnostics import Diagnostic, Diagnostics
from ..errors import BuildError
from ..model import Book
from ..output import replace_bytes
from ..printing.intent import is_pdfx, output_intent
from ..printing.printer_checks import page_count_breach
from ..project import Project
from ..render.documents import join_names
from ..render.xhtml import esc
from ..themes import FONTS_DIR, Theme
from . import cover_text, supplied_cover
from .back_text import BackText, back_text
from .barcode import ean13_svg
from .print_front import FONT_FAMILY, picture_front, picture_ppi, vector_front
from .print_html import back_html, back_layout, sheet_css, sheet_html, spine_html
from .wrap import WrapGeometry, wrap_geometry

CACHE_FORMAT = 1
CACHE_KEEP = 4  # covers kept in build/.cache/cover-pdf: the last few page counts cost nothing to go back to
PRINT_PPI = 300  # what printers ask of pictures (KDP, IngramSpark, Lulu)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*$")


@dataclass
class PrintCoverResult:
    """The cover's bytes, its geometry, and whether they came from the cache."""

    data: bytes
    geometry: WrapGeometry
    cached: bool
    stats: dict = field(default_factory=dict)


def make_print_cover(
    project: Project,
    book: Book,
    theme: Theme,
    diagnostics: Diagnostics,
    pages: int,
    build_time: dt.datetime,
    variant: str | None = None,
) -> PrintCoverResult:
    """The print cover for an interior of `pages` pages: from the cache when nothing that shapes
    it changed, else laid out now (its warnings are kept with it and said again on a hit)."""
    if pages < 1:
        raise BuildError(f"the interior has {pages} pages: there is no spine to make a cover for")
    geometry = wrap_geometry(project.config.pdf, pages)
    said = Diagnostics()  # what this cover says, kept in the cache with it
    _say_page_count(project, pages, said)
    html, back = _sheet(project, book, theme, geometry, build_time, said)
    extra_css = ""
    cmyk_profile = None
    variant = variant if is_pdfx(variant) else None  # a PDF/A or PDF/UA interior: the cover stays plain
    if variant:
        intent = output_intent(project.root, project.config.pdf)
        if intent is None:
            said.warn(
                "P002",
                f"{variant} needs a CMYK output intent; the print cover will not conform without one",
                path="book.toml",
                line=project.config.pdf.line_of.get("variant"),
                hint='name your printer\'s CMYK profile: [pdf] output-intent = "profile.icc"',
            )
        else:
            extra_css, cmyk_profile = intent
    css = sheet_css(geometry, extra_css)
    if cmyk_profile:  # every colour in the printer's CMYK, as the interior's (backends/pdf/cmyk.py)
        converter = converter_for(cmyk_profile)
        css = BLACK_TEXT + converter.css(css)
        html = converter.html(html)
    key = _cache_key(html, css, variant)
    folder = project.cache_dir("cover-pdf")
    cached = _cache_get(folder, key)
    if cached is not None:
        data, replay = cached
        diagnostics.replay(replay)
        return PrintCoverResult(data, geometry, True, {"cache_hits": 1, "cache_misses": 0})
    if not geometry.spine_has_text:
        said.info(
            "I004",
            f"the spine ({geometry.spine:.3f} in for {pages} pages) is too narrow for "
            f"{geometry.printer.label} to print text on: it was left blank",
            path="book.toml",
        )

    def with_back(paragraphs: list[str]) -> str:  # the same sheet with the back text cut
        sheet = _sheet(project, book, theme, geometry, build_time, Diagnostics(), paragraphs)[0]
        return converter_for(cmyk_profile).html(sheet) if cmyk_profile else sheet

    data = _lay_out(project, html, css, variant, back, geometry, with_back, said, cmyk_profile)
    _cache_put(folder, key, data, said)
    diagnostics.replay(said)
    return PrintCoverResult(data, geometry, False, {"cache_hits": 0, "cache_misses": 1})


def _sheet(
    project: Project,
    book: Book,
    theme: Theme,
    geometry: WrapGeometry,
    build_time: dt.datetime,
    said: Diagnostics,
    paragraphs: list[str] | None = None,
) -> tuple[str, BackText]:
    """The cover's HTML (with `paragraphs` as the back text when given: a cut version)."""
    text = cover_text(book, theme)
    if isinstance(book.cover, str) and book.cover:
        # The e-book cover's checks (readable, JPEG or PNG, inside the project); its e-reader
        # warnings (size, 1:1.6 shape) are the EPUB's business, not the printed cover's.
        jpeg, width, height = supplied_cover(project, book.cover, Diagnostics())
        front = picture_front(geometry, jpeg)
        ppi = picture_ppi(geometry, width, height)
        if ppi < PRINT_PPI:
            need = (round((geometry.trim_width + geometry.bleed) * PRINT_PPI), round(geometry.height * PRINT_PPI))
            said.warn(
                "V004",
                f"the cover picture ({width}×{height} px) prints at {ppi:.0f} ppi on the "
                f"{geometry.trim_width:g}×{geometry.trim_height:g} in front; printers ask for {PRINT_PPI}",
                path=book.cover,
                hint=f"use a picture at least {need[0]}×{need[1]} px (the front and its bleed)",
            )
    else:
        # Drawn as text, the front falls back glyph by glyph to any installed font (unlike the
        # raster cover's one face): a character no font has is WeasyPrint's P001, said as laid out.
        front = vector_front(geometry, text, geometry.safe)
    back = back_text(project, book)
    cover = project.config.cover_print
    author_line = None
    if cover.author_line and text.names:
        author_line = f"{text.byline_label} {text.names}" if text.byline_label else text.names
    isbn = project.config.isbn
    barcode = ean13_svg(isbn, FONT_FAMILY) if isbn else None
    body = (
        back_html(
            geometry,
            text,
            list(back.html if paragraphs is None else paragraphs),
            author_line,
            project.config.isbn_shown,
            barcode,
        )
        + spine_html(geometry, text)
        + front
    )
    names = book.editors or book.authors or book.story_authors()
    html = sheet_html(
        f"{book.title} (cover)",
        book.language,
        build_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        join_names(names, book.language),
        body,
    )
    return html, back


def _say_page_count(project: Project, pages: int, said: Diagnostics) -> None:
    """P005 for a cover made for a page count the printer does not bind (`--pages` can ask for any)."""
    config = project.config.pdf
    breach = page_count_breach(config, pages)
    if breach is not None:
        said.say(breach)
    if pages % 2:
        said.warn(
            "P005",
            f"{pages} pages: a bound book has an even number of pages (every leaf has two sides)",
            path="book.toml",
            line=config.line_of.get("printer"),
            hint="give the interior's real page count: build the PDF (bookforge pads it to an even count)",
        )


# ---------------------------------------------------------------------------------------------
# Layout


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _lay_out(
    project: Project,
    html: str,
    css: str,
    variant: str | None,
    back: BackText,
    geometry: WrapGeometry,
    with_back,
    said: Diagnostics,
    cmyk_profile: bytes | None = None,
) -> bytes:
    """Render the sheet; when the back text runs into the barcode's room, cut it and render again."""
    _require_weasyprint()  # a missing Pango is a MissingDependencyError, not a crash at the import below
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from ..backends.pdf.fetcher import ProjectFetcher  # (it imports WeasyPrint)

    weasy_fixes.apply()  # among them: a PDF/X-4 DocumentID and ICC profile the same every build
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        pictures = None
        if variant and cmyk_profile:
            pictures = converter_for(cmyk_profile).picture  # the front picture, separated to CMYK
        fetcher = ProjectFetcher([str(project.root), str(FONTS_DIR)], pictures)
        fonts = FontConfiguration()
        profiles: dict = {}  # the output intent's @color-profile: WeasyPrint keeps it only here
        base = project.root.as_uri() + "/"
        sheet = CSS(string=css, base_url=base, url_fetcher=fetcher, font_config=fonts, color_profiles=profiles)
        options = {"pdf_variant": variant} if variant else {}  # the output intent is chosen at render

        def render(source: str):
            weasy_fixes.set_document(source)
            return HTML(string=source, base_url=base, url_fetcher=fetcher).render(
                stylesheets=[sheet], font_config=fonts, color_profiles=profiles, **options
            )

        document = render(html)
        layout = back_layout(geometry)
        room = (layout.text_limit - layout.text_top) * 96  # CSS px
        measured = _measure(document, room)
        if measured is not None:
            paragraphs, kept = _cut(back, *measured)
            for _ in range(8):  # a word fewer each time, should the ellipsis wrap to a line of its own
                document = render(with_back(paragraphs))
                if _measure(document, room) is None:
                    break
                paragraphs, kept = _shorter(back, kept - 1)
            total = sum(len(p.split()) for p in back.plain)
            said.warn(
                "V005",
                f"the back cover's text does not fit above the barcode: cut after {kept} of {total} words",
                path=back.source,
                hint="shorten it ([cover] back-text or back-text-file), or choose a larger trim",
            )
        data = document.write_pdf(finisher=_bleed_box_is_media_box, **options)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    for message in dict.fromkeys(handler.messages):
        if "bookforge does not fetch" in message:
            said.warn("T001", f"not fetched: {message}", hint="the cover uses files inside the project only")
        else:
            said.warn("P001", f"layout (print cover): {message}")
    return data


def _bleed_box_is_media_box(document, pdf) -> None:
    """WeasyPrint puts the BleedBox at most 10 pt past the trim; the cover's bleed is all of the
    media around it (KDP's and Lulu's 0.125 in is 9 pt, but a printer's may be more)."""
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/Page" and "MediaBox" in obj:
            obj["BleedBox"] = obj["MediaBox"]


def _measure(document, room: float) -> tuple[int, int] | None:
    """None when the back text and the author line end within `room` CSS px of the text's top;
    else where the room ends: the last paragraph with a line inside it, and how many characters
    (spaces aside) its lines inside the room hold. (-1, 0): not even the first line fits."""
    container, lines, author = None, [], 0.0
    for box in document.pages[0]._page_box.descendants(placeholders=True):  # WeasyPrint has no public layout tree
        element = getattr(box, "element", None)
        if element is None or type(box).__name__ != "BlockBox":
            continue
        classes = element.get("class", "")
        if classes == "back-text" and container is None:
            container = box
        elif classes == "back-p":
            index = int(element.get("data-index"))
            lines += [(index, line) for line in box.children if type(line).__name__ == "LineBox"]
        elif classes == "author-line":
            author = box.margin_height()
    if container is None:
        return None
    limit = container.content_box_y() + room - author
    fitting = [(index, line) for index, line in lines if line.position_y + line.height <= limit + 0.01]
    if len(fitting) == len(lines) and (lines or author <= room + 0.01):
        return None
    if not fitting:
        return -1, 0
    last = fitting[-1][0]
    characters = 0
    for index, line in fitting:
        if index == last:
            text = "".join(getattr(child, "text", "") or "" for child in line.descendants())
            # A line broken inside a word carries the hyphen WeasyPrint added: not the text's.
            characters += len(re.sub(r"\s", "", re.sub(r"[-\u2010\u00ad]\s*$", "", text)))
    return last, characters


def _cut(back: BackText, last: int, characters: int) -> tuple[list[str], int]:
    """The back text cut where the room ends: after paragraph `last`'s first `characters`."""
    before = sum(len(p.split()) for p in back.plain[: max(last, 0)])
    if last < 0:
        return [], 0
    words, count = 0, 0
    paragraph = back.plain[last].split()
    for word in paragraph:  # the whole words the fitting lines hold (a hyphenated one is not whole)
        count += len(word)
        if count > characters:
            break
        words += 1
    if words == len(paragraph):  # the room ends with a paragraph: a clean cut as it is
        return list(back.html[: last + 1]), before + words
    return _shorter(back, before + words)


def _shorter(back: BackText, words: int) -> tuple[list[str], int]:
    """The back text cut to at most `words` words: at a sentence's end when one is near enough
    (in the second half of the paragraph's kept words), else after a word, with an ellipsis."""
    words = max(0, words)
    kept: list[str] = []
    done = 0
    for index, plain in enumerate(back.plain):
        paragraph = plain.split()
        if words - done >= len(paragraph):
            kept.append(back.html[index])
            done += len(paragraph)
            continue
        room = words - done
        ends = [i for i in range(room) if _SENTENCE_END.search(paragraph[i])]
        if ends and ends[-1] + 1 >= room / 2:
            kept.append(esc(" ".join(paragraph[: ends[-1] + 1])))
            return kept, done + ends[-1] + 1
        if room > 0:
            kept.append(esc(" ".join(paragraph[:room]).rstrip(",;:\u2014\u2013-") + "\u2026"))
        return kept, done + room
    return kept, done


# ---------------------------------------------------------------------------------------------
# The cache: build/.cache/cover-pdf/<key>.pdf and <key>.json (its warnings)


def _cache_key(html: str, css: str, variant: str | None) -> str:
    """Everything that shapes the cover is in its HTML and CSS (geometry from the page count,
    printer, paper and trim; texts; the picture's bytes; the theme's colours; the date), plus the
    code and the tools that draw it."""
    digest = hashlib.sha256(
        f"{CACHE_FORMAT}|{__version__}|{version('weasyprint')}|{version('python-barcode')}|"
        f"{version('pillow')}|{variant}|{_code_digest()}".encode()
    )
    digest.update(css.encode())
    digest.update(b"\0")
    digest.update(html.encode())
    return digest.hexdigest()[:40]


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """The cover's own code and the bundled fonts: a new look is never hidden by an old file."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in (
        "art.py",
        "wrap.py",
        "print_front.py",
        "print_html.py",
        "print_cover.py",
        "barcode.py",
        "back_text.py",
    ):
        digest.update((here / name).read_bytes())
    for font in sorted(FONTS_DIR.glob("*.otf")):
        digest.update(font.read_bytes())
    return digest.hexdigest()[:16]


def _cache_get(folder: Path, key: str) -> tuple[bytes, Diagnostics] | None:
    try:
        info = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        data = (folder / f"{key}.pdf").read_bytes()
    except (OSError, ValueError):
        return None
    if info.get("format") != CACHE_FORMAT or info.get("size") != len(data):
        return None
    said = Diagnostics()
    for item in info.get("said", []):
        diagnostic = Diagnostic.from_json(item)
        (said.infos if diagnostic.severity == "info" else said.items).append(diagnostic)
    try:
        os.utime(folder / f"{key}.json")  # recently used: kept by the pruning below
    except OSError:
        pass
    return data, said


def _cache_put(folder: Path, key: str, data: bytes, said: Diagnostics) -> None:
    said_json = [d.to_json() for d in [*said.items, *said.infos]]
    info = {"format": CACHE_FORMAT, "size": len(data), "said": said_json}
    try:  # a cache that cannot be written only costs time
        folder.mkdir(parents=True, exist_ok=True)
        replace_bytes(folder / f"{key}.pdf", data)  # the PDF first, then the JSON that vouches for it
        replace_bytes(folder / f"{key}.json", json.dumps(info).encode())
        entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[CACHE_KEEP:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".pdf").unlink(missing_ok=True)
    except OSError:
        pass
