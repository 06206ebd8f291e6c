"""One font per face in the assembled PDF: the parts' subsets merged, plus glyphs for stamped folios.

WeasyPrint subsets every part's fonts on its own, keeping the original glyph ids. So the glyph
codes in every part's text are ids of the bundled font, and one subset of that font holding the
union of the parts' glyphs can serve every page. That is what this module builds; the assembler
points every page at it.
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
class _Face:
    face: str
    number: int  # the object number reserved for the merged Type0 font
    widths: dict[int, float] = field(default_factory=dict)
    unicode: dict[int, str] = field(default_factory=dict)  # gid → hex UTF-16, as in ToUnicode


class FontMerger:
    """Collects every part's glyphs per bundled face and writes one subset font per face."""

    def __init__(self, out, cache=None) -> None:
        self.out = out
        self.cache = cache  # a PartCache: subsetting is the slow step, and glyph sets rarely change
        self.faces: dict[str, _Face] = {}

    def number(self, font_dict) -> int | None:
        """The merged font's object number for a part's font dictionary (None: not ours, copy it)."""
        if font_dict.get("/Subtype") != "/Type0":
            return None
        face = face_of(str(font_dict.get("/BaseFont", "")))
        if face is None:
            return None
        entry = self._face(face)
        _collect_widths(font_dict, entry)
        _collect_unicode(font_dict, entry)
        return entry.number

    def folio_font(self) -> int:
        """The regular face, with the glyphs stamped folios need."""
        entry = self._face("")
        glyphs = folio_glyphs()
        for char, gid in glyphs.gids.items():
            entry.widths.setdefault(gid, glyphs.widths[gid])
            entry.unicode.setdefault(gid, f"{ord(char):04x}")
        return entry.number

    def _face(self, face: str) -> _Face:
        if face not in self.faces:
            self.faces[face] = _Face(face, self.out.reserve())
        return self.faces[face]

    def write(self) -> None:
        for face in sorted(self.faces):
            _write_face(self.out, self.faces[face], self.cache)


def _collect_widths(font_dict, entry: _Face) -> None:
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
                entry.widths[first + offset] = float(width)
            index += 2
        else:
            last, width = int(following), float(items[index + 2])
            for gid in range(first, last + 1):
                entry.widths[gid] = width
            index += 3


_BFCHAR = re.compile(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


def _collect_unicode(font_dict, entry: _Face) -> None:
    stream = font_dict.get("/ToUnicode")
    if stream is None:
        return
    text = stream.get_object().get_data().decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.DOTALL):
        for code, value in _BFCHAR.findall(block):
            entry.unicode.setdefault(int(code, 16), value.lower())


@lru_cache(maxsize=16)
def _subset(path: str, gids: frozenset[int]) -> bytes:
    from . import hb_subset

    program = hb_subset.subset(path, sorted(gids))
    if program is not None:
        return program
    return _subset_with_fonttools(path, gids)


def _subset_with_fonttools(path: str, gids: frozenset[int]) -> bytes:
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


@lru_cache(maxsize=8)
def _metrics(path: str) -> dict:
    """Descriptor values from the font file itself, in 1/1000 em."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    head, hhea, post = font["head"], font["hhea"], font["post"]
    cap = getattr(font["OS/2"], "sCapHeight", 0) or hhea.ascent
    italic = post.italicAngle != 0 or bool(head.macStyle & 2)
    return {
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "ascent": round(hhea.ascent * scale),
        "descent": round(hhea.descent * scale),
        "cap": round(cap * scale),
        "italic_angle": float(post.italicAngle),
        "flags": 2 + 4 + (64 if italic else 0),  # serif, symbolic (custom encoding), italic
    }


def _subset_program(path: str, gids: frozenset[int], cache) -> bytes:
    """The subset font program, from the build cache when this face had these glyphs before."""
    if cache is None:
        return _subset(path, gids)
    digest = hashlib.sha256(_file_digest(path) + ",".join(map(str, sorted(gids))).encode())
    key = "font-" + digest.hexdigest()[:40]
    program = cache.get_blob(key)
    if program is None:
        program = _subset(path, gids)
        cache.put_blob(key, program)
    return program


@lru_cache(maxsize=8)
def _file_digest(path: str) -> bytes:
    return hashlib.sha256(Path(path).read_bytes()).digest()


def _write_face(out, entry: _Face, cache=None) -> None:
    from pypdf.generic import (
        ArrayObject, DictionaryObject, FloatObject, IndirectObject, NameObject, NumberObject, TextStringObject,
    )

    from .pdfout import stream_object

    path = str(FONTS_DIR / FACES[entry.face])
    program = _subset_program(path, frozenset(entry.widths), cache)
    metrics = _metrics(path)
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(program).digest()[:6])
    base_name = NameObject(f"/{tag}+{FONT_FAMILY}" + (f"-{entry.face}" if entry.face else ""))
    ref = lambda number: IndirectObject(number, 0, None)  # noqa: E731 - written by number

    font_file = out.add(stream_object(program, Subtype=NameObject("/OpenType")))
    descriptor = out.add(DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"),
        NameObject("/FontName"): base_name,
        NameObject("/FontFamily"): TextStringObject(FONT_FAMILY),
        NameObject("/Flags"): NumberObject(metrics["flags"]),
        NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in metrics["bbox"]),
        NameObject("/ItalicAngle"): FloatObject(metrics["italic_angle"]),
        NameObject("/Ascent"): NumberObject(metrics["ascent"]),
        NameObject("/Descent"): NumberObject(metrics["descent"]),
        NameObject("/CapHeight"): NumberObject(metrics["cap"]),
        NameObject("/StemV"): NumberObject(80),
        NameObject("/FontFile3"): ref(font_file),
    }))
    widths = ArrayObject()
    for gid in sorted(entry.widths):
        value = entry.widths[gid]
        widths.append(NumberObject(gid))
        widths.append(ArrayObject([NumberObject(int(value)) if value == int(value) else FloatObject(value)]))
    cid_font = out.add(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/CIDFontType0"),
        NameObject("/BaseFont"): base_name,
        NameObject("/CIDSystemInfo"): DictionaryObject({
            NameObject("/Registry"): TextStringObject("Adobe"),
            NameObject("/Ordering"): TextStringObject("Identity"),
            NameObject("/Supplement"): NumberObject(0),
        }),
        NameObject("/W"): widths,
        NameObject("/FontDescriptor"): ref(descriptor),
    }))
    to_unicode = out.add(stream_object(_to_unicode_cmap(entry.unicode).encode("latin-1")))
    out.write(entry.number, DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): base_name,
        NameObject("/Encoding"): NameObject("/Identity-H"),
        NameObject("/DescendantFonts"): ArrayObject([ref(cid_font)]),
        NameObject("/ToUnicode"): ref(to_unicode),
    }))


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
