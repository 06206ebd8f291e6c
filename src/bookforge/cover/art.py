"""The generated cover: title, subtitle and names set in the book face on the theme's colours (Pillow)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..themes import FONTS_DIR

WIDTH, HEIGHT = 1600, 2560  # what Kindle, Kobo and Apple Books ask for: 1:1.6, 2560 px tall
MARGIN = 150  # the text never comes nearer the edge than this
REGULAR, ITALIC = FONTS_DIR / "LinLibertine_R.otf", FONTS_DIR / "LinLibertine_RI.otf"
ORNAMENT = "\u2767"  # ❧, in the book face
# Characters both book faces certainly have (a test checks): ASCII, Latin-1, Latin Extended-A,
# dashes, quotes, ellipsis, per mille, guillemets.
BOOK_FACE_SURE = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2027), *range(0x2030, 0x2038), 0x2039, 0x203A]
)


@dataclass(frozen=True)
class CoverText:
    """What the cover says; also the generated cover's cache key, with the colours and the sizes."""

    title: str
    subtitle: str
    byline_label: str  # "Edited by", or "" for authors
    names: str
    publisher: str
    language: str
    ink: str
    paper: str
    accent: str


@dataclass(frozen=True)
class _Block:
    lines: tuple[str, ...]
    size: int
    font: str
    line_height: float


@dataclass(frozen=True)
class Placed:
    """One block of the design where it goes: its top edge (cap height) and colour (a CoverText field)."""

    block: _Block
    top: float
    colour: str  # "ink", "paper" or "accent"


@dataclass(frozen=True)
class CoverPlan:
    """The generated design on a canvas of `width` × `height` units: the band, its frame, the text."""

    width: int
    height: int
    band_bottom: int
    frame_inset: int
    frame_width: int
    blocks: tuple[Placed, ...]


def plan_cover(text: CoverText, width: int = WIDTH, height: int = HEIGHT) -> CoverPlan:
    """Where everything on the generated cover goes; the raster cover and the print cover's
    vector front (cover/print_front.py) both draw this plan, so they look alike."""
    band_bottom = int(height * 0.58)
    inset = 70  # a thin rule inside the band, the way a printed jacket frames its title
    placed = []
    room = width - 2 * MARGIN
    title = fit_block(
        text.title,
        text.language,
        _font_for(text.title, REGULAR),
        room,
        max_height=band_bottom - 2 * MARGIN - (260 if text.subtitle else 0),
        largest=250,
        smallest=72,
        max_lines=5,
    )
    subtitle = (
        fit_block(
            text.subtitle,
            text.language,
            _font_for(text.subtitle, ITALIC),
            room,
            max_height=240,
            largest=84,
            smallest=44,
            max_lines=3,
        )
        if text.subtitle
        else None
    )
    gap = 70 if subtitle else 0
    total = _height(title) + gap + (_height(subtitle) if subtitle else 0)
    top = (band_bottom - total) / 2
    placed.append(Placed(title, top, "paper"))
    if subtitle:
        placed.append(Placed(subtitle, top + _height(title) + gap, "paper"))

    placed.append(Placed(_Block((ORNAMENT,), 120, str(REGULAR), 1.0), band_bottom + 110, "accent"))

    y: float = band_bottom + 330
    if text.byline_label:
        label = fit_block(
            text.byline_label,
            text.language,
            _font_for(text.byline_label, ITALIC),
            room,
            max_height=120,
            largest=64,
            smallest=40,
            max_lines=1,
        )
        placed.append(Placed(label, y, "ink"))
        y = y + _height(label) + 30
    if text.names:
        names = fit_block(
            text.names,
            text.language,
            _font_for(text.names, REGULAR),
            room,
            max_height=height - y - 330,
            largest=96,
            smallest=40,
            max_lines=4,
            keep_together=_NAME_BREAKS,
        )
        placed.append(Placed(names, y, "ink"))
    if text.publisher:
        publisher = fit_block(
            text.publisher,
            text.language,
            _font_for(text.publisher, REGULAR),
            room,
            max_height=110,
            largest=52,
            smallest=32,
            max_lines=1,
        )
        placed.append(Placed(publisher, height - 150 - _height(publisher), "accent"))
    return CoverPlan(width, height, band_bottom, inset, 4, tuple(placed))


