"""EPUB 3 (with an EPUB 2 NCX) packaged by EbookLib from the shared XHTML documents."""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Callable

from ebooklib import epub
from ebooklib.epub import NAMESPACES
from lxml import etree

from .. import __version__
from ..errors import BuildError
from ..media_types import ASSET_TYPES, BOOK_FILE_TYPES, FONT_TYPES, IMAGE_TYPES
from ..model import Book
from ..output import atomic_output
from ..render.documents import Document, RenderedBook, RenderOptions, TocEntry, join_names, render_book
from ..render.xhtml import attr, esc
from ..themes import THEMES_DIR
from ..transforms.resources import book_media, image_bytes
from . import BuildContext, Built, kindle_safety
from .ebooklib_writer import ReproducibleWriter
from .epub_css import package_css

CSS_NAME = "css/style.css"
XHTML_TYPE = BOOK_FILE_TYPES[".xhtml"]
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"


class EpubBackend:
    def build(self, ctx: BuildContext) -> Built:
        data = build_epub_bytes(ctx)
        with atomic_output(ctx.output, ctx.project.rel(ctx.output)) as handle:
            handle.write(data)
        return Built(ctx.output)


def build_epub_bytes(
    ctx: BuildContext, document_transform: Callable[[bytes], bytes] | None = None, kindle_checks: bool = True
) -> bytes:
    """The whole EPUB as bytes (packaged in memory: one pass, the zip written once).

    `document_transform` rewrites each content document (not the navigation document) after
    rendering: the KEPUB backend adds Kobo's markup with it."""
    book = ctx.book
    images = _ImageRegistry()
    cover = ctx.cover()
    has_cover = cover is not None
    rendered = render_book(
        book,
        RenderOptions(
            notes=ctx.project.config.notes,
            has_cover=has_cover,
            preface=ctx.project.config.preface,
            notes_at="book" if ctx.project.config.footnotes == "book" else "document",
        ),
        href=_href,
        image_src=images.register,
        cache=ctx.render_cache,
        cache_tag="epub",
    )

    package = epub.EpubBook()
    pictures_alt = ([("cover", cover.alt)] if cover is not None else []) + _image_alts(rendered)
    _metadata(package, book, ctx.project.config, pictures_alt, rendered)
    sheets = ctx.theme.sheets("epub", ctx.project.styles_dir)
    styles = package_css(sheets, [ctx.project.root, THEMES_DIR], ctx.diagnostics, ctx.project.rel)
    if kindle_checks:
        kindle_safety.check_stylesheets(sheets, ctx.diagnostics, ctx.project.rel)
    package.add_item(
        epub.EpubItem(uid="style", file_name=CSS_NAME, media_type="text/css", content=styles.text.encode("utf-8"))
    )
    for name, path in styles.assets.items():
        package.add_item(
            epub.EpubItem(
                uid=_item_id("css-" + name),
                file_name=f"css/{name}",
                media_type=ASSET_TYPES[path.suffix.lower()],
                content=path.read_bytes(),
            )
        )

    spine = []
    if has_cover:
        spine.append(_add_cover(package, cover, book.language, rendered.labels, document_transform))
    for document in rendered.documents:
        if document.print_only:
            continue
        content = _xhtml(document)
        if document_transform is not None and document.kind != "toc":
            content = document_transform(content)
        item = epub.EpubItem(
            uid=document.name, file_name=f"text/{document.name}.xhtml", media_type=XHTML_TYPE, content=content
        )
        item.properties = ["nav"] if document.kind == "toc" else []
        package.add_item(item)
        spine.append(item)

    media = book_media(book)
    pictures = [
        epub.EpubItem(
            uid=_item_id(name),
            file_name=name,
            media_type=IMAGE_TYPES[posixpath.splitext(name)[1].lower()],
            content=image_bytes(ctx.project.root, src, media),
        )
        for src, name in images.names.items()
    ]
    for picture in pictures:
        package.add_item(picture)

    for item in spine:
        try:
            _parse_xml(item.content)
        except etree.XMLSyntaxError as error:  # a bookforge bug: the renderer escapes everything
            raise BuildError(
                f"internal error: {item.file_name} is not well-formed XML ({error})",
                hint="please report this with the manuscript that caused it",
            ) from None

    ncx = epub.EpubNcx()
    package.add_item(ncx)
    package.spine = spine
    package.toc = [_ncx_entry(entry, rendered, epub) for entry in rendered.toc]
    package.guide = _guide(rendered, has_cover)

    buffer = io.BytesIO()
    ReproducibleWriter(buffer, package, ctx.build_time).write()
    if kindle_checks:
        rel = ctx.project.rel
        fonts = {name: path for name, path in styles.assets.items() if path.suffix.lower() in FONT_TYPES}
        image_files = {
            name: (len(picture.content), src) for (src, name), picture in zip(images.names.items(), pictures)
        }
        image_files.update(
            {name: (path.stat().st_size, rel(path)) for name, path in styles.assets.items() if name not in fonts}
        )
        if cover is not None:
            image_files["images/cover.jpg"] = (len(cover.data), cover.source or "book.toml")
        kindle_safety.check_files(image_files, fonts, ctx.diagnostics, rel)
        kindle_safety.check_size(buffer.tell(), ctx.diagnostics, ctx.project.rel(ctx.output))
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------


