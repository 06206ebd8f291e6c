"""Font subsetting with HarfBuzz's hb-subset (the C library WeasyPrint already loads), via cffi.

fontTools takes about half a second per face; hb-subset a few milliseconds. The subset of each face
is made once per build, after every part is laid out, so its time is serial time at the end of the
build. When the library is missing (WeasyPrint works without it), callers fall back to fontTools.
"""

from __future__ import annotations

from functools import lru_cache

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;
typedef int hb_bool_t;

hb_bool_t hb_version_atleast (unsigned int major, unsigned int minor, unsigned int micro);
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
hb_tag_t hb_tag_from_string (const char *str, int len);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
void hb_set_add_range (hb_set_t *set, hb_codepoint_t first, hb_codepoint_t last);

hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""

# hb_subset_sets_t and hb_subset_flags_t values (hb-subset.h, stable since HarfBuzz 2.9).
_GLYPH_INDEX, _DROP_TABLE_TAG, _NAME_ID = 0, 3, 4
_NO_HINTING, _RETAIN_GIDS, _DESUBROUTINIZE, _PASSTHROUGH_UNRECOGNIZED, _NOTDEF_OUTLINE = 0x1, 0x2, 0x4, 0x20, 0x40
DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "SVG ", "BASE", "JSTF", "DSIG", "LTSH", "PCLT")


@lru_cache(maxsize=1)
def _library():
    """(ffi, lib), or None when hb-subset (3.0 or later) cannot be loaded."""
    try:
        from cffi import FFI

        ffi = FFI()
        ffi.cdef(_CDEF)
        for name in ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "harfbuzz-subset"):
            try:
                lib = ffi.dlopen(name)
                break
            except OSError:
                continue
        else:
            return None
        if not lib.hb_version_atleast(3, 0, 0):
            return None
        return ffi, lib
    except Exception:  # noqa: BLE001 - no cffi, an old library, a missing symbol: use fontTools
        return None


def available() -> bool:
    return _library() is not None


def subset(path: str, gids: list[int], index: int = 0) -> bytes | None:
    """The font at `path` (face `index` of a collection) keeping only `gids` (and .notdef) at
    their original ids; None on failure.

    Hinting and layout tables go (a PDF needs neither); every name record stays, the licence
    among them.
    """
    try:
        return _subset(path, gids, index)
    except AttributeError:  # a symbol this HarfBuzz lacks
        return None


def _subset(path: str, gids: list[int], index: int = 0) -> bytes | None:
    loaded = _library()
    if loaded is None:
        return None
    ffi, lib = loaded
    blob = lib.hb_blob_create_from_file_or_fail(path.encode())
    if blob == ffi.NULL:
        return None
    face = lib.hb_face_create(blob, index)
    lib.hb_blob_destroy(blob)
    request = lib.hb_subset_input_create_or_fail()
    try:
        if request == ffi.NULL:
            return None
        glyphs = lib.hb_subset_input_set(request, _GLYPH_INDEX)
        lib.hb_set_add(glyphs, 0)
        for gid in gids:
            lib.hb_set_add(glyphs, gid)
        lib.hb_set_add_range(lib.hb_subset_input_set(request, _NAME_ID), 0, 255)
        dropped = lib.hb_subset_input_set(request, _DROP_TABLE_TAG)
        for tag in DROPPED_TABLES:
            lib.hb_set_add(dropped, lib.hb_tag_from_string(tag.encode(), 4))
        lib.hb_subset_input_set_flags(
            request, _NO_HINTING | _RETAIN_GIDS | _DESUBROUTINIZE | _PASSTHROUGH_UNRECOGNIZED | _NOTDEF_OUTLINE
        )
        result = lib.hb_subset_or_fail(face, request)
        if result == ffi.NULL:
            return None
        out = lib.hb_face_reference_blob(result)
        try:
            length = ffi.new("unsigned int *")
            data = lib.hb_blob_get_data(out, length)
            return ffi.buffer(data, length[0])[:] if length[0] else None
        finally:
            lib.hb_blob_destroy(out)
            lib.hb_face_destroy(result)
    finally:
        if request != ffi.NULL:
            lib.hb_subset_input_destroy(request)
        lib.hb_face_destroy(face)
