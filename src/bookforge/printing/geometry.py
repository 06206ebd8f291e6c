"""Page geometry for print: trim sizes, lengths, margins that grow the gutter with the book, bleed."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import PdfConfig
from ..errors import ConfigError
from ..page_sizes import parse_length, parse_trim
from ..printers import Printer, printer_named

OUTER_FLOOR = 0.4 * 72  # a mass-market paperback's outer margin; above KDP's 0.25in/0.375in minimums
# Auto margins give the gutter this much beyond the printer's minimum: the minimum is where text
# starts to vanish into the binding, not where it reads comfortably. It also absorbs one bracket of
# error in the page-count estimate (KDP's brackets step by 0.125in), so a relayout is rare.
GUTTER_COMFORT = 0.125 * 72
# From the text block to the far edge of the running head (print.css: 1.6rem of padding and a
# 0.78rem line) and of the folio (1.4rem and 0.82rem), in ems of the body size, rounded up.
HEAD_ROOM = 2.7
FOLIO_ROOM = 2.6


@dataclass(frozen=True)
class Geometry:
    """Everything about the printed page, in points."""

    width: float
    height: float
    inner: float
    outer: float
    top: float
    bottom: float
    bleed: float
    marks: tuple[str, ...]
    font_size: float
    trim_name: str

    @property
    def text_width(self) -> float:
        return self.width - self.inner - self.outer

    def describe(self) -> str:
        return f"{self.width / 72:.3g}x{self.height / 72:.3g}in"


def estimate_pages(words: int, geometry: Geometry) -> int:
    """A page-count estimate from the word count (only the gutter depends on it)."""
    text_area = geometry.text_width * (geometry.height - geometry.top - geometry.bottom) / 72 / 72
    words_per_page = text_area * 9.5 * (11 / geometry.font_size) ** 2
    return max(1, int(words / max(words_per_page, 1)))


def page_geometry(config: PdfConfig, words: int, pages: int | None = None) -> Geometry:
    """Resolve [pdf] settings into a Geometry (config.py checked each value, the command line's
    values already over book.toml's).

    Auto margins follow the printer's rules for `pages` (the real count, once laid out) or, before
    layout, for the count estimated from `words`.
    """
    trim = config.trim
    width, height = parse_trim(trim)
    bleed = parse_length(config.bleed, "bleed")
    marks = tuple(config.marks)
    font_size = parse_length(config.font_size, "font-size")

    # A classic proportion: the outer margin about a ninth of the width, foot larger than head.
    outer = round(width * 0.11, 2)
    top = round(height * 0.085, 2)
    bottom = round(height * 0.1, 2)
    inner = outer + 0.15 * 72
    margins = config.margins
    if not isinstance(margins, dict):  # "auto", the one string config.py lets through
        printer = printer_named(config.printer)
        floor = printer.outside_minimum(bleed > 0) * 72  # the trim wanders more on a page with bleed
        # The running head and the folio are live matter too: they sit in the top and bottom
        # margins (print.css), so those margins hold the printer's minimum plus their room.
        top = max(top, floor + HEAD_ROOM * font_size)
        bottom = max(bottom, floor + FOLIO_ROOM * font_size)
        outer = max(outer, floor)
        inner = max(inner, outer + 0.15 * 72)
        if pages is None:
            pages = estimate_pages(
                words, Geometry(width, height, inner, outer, top, bottom, bleed, marks, font_size, trim)
            )
        minimum = printer.inside_minimum(pages) * 72 + GUTTER_COMFORT
        if minimum > inner:
            # Widen the gutter and narrow the outer margin as much: the text block keeps its width,
            # so the layout stays the same. Only at the outer floor does the text give way.
            grow = minimum - inner
            inner += grow
            outer = max(OUTER_FLOOR, floor, outer - grow)
    else:
        inner = parse_length(margins.get("inner", f"{inner}pt"), "margins.inner")
        outer = parse_length(margins.get("outer", f"{outer}pt"), "margins.outer")
        top = parse_length(margins.get("top", f"{top}pt"), "margins.top")
        bottom = parse_length(margins.get("bottom", f"{bottom}pt"), "margins.bottom")
    if inner + outer > width * 0.6 or top + bottom > height * 0.6:
        raise ConfigError(
            "[pdf] margins leave too little room for the text", path="book.toml", line=config.line_of.get("margins")
        )
    return Geometry(width, height, inner, outer, top, bottom, bleed, marks, font_size, trim)


def gutter_too_narrow(geometry: Geometry, printer: Printer, pages: int) -> bool:
    """Is the inside margin under what the printer asks for this many pages?"""
    return geometry.inner < printer.inside_minimum(pages) * 72 - 0.01