_IMG_ALT = re.compile(r'<img src="([^"]*)" alt="([^"]*)"')


def _image_alts(rendered: RenderedBook) -> list[tuple[str, str]]:
    """(src, alt text) of every image the book's documents show (the renderer writes them so)."""
    return [
        found for document in rendered.documents if "<img" in document.body for found in _IMG_ALT.findall(document.body)
    ]


def _href(document: str, fragment: str | None) -> str:
    """Every content document lives in text/, so links between them are bare file names."""
    target = f"{document}.xhtml"
    return f"{target}#{fragment}" if fragment and fragment != document else target


_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class _ImageRegistry:
    """Collects the images the renderer links to and gives each a name inside the EPUB."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def register(self, src: str) -> str:
        if src not in self.names:
            # A name that is its own address: no space or % to percent-encode in src and href.
            flat = _UNSAFE_IN_NAME.sub("-", src.removeprefix("images/")).lstrip(".-") or "image"
            name = f"images/{flat}"
            while name in self.names.values():
                name = f"images/x-{flat}"
            self.names[src] = name
        return "../" + self.names[src]


def _item_id(name: str) -> str:
    return "img-" + "".join(c if c.isalnum() else "-" for c in posixpath.basename(name))


def _xhtml(document: Document) -> bytes:
    lang = attr(document.lang)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{lang}" xml:lang="{lang}">\n<head>\n<title>{esc(document.title)}</title>\n'
        f'<link href="../{CSS_NAME}" rel="stylesheet" type="text/css"/>\n</head>\n'
        f'<body epub:type="{document.matter}">\n{document.body}</body>\n</html>\n'
    ).encode()


def _parse_xml(data: bytes) -> None:
    """EbookLib would package a broken document silently; refuse to, loudly (lxml raises).
    Every document bookforge writes opens with the XML declaration; images are deflated unchecked."""
    if data.startswith(b"<?xml"):
        etree.fromstring(data)


def _metadata(package, book: Book, config, images: list[tuple[str, str]], rendered: RenderedBook) -> None:
    package.set_identifier(book.identifier)
    package.set_title(book.title)
    package.set_language(book.language)
    package.metadata[NAMESPACES["OPF"]]["generator"] = [
        ("", {"name": "generator", "content": f"bookforge {__version__}"})
    ]
    creators = [(name, "aut") for name in book.authors] + [(name, "edt") for name in book.editors]
    contributors = [(name, "aut") for name in book.story_authors() if name not in book.authors]
    if not creators:  # an anthology without editors: its story authors are its creators
        creators, contributors = contributors, []
    # Sort names the manuscripts gave ("Seeley, Jason" for Jason Seeley), as file-as.
    sort_names = {name: sort for story in book.stories for name, sort in story.file_as.items()}
    people = []
    for number, (name, role) in enumerate(creators, start=1):
        package.add_author(name, role=role, uid=f"creator{number}")
        people.append((f"creator{number}", name))
    for number, (name, role) in enumerate(contributors, start=1):
        uid = f"contributor{number}"
        package.add_metadata("DC", "contributor", name, {"id": uid})
        package.add_metadata(None, "meta", role, {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"})
        people.append((uid, name))
    for uid, name in people:  # EbookLib's own file_as would carry the role's scheme: written here
        if name in sort_names:
            package.add_metadata(None, "meta", sort_names[name], {"refines": f"#{uid}", "property": "file-as"})
    if book.date:
        package.add_metadata("DC", "date", book.date)
    _collection(package, book)
    for field_name in ("publisher", "rights", "description"):
        value = getattr(book, field_name)
        if value:
            package.add_metadata("DC", field_name, value)
    _accessibility(package, images, config, book, rendered)


_SERIES = re.compile(r"^Part\s+(\d+)\s+of\s+(.+)$")


def _collection(package, book: Book) -> None:
    """A book that is one work of a series says so: belongs-to-collection, with its position."""
    if len(book.stories) != 1:
        return  # an anthology's stories may each be in a series; the anthology is not
    series = book.stories[0].meta.get("series")
    match = _SERIES.match(series[0] if isinstance(series, list) and series else str(series or ""))
    if not match:
        return
    package.add_metadata(None, "meta", match.group(2), {"property": "belongs-to-collection", "id": "collection"})
    package.add_metadata(None, "meta", "series", {"refines": "#collection", "property": "collection-type"})
    package.add_metadata(None, "meta", match.group(1), {"refines": "#collection", "property": "group-position"})


def _accessibility(package, images: list[tuple[str, str]], config, book: Book, rendered: RenderedBook) -> None:
    """The schema.org accessibility metadata EPUB Accessibility 1.1 asks for; every claim is one the
    book keeps (tests/test_accessibility_claims.py reads each built book against it)."""
    described = bool(images) and all(alt.strip() for _, alt in images)
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    if described:
        features.append("alternativeText")
    modes = ["textual"] + (["visual"] if images else [])
    for mode in modes:
        package.add_metadata(None, "meta", mode, {"property": "schema:accessMode"})
    sufficient = "textual" if not images or described else "textual,visual"
    package.add_metadata(None, "meta", sufficient, {"property": "schema:accessModeSufficient"})
    for feature in features:
        package.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    package.add_metadata(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    has_notes = any(document.body.find('epub:type="noteref"') >= 0 for document in rendered.documents)
    summary = config.accessibility_summary or (
        "This publication is text that reading systems can reflow and restyle. Every story and "
        "chapter has a heading and is listed in the table of contents; the story notes and other "
        "sections are labelled. Scene breaks are marked as separators and authors’ notes as front matter"
        + ("; footnotes and endnotes are linked both ways" if has_notes else "")
        + (
            "; images have text alternatives."
            if described
            else "; some images have no text alternative."
            if images
            else "."
        )
    )
    package.add_metadata(None, "meta", summary, {"property": "schema:accessibilitySummary"})
    if config.conforms_to:  # the publisher's claim, made only when book.toml makes it
        package.add_metadata(None, "meta", CONFORMANCE, {"property": "dcterms:conformsTo"})
        certifier = book.publisher or join_names(book.editors or book.authors or book.story_authors(), book.language)
        if certifier:
            package.add_metadata(None, "meta", certifier, {"property": "a11y:certifiedBy"})


def _ncx_entry(entry: TocEntry, rendered: RenderedBook, epub):
    title = entry.title + (f" {rendered.labels['by']} {entry.author}" if entry.author else "")
    link = epub.Link("text/" + _href(entry.document, entry.fragment), title, f"nav-{entry.fragment or entry.document}")
    if not entry.children:
        return link
    return (link, [_ncx_entry(child, rendered, epub) for child in entry.children])


def _guide(rendered: RenderedBook, has_cover: bool) -> list[dict]:
    """The EPUB 2 guide: older Kindles and Adobe readers use it to find the start and the contents."""
    kinds = {"cover": "cover", "titlepage": "title-page", "toc": "toc", "bodymatter": "text"}
    return [
        {"href": "text/" + _href(mark.document, None), "title": mark.title, "type": kinds[mark.kind]}
        for mark in rendered.landmarks
        if mark.kind in kinds
    ]


def _add_cover(package, cover, language: str, labels: dict[str, str], transform=None):
    """The cover image (marked the EPUB 3 and the EPUB 2 way) and a cover page showing it."""
    name = "images/cover.jpg"
    # EbookLib's EpubCover gives the manifest item properties="cover-image" (EPUB 3); the
    # <meta name="cover"> is what Kindle's thumbnails and older readers look for (EPUB 2).
    package.add_item(epub.EpubCover(uid="cover-image", file_name=name))
    package.get_item_with_id("cover-image").content = cover.data
    package.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    page = Document(
        "cover",
        labels["cover"],
        f'<section class="cover" epub:type="cover" aria-label="{attr(labels["cover"])}">\n'
        f'<img role="doc-cover" src="../{name}" alt="{attr(cover.alt)}" width="{cover.width}" '
        f'height="{cover.height}"/>\n</section>\n',
        language,
        "frontmatter",
        "cover",
    )
    content = _xhtml(page) if transform is None else transform(_xhtml(page))
    item = epub.EpubItem(uid="cover", file_name="text/cover.xhtml", media_type=XHTML_TYPE, content=content)
    item.properties = []
    package.add_item(item)
    return item
