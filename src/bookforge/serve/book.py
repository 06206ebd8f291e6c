"""The reading view's book: the built EPUB's own files, reading order and contents, held in memory."""

from __future__ import annotations

import hashlib
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..media_types import BOOK_FILE_TYPES

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Chapter:
    """A document of the reading order: its EPUB name, its <title>, and a hash of its bytes."""

    href: str
    title: str
    digest: str


@dataclass
class BookView:
    """Everything the reading view shows, straight from the EPUB a build wrote."""

    title: str
    files: dict[str, bytes]
    spine: list[Chapter]
    toc: list[dict]
    digest: str  # of the whole EPUB: the same book twice is one version
    words: dict[str, str] = field(default_factory=dict)  # document → its text as words, for finding places

    def media_type(self, name: str) -> str:
        return BOOK_FILE_TYPES.get(posixpath.splitext(name)[1].lower(), "application/octet-stream")

    def stylesheets(self) -> dict[str, str]:
        return {name: _digest(data) for name, data in self.files.items() if name.endswith(".css")}

    def find_words(self, phrase: str) -> str | None:
        """The first document of the reading order whose text holds these words, in order."""
        if not phrase:
            return None
        for chapter in self.spine:
            if chapter.href not in self.words:
                self.words[chapter.href] = words_of(_text(self.files[chapter.href]))
            if f" {phrase} " in f" {self.words[chapter.href]} ":
                return chapter.href
        return None

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "spine": [vars(chapter) for chapter in self.spine],
            "toc": self.toc,
            "styles": self.stylesheets(),
            "digest": self.digest,
        }


def words_of(text: str) -> str:
    """Text as its lower-case words, one space apart: what typography (curly quotes, dashes,
    ellipses) and markup leave alone, so a manuscript line and the page it became compare equal."""
    return " ".join(_WORD.findall(text.replace("\u00ad", "").lower()))


def read_epub(path: Path) -> BookView:
    """The EPUB's files, its spine (from the package document) and its contents (from the nav)."""
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    container = etree.fromstring(files["META-INF/container.xml"])
    opf_name = container.find(".//c:rootfile", NS).get("full-path")
    opf = etree.fromstring(files[opf_name])
    base = posixpath.dirname(opf_name)
    manifest = {item.get("id"): item for item in opf.iterfind(".//opf:manifest/opf:item", NS)}
    spine = []
    for ref in opf.iterfind(".//opf:spine/opf:itemref", NS):
        href = posixpath.join(base, manifest[ref.get("idref")].get("href"))
        spine.append(Chapter(href, _title(files[href]), _digest(files[href])))
    nav = next(
        (
            posixpath.join(base, item.get("href"))
            for item in manifest.values()
            if "nav" in (item.get("properties") or "").split()
        ),
        None,
    )
    toc = _toc(files[nav], nav) if nav else []
    title = opf.findtext(".//{http://purl.org/dc/elements/1.1/}title") or path.stem
    return BookView(title.strip(), files, spine, toc, _digest(data))


def _digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()[:16]


def _title(document: bytes) -> str:
    title = etree.fromstring(document).find(".//x:head/x:title", NS)
    return (title.text or "").strip() if title is not None else ""


def _text(document: bytes) -> str:
    body = etree.fromstring(document).find(".//x:body", NS)
    return " ".join(body.itertext()) if body is not None else ""


def _toc(document: bytes, nav_name: str) -> list[dict]:
    """The nav's table of contents as nested entries: title, author, target document and fragment."""
    root = etree.fromstring(document)
    nav = next((n for n in root.iterfind(".//x:nav", NS) if n.get(f"{{{NS['epub']}}}type") == "toc"), None)
    top = nav.find("x:ol", NS) if nav is not None else None
    return _entries(top, posixpath.dirname(nav_name)) if top is not None else []


def _entries(ol, base: str) -> list[dict]:
    entries = []
    for li in ol.iterfind("x:li", NS):
        link = li.find("x:a", NS)
        if link is None:
            continue
        href, _, fragment = (link.get("href") or "").partition("#")
        author = link.find(".//x:span[@class='toc-author']", NS)
        title = link.find(".//x:span[@class='toc-title']", NS)
        text = " ".join((title if title is not None else link).itertext()).strip()
        children = li.find("x:ol", NS)
        entries.append(
            {
                "title": re.sub(r"\s+", " ", text),
                "author": re.sub(r"^\s*by\s+", "", "".join(author.itertext())).strip() if author is not None else None,
                "href": posixpath.normpath(posixpath.join(base, href)),
                "fragment": fragment or None,
                "children": _entries(children, base) if children is not None else [],
            }
        )
    return entries
