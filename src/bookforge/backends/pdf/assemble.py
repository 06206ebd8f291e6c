"""Assemble laid-out parts into one PDF: recto padding, folios, links, outline, labels, metadata."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from ... import __version__
from ...model import Book
from .book_html import PART_LINK, PrintPart
from .fonts import folio_glyphs, merge_fonts
from .geometry import Geometry
from .layout import PartResult
from .page_css import FOLIO_SIZE_EM


@dataclass
class PageSlot:
    """One page of the finished book."""

    part: int  # index into the parts list
    page: int | None  # page index inside that part; None for a padding page
    number: int  # the page's number in its sequence (roman front matter, then arabic from 1)
    roman: bool
    folio: bool  # whether a folio is printed on it


def plan(parts: list[PrintPart], results: list[PartResult]) -> list[PageSlot]:
    """Where every page goes and which pages carry a folio; every part starts on a right page."""
    slots: list[PageSlot] = []
    arabic = 0
    roman = 0
    for index, (part, result) in enumerate(zip(parts, results)):
        is_front = part.kind == "front"
        for page in range(result.pages):
            if is_front:
                roman += 1
                number = roman
            else:
                arabic += 1
                number = arabic
            blank = result.blank[page] if page < len(result.blank) else False
            name = result.page_names[page] if page < len(result.page_names) else ""
            opening = part.kind == "story" and page == 0
            folio = not blank and not opening and name != "bare"
            slots.append(PageSlot(index, page, number, is_front, folio))
        if index < len(parts) - 1 and len(slots) % 2 == 1:  # the next part must start recto
            if is_front:
                roman += 1
            else:
                arabic += 1
            slots.append(PageSlot(index, None, roman if is_front else arabic, is_front, False))
    return slots


def start_pages(parts: list[PrintPart], results: list[PartResult]) -> dict[str, str]:
    """The printed page number where each anchor (story, chapter, notes) lands: for the contents."""
    numbers: dict[str, str] = {}
    slots = plan(parts, results)
    for slot in slots:
        if slot.page is None:
            continue
        result = results[slot.part]
        for anchor, page in result.anchors.items():
            if page == slot.page and anchor not in numbers:
                numbers[anchor] = to_roman(slot.number) if slot.roman else str(slot.number)
    return numbers


def to_roman(number: int) -> str:
    out = []
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def assemble(
    parts: list[PrintPart],
    results: list[PartResult],
    book: Book,
    geometry: Geometry,
    moment: dt.datetime,
) -> bytes:
    """The finished PDF as bytes."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    slots = plan(parts, results)
    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(result.pdf)) for result in results]
    for slot in slots:
        if slot.page is not None:
            writer.add_page(readers[slot.part].pages[slot.page])
        else:
            _add_blank(writer)

    merged = merge_fonts(writer)
    if "" in merged:
        _stamp_folios(writer, slots, geometry, merged[""])
    anchor_pages = _anchor_pages(slots, results)
    _rewrite_links(writer, anchor_pages)
    _outline(writer, parts, results, anchor_pages, book)
    _page_labels(writer, slots)

    writer.add_metadata(_metadata(book, moment))
    writer._root_object[NameObject("/Lang")] = TextStringObject(book.language)
    writer.compress_identical_objects()  # defaults: merge duplicates, drop the orphaned part fonts
    seed = hashlib.md5(f"{book.identifier}|{moment.isoformat()}".encode(), usedforsecurity=False).digest()
    writer._ID = ArrayObject([ByteStringObject(seed), ByteStringObject(seed)])  # reproducible, not random
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _add_blank(writer) -> None:
    from pypdf.generic import NameObject, RectangleObject

    previous = writer.pages[-1]
    page = writer.add_blank_page(float(previous.mediabox.width), float(previous.mediabox.height))
    for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
        if box in previous:
            page[NameObject(box)] = RectangleObject(list(previous[box]))


