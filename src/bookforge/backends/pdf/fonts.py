"""One font per face in the assembled PDF: the parts' subsets merged, plus glyphs for stamped folios.

WeasyPrint subsets every part's fonts on its own, keeping the original glyph ids. So the glyph
codes in every part's text are ids of the bundled font, and one subset of that font holding the
union of the parts' glyphs can serve every page. That is what this module builds; the assembler
points every page at it.

Installed fonts that text falls back to (a Noto CJK face for Chinese, see coverage.py) are merged
the same way: the part's subset names its PostScript name, fontconfig says which installed file
(and face of a collection) has it, and that file is subset once for the whole book. A font that
cannot be matched to exactly one installed file is copied with each part, as WeasyPrint made it.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from ...printing.coverage import SystemFont, system_font_by_postscript_name
from ...themes import FONTS_DIR
from .page_css import FONT_FAMILY

# fontTools, pypdf and HarfBuzz are imported where they are used, not above: the layout imports this
# module (through assemble.py) before its workers fork, and loaded here they would be carried by
# every worker (PDF 100k words cold: 1.12× the peak memory, measured against imports deferred).

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
    suffix = name[len(FONT_FAMILY) :].lstrip("-")
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


@cache
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
    face: str  # a FACES key, or "file#index" of an installed font
    number: int  # the object number reserved for the merged Type0 font
    widths: dict[int, float] = field(default_factory=dict)
    unicode: dict[int, str] = field(default_factory=dict)  # gid → hex UTF-16, as in ToUnicode
    system: SystemFont | None = None  # the installed font, None for a bundled face


class FontMerger:
    """Collects every part's glyphs per bundled face and writes one subset font per face."""

    def __init__(self, out, cache=None) -> None:
        self.out = out
        self.cache = cache  # a PartCache: subsetting is the slow step, and glyph sets rarely change
        self.faces: dict[str, _Face] = {}

    def number(self, font_dict) -> int | None:
        """The merged font's object number for a part's font dictionary (None: unknown, copy it)."""
        if font_dict.get("/Subtype") != "/Type0":
            return None
        face = face_of(str(font_dict.get("/BaseFont", "")))
        if face is not None:
            entry = self._face(face)
        else:
            system = installed_font_of(font_dict)
            if system is None:
                return None
            entry = self._face(f"{system.file}#{system.index}", system)
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

    def _face(self, face: str, system=None) -> _Face:
        if face not in self.faces:
            self.faces[face] = _Face(face, self.out.reserve(), system=system)
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


def installed_font_of(font_dict):
    """The installed font (coverage.SystemFont) a part's font was made from, or None."""
    try:
        cid_font = font_dict["/DescendantFonts"][0].get_object()
        descriptor = cid_font["/FontDescriptor"].get_object()
        stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
        if stream is None:
            return None
        return _installed_font(stream.get_object().get_data())
    except Exception:  # noqa: BLE001 - an odd font dictionary: copy it as it is
        return None


def _installed_font(program: bytes):
    identity = _identity(program)
    if identity is None:
        return None
    font = system_font_by_postscript_name(identity[0])
    if font is None or _file_identity(font.file, font.index) != identity:
        return None  # another version of the font than the one laid out: its glyph ids may differ
    return font


def _identity(program: bytes) -> tuple | None:
    """PostScript name and the head table's revision and dates: WeasyPrint's subsets keep them."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(io.BytesIO(program), lazy=True) as font:
            name = font["name"].getDebugName(6)
            head = font["head"]
            return (name, head.fontRevision, head.created, head.modified) if name else None
    except Exception:  # noqa: BLE001 - not a font fontTools can read
        return None


# Fonts WeasyPrint changes before embedding them (variable fonts made static, colour glyphs
# emptied) or draws as bitmaps: the installed file is not what the part shows, so no merging.
_CHANGED_BY_WEASYPRINT = ("fvar", "CBDT", "sbix", "COLR", "SVG ", "EBDT")


@lru_cache(maxsize=32)
def _file_identity(path: str, index: int) -> tuple | None:
    from fontTools.ttLib import TTFont

    try:  # lazy: only the tables asked for are read, and a CJK collection is tens of megabytes
        with TTFont(path, fontNumber=index, lazy=True) as font:
            if any(tag in font for tag in _CHANGED_BY_WEASYPRINT):
                return None
            name = font["name"].getDebugName(6)
            head = font["head"]
            return (name, head.fontRevision, head.created, head.modified) if name else None
    except Exception:  # noqa: BLE001 - gone, or not a font fontTools can read
        return None


@lru_cache(maxsize=16)
def _subset(path: str, gids: frozenset[int], index: int = 0) -> bytes:
    from . import hb_subset

    program = hb_subset.subset(path, sorted(gids), index)
    if program is not None:
        return program
    return _subset_with_fonttools(path, gids, index)


def _subset_with_fonttools(path: str, gids: frozenset[int], index: int = 0) -> bytes:
    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTFont

    from . import hb_subset

    options = Options(
        retain_gids=True,
        passthrough_tables=True,
        ignore_missing_glyphs=True,
        hinting=False,
        desubroutinize=True,
        notdef_outline=True,
        name_IDs=["*"],
        name_languages=["*"],
    )
    options.drop_tables += list(hb_subset.DROPPED_TABLES)
    subsetter = Subsetter(options)
    subsetter.populate(gids=sorted(gids | {0}))
    font = TTFont(path, fontNumber=index, recalcTimestamp=False)  # else today's date: not reproducible
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=8)
def _metrics(path: str, index: int = 0) -> dict:
    """Descriptor values from the font file itself, in 1/1000 em."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    head, hhea, post = font["head"], font["hhea"], font["post"]
    cap = getattr(font["OS/2"], "sCapHeight", 0) or hhea.ascent
    italic = post.italicAngle != 0 or bool(head.macStyle & 2)
    name = (font["name"].getDebugName(6) or "").lower()
    serif = "sans" not in name and "gothic" not in name and "mono" not in name
    return {
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "ascent": round(hhea.ascent * scale),
        "descent": round(hhea.descent * scale),
        "cap": round(cap * scale),
        "italic_angle": float(post.italicAngle),
        "flags": (2 if serif else 0) + 4 + (64 if italic else 0),  # serif, symbolic (custom encoding), italic
        "cff": "CFF " in font or "CFF2" in font,
        "name": font["name"].getDebugName(6) or "",
    }


