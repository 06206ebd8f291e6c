"""Which characters of the book the PDF's fonts can draw, and what to say about those none can.

The bundled Linux Libertine O faces come first. WeasyPrint (Pango) falls back, character by
character, to the fonts fontconfig knows, so an installed Noto CJK font sets Chinese or Japanese.
A character that no font has is drawn as an empty .notdef box, and WeasyPrint logs it once per
character (a Chinese chapter: a thousand lines). So this module looks before the layout: it finds
the characters outside the bundled faces, asks fontconfig which installed fonts have them, and
groups those that none has by Unicode script, for one `P004` per script.

It is quick for the common case: a regular expression finds the characters outside the ranges the
bundled faces surely cover (ASCII, Latin, Greek, Cyrillic, punctuation), and only when there are
some are the fonts' cmaps read (fontTools, ~0.1 s) and fontconfig asked (one `fc-list`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..model import Block, Note, Preformatted, block_inlines, plain_text, walk
from ..themes import FONTS_DIR

# fontTools is imported in the functions that read a font or a script: every PDF build plans its
# fonts with this module before the layout workers fork, and most books need neither.

BUNDLED_FILES = ("LinLibertine_R.otf", "LinLibertine_RI.otf", "LinLibertine_RB.otf", "LinLibertine_RBI.otf")

# Code points the bundled faces have (tests/test_cjk.py checks them against the fonts; the bold
# italic lacks Cyrillic, which falls back like any other script). A book whose text is all in
# here, or never drawn (NEVER_DRAWN), needs neither the fonts' cmaps nor fontconfig.
SURE_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x384, 0x38A),
    (0x38C, 0x38C),
    (0x38E, 0x3A1),
    (0x3A3, 0x3CE),
    (0x400, 0x45F),
    (0x2010, 0x2022),
    (0x2026, 0x2026),
    (0x2032, 0x2033),
    (0x2039, 0x203A),
)
# Tabs and line ends, spaces (the bundled faces have them too), joiners and direction marks,
# variation selectors, the byte order mark.
NEVER_DRAWN = (
    (0x9, 0xA),
    (0xD, 0xD),
    (0x2000, 0x200F),
    (0x2028, 0x202F),
    (0x2060, 0x2064),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
)
_OUTSIDE = re.compile(
    "[^"
    + "".join(
        re.escape(chr(first)) + ("-" + re.escape(chr(last)) if last > first else "")
        for first, last in SURE_RANGES + NEVER_DRAWN
    )
    + "]"
)

# Scripts (ISO 15924) that CJK fonts cover, and Common characters that belong with them.
CJK_SCRIPTS = frozenset({"Hani", "Hira", "Kana", "Hang", "Bopo"})
_CJK_BLOCKS = frozenset(
    {
        "CJK Symbols and Punctuation",
        "Halfwidth and Fullwidth Forms",
        "CJK Compatibility",
        "CJK Compatibility Forms",
        "Enclosed CJK Letters and Months",
        "Vertical Forms",
        "Kanbun",
        "Ideographic Description Characters",
        "CJK Strokes",
        "Small Form Variants",
    }
)
_NAMES = {
    "Hani": "Han (Chinese, Japanese and Korean)",
    "Hira": "Hiragana (Japanese)",
    "Kana": "Katakana (Japanese)",
    "Hang": "Hangul (Korean)",
    "Bopo": "Bopomofo (Chinese)",
}
_NOT_A_SCRIPT = ("Zyyy", "Zinh", "Zzzz")


@dataclass(frozen=True)
class Gap:
    """A script (or, for symbols, a Unicode block) that no font has: one P004."""

    key: str  # ISO 15924 code ("Hani", "Linb"), or "block:<name>" for symbols
    name: str  # what the warning calls it: "Han (Chinese, Japanese and Korean)"
    characters: str  # every such character of the book: the script's own first, then punctuation
    path: str | None = None  # where it is first used: a manuscript (or book.toml)
    line: int | None = None

    def message(self) -> str:
        shown = ", ".join(f"{c} U+{ord(c):04X}" for c in self.characters[:3])
        more = len(self.characters) - 3
        if more > 0:
            shown += f" and {more} more"
        return f"no font has {self.name} characters ({shown}): they would be blank in the PDF"

    def hint(self) -> str:
        package = "fonts-noto-cjk" if self.key in CJK_SCRIPTS else "fonts-noto-core"
        return (
            f"install a font that has them, e.g. `apt-get install {package}` (Debian/Ubuntu) or a Noto "
            "font from notofonts.github.io; bookforge finds installed fonts through fontconfig"
        )


@dataclass
class Coverage:
    """What the book's characters need from fonts other than the bundled faces."""

    outside: str = ""  # characters the bundled faces lack, sorted
    gaps: list[Gap] = field(default_factory=list)  # scripts no font has
    fallback: list[str] = field(default_factory=list)  # "file#index size mtime" of installed fonts that help
    uncovered: frozenset[str] = frozenset()  # characters no font has (their P001 lines are dropped)

    def fingerprint(self) -> str:
        """For the part cache: a part laid out before a font was installed is laid out again."""
        if not self.outside:
            return ""
        digest = hashlib.sha256(self.outside.encode())
        for entry in self.fallback:
            digest.update(b"\0" + entry.encode())
        return digest.hexdigest()[:24]

    def scripts(self) -> set[str]:
        """The scripts of the characters outside the bundled faces (for the CJK font rules)."""
        return {script_of(c, CJK_SCRIPTS) for c in self.outside}


