"""Page geometry: trim presets, lengths, margins that widen the gutter without moving the text."""

from __future__ import annotations

import pytest

from bookforge.printing.geometry import estimate_pages, page_geometry, parse_length, parse_trim
from bookforge.config import PdfConfig, load_config
from bookforge.errors import ConfigError


@pytest.mark.parametrize("text, points", [("0", 0), ("0.125in", 9), ("3mm", 8.5039), ("1cm", 28.3465), ("9pt", 9)])
def test_lengths(text, points):
    assert parse_length(text, "bleed") == pytest.approx(points, abs=1e-3)


@pytest.mark.parametrize("text", ["0.125", "1 inch", "-1in", "abc"])
def test_bad_lengths(text):
    with pytest.raises(ConfigError, match="length"):
        parse_length(text, "bleed")


@pytest.mark.parametrize(
    "text, size",
    [("5x8in", (360, 576)), ("5.5x8.5in", (396, 612)), ("6x9in", (432, 648)), ("A5", (419.53, 595.28)),
     ("b-format", (365.67, 561.26)), ("150 x 220 mm", (425.2, 623.62)), ("15x22cm", (425.2, 623.62))],
)
def test_trims(text, size):
    width, height = parse_trim(text)
    assert (round(width, 1), round(height, 1)) == (round(size[0], 1), round(size[1], 1))


@pytest.mark.parametrize("text", ["letter", "6x9", "1x1in", "6x90in"])
def test_bad_trims(text):
    with pytest.raises(ConfigError, match="trim"):
        parse_trim(text)


def test_auto_gutter_grows_with_length_but_the_text_block_keeps_its_width():
    short = page_geometry(PdfConfig(), words=20_000)
    long = page_geometry(PdfConfig(), words=150_000)
    assert 500 < estimate_pages(150_000, short) <= 700
    assert long.inner == pytest.approx((0.75 + 0.125) * 72) and long.outer < short.outer
    assert long.text_width == pytest.approx(short.text_width)


def test_very_long_books_keep_an_outer_margin():
    huge = page_geometry(PdfConfig(), words=400_000)
    assert huge.inner == pytest.approx((0.875 + 0.125) * 72)
    assert huge.outer == pytest.approx(0.4 * 72)


def test_explicit_margins_and_overrides():
    config = PdfConfig(margins={"inner": "1in", "outer": "0.5in"}, font_size="10pt")
    config.trim, config.bleed, config.marks = "6x9in", "3mm", ["crop"]  # as `bookforge pdf --trim …` sets them
    geometry = page_geometry(config, words=1000)
    assert (geometry.inner, geometry.outer, geometry.width, geometry.font_size) == (72, 36, 432, 10)
    assert geometry.bleed == pytest.approx(8.5039, abs=1e-3) and geometry.marks == ("crop",)


def test_impossible_settings():
    # Marks and the font size's range are book.toml's to check, at their line (test_config.py).
    with pytest.raises(ConfigError, match="marks"):
        load_config('[book]\ntitle = "T"\n[pdf]\nmarks = ["registration"]\n')
    with pytest.raises(ConfigError, match="font-size"):
        load_config('[book]\ntitle = "T"\n[pdf]\nfont-size = "40pt"\n')
    with pytest.raises(ConfigError, match="too little room"):
        page_geometry(PdfConfig(margins={"inner": "3in", "outer": "3in"}), words=1)
