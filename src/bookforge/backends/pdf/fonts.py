"""One font per face in the assembled PDF: the parts' subsets merged, plus glyphs for stamped folios.

WeasyPrint subsets every part's fonts on its own, keeping the original glyph ids. So the glyph
codes in every part's text are ids of the bundled font, and one subset of that font holding the
union of the parts' glyphs can serve every page. That is what this module builds and links in.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ...themes import FONTS_DIR
from .page_css import FONT_FAMILY

# Face suffix in WeasyPrint's font names ("bookforge-serif-Italic") → bundled file.
FACES = {
    "": "LinLibertine_R.otf",
    "Italic": "LinLibertine_RI.otf",
    "Bold": "LinLibertine_RB.otf",
    "Bold-Italic": "LinLibertine_RBI.otf",
}
FOLIO_CHARACTERS = "0123456789ivxlcdm"


def face_of(base_font: str) -> str | None:
    """The FACES key of a PDF font name like '/ABCDEF+bookforge-serif-Italic', or None."""
    name = base_font.lstrip("/").split("+", 1)[-1]
    if not name.startswith(FONT_FAMILY):
        return None
    suffix = name[len(FONT_FAMILY):].lstrip("-")
    return suffix if suffix in FACES else None


@dataclass(frozen=True)
class FolioGlyphs:
    """How to draw folio text in the regular face: glyph ids and advance widths (1/1000 em)."""

    gids: dict[str, int]
    widths: dict[int, int]

    def encode(self, text: str) -> tuple[str, float]:
        """Hex glyph string for a `Tj` and the text's width in 1/1000 em."""
        codes = [self.gids[c] for c in text]
        return "".join(f"{code:04x}" for code in codes), sum(self.widths[c] for c in codes)


@lru_cache(maxsize=None)
def folio_glyphs() -> FolioGlyphs:
    """Old-style figures (as the body uses) and roman-numeral letters from the regular face."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONTS_DIR / FACES[""]), lazy=True)
    cmap = font.getBestCmap()
    oldstyle = _single_substitutions(font, "onum")
    scale = 1000 / font["head"].unitsPerEm
    gids, widths = {}, {}
    for char in FOLIO_CHARACTERS:
        name = cmap[ord(char)]
        name = oldstyle.get(name, name)
        gid = font.getGlyphID(name)
        gids[char] = gid
        widths[gid] = round(font["hmtx"][name][0] * scale)
    return FolioGlyphs(gids, widths)


def _single_substitutions(font, feature_tag: str) -> dict[str, str]:
    table = font["GSUB"].table
    mapping: dict[str, str] = {}
    for record in table.FeatureList.FeatureRecord:
        if record.FeatureTag != feature_tag:
            continue
        for index in record.Feature.LookupListIndex:
            for subtable in table.LookupList.Lookup[index].SubTable:
                mapping.update(getattr(subtable, "mapping", {}) or {})
    return mapping


# ---------------------------------------------------------------------------------------------


@dataclass
class _FaceGroup:
    face: str
    font_dicts: list = field(default_factory=list)  # the parts' Type0 font dictionaries
    holders: list = field(default_factory=list)  # (resource /Font dict, key) pointing at them
    gids: set[int] = field(default_factory=set)
    widths: dict[int, float] = field(default_factory=dict)
    unicode: dict[int, str] = field(default_factory=dict)  # gid → hex UTF-16 as in ToUnicode


def merge_fonts(writer, extra_gids: dict[str, set[int]] | None = None) -> dict[str, object]:
    """Replace every part's copy of a bundled face with one merged font; return face → reference."""
    from pypdf.generic import NameObject

    groups: dict[str, _FaceGroup] = {}
    seen: dict[int, str | None] = {}
    for font_dict, holder, key in _font_references(writer):
        ident = id(font_dict)
        if ident not in seen:
            base = str(font_dict.get("/BaseFont", ""))
            face = face_of(base) if font_dict.get("/Subtype") == "/Type0" else None
            seen[ident] = face
            if face is not None:
                group = groups.setdefault(face, _FaceGroup(face))
                group.font_dicts.append(font_dict)
                _collect_widths(font_dict, group)
                _collect_unicode(font_dict, group)
        face = seen[ident]
        if face is not None:
            groups[face].holders.append((holder, key))

    merged = {}
    for face, group in sorted(groups.items()):
        for gid in (extra_gids or {}).get(face, set()):
            group.gids.add(gid)
        reference = _build_merged_font(writer, group)
        for holder, key in group.holders:
            holder[NameObject(key)] = reference
        merged[face] = reference
    return merged


