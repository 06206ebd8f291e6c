"""Bytes to clean text: detect the encoding, normalise line ends and Unicode, drop invisible junk."""

from __future__ import annotations

import codecs
import re
import unicodedata

from ..diagnostics import Diagnostics
from ..errors import ManuscriptError

# Windows-1252 leaves these five bytes undefined: a file containing them is not cp1252 either.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")

# Characters XML 1.0 forbids or that no reader should see: C0 controls except tab and newline,
# DEL and C1 controls, lone surrogates, and the noncharacters U+FFFE/U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def decode(data: bytes, rel: str, diagnostics: Diagnostics) -> str:
    """Decode a manuscript's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", rel)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(data, "utf-16", rel)
        diagnostics.warn(
            "M008",
            "decoded as UTF-16 (byte-order mark found)",
            path=rel,
            hint="save the file as UTF-8 to silence this",
        )
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        # UTF-8 apart from encoded lone surrogates (as some Windows tools write): keep the text;
        # clean() removes the surrogates with a warning naming their lines.
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        raise ManuscriptError(
            "not a text file (it holds many NUL bytes)",
            path=rel,
            hint="export it as plain text (UTF-8), or use a format bookforge reads",
        )
    bad = next((i for i, byte in enumerate(data) if byte in _CP1252_UNDEFINED), None)
    if bad is not None:
        first = utf8_error.start
        if bad == first:
            what = f"byte 0x{data[first]:02x} at offset {first} is neither UTF-8 nor Windows-1252"
        else:
            what = (
                f"byte 0x{data[first]:02x} at offset {first} is not UTF-8, and byte "
                f"0x{data[bad]:02x} at offset {bad} is not Windows-1252"
            )
        raise ManuscriptError(
            f"cannot decode: {what}",
            path=rel,
            line=data.count(b"\n", 0, utf8_error.start) + 1,
            hint="save the file as UTF-8 in your editor",
        )
    text = data.decode("cp1252")
    diagnostics.warn(
        "M001",
        f"not UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}); read as Windows-1252",
        path=rel,
        line=data.count(b"\n", 0, utf8_error.start) + 1,
        hint="save the file as UTF-8 to make sure every character is what you meant",
    )
    return text


def _strict(data: bytes, encoding: str, rel: str) -> str:
    try:
        return data.decode(encoding, "surrogatepass")  # lone surrogates: removed by clean()
    except UnicodeDecodeError as exc:
        raise ManuscriptError(
            f"cannot decode as {encoding.upper()}: invalid byte at offset {exc.start}",
            path=rel,
            hint="save the file as UTF-8 in your editor",
        ) from None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    return sample.count(0) > max(1, len(sample) // 100)


# Zero-width characters between two Latin letters are copy-paste debris (web pages, PDFs):
# they would stop hyphenation and search. Elsewhere (Indic, Persian, emoji) they carry meaning.
_LATIN = "A-Za-z\u00c0-\u024f"
_ZERO_WIDTH_IN_WORD = re.compile(f"(?<=[{_LATIN}])[\u200b\u200c\u200d\u2060]+(?=[{_LATIN}])")
# A zero-width space at a word's edge (next to a space, a line's end, or emphasis marks there).
_ZERO_WIDTH_AFTER_SPACE = re.compile("(^|[ \t\n])([*_]{0,2})\u200b+", re.MULTILINE)
_ZERO_WIDTH_BEFORE_SPACE = re.compile("\u200b+([*_]{0,2})(?=[ \t\n]|$)", re.MULTILINE)
# A word's letters and digits; `_` is not one (it is an emphasis mark in text and Markdown).
_SOFT_HYPHEN_IN_WORD = re.compile(r"(?<=[^\W_])\u00ad(?=[^\W_])")
_SOFT_HYPHEN_OUTSIDE_WORD = re.compile(r"\u00ad(?<![^\W_]\u00ad)|\u00ad(?![^\W_])")
# More soft hyphens than this inside words: pasted from a web page that hyphenates, not chosen.
_SOFT_HYPHENS_MEANT = 10
# Runs of spaces and tabs between words (not indentation, not Markdown's two-space line break).
_SPACE_RUN = re.compile(r"(?<=\S)(?:[ \t]{2,}|\t)(?=\S)")


def clean(text: str, rel: str, diagnostics: Diagnostics, *, spaces: bool = True) -> str:
    """Normalise line ends to LF and Unicode to NFC; remove control characters (with a warning)
    and invisible junk; collapse runs of spaces between words (unless `spaces` is False: a reader
    whose format has preformatted text collapses them in its running text itself)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):  # first: junk is judged by the characters a reader will see
        lines = sorted({text.count("\n", 0, m.start()) + 1 for m in _CONTROL.finditer(text)})
        shown = ", ".join(map(str, lines[:5])) + (" …" if len(lines) > 5 else "")
        diagnostics.warn(
            "M002",
            f"control characters or lone surrogates removed (line{'s' if len(lines) > 1 else ''} {shown})",
            path=rel,
            line=lines[0],
            hint="these are invisible characters an editor or a copy-paste left behind",
        )
        text = _CONTROL.sub("", text)
    if not unicodedata.is_normalized("NFC", text):  # the usual case is a quicker test than normalizing
        text = unicodedata.normalize("NFC", text)
    if "\ufeff" in text:  # a byte-order mark inside the text (files joined together)
        text = text.replace("\ufeff", "")
    if "\u200b" in text or "\u200c" in text or "\u200d" in text or "\u2060" in text:
        text = _ZERO_WIDTH_IN_WORD.sub("", text)
        text = _ZERO_WIDTH_BEFORE_SPACE.sub(r"\1", _ZERO_WIDTH_AFTER_SPACE.sub(r"\1\2", text))
    if "\u00ad" in text:
        text = _soft_hyphens(text, rel, diagnostics)
    return collapse_spaces(text) if spaces else text


def collapse_spaces(text: str) -> str:
    """Runs of spaces and tabs between words made one space."""
    return _SPACE_RUN.sub(" ", text) if "  " in text or "\t" in text else text


def _soft_hyphens(text: str, rel: str, diagnostics: Diagnostics) -> str:
    """Soft hyphens: a few inside words were placed by the author and stay; many are debris."""
    inside = len(_SOFT_HYPHEN_IN_WORD.findall(text))
    if inside > _SOFT_HYPHENS_MEANT:
        first = text.index("\u00ad")
        diagnostics.warn(
            "M009",
            f"{inside} soft hyphens removed (the text was probably pasted from a web page)",
            path=rel,
            line=text.count("\n", 0, first) + 1,
            hint="hyphenation is done by the e-reader and the PDF layout; no need to mark it",
        )
        return text.replace("\u00ad", "")
    # Outside a word a soft hyphen does nothing but confuse search: drop those.
    return _SOFT_HYPHEN_OUTSIDE_WORD.sub("", text)


def scrub(text: str) -> str:
    """Clean a string that escapes made after decoding (YAML "\\u…", HTML entities).

    Surrogate pairs written as two escapes become the one character they stand for; lone
    surrogates and control characters go, as clean() removes them from a file's text.
    """
    if not _CONTROL.search(text):
        return text
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))
