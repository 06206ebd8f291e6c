"""Facts about a built EPUB, read with zipfile and lxml (never by comparing bytes across machines)."""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class Epub:
    path: Path

    def __post_init__(self):
        self.zip = zipfile.ZipFile(self.path)
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.xpath("//c:rootfile/@full-path", namespaces=NS)[0]
        self.opf = etree.fromstring(self.zip.read(self.opf_path))
        self.base = posixpath.dirname(self.opf_path)

    def names(self) -> list[str]:
        return self.zip.namelist()

    def read(self, href: str) -> bytes:
        return self.zip.read(posixpath.join(self.base, href))

    def metadata(self, xpath: str) -> list[str]:
        return [
            (e if isinstance(e, str) else e.text or "")
            for e in self.opf.xpath(f"/opf:package/opf:metadata/{xpath}", namespaces=NS)
        ]

    def manifest(self) -> dict[str, dict]:
        return {i.get("id"): dict(i.attrib) for i in self.opf.xpath("//opf:manifest/opf:item", namespaces=NS)}

    def spine_hrefs(self) -> list[str]:
        items = self.manifest()
        return [items[ref]["href"] for ref in self.opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)]

    def document(self, href: str):
        return etree.fromstring(self.read(href))

    def documents(self):
        """(href, parsed root) of every XHTML document in the manifest; each parse is a check."""
        for item in self.manifest().values():
            if item["media-type"] == "application/xhtml+xml":
                yield item["href"], self.document(item["href"])

    def spine_documents(self):
        for href in self.spine_hrefs():
            yield href, self.document(href)

    def nav(self):
        items = [i for i in self.manifest().values() if "nav" in i.get("properties", "").split()]
        assert len(items) == 1, "exactly one navigation document"
        return self.document(items[0]["href"])

    def body_paragraph_texts(self) -> list[str]:
        """The text of every paragraph in reading order (notes included, story openings left out)."""
        texts = []
        for _, root in self.spine_documents():
            for p in root.xpath("//x:body//x:p[not(ancestor::x:header)]", namespaces=NS):
                texts.append("".join(p.itertext()))
        return texts

    def text(self) -> str:
        return "\n".join(
            "".join(root.xpath("//x:body", namespaces=NS)[0].itertext()) for _, root in self.spine_documents()
        )
