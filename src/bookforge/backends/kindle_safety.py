"""What gets an EPUB refused by Send to Kindle (E999), removed or warned about before it ships."""

from __future__ import annotations

import re
from pathlib import Path

from ..diagnostics import Diagnostics

# Send to Kindle's own limits: 50 MB per e-mail attachment (the app takes 200 MB); Amazon's
# guidance for images inside a book is 5 MB each.
MAX_BOOK_BYTES = 50 * 1024 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024

_COMMENT_OR_STRING = re.compile(r"""("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|/\*.*?(?:\*/|\Z)""", re.DOTALL)
_CUSTOM_PROPERTY = re.compile(r"(?<![\w-])(--[A-Za-z_][\w-]*\s*:|var\(\s*--)")


def strip_css_comments(text: str) -> str:
    """The stylesheet without /* comments */ (strings kept as they are): Kindle's converter has
    been seen to reject books over comments, and readers never see them."""
    if "/*" not in text:
        return text
    return _COMMENT_OR_STRING.sub(lambda m: m.group(1) or "", text)


def check_stylesheets(sheets: list[tuple[str, str, Path]], diagnostics: Diagnostics, shown) -> None:
    """K001 for CSS custom properties (`--x: …`, `var(--x)`): Send to Kindle refuses them."""
    for name, text, folder in sheets:
        if "--" not in text:
            continue
        # Comments and strings blanked out, their line breaks kept, so that lines still count right.
        clean = _COMMENT_OR_STRING.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        for match in _CUSTOM_PROPERTY.finditer(clean):
            line = clean.count("\n", 0, match.start()) + 1
            diagnostics.warn(
                "K001",
                f"CSS custom property ({match.group(0).rstrip(':( ').strip()}) in {name}: "
                "Send to Kindle rejects books that use them",
                path=shown(folder / name),
                line=line,
                hint="write the value itself in each rule instead of a var()",
            )
            break  # one finding per stylesheet is enough to act on


def check_files(images: dict[str, tuple[int, str]], fonts: dict[str, Path], diagnostics: Diagnostics, shown) -> None:
    """K002 for images over 5 MB (name in the EPUB → size, where it came from), K004 for fonts
    Kindle cannot embed."""
    for name, (size, source) in images.items():
        if size > MAX_IMAGE_BYTES:
            diagnostics.warn(
                "K002",
                f"{name} is {size / 1024 / 1024:.1f} MB; Kindle refuses images over 5 MB",
                path=source,
                hint="save it smaller (JPEG at 2560 px on the long side is plenty)",
            )
    for name, path in fonts.items():
        if path.suffix.lower() in (".woff", ".woff2"):
            diagnostics.warn(
                "K004",
                f"the font {path.name} is {path.suffix[1:].upper()}; Kindle embeds only OpenType and TrueType fonts",
                path=shown(path),
                hint="use the .otf or .ttf file",
            )


def check_size(size: int, diagnostics: Diagnostics, shown_output: str) -> None:
    if size > MAX_BOOK_BYTES:
        diagnostics.warn(
            "K003",
            f"the EPUB is {size / 1024 / 1024:.0f} MB; Send to Kindle by e-mail takes 50 MB at most",
            path=shown_output,
            hint="make the images smaller, or use the Send to Kindle app (200 MB)",
        )
