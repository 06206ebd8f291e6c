"""The print cover's front panel as HTML: the supplied picture, or the generated design drawn as vectors."""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from ..render.xhtml import attr, esc
from .art import ITALIC, REGULAR, CoverText, _font, plan_cover
from .wrap import WrapGeometry

FONT_FAMILY = "bookforge-cover"
CANVAS_WIDTH = 1600  # the generated design's units across the front panel (as the e-book cover's pixels)
# Where art.py puts a line's baseline under the top of its block: 0.78 em (cap height 0.7 em).
BASELINE_EM = 0.78


def _inches(value: float) -> str:
    return f"{value:.4f}in"


def box(left: float, top: float, width: float, height: float) -> str:
    """`position: absolute` at these inches (left and top from the sheet's trim corner)."""
    return f"position:absolute;left:{_inches(left)};top:{_inches(top)};width:{_inches(width)};height:{_inches(height)};"


def picture_front(geometry: WrapGeometry, jpeg: bytes) -> str:
    """The supplied cover, filling the front panel and its bleed (cropped, never stretched)."""
    g = geometry
    source = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
    return (
        f'<img class="front-picture" alt="" src="{source}" '
        f'style="{box(g.front_left, -g.bleed, g.trim_width + g.bleed, g.height)}object-fit:cover;"/>\n'
    )


def picture_ppi(geometry: WrapGeometry, width_px: int, height_px: int) -> float:
    """The printed resolution of a picture covering the front panel and its bleed: `cover` scales
    it by the side that needs the most enlargement, so that side sets the pixels per inch."""
    g = geometry
    return min(width_px / (g.trim_width + g.bleed), height_px / g.height)


def vector_front(geometry: WrapGeometry, text: CoverText, safe_area: float) -> str:
    """The generated design (art.py's plan: accent band, its frame, title, subtitle, names,
    publisher) as positioned HTML, sharp at any size; text in the bundled face, embedded."""
    g = geometry
    height_units = round(CANVAS_WIDTH * g.trim_height / g.trim_width)
    plan = plan_cover(text, CANVAS_WIDTH, height_units)
    unit = g.trim_width / CANVAS_WIDTH  # inches per unit
    left = g.front_left
    band = plan.band_bottom * unit
    # The frame is decoration, but it must not wander into the trim's tolerance.
    inset = max(plan.frame_inset * unit, safe_area)
    out = [
        f'<div style="{box(left, -g.bleed, g.trim_width + g.bleed, g.height)}background:{text.paper};"></div>\n',
        f'<div style="{box(left, -g.bleed, g.trim_width + g.bleed, band + g.bleed)}background:{text.accent};"></div>\n',
        (
            f'<div style="{box(left + inset, inset, g.trim_width - 2 * inset, band - 2 * inset)}'
            f'box-sizing:border-box;border:{_inches(plan.frame_width * unit)} solid {text.paper};"></div>\n'
        ),
    ]
    for item in plan.blocks:
        block = item.block
        family, style = font_css(block.font)
        size = block.size * unit
        for index, line in enumerate(block.lines):
            baseline = (item.top + index * block.size * block.line_height + BASELINE_EM * block.size) * unit
            top = baseline - baseline_offset(block.font) * size
            out.append(
                f'<div class="front-line" style="{box(left, top, g.trim_width, size)}font-family:{family};'
                f"font-style:{style};font-size:{size * 72:.3f}pt;line-height:1;text-align:center;"
                f'white-space:pre;color:{getattr(text, item.colour)};">{esc(line)}</div>\n'
            )
    return "".join(out)


def font_css(font: str) -> tuple[str, str]:
    """CSS family and style for a face art.py chose: the bundled one, or an installed one by name
    (WeasyPrint finds installed fonts through fontconfig, as Pillow's choice came from it)."""
    if font == str(REGULAR):
        return FONT_FAMILY, "normal"
    if font == str(ITALIC):
        return FONT_FAMILY, "italic"
    return f'"{attr(_family_name(font))}", {FONT_FAMILY}', "normal"


@lru_cache(maxsize=16)
def _family_name(path: str) -> str:
    with TTFont(path, fontNumber=0, lazy=True) as font:
        return font["name"].getDebugName(16) or font["name"].getDebugName(1) or Path(path).stem


@lru_cache(maxsize=16)
def baseline_offset(font: str) -> float:
    """Where the baseline of a `line-height: 1` line box sits under its top, in em: half of
    (1 − ascent − descent) above the ascent, as CSS centres the glyphs in the line."""
    ascent, descent = _font(font, 1000).getmetrics()
    return (1 - (ascent + descent) / 1000) / 2 + ascent / 1000