def _stamp_folios(writer, slots: list[PageSlot], geometry: Geometry, font_ref) -> None:
    """Draw each page's number in the merged regular face, where the stylesheet would put it."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    glyphs = folio_glyphs()
    size = geometry.font_size * FOLIO_SIZE_EM
    # Matches @bottom-center in print.css: top-aligned, 1.4rem below the text block's foot.
    baseline = geometry.bottom - 1.4 * geometry.font_size - size * 0.78
    push = writer._add_object(_stream(b"q\n"))
    for index, slot in enumerate(slots):
        if not slot.folio:
            continue
        page = writer.pages[index]
        text = to_roman(slot.number) if slot.roman else str(slot.number)
        hexcodes, width = glyphs.encode(text)
        recto = index % 2 == 0
        left = geometry.inner if recto else geometry.outer
        trim = page.get("/TrimBox", page.mediabox)
        x = float(trim[0]) + left + geometry.text_width / 2 - width * size / 2000
        y = float(trim[1]) + baseline
        ops = f"Q\nq\nBT\n/BFFolio {size:.3f} Tf\n1 0 0 1 {x:.3f} {y:.3f} Tm\n<{hexcodes}> Tj\nET\nQ\n"
        stamp = writer._add_object(_stream(ops.encode("ascii")))
        contents = page.get("/Contents")
        existing = list(contents.get_object()) if isinstance(contents.get_object(), list) else [contents]
        page[NameObject("/Contents")] = ArrayObject([push, *existing, stamp])
        resources = page["/Resources"].get_object()
        fonts = resources.get("/Font")
        if fonts is None:
            resources[NameObject("/Font")] = DictionaryObject()
            fonts = resources["/Font"]
        fonts.get_object()[NameObject("/BFFolio")] = font_ref


def _stream(data: bytes):
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _anchor_pages(slots: list[PageSlot], results: list[PartResult]) -> dict[str, int]:
    """Final page index of every anchor in every part."""
    pages: dict[str, int] = {}
    for index, slot in enumerate(slots):
        if slot.page is None:
            continue
        for anchor, page in results[slot.part].anchors.items():
            if page == slot.page:
                pages.setdefault(anchor, index)
    return pages


def _rewrite_links(writer, anchor_pages: dict[str, int]) -> None:
    """Links between parts were written as bookforge-part: URIs; point them at the pages now."""
    from pypdf.generic import ArrayObject, NameObject, NullObject

    for page in writer.pages:
        annotations = page.get("/Annots")
        if annotations is None:
            continue
        for annotation in annotations.get_object():
            annotation = annotation.get_object()
            action = annotation.get("/A")
            if action is None:
                continue
            action = action.get_object()
            uri = str(action.get("/URI", ""))
            if not uri.startswith(PART_LINK):
                continue
            target = anchor_pages.get(uri[len(PART_LINK):])
            del annotation["/A"]
            if target is None:
                continue
            annotation[NameObject("/Dest")] = ArrayObject(
                [writer.pages[target].indirect_reference, NameObject("/XYZ"), NullObject(), NullObject(), NullObject()]
            )


def _outline(writer, parts, results, anchor_pages: dict[str, int], book: Book) -> None:
    """Bookmarks: contents, notes, and one entry per story with its chapters nested."""
    if "toc" in anchor_pages:
        contents_title = next(d.title for p in parts for d in p.documents if d.kind == "toc")
        writer.add_outline_item(title=contents_title, page_number=anchor_pages["toc"])
    for part in parts:
        if part.kind in ("front", "back"):
            notes = [d for d in part.documents if d.kind == "notes"]
            if notes and "notes" in anchor_pages:
                writer.add_outline_item(title=notes[0].title, page_number=anchor_pages["notes"])
            continue
        story = part.story
        parent = writer.add_outline_item(title=story.title, page_number=anchor_pages.get(story.id, 0))
        if len(story.chapters) > 1:
            for chapter in story.chapters:
                if chapter.title and chapter.id in anchor_pages:
                    writer.add_outline_item(title=chapter.title, page_number=anchor_pages[chapter.id], parent=parent)


def _page_labels(writer, slots: list[PageSlot]) -> None:
    """Viewers show the printed numbers: i, ii, iii… then 1, 2, 3."""
    front = sum(1 for slot in slots if slot.roman)
    if front:
        writer.set_page_label(0, front - 1, style="/r", start=1)
    if front < len(slots):
        writer.set_page_label(front, len(slots) - 1, style="/D", start=1)


def _metadata(book: Book, moment: dt.datetime) -> dict[str, str]:
    from .book_html import join_names

    stamp = moment.strftime("D:%Y%m%d%H%M%S+00'00'")
    names = book.editors or book.authors or book.story_authors()
    metadata = {
        "/Title": book.title,
        "/Creator": f"bookforge {__version__}",
        "/Producer": "bookforge (WeasyPrint, pypdf)",
        "/CreationDate": stamp,
        "/ModDate": stamp,
    }
    if names:
        metadata["/Author"] = join_names(names, book.language)
    if book.description:
        metadata["/Subject"] = book.description
    return metadata