def draw_cover(text: CoverText, image_format: str = "JPEG") -> bytes:
    """The cover as JPEG (or PNG) bytes; the same text and colours always give the same bytes."""
    from PIL import Image, ImageDraw

    plan = plan_cover(text)
    image = Image.new("RGB", (WIDTH, HEIGHT), text.paper)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, plan.band_bottom), fill=text.accent)
    inset = plan.frame_inset
    draw.rectangle((inset, inset, WIDTH - inset, plan.band_bottom - inset), outline=text.paper, width=plan.frame_width)
    for item in plan.blocks:
        _draw_block(draw, item.block, item.top, getattr(text, item.colour), text.language)

    out = io.BytesIO()
    if image_format == "PNG":
        image.save(out, "PNG", optimize=True)
    else:  # baseline, no EXIF, no timestamps: the same pixels give the same file
        image.save(out, "JPEG", quality=90, optimize=True, progressive=False, subsampling="4:2:0")
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Fitting text: wrap into balanced lines, shrink until the block fits


# Where a list of names may break: after a comma, or before the conjunction ("A, B and C").
_NAME_BREAKS = re.compile(r"(?<=,) | (?=(?:and|et|und|y|e|en|och|i|и) \S)")


def fit_block(
    text: str,
    language: str,
    font: str,
    width: int,
    *,
    max_height: float,
    largest: int,
    smallest: int,
    max_lines: int,
    keep_together: re.Pattern | None = None,
) -> _Block:
    """The largest size (from `largest` down to `smallest`) at which `text` wraps into at most
    `max_lines` balanced lines no wider than `width` and no taller than `max_height` in all.
    At the smallest size, words too long for a line are broken and the line limit is lifted."""
    size = largest
    while True:
        face = _font(font, size)
        measure = lambda s, face=face: _measure(face, s, language)
        lines = None
        if keep_together is not None:  # whole names on a line when they fit
            lines = balanced_lines(text, measure, width, pieces=keep_together.split(text))
        if lines is None:
            lines = balanced_lines(text, measure, width, break_words=size <= smallest)
        if lines is not None:
            block = _Block(tuple(lines), size, font, 1.18 if len(lines) > 1 else 1.0)
            if (len(lines) <= max_lines and _height(block) <= max_height) or size <= smallest:
                return block
        elif size <= smallest:  # cannot happen (words are broken at the smallest size); never draw nothing
            return _Block((text,), size, font, 1.0)
        size = max(smallest, int(size * 0.93))


def balanced_lines(
    text: str, measure, width: float, break_words: bool = False, pieces: list[str] | None = None
) -> list[str] | None:
    """Words (or, for scripts written without spaces, characters; or the `pieces` given) wrapped
    into the fewest lines that fit `width`, then balanced so the longest line is as short as it
    can be; None when a single piece is wider than `width` and `break_words` is off."""
    spaced = " " in text.strip() or not _is_unspaced(text)
    words = pieces if pieces is not None else (text.split() if spaced else list(text.strip()))
    joiner = " " if spaced else ""
    if not words:
        return []
    units: list[str] = []
    for word in words:
        if measure(word) <= width:
            units.append(word)
        elif break_words:
            units.extend(_break_word(word, measure, width))
        else:
            return None
    return _wrap(units, joiner, measure, width)


def _wrap(pieces: list[str], joiner: str, measure, width: float) -> list[str]:
    # Fewest lines first (greedy), then the balanced split into that many lines.
    count, line = 1, ""
    for piece in pieces:
        candidate = f"{line}{joiner}{piece}" if line else piece
        if line and measure(candidate) > width:
            count += 1
            line = piece
        else:
            line = candidate
    return _balance(pieces, count, joiner, measure)


def _balance(pieces: list[str], count: int, joiner: str, measure) -> list[str]:
    """Split `pieces` into `count` lines minimising the widest line (small inputs: exact DP)."""
    n = len(pieces)
    widths = {}

    def width_of(i: int, j: int) -> float:
        if (i, j) not in widths:
            widths[(i, j)] = measure(joiner.join(pieces[i:j]))
        return widths[(i, j)]

    best: dict[tuple[int, int], tuple[float, list[int]]] = {}

    def solve(start: int, lines: int) -> tuple[float, list[int]]:
        if lines == 1:
            return width_of(start, n), [n]
        key = (start, lines)
        if key not in best:
            options = []
            for end in range(start + 1, n - lines + 2):
                rest, cuts = solve(end, lines - 1)
                options.append((max(width_of(start, end), rest), [end] + cuts))
            best[key] = min(options, key=lambda option: option[0])
        return best[key]

    count = min(count, n)
    _, cuts = solve(0, count)
    lines, start = [], 0
    for end in cuts:
        lines.append(joiner.join(pieces[start:end]))
        start = end
    return lines


