"""Names made from names: file-name slugs, natural sort keys, titles from file names, roman numerals (a leaf)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

_LEADING_NUMBER = re.compile(r"^\d+(?:[\s._-]+|$)")


def slugify(text: str, fallback: str = "book") -> str:
    """An ASCII file-name-safe slug: 'Dreams & Waking!' → 'dreams-waking'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or fallback


def natural_key(name: str) -> list:
    """Sort key that puts `2-story` before `10-story`."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def title_from_file_name(path: PurePath | str, *, folder: bool = False) -> str:
    """A title from a file or folder name, in the author's own case.

    '02-the-pale_shadow.txt' → 'The Pale Shadow' (a lower-case slug is title-cased);
    'Last Gasp at Calama' → 'Last Gasp at Calama'; '001-spaceman.md' → 'Spaceman';
    'Chapter 1.docx' → 'Chapter 1' (only a number followed by a separator is dropped).
    """
    path = PurePath(path)
    stem = path.name if folder else path.stem  # a folder's name has no suffix: "Vol. 2" stays whole
    name = _LEADING_NUMBER.sub("", stem).strip() or stem
    if " " in name:  # the author wrote words: hyphens are theirs (Mary-Jane), underscores are not
        words = name.replace("_", " ").split()
    else:  # a slug: every separator is a space
        words = [w for w in re.split(r"[_\-.]+", name) if w]
    if not words:
        return stem
    if any(c.isupper() for c in name):  # the author chose the case: keep it
        return " ".join(words)
    return " ".join(w[:1].upper() + w[1:] for w in words)


_ROMAN = (
    ("m", 1000),
    ("cm", 900),
    ("d", 500),
    ("cd", 400),
    ("c", 100),
    ("xc", 90),
    ("l", 50),
    ("xl", 40),
    ("x", 10),
    ("ix", 9),
    ("v", 5),
    ("iv", 4),
    ("i", 1),
)


def roman(number: int) -> str:
    """4 → 'iv' (lower case; upper() it for capitals)."""
    out = []
    for letters, value in _ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)
