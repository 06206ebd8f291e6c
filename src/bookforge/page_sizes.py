"""Page sizes and lengths as book.toml writes them ("6x9in", "0.125in", "3mm"), in points."""

from __future__ import annotations

import re

from .errors import ConfigError

MARKS = ("crop", "cross")  # the printer's marks a PDF can carry ([pdf] marks, --marks)
POINTS = {"in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pt": 1.0, "pc": 12.0, "px": 0.75}

# Trim presets: the sizes print-on-demand services offer for fiction.
TRIMS = {
    "5x8in": (5 * 72, 8 * 72),
    "5.25x8in": (5.25 * 72, 8 * 72),
    "5.5x8.5in": (5.5 * 72, 8.5 * 72),
    "6x9in": (6 * 72, 9 * 72),
    "a5": (148 * POINTS["mm"], 210 * POINTS["mm"]),
    "b-format": (129 * POINTS["mm"], 198 * POINTS["mm"]),
}


def parse_length(text: str, what: str) -> float:
    """'0.125in' → 9.0 (points); a bare 0 is allowed."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt|pc|px)?\s*", str(text))
    if not match or (match.group(2) is None and float(match.group(1)) != 0):
        raise ConfigError(
            f'{what} must be a length such as "0.125in", "3mm" or "9pt", not "{text}"',
            path="book.toml",
        )
    return float(match.group(1)) * POINTS[match.group(2) or "pt"]


def parse_trim(text: str) -> tuple[float, float]:
    """A preset name, or "WxH" with one unit ("6x9in") or a unit each ("150mm x 22cm")."""
    key = text.strip().lower().replace(" ", "")
    if key in TRIMS:
        return TRIMS[key]
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(in|mm|cm|pt)?x(\d+(?:\.\d+)?)(in|mm|cm|pt)", key)
    if not match:
        raise ConfigError(
            f'trim must be a preset ({", ".join(TRIMS)}) or "WxH" with in, mm or cm, not "{text}"',
            path="book.toml",
        )
    w_unit = match.group(2) or match.group(4)
    width = float(match.group(1)) * POINTS[w_unit]
    height = float(match.group(3)) * POINTS[match.group(4)]
    if not (144 <= width <= 1300 and 144 <= height <= 1800):
        raise ConfigError(f"trim {text} is not a book page size (2–18 in wide, 2–25 in tall)", path="book.toml")
    return width, height