def _break_word(word: str, measure, width: float) -> list[str]:
    out, current = [], ""
    for char in word:
        if current and measure(current + char + "-") > width:
            out.append(current + "-")
            current = char
        else:
            current += char
    return out + [current] if current else out


def _is_unspaced(text: str) -> bool:
    """Chinese, Japanese, Thai…: lines may break between any two characters."""
    return any(
        0x2E80 <= ord(c) <= 0x9FFF
        or 0xAC00 <= ord(c) <= 0xD7AF
        or 0x0E00 <= ord(c) <= 0x0E7F
        or 0xF900 <= ord(c) <= 0xFAFF
        for c in text
    )


def _height(block: _Block) -> float:
    return block.size * (1 + (len(block.lines) - 1) * block.line_height)


def _draw_block(draw, block: _Block, top: float, colour: str, language: str) -> float:
    """Centre each line; returns the y under the block."""
    face = _font(block.font, block.size)
    y = top
    for line in block.lines:
        _centred(draw, line, y, face, colour, language)
        y += block.size * block.line_height
    return top + _height(block)


def _centred(draw, text: str, top: float, face, colour: str, language: str) -> None:
    width = _measure(face, text, language)
    # anchor "ls": y is the baseline; put it where a cap height of 0.7 em sits under `top`.
    draw.text(
        ((WIDTH - width) / 2, top + face.size * 0.78),
        text,
        font=face,
        fill=colour,
        anchor="ls",
        language=_raqm_language(language),
    )


def _measure(face, text: str, language: str) -> float:
    return face.getlength(text, language=_raqm_language(language))


def _raqm_language(language: str) -> str | None:
    from PIL import features

    return language if features.check("raqm") else None


@lru_cache(maxsize=64)
def _font(path: str, size: int):
    from PIL import ImageFont

    layout = ImageFont.Layout.RAQM if _has_raqm() else ImageFont.Layout.BASIC
    return ImageFont.truetype(path, size, layout_engine=layout)


@lru_cache(maxsize=1)
def _has_raqm() -> bool:
    from PIL import features

    return bool(features.check("raqm"))


# ---------------------------------------------------------------------------------------------
# Fonts: the bundled book face, or a system face for scripts it does not cover


def _font_for(text: str, preferred: Path) -> str:
    """The bundled face when it has every character of `text`, else a system face that does."""
    missing = missing_characters(text, preferred)
    if not missing:
        return str(preferred)
    other = _system_font_covering(missing)
    return other or str(preferred)


def unrenderable(text: CoverText) -> str:
    """Characters of the cover's words that neither the book face nor any installed face has."""
    missing: set[str] = set()
    for words, face in (
        (text.title, REGULAR),
        (text.subtitle, ITALIC),
        (text.byline_label, ITALIC),
        (text.names, REGULAR),
        (text.publisher, REGULAR),
    ):
        font = Path(_font_for(words, face))
        missing.update(missing_characters(words, font))
    return "".join(sorted(missing))


def missing_characters(text: str, font: Path) -> str:
    if font in (REGULAR, ITALIC) and all(ord(c) in BOOK_FACE_SURE for c in text):
        return ""  # most titles: no need to open the font (fontTools costs ~70 ms a build)
    cmap = _cmap(str(font))
    return "".join(sorted({c for c in text if not c.isspace() and ord(c) not in cmap}))


@lru_cache(maxsize=8)
def _cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=32)
def _system_font_covering(characters: str) -> str | None:
    """fontconfig's best face for these characters, if it really has all of them."""
    if not shutil.which("fc-match"):
        return None
    charset = " ".join(f"{ord(c):x}" for c in characters)
    try:
        found = subprocess.run(
            ["fc-match", "--format=%{file}", f"serif:charset={charset}"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if found and Path(found).suffix.lower() in (".ttf", ".otf") and not missing_characters(characters, Path(found)):
        return found
    return None
