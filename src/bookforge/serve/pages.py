"""The print view's pages: the built PDF's pages at their trim size, drawn by PDFium on request and
kept by a hash of each page's content, so a rebuild draws again only the pages that changed."""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject, StreamObject

# What a page shows is its content, its resources and its boxes; not its place in the page tree,
# its links or its structure tags (which would make every page differ when one page is added).
_NOT_SHOWN = {"/Parent", "/Annots", "/StructParents", "/B", "/Thumb", "/PieceInfo", "/Metadata", "/Tabs"}
PIXELS_PER_POINT = 2.0  # a 6×9 in page becomes 864×1296 px: sharp on a high-density screen, ~150 KB
CACHED_IMAGES = 400


@dataclass(frozen=True)
class Page:
    """One page: the hash that names its image, and its trim size in points."""

    digest: str
    width: float
    height: float


class PrintPages:
    """The last PDF's pages, and their images drawn on demand (at most CACHED_IMAGES kept)."""

    def __init__(self) -> None:
        self.pages: list[Page] = []
        self._where: dict[str, tuple[pdfium.PdfDocument, int, tuple[float, float, float, float]]] = {}
        self._images: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()  # PDFium is not thread-safe, and requests come on many threads

    def load(self, path: Path) -> list[Page]:
        """Read a newly built PDF: its pages' hashes and trim boxes (nothing drawn yet)."""
        data = path.read_bytes()
        reader = PdfReader(io.BytesIO(data))
        memo: dict[tuple[int, int], bytes] = {}
        pages, where = [], {}
        document = pdfium.PdfDocument(data)
        for index, page in enumerate(reader.pages):
            media, trim = page.mediabox, page.trimbox
            crop = (
                float(trim.left - media.left),
                float(trim.bottom - media.bottom),
                float(media.right - trim.right),
                float(media.top - trim.top),
            )
            reference = page.indirect_reference
            digest = _digest(reference, memo).hex()[:20] if reference is not None else f"{index:020x}"
            pages.append(Page(digest, float(trim.width), float(trim.height)))
            where[digest] = (document, index, crop)
        with self._lock:
            self.pages, self._where = pages, where
        return pages

    def image(self, digest: str) -> bytes | None:
        """The PNG of the page with this hash, drawn once; None for a hash of no current page."""
        with self._lock:
            if digest in self._images:
                self._images.move_to_end(digest)
                return self._images[digest]
            if digest not in self._where:
                return None
            document, index, crop = self._where[digest]
            bitmap = document[index].render(scale=PIXELS_PER_POINT, crop=crop)
            out = io.BytesIO()
            bitmap.to_pil().save(out, "PNG", compress_level=3)
            self._images[digest] = out.getvalue()
            while len(self._images) > CACHED_IMAGES:
                self._images.popitem(last=False)
            return self._images[digest]

    def to_json(self) -> list[dict]:
        return [{"digest": page.digest, "width": page.width, "height": page.height} for page in self.pages]


def _digest(value: PdfObject | None, memo: dict[tuple[int, int], bytes]) -> bytes:
    """A hash of everything a page draws: followed through its resources (fonts, pictures), each
    shared object hashed once."""
    if isinstance(value, IndirectObject):
        key = (value.idnum, value.generation)
        if key not in memo:
            memo[key] = b"(cycle)"
            memo[key] = _digest(value.get_object(), memo)
        return memo[key]
    digest = hashlib.sha1(type(value).__name__.encode())
    if isinstance(value, StreamObject):
        digest.update(value.get_data())
    if isinstance(value, DictionaryObject):
        for key in sorted(value.keys()):
            if key not in _NOT_SHOWN:
                digest.update(key.encode() + _digest(value.raw_get(key), memo))
    elif isinstance(value, ArrayObject):
        for item in value:
            digest.update(_digest(item, memo))
    else:
        digest.update(repr(value).encode())
    return digest.digest()
