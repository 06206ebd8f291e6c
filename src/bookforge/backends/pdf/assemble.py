"""Assemble laid-out parts into one PDF: recto padding, folios, links, outline, labels, metadata."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from ... import __version__
from ...model import Book
from ...printing.geometry import Geometry
from .book_html import PART_LINK, PrintPart, join_names
from .fonts import FontMerger, folio_glyphs
from .layout import PartResult
from .page_css import FOLIO_SIZE_EM

# pypdf (and pdfout, which imports it at its top) are imported in the functions that write the
# book: the layout imports this module for its page plan before the workers fork, and pypdf loaded
# then would be carried by every worker. fonts.py imports pypdf only inside its functions, so its
# FontMerger comes from the top.


@dataclass
class PageSlot:
    """One page of the finished book."""

    part: int  # index into the parts list
    page: int | None  # page index inside that part; None for a padding page
    number: int  # the page's number in its sequence (roman front matter, then arabic from 1)
    roman: bool
    folio: bool  # whether a folio is printed on it


def plan(parts: list[PrintPart], results: list[PartResult]) -> list[PageSlot]:
    """Where every page goes and which pages carry a folio.

    Every part starts on a right-hand page, and the last one is padded too: a printed book has
    an even number of pages (IngramSpark refuses an odd count; KDP adds a blank page of its own).
    """
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
            folio = not blank and not opening and name not in ("bare", "cover")
            slots.append(PageSlot(index, page, number, is_front, folio))
        if len(slots) % 2 == 1:  # the next part must start recto; the book must end verso
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
    for value, letters in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


class Assembler:
    """Writes the book as its parts arrive: the body (stories, back notes) first, then the front.

    Stories are numbered from 1 and every part starts on a right-hand page, so nothing in the
    body depends on the front matter: the front can still be laid out while the body is written.
    The page tree puts the front pages first.
    """

    def __init__(self, output, book: Book, geometry: Geometry, moment: dt.datetime, cache=None) -> None:
        from .pdfout import PdfOut, stream_object

        self.book = book
        self.moment = moment
        self.out = PdfOut(output)
        self.pages_root = self.out.reserve()
        self.fonts = FontMerger(self.out, cache)
        push = self.out.add(stream_object(b"q\n", compress=False))
        self.stamper = _Folios(geometry, self.fonts.folio_font(), push)
        self.front_ids: list[int] = []
        self.body_ids: list[int] = []
        self.front_slots: list[PageSlot] = []
        self.anchor_ids: dict[str, int] = {}  # anchor → object number of the page it is on

    def add_body(self, parts: list[PrintPart], results: list[PartResult]) -> None:
        slots = plan(parts, results)
        self.body_ids = self._place(slots, results)
        self._copy(slots, results, self.body_ids)

    def add_front(self, part: PrintPart, result: PartResult) -> None:
        slots = plan([part], [result])  # padded to an even count: the first story starts recto
        self.front_slots = slots
        self.front_ids = self._place(slots, [result])
        self._copy(slots, [result], self.front_ids)

    def finish(self, parts: list[PrintPart]) -> None:
        self.fonts.write()
        outline = _outline(self.out, parts, self.anchor_ids)
        labels = _page_labels(len(self.front_ids), len(self.body_ids))
        root = _catalog(self.out, self.pages_root, self.front_ids + self.body_ids, outline, labels, self.book)
        info = self.out.add(_info(self.book, self.moment))
        seed = hashlib.md5(f"{self.book.identifier}|{self.moment.isoformat()}".encode(), usedforsecurity=False).digest()
        self.out.close(root, info, seed)  # a reproducible file identifier, not a random one

    def _place(self, slots: list[PageSlot], results: list[PartResult]) -> list[int]:
        """Number the pages and note where each anchor lands."""
        ids = [self.out.reserve() for _ in slots]
        for index, slot in enumerate(slots):
            if slot.page is None:
                continue
            for anchor, page in results[slot.part].anchors.items():
                if page == slot.page:
                    self.anchor_ids.setdefault(anchor, ids[index])
        return ids

    def _copy(self, slots: list[PageSlot], results: list[PartResult], ids: list[int]) -> None:
        index = 0
        while index < len(slots):
            part = slots[index].part
            end = index
            while end < len(slots) and slots[end].part == part:
                end += 1
            _copy_part(
                self.out,
                results[part].pdf,
                slots,
                index,
                end,
                ids,
                self.pages_root,
                self.anchor_ids,
                self.fonts,
                self.stamper,
            )
            index = end


class _Folios:
    """Draws each page's number in the merged regular face, where the stylesheet would put it."""

    def __init__(self, geometry: Geometry, font: int, push: int) -> None:
        self.geometry = geometry
        self.font = font
        self.push = push
        self.glyphs = folio_glyphs()
        self.size = geometry.font_size * FOLIO_SIZE_EM
        # Matches @bottom-center in print.css: top-aligned, 1.4rem below the text block's foot.
        self.baseline = geometry.bottom - 1.4 * geometry.font_size - self.size * 0.78

    def stream(self, slot: PageSlot, index: int, trim) -> bytes:
        g = self.geometry
        text = to_roman(slot.number) if slot.roman else str(slot.number)
        hexcodes, width = self.glyphs.encode(text)
        left = g.inner if index % 2 == 0 else g.outer  # even index: a right-hand page
        x = float(trim[0]) + left + g.text_width / 2 - width * self.size / 2000
        y = float(trim[1]) + self.baseline
        return f"Q\nq\nBT\n/BFFolio {self.size:.3f} Tf\n1 0 0 1 {x:.3f} {y:.3f} Tm\n<{hexcodes}> Tj\nET\nQ\n".encode()


