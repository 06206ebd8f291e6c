"""Pictures inside a Word document as a book can hold them: JPEG, PNG, GIF, SVG and WebP as they are,
TIFF and BMP made PNG, and for anything else (Windows metafiles: EMF, WMF) why it cannot be shown."""

from __future__ import annotations

import io
import posixpath
import warnings

# The formats an EPUB may hold (its core media types), by the file suffix the book gives them.
_KEPT = {"png": "png", "jpeg": "jpg", "gif": "gif", "webp": "webp", "svg": "svg"}
_SUFFIXES = {"png": (".png",), "jpeg": (".jpg", ".jpeg"), "gif": (".gif",), "webp": (".webp",), "svg": (".svg",)}
_CONVERTED = {"tiff", "bmp"}  # Pillow reads them; PNG keeps every pixel


def picture_format(blob: bytes) -> str | None:
    """The format of a picture's bytes, by their signature ("png", "emf"…); None if unknown."""
    head = blob[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:4] == b"\x01\x00\x00\x00" and head[40:44] == b" EMF":
        return "emf"
    if head.startswith((b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00", b"\x02\x00\x09\x00")):
        return "wmf"
    text = blob[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in blob[:4096].lower():
        return "svg"
    return None


def book_picture(name: str, blob: bytes) -> tuple[str, bytes] | str:
    """(file name, bytes) of a picture as the book holds it (its name given the suffix of what its
    bytes are); or, when it cannot hold it, why, for the warning that says so."""
    found = picture_format(blob)
    stem, suffix = posixpath.splitext(name)
    if found in _KEPT:
        return (name if suffix.lower() in _SUFFIXES[found] else f"{stem}.{_KEPT[found]}"), blob
    if found in _CONVERTED:
        png = _as_png(blob)
        return (f"{stem}.png", png) if png is not None else f"it is a damaged {found.upper()} file"
    if found in ("emf", "wmf"):
        return f"it is a Windows drawing ({found.upper()}), which e-readers and PDFs cannot show"
    return f"its format ({suffix.lstrip('.').upper() or 'unknown'}) is not a picture format e-readers can show"


def _as_png(blob: bytes) -> bytes | None:
    """A TIFF or BMP as PNG (its first page), or None when Pillow cannot read it or it is a bomb."""
    from PIL import Image  # here: Pillow takes about 20 ms to load, and few documents hold a TIFF or BMP

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(blob)) as image:
                image.load()
                picture = (
                    image
                    if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16")
                    else image.convert("RGBA" if "A" in image.getbands() else "RGB")
                )
                out = io.BytesIO()
                picture.save(out, format="PNG", optimize=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    return out.getvalue()
