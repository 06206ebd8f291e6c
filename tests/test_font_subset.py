"""Font subsets for the assembled PDF: HarfBuzz (uharfbuzz) and the fontTools fallback make the same font."""

from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont

from bookforge.backends.pdf import fonts, hb_subset
from bookforge.themes import FONTS_DIR

REGULAR = str(FONTS_DIR / "LinLibertine_R.otf")
GIDS = frozenset({3, 36, 68, 69, 70, 250})  # a few letters and one glyph far in


def glyphs_with_outlines(program: bytes) -> set[int]:
    """The glyph ids of a CFF font that draw something (the others are kept empty, ids retained)."""
    font = TTFont(io.BytesIO(program))
    order = font.getGlyphOrder()
    charstrings = font["CFF "].cff.topDictIndex[0].CharStrings
    drawn = set()
    for gid, name in enumerate(order):
        charstring = charstrings[name]
        charstring.decompile()
        if len(charstring.program) > 1:  # more than a lone endchar
            drawn.add(gid)
    return drawn


@pytest.fixture(autouse=True)
def fresh_cache():
    fonts._subset.cache_clear()
    yield
    fonts._subset.cache_clear()


def test_harfbuzz_keeps_the_glyphs_asked_for_at_their_ids_and_the_licence():
    program = hb_subset.subset(REGULAR, sorted(GIDS))
    assert program is not None, "uharfbuzz could not subset the bundled font"
    font = TTFont(io.BytesIO(program))
    assert font["maxp"].numGlyphs == max(GIDS) + 1  # ids retained: the pages' glyph codes stay valid
    assert glyphs_with_outlines(program) - {0} == set(GIDS)
    assert font["name"].getName(13, 3, 1, 0x409), "the licence record is kept"
    assert not {"GSUB", "GPOS", "GDEF"} & set(font.keys())


def test_the_fonttools_fallback_makes_the_same_subset():
    harfbuzz = hb_subset.subset(REGULAR, sorted(GIDS))
    fallback = fonts._subset_with_fonttools(REGULAR, GIDS)
    assert glyphs_with_outlines(fallback) == glyphs_with_outlines(harfbuzz)
    assert TTFont(io.BytesIO(fallback))["maxp"].numGlyphs == TTFont(io.BytesIO(harfbuzz))["maxp"].numGlyphs
    assert not {"GSUB", "GPOS", "GDEF"} & set(TTFont(io.BytesIO(fallback)).keys())


def test_a_face_harfbuzz_refuses_goes_to_fonttools(monkeypatch):
    monkeypatch.setattr(hb_subset, "subset", lambda path, gids, index=0: None)
    assert fonts._subset(REGULAR, GIDS) == fonts._subset_with_fonttools(REGULAR, GIDS)


def test_an_unreadable_file_is_none_not_a_crash(tmp_path):
    broken = tmp_path / "broken.otf"
    broken.write_bytes(b"not a font")
    assert hb_subset.subset(str(tmp_path / "missing.otf"), [1]) is None
    assert hb_subset.subset(str(broken), [1]) is None