def _copy_part(
    out, pdf: bytes, slots, start: int, end: int, page_numbers, pages_root, anchor_ids, fonts, stamper
) -> None:
    """Copy one part's pages (and everything they use) into the output, renumbered."""
    from pypdf import PdfReader
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
        RectangleObject,
    )

    from .pdfout import stream_object

    reader = PdfReader(io.BytesIO(pdf)) if pdf else None
    numbers: dict[int, int] = {}  # object number in the part → number in the book
    replacements: dict[int, object] = {}  # objects written differently from the part's
    queue: list = []  # references still to copy

    def remap(reference) -> int:
        if reference.pdf is None:  # made here, already numbered for the book
            return reference.idnum
        idnum = reference.idnum
        if idnum not in numbers:
            numbers[idnum] = out.reserve()
            queue.append(reference)
        return numbers[idnum]

    folio_font = IndirectObject(fonts.folio_font(), 0, None)

    def prepare_resources(resources, page_level: bool = False) -> None:
        """Point bundled fonts at the merged fonts (in forms too) before anything is copied."""
        if resources is None:
            return
        resources = resources.get_object()
        font_refs = resources.get("/Font")
        if font_refs is None and page_level:
            font_refs = resources[NameObject("/Font")] = DictionaryObject()
        if font_refs is not None:
            font_refs = font_refs.get_object()
            for reference in list(font_refs.values()):
                if (
                    isinstance(reference, IndirectObject)
                    and reference.pdf is not None
                    and reference.idnum not in numbers
                ):
                    merged = fonts.number(reference.get_object())
                    if merged is not None:
                        numbers[reference.idnum] = merged  # never copied: the merged font replaces it
            if page_level:  # the font dictionary pages share: stamped folios use it too
                font_refs[NameObject("/BFFolio")] = folio_font
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                prepare_resources(xobject.get("/Resources"))

    previous_boxes: dict = {}  # the last copied page's boxes, for a blank page after it
    for index in range(start, end):
        slot = slots[index]
        if slot.page is None:  # a blank page that brings the next part to a right-hand page
            page = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Page"),
                    NameObject("/Parent"): IndirectObject(pages_root, 0, None),
                    NameObject("/Resources"): DictionaryObject(),
                    **{NameObject(k): RectangleObject(list(v)) for k, v in previous_boxes.items()},
                }
            )
            out.write(page_numbers[index], page)
            continue
        assert reader is not None, "a part with a page to copy has its PDF"
        source = reader.pages[slot.page]
        numbers[source.indirect_reference.idnum] = page_numbers[index]
        prepare_resources(source.get("/Resources"), page_level=True)
        page = DictionaryObject({k: v for k, v in source.items() if k not in ("/Parent", "/Contents")})
        page[NameObject("/Parent")] = IndirectObject(pages_root, 0, None)
        previous_boxes = {k: source[k] for k in ("/MediaBox", "/TrimBox", "/BleedBox") if k in source}
        contents = source.get("/Contents")
        parts_contents = []
        if contents is not None:
            resolved = contents.get_object()
            parts_contents = list(resolved) if isinstance(resolved, list) else [contents]
        if slot.folio:
            stamp = out.add(stream_object(stamper.stream(slot, index, source.get("/TrimBox", source.mediabox))))
            parts_contents = [IndirectObject(stamper.push, 0, None), *parts_contents, IndirectObject(stamp, 0, None)]
        if parts_contents:
            page[NameObject("/Contents")] = ArrayObject(parts_contents)
        for annotation in source.get("/Annots") or []:
            _prepare_link(annotation, replacements, anchor_ids)
        out.write(page_numbers[index], page, remap)

    while queue:  # everything the pages refer to, renumbered, written as found
        reference = queue.pop()
        obj = replacements[reference.idnum] if reference.idnum in replacements else reference.get_object()
        out.write(numbers[reference.idnum], obj, remap)