def _font_references(writer):
    """(font dict, /Font resource dict, key) for every font on every page and in its forms."""
    visited_resources: set[int] = set()

    def walk(resources):
        if resources is None:
            return
        resources = resources.get_object()
        if id(resources) in visited_resources:
            return
        visited_resources.add(id(resources))
        fonts = resources.get("/Font")
        if fonts is not None:
            fonts = fonts.get_object()
            for key in list(fonts.keys()):
                yield fonts[key].get_object(), fonts, key
        xobjects = resources.get("/XObject")
        if xobjects is not None:
            for xobject in xobjects.get_object().values():
                xobject = xobject.get_object()
                if xobject.get("/Subtype") == "/Form":
                    yield from walk(xobject.get("/Resources"))

    for page in writer.pages:
        yield from walk(page.get("/Resources"))


def _collect_widths(font_dict, group: _FaceGroup) -> None:
    cid_font = font_dict["/DescendantFonts"][0].get_object()
    widths = cid_font.get("/W")
    if widths is None:
        return
    items = list(widths.get_object())
    index = 0
    while index < len(items):
        first = int(items[index])
        following = items[index + 1].get_object()
        if isinstance(following, list):
            for offset, width in enumerate(following):
                group.widths[first + offset] = float(width)
                group.gids.add(first + offset)
            index += 2
        else:
            last, width = int(following), float(items[index + 2])
            for gid in range(first, last + 1):
                group.widths[gid] = width
                group.gids.add(gid)
            index += 3


_BFCHAR = re.compile(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


def _collect_unicode(font_dict, group: _FaceGroup) -> None:
    stream = font_dict.get("/ToUnicode")
    if stream is None:
        return
    text = stream.get_object().get_data().decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.DOTALL):
        for code, value in _BFCHAR.findall(block):
            group.unicode.setdefault(int(code, 16), value.lower())


def _subset_font_file(path: Path, gids: frozenset[int]) -> bytes:
    return _subset_cached(str(path), gids)


@lru_cache(maxsize=16)
def _subset_cached(path: str, gids: frozenset[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(
        retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True, hinting=False,
        desubroutinize=True, notdef_outline=True, name_IDs=["*"], name_languages=["*"],
    )
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "SVG ", "BASE", "JSTF", "DSIG", "LTSH", "PCLT"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(gids | {0}))
    font = TTFont(path, recalcTimestamp=False)  # else the font carries today's date: not reproducible
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _build_merged_font(writer, group: _FaceGroup):
    from pypdf.generic import (
        ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject, NumberObject,
    )

    glyphs = folio_glyphs()
    if group.face == "":
        for char, gid in glyphs.gids.items():
            group.widths.setdefault(gid, glyphs.widths[gid])
            group.unicode.setdefault(gid, f"{ord(char):04x}")
            group.gids.add(gid)
    gids = frozenset(group.gids)
    program = _subset_font_file(FONTS_DIR / FACES[group.face], gids)
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(program).digest()[:6])
    base_name = f"/{tag}+{FONT_FAMILY}" + (f"-{group.face}" if group.face else "")

    template = group.font_dicts[0]
    cid_template = template["/DescendantFonts"][0].get_object()
    descriptor_template = cid_template["/FontDescriptor"].get_object()

    font_file = DecodedStreamObject()
    font_file.set_data(program)
    font_file[NameObject("/Subtype")] = NameObject("/OpenType")
    font_file = font_file.flate_encode(level=9)
    font_file_ref = writer._add_object(font_file)

    descriptor = DictionaryObject({NameObject(k): v for k, v in descriptor_template.items() if k != "/FontFile3"})
    descriptor[NameObject("/FontName")] = NameObject(base_name)
    descriptor[NameObject("/FontFile3")] = font_file_ref
    descriptor_ref = writer._add_object(descriptor)

    widths = ArrayObject()
    for gid in sorted(group.widths):
        widths.append(NumberObject(gid))
        value = group.widths[gid]
        widths.append(ArrayObject([NumberObject(int(value)) if value == int(value) else FloatObject(value)]))
    cid_font = DictionaryObject({NameObject(k): v for k, v in cid_template.items()})
    cid_font[NameObject("/BaseFont")] = NameObject(base_name)
    cid_font[NameObject("/FontDescriptor")] = descriptor_ref
    cid_font[NameObject("/W")] = widths
    cid_ref = writer._add_object(cid_font)

    to_unicode = DecodedStreamObject()
    to_unicode.set_data(_to_unicode_cmap(group.unicode).encode("latin-1"))
    to_unicode_ref = writer._add_object(to_unicode.flate_encode(level=9))

    font = DictionaryObject({NameObject(k): v for k, v in template.items()})
    font[NameObject("/BaseFont")] = NameObject(base_name)
    font[NameObject("/DescendantFonts")] = ArrayObject([cid_ref])
    font[NameObject("/ToUnicode")] = to_unicode_ref
    return writer._add_object(font)


def _to_unicode_cmap(mapping: dict[int, str]) -> str:
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<0000> <ffff>", "endcodespacerange",
    ]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):  # a bfchar block holds at most 100 entries
        chunk = items[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{gid:04x}> <{value}>" for gid, value in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines) + "\n"
