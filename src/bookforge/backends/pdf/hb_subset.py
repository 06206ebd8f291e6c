"""Font subsetting with HarfBuzz's hb-subset, through uharfbuzz (its maintained Python bindings).

hb-subset takes a few milliseconds per face where fontTools takes over a second; the subset of each
face is made once per build, after every part is laid out, so its time is serial time at the end
of the build. A face HarfBuzz refuses is left to fontTools by the caller.
"""

from __future__ import annotations

import uharfbuzz as hb

# Hinting and layout tables go (a PDF needs neither); every name record stays, the licence among them.
DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "SVG ", "BASE", "JSTF", "DSIG", "LTSH", "PCLT")
_FLAGS = (
    hb.SubsetFlags.NO_HINTING
    | hb.SubsetFlags.RETAIN_GIDS
    | hb.SubsetFlags.DESUBROUTINIZE
    | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
    | hb.SubsetFlags.NOTDEF_OUTLINE
)


def subset(path: str, gids: list[int], index: int = 0) -> bytes | None:
    """The font at `path` (face `index` of a collection) keeping only `gids` (and .notdef) at
    their original ids; None when HarfBuzz cannot subset it."""
    try:
        face = hb.Face(hb.Blob.from_file_path(path), index)
        request = hb.SubsetInput()
        request.glyph_set.update([0, *gids])
        request.name_id_set.add_range(0, 255)
        request.drop_table_tag_set.update(int.from_bytes(tag.encode("ascii"), "big") for tag in DROPPED_TABLES)
        request.flags = _FLAGS
        return hb.subset(face, request).blob.data or None
    except (hb.HarfBuzzError, RuntimeError):  # an unreadable file; hb_subset_or_fail failed
        return None