def _prepare_link(annotation, replacements, anchor_ids: dict[str, int]) -> None:
    """A link between parts was written as a bookforge-part: URI; make it a link to the page."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NullObject

    if not hasattr(annotation, "idnum"):
        return
    resolved = annotation.get_object()
    action = resolved.get("/A")
    uri = str(action.get_object().get("/URI", "")) if action is not None else ""
    if not uri.startswith(PART_LINK):
        return
    replacement = DictionaryObject({k: v for k, v in resolved.items() if k != "/A"})
    target = anchor_ids.get(uri[len(PART_LINK) :])
    if target is not None:
        replacement[NameObject("/Dest")] = ArrayObject(
            [IndirectObject(target, 0, None), NameObject("/XYZ"), NullObject(), NullObject(), NullObject()]
        )
    replacements[annotation.idnum] = replacement


def _outline(out, parts, anchor_ids: dict[str, int]) -> int | None:
    """Bookmarks: contents, notes, and one entry per story with its chapters nested."""
    from pypdf.generic import DictionaryObject, IndirectObject, NameObject, NumberObject

    entries: list[tuple[str, int, list]] = []
    for part in parts:
        if part.kind in ("front", "back"):
            for document in part.documents:
                anchor = {"toc": "toc", "notes": "notes", "endnotes": "endnotes"}.get(document.kind)
                if anchor and anchor in anchor_ids:
                    entries.append((document.title, anchor_ids[anchor], []))
            continue
        story = part.story
        children: list = []
        if len(story.chapters) > 1:
            children = [(c.title, anchor_ids[c.id], []) for c in story.chapters if c.title and c.id in anchor_ids]
        if story.id in anchor_ids:
            entries.append((story.title, anchor_ids[story.id], children))
    if not entries:
        return None
    root = out.reserve()
    first, last, count = _outline_level(out, entries, root)
    out.write(
        root,
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Outlines"),
                NameObject("/First"): IndirectObject(first, 0, None),
                NameObject("/Last"): IndirectObject(last, 0, None),
                NameObject("/Count"): NumberObject(count),
            }
        ),
    )
    return root


def _outline_level(out, entries, parent: int) -> tuple[int, int, int]:
    """Write one level of bookmarks; returns its first and last item and how many it holds."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
        NullObject,
        NumberObject,
        TextStringObject,
    )

    ref = lambda number: IndirectObject(number, 0, None)
    numbers = [out.reserve() for _ in entries]
    total = len(entries)
    for index, (title, page, children) in enumerate(entries):
        item = DictionaryObject(
            {
                NameObject("/Title"): TextStringObject(title),
                NameObject("/Parent"): ref(parent),
                NameObject("/Dest"): ArrayObject(
                    [ref(page), NameObject("/XYZ"), NullObject(), NullObject(), NullObject()]
                ),
            }
        )
        if index > 0:
            item[NameObject("/Prev")] = ref(numbers[index - 1])
        if index < len(entries) - 1:
            item[NameObject("/Next")] = ref(numbers[index + 1])
        if children:
            first, last, count = _outline_level(out, children, numbers[index])
            item[NameObject("/First")] = ref(first)
            item[NameObject("/Last")] = ref(last)
            item[NameObject("/Count")] = NumberObject(count)
            total += count
        out.write(numbers[index], item)
    return numbers[0], numbers[-1], total


def _page_labels(front: int, body: int):
    """Viewers show the printed numbers: i, ii, iii… then 1, 2, 3."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

    numbers = ArrayObject()
    if front:
        numbers += [NumberObject(0), DictionaryObject({NameObject("/S"): NameObject("/r")})]
    if body:
        numbers += [
            NumberObject(front),
            DictionaryObject({NameObject("/S"): NameObject("/D"), NameObject("/St"): NumberObject(1)}),
        ]
    return DictionaryObject({NameObject("/Nums"): numbers})


def _catalog(out, pages_root: int, page_numbers: list[int], outline: int | None, labels, book: Book) -> int:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject, TextStringObject

    out.write(
        pages_root,
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Pages"),
                NameObject("/Kids"): ArrayObject(IndirectObject(n, 0, None) for n in page_numbers),
                NameObject("/Count"): NumberObject(len(page_numbers)),
            }
        ),
    )
    catalog = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Catalog"),
            NameObject("/Pages"): IndirectObject(pages_root, 0, None),
            NameObject("/PageLabels"): labels,
            NameObject("/Lang"): TextStringObject(book.language),
        }
    )
    if outline is not None:
        catalog[NameObject("/Outlines")] = IndirectObject(outline, 0, None)
    return out.add(catalog)


def _info(book: Book, moment: dt.datetime):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    stamp = moment.strftime("D:%Y%m%d%H%M%S+00'00'")
    names = book.editors or book.authors or book.story_authors()
    entries = {
        "/Title": book.title,
        "/Creator": f"bookforge {__version__}",
        "/Producer": "bookforge (WeasyPrint, pypdf)",
        "/CreationDate": stamp,
        "/ModDate": stamp,
    }
    if names:
        entries["/Author"] = join_names(names, book.language)
    if book.description:
        entries["/Subject"] = book.description
    return DictionaryObject({NameObject(k): TextStringObject(v) for k, v in entries.items()})
