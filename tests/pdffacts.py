"""Facts about a built PDF, read with pypdf: regions of each page's text, outline, fonts, boxes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pypdf

HYPHEN = "\u2010"  # WeasyPrint marks automatic hyphenation with U+2010 at the line end


@dataclass
class PageText:
    head: str  # text in the top margin (running head)
    body: str
    foot: str  # text in the bottom margin (folio)


@dataclass
class Pdf:
    path: Path
    top_margin: float = 50.0  # points from the top of the trim box that count as "head"
    bottom_margin: float = 45.0  # points from the bottom of the trim box that count as "foot"

    @cached_property
    def reader(self) -> pypdf.PdfReader:
        return pypdf.PdfReader(self.path)

    @property
    def pages(self):
        return self.reader.pages

    def regions(self, index: int) -> PageText:
        page = self.pages[index]
        trim = page.trimbox
        bottom, top = float(trim[1]), float(trim[3])
        parts = {"head": [], "body": [], "foot": []}

        def visit(text, cm, tm, font_dict, font_size):
            if not text.strip():
                if text == "\n":
                    parts["body"].append("\n")
                return
            y = (tm[5] * cm[3] + cm[5]) if cm else tm[5]
            if y > top - self.top_margin:
                parts["head"].append(text)
            elif y < bottom + self.bottom_margin:
                parts["foot"].append(text)
            else:
                parts["body"].append(text)

        page.extract_text(visitor_text=visit)
        return PageText(*("".join(parts[k]).strip() for k in ("head", "body", "foot")))

    @cached_property
    def all_regions(self) -> list[PageText]:
        return [self.regions(i) for i in range(len(self.pages))]

    def text(self) -> str:
        return "\n".join(page.extract_text() for page in self.pages)

    def outline(self) -> list[tuple[int, str, int]]:
        """(depth, title, page index) for every bookmark."""
        out = []

        def walk(items, depth):
            for item in items:
                if isinstance(item, list):
                    walk(item, depth + 1)
                else:
                    out.append((depth, item.title, self.reader.get_destination_page_number(item)))

        walk(self.reader.outline, 0)
        return out

    def fonts(self) -> dict[int, dict]:
        """Every font object used by any page or form, by object number."""
        found: dict[int, dict] = {}

        def walk(resources):
            if not resources:
                return
            resources = resources.get_object()
            for ref in (resources.get("/Font") or {}).values():
                found[ref.idnum] = ref.get_object()
            for xobject in (resources.get("/XObject") or {}).values():
                xobject = xobject.get_object()
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject.get("/Resources"))

        for page in self.pages:
            walk(page.get("/Resources"))
        return found

    def image_count(self) -> int:
        count = 0
        for page in self.pages:
            xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
            count += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
        return count


def font_is_embedded(font: dict) -> bool:
    descendants = font.get("/DescendantFonts")
    target = descendants[0].get_object() if descendants else font
    descriptor = target.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def squash(text: str) -> str:
    """Text compared without layout: no whitespace, no automatic hyphens, no small-caps case."""
    return re.sub(r"\s+", "", text.replace(HYPHEN, "")).lower()


def contents_numbers(pdf: Pdf) -> dict[str, str]:
    """Title → printed page number, read off the contents page(s)."""
    numbers = {}
    for index in range(len(pdf.pages)):
        body = pdf.regions(index).body
        if not body.startswith("Contents"):
            continue
        for line in body.splitlines():
            match = re.match(r"^(.*?)[ .]*?\s*(?:\. )+\.?\s*([0-9ivxlc]+)$", line.strip())
            if match:
                numbers[match.group(1).strip(" .")] = match.group(2)
    return numbers