def _subset_program(path: str, gids: frozenset[int], cache, index: int = 0) -> bytes:
    """The subset font program, from the build cache when this face had these glyphs before."""
    if cache is None:
        return _subset(path, gids, index)
    digest = hashlib.sha256(_file_digest(path) + f"#{index}:".encode() + ",".join(map(str, sorted(gids))).encode())
    key = "font-" + digest.hexdigest()[:40]
    program = cache.get_blob(key)
    if program is None:
        program = _subset(path, gids, index)
        cache.put_blob(key, program)
    return program


@lru_cache(maxsize=8)
def _file_digest(path: str) -> bytes:
    with open(path, "rb") as handle:  # in chunks: an installed CJK font is tens of megabytes
        return hashlib.file_digest(handle, "sha256").digest()


def _write_face(out, entry: _Face, cache=None) -> None:
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        IndirectObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    from .pdfout import stream_object

    if entry.system is None:
        path, index = str(FONTS_DIR / FACES[entry.face]), 0
    else:
        path, index = entry.system.file, entry.system.index
    program = _subset_program(path, frozenset(entry.widths), cache, index)
    metrics = _metrics(path, index)
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(program).digest()[:6])
    if entry.system is None:
        family = FONT_FAMILY
        base_name = NameObject(f"/{tag}+{FONT_FAMILY}" + (f"-{entry.face}" if entry.face else ""))
    else:
        family = metrics["name"]
        base_name = NameObject(f"/{tag}+" + re.sub(r"[^A-Za-z0-9._-]", "-", metrics["name"]))
    ref = lambda number: IndirectObject(number, 0, None)

    if metrics["cff"]:  # CFF outlines (the bundled faces, Noto CJK): an OpenType font program
        font_file = out.add(stream_object(program, Subtype=NameObject("/OpenType")))
        file_key, cid_type = "/FontFile3", "/CIDFontType0"
    else:  # TrueType outlines
        font_file = out.add(stream_object(program, Length1=NumberObject(len(program))))
        file_key, cid_type = "/FontFile2", "/CIDFontType2"
    descriptor = out.add(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/FontDescriptor"),
                NameObject("/FontName"): base_name,
                NameObject("/FontFamily"): TextStringObject(family),
                NameObject("/Flags"): NumberObject(metrics["flags"]),
                NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in metrics["bbox"]),
                NameObject("/ItalicAngle"): FloatObject(metrics["italic_angle"]),
                NameObject("/Ascent"): NumberObject(metrics["ascent"]),
                NameObject("/Descent"): NumberObject(metrics["descent"]),
                NameObject("/CapHeight"): NumberObject(metrics["cap"]),
                NameObject("/StemV"): NumberObject(80),
                NameObject(file_key): ref(font_file),
            }
        )
    )
    widths = ArrayObject()
    for gid in sorted(entry.widths):
        value = entry.widths[gid]
        widths.append(NumberObject(gid))
        widths.append(ArrayObject([NumberObject(int(value)) if value == int(value) else FloatObject(value)]))
    cid_font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject(cid_type),
            NameObject("/BaseFont"): base_name,
            NameObject("/CIDSystemInfo"): DictionaryObject(
                {
                    NameObject("/Registry"): TextStringObject("Adobe"),
                    NameObject("/Ordering"): TextStringObject("Identity"),
                    NameObject("/Supplement"): NumberObject(0),
                }
            ),
            NameObject("/W"): widths,
            NameObject("/FontDescriptor"): ref(descriptor),
        }
    )
    if cid_type == "/CIDFontType2":
        cid_font[NameObject("/CIDToGIDMap")] = NameObject("/Identity")
    cid_font = out.add(cid_font)
    to_unicode = out.add(stream_object(_to_unicode_cmap(entry.unicode).encode("latin-1")))
    out.write(
        entry.number,
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type0"),
                NameObject("/BaseFont"): base_name,
                NameObject("/Encoding"): NameObject("/Identity-H"),
                NameObject("/DescendantFonts"): ArrayObject([ref(cid_font)]),
                NameObject("/ToUnicode"): ref(to_unicode),
            }
        ),
    )


def _to_unicode_cmap(mapping: dict[int, str]) -> str:
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <ffff>",
        "endcodespacerange",
    ]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):  # a bfchar block holds at most 100 entries
        chunk = items[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{gid:04x}> <{value}>" for gid, value in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines) + "\n"