def characters_outside_bundled(texts: Iterable[str]) -> str:
    """Characters of `texts` the bundled faces lack (and that are drawn at all), sorted."""
    found: set[str] = set()
    for text in texts:
        found.update(_OUTSIDE.findall(text))
    if not found:
        return ""
    cmap = bundled_cmap()
    return "".join(sorted(c for c in found if ord(c) not in cmap and not _never_drawn(c)))


def _never_drawn(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") or 0xE0100 <= ord(char) <= 0xE01EF


@lru_cache(maxsize=1)
def bundled_cmap() -> frozenset[int]:
    """Every code point some bundled face has (a face missing one falls back like any other)."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for name in BUNDLED_FILES:
        with TTFont(str(FONTS_DIR / name), lazy=True) as font:
            points.update(font.getBestCmap())
    return frozenset(points)


def coverage(texts: Iterable[str], book=None) -> Coverage:
    """The characters the bundled faces lack, the installed fonts that have them, and the gaps:
    one per script no font has, located in the book's manuscripts when `book` is given."""
    outside = characters_outside_bundled(texts)
    if not outside:
        return Coverage()
    points = [ord(c) for c in outside]  # sorted, as `outside` is
    fonts = system_fonts()
    if fonts is None:  # no fc-list to ask: say nothing rather than warn about fonts that may be there
        return Coverage(outside, [], ["(fontconfig not asked)"], frozenset())
    covered: set[int] = set()
    fallback = []
    for font in fonts:
        starts, ends = _parse_charset(font.charset)
        helps = False
        for first, last in zip(starts, ends):
            low, high = bisect_left(points, first), bisect_right(points, last)
            if low < high:
                helps = True
                covered.update(points[low:high])
        if helps:
            fallback.append(font.stamp())
    uncovered = [chr(p) for p in points if p not in covered]
    return Coverage(outside, gaps(uncovered, book), sorted(fallback), frozenset(uncovered))


def gaps(characters: Iterable[str], book=None) -> list[Gap]:
    """The characters grouped by script, each with where the book first uses it."""
    characters = sorted(set(characters))
    scripts = {unicode_script(c) for c in characters} - set(_NOT_A_SCRIPT)
    groups: dict[str, list[str]] = {}
    for char in characters:
        groups.setdefault(script_of(char, scripts), []).append(char)
    for key, chars in groups.items():  # letters before the punctuation that goes with them
        chars.sort(key=lambda c: (unicode_script(c) != key, c))
    places = _first_uses(book, groups) if book is not None else {}
    out = []
    for key in sorted(groups, key=lambda k: (places.get(k, (None, None, 1 << 30))[2], k)):
        path, line, _ = places.get(key, (None, None, 0))
        out.append(Gap(key, script_name(key), "".join(groups[key]), path, line))
    return out


def unicode_script(char: str) -> str:
    from fontTools import unicodedata as ot_unicodedata

    return ot_unicodedata.script(char)


def script_of(char: str, present: Iterable[str] = ()) -> str:
    """The script a character is reported under: its own, or for punctuation and symbols shared
    by scripts the one the book uses (CJK punctuation goes with Han), else its Unicode block."""
    from fontTools import unicodedata as ot_unicodedata

    code = ot_unicodedata.script(char)
    if code not in _NOT_A_SCRIPT:
        return code
    present = set(present)
    # Han first: CJK punctuation is shared by Han, kana, Hangul, Bopomofo and Yi.
    shared = sorted(
        (s for s in ot_unicodedata.script_extension(char) if s not in _NOT_A_SCRIPT), key=lambda s: (s != "Hani", s)
    )
    if shared:
        return next((s for s in shared if s in present), shared[0])
    block = ot_unicodedata.block(char)
    if block in _CJK_BLOCKS:
        return "Hani"
    return f"block:{block}"


def script_name(key: str) -> str:
    if key.startswith("block:"):
        return key[len("block:") :]
    if key in _NAMES:
        return _NAMES[key]
    from fontTools import unicodedata as ot_unicodedata

    return ot_unicodedata.script_name(key, default=key).replace("_", " ")


# ---------------------------------------------------------------------------------------------
# Installed fonts, as fontconfig (and so WeasyPrint's Pango) sees them


@dataclass(frozen=True)
class SystemFont:
    file: str
    index: int
    postscript_name: str
    charset: str  # fontconfig's ranges: "20-7e a0-17f 192 …" (hexadecimal)

    def stamp(self) -> str:
        try:
            info = os.stat(self.file)
            return f"{self.file}#{self.index} {info.st_size} {info.st_mtime_ns}"
        except OSError:
            return f"{self.file}#{self.index}"


@lru_cache(maxsize=256)
def _parse_charset(charset: str) -> tuple[list[int], list[int]]:
    starts, ends = [], []
    for item in charset.split():
        first, _, last = item.partition("-")
        starts.append(int(first, 16))
        ends.append(int(last or first, 16))
    return starts, ends


def system_fonts() -> list[SystemFont] | None:
    """The outline fonts fontconfig lists; None when fontconfig's `fc-list` cannot be run."""
    fonts = _system_fonts(_font_dirs_stamp())
    return None if fonts is None else list(fonts)


def _font_dirs_stamp() -> tuple:
    """Changes when fonts are installed or removed (fontconfig rewrites its caches), so that a long
    `bookforge watch` sees a font installed after its warning."""
    home = Path.home()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    stamps: list[int | None] = []
    for folder in (
        "/var/cache/fontconfig",
        cache / "fontconfig",
        "/usr/share/fonts",
        "/usr/local/share/fonts",
        home / ".local/share/fonts",
        home / ".fonts",
        "/Library/Fonts",
        home / "Library/Fonts",
    ):
        try:
            stamps.append(os.stat(folder).st_mtime_ns)
        except OSError:
            stamps.append(None)
    return tuple(stamps)


@lru_cache(maxsize=2)
def _system_fonts(_stamp: tuple) -> tuple[SystemFont, ...] | None:
    if not shutil.which("fc-list"):
        return None
    try:
        done = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{index}\t%{postscriptname}\t%{charset}\n", ":outline=true"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    listing = done.stdout
    fonts = []
    for row in listing.splitlines():
        cells = row.split("\t")
        if len(cells) != 4 or not cells[0]:
            continue
        try:
            index = int(cells[1] or 0)
        except ValueError:
            continue
        fonts.append(SystemFont(cells[0], index, cells[2], cells[3]))
    fonts.sort(key=lambda f: (f.file, f.index))
    return tuple(fonts)


def system_font_by_postscript_name(name: str) -> SystemFont | None:
    """The installed font with this PostScript name, when there is exactly one file with it."""
    found = {(f.file, f.index): f for f in system_fonts() or () if f.postscript_name == name}
    return next(iter(found.values())) if len(found) == 1 else None


# ---------------------------------------------------------------------------------------------
# Where the book uses a script first (for the warning's file:line)


def _first_uses(book, groups: dict[str, list[str]]) -> dict[str, tuple[str | None, int | None, int]]:
    """script key → (path, line, order) of the first text that uses one of its characters."""
    wanted = {char: key for key, chars in groups.items() for char in chars}
    places: dict[str, tuple[str | None, int | None, int]] = {}
    for order, (text, path, line) in enumerate(book_texts(book)):
        for char in set(text) & wanted.keys():
            key = wanted[char]
            if key not in places:
                places[key] = (path, line, order)
        if len(places) == len(groups):
            break
    return places


def book_texts(book) -> Iterator[tuple[str, str | None, int | None]]:
    """(text, path, line) for everything of the book that is printed: book.toml's metadata, each
    story's title and names, and every block of text (notes included), in reading order."""
    for value in (
        book.title,
        book.subtitle,
        *book.editors,
        *book.authors,
        book.publisher,
        book.rights,
        book.description,
    ):
        if value:
            yield value, "book.toml", None
    for story in book.stories:
        first = next((c.loc for c in story.chapters if getattr(c, "loc", None)), None)
        head = [story.title, story.subtitle or "", *story.authors]
        head += [chapter.title or "" for chapter in story.chapters]
        yield " ".join(head), story.source or None, first.line if first else None
        for run in story.block_lists():
            yield from _block_texts(run, story.source or None)


def _block_texts(blocks: list[Block], source: str | None) -> Iterator[tuple[str, str | None, int | None]]:
    """(text, path, line) of each block's own text (not its inner blocks': the walk hands those
    over next), a note's blocks where the note is called. A block without a place of its own is
    placed in the file of the block before it (its container's, or the paragraph calling the note)."""
    path = source
    for node in walk(blocks):
        if isinstance(node, Note):
            continue  # its blocks come next in the walk
        line = None
        if node.loc:
            path, line = node.loc.path, node.loc.line
        pieces = [node.text] if isinstance(node, Preformatted) else []
        pieces += [plain_text(run) for run in block_inlines(node)]  # an image's alt text included
        yield " ".join(pieces), path, line


def book_coverage(book) -> Coverage:
    """The coverage of a book's own text (without laying it out): `bookforge check`."""
    return coverage((text for text, _, _ in book_texts(book)), book)
