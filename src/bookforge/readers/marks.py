"""What a line of a manuscript says by its shape alone: a scene-break mark, or a chapter heading."""

from __future__ import annotations

import re

# Symbols a line made only of break marks may use: `***`, `* * *`, `#`, `~~~`, `---`, `◇`, `❧`…
_BREAK_SYMBOLS = set("*#~=_+•·◇◆○●◦❖✦✧✶✻❧☙⁂§-–—")
# Symbols that make a scene break even alone on their line.
_SINGLE_BREAK_SYMBOLS = set("*#◇◆❖✦✧✶✻❧☙⁂§•")
# `o0o`, `oOo`, `-o-`, `~o~`…: fan-fiction favourites.
_O_BREAK = re.compile(r"^[-~=*_]*(?:[oO0][-~=*_]*){3,}$|^[-~=*_]+[oO0][-~=*_]+$")

_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred)(?:[ -](?:one|two|three|four|five|six|seven|eight|nine))?"
)
_NUMBER = r"(?:\d+|[ivxlcdm]+|" + _NUMBER_WORD + r")"
# "Chapter 3", "CHAPTER ONE", "Part Two: The Sea", "Book 2 — Ashes", "Chapter 12. In Which…",
# "Chapter 1 The Storm" (a capitalised title that does not end like a sentence), and the named
# sections. "Part one of the plan was simple." and "Book two of the series…" are sentences.
_WORDED = re.compile(
    r"^(?:chapter|part|book)[ \t]+" + _NUMBER + r"\b\.?"
    r"(?:[ \t]*[:.\-–—][ \t]*(?P<after_mark>\S.*)|[ \t]+(?P<bare_title>\S.*))?$",
    re.IGNORECASE,
)
_NAMED = re.compile(
    r"^(?:prologue|epilogue|interlude|afterword|foreword|preface|introduction)"
    r"(?:[ \t]*[:.\-–—][ \t]*\S.*)?$",
    re.IGNORECASE,
)
_HASHED = re.compile(r"^#{1,6}[ \t]+(?P<title>\S.*?)[ \t]*#*$")
_ROMAN_ALONE = re.compile(r"^[IVXLC]{1,7}\.?$")  # Gutenberg's "IV." chapter lines (capitals only)
_ROMAN_VALUE = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_SENTENCE_END = re.compile(r"[.,;!?…]['\"’”)]*$")


def is_break_mark(line: str) -> bool:
    """True for a line made only of scene-break marks."""
    first = line.lstrip()[:1]
    if first.isalnum() and first not in "oO0" or first in "\"“‘'(":  # most lines: prose
        return False
    compact = "".join(line.split())
    if not compact:
        return False
    if all(c in _BREAK_SYMBOLS for c in compact):
        if len(compact) >= 3:
            return True
        return len(set(compact)) == 1 and compact[0] in _SINGLE_BREAK_SYMBOLS
    return bool(_O_BREAK.match(compact))


# What every heading above starts with: one test rules out nearly every line of prose.
_MAYBE_HEADING = re.compile(
    r"\s*(?:#|chapter|part|book|prologue|epilogue|interlude|afterword|foreword|preface|"
    r"introduction|[IVXLC]{1,7}\.?\s*$)",
    re.IGNORECASE,
)


def is_part_title(title: str) -> bool:
    """ "Part Two", "Book III: The Sea", "Volume 2": a division of the story, which may have no text
    of its own (a part title page). (Compiled on first use: only `bookforge check` asks.)"""
    return re.match(r"^(?:part|book|volume|act)[ \t]+" + _NUMBER + r"\b", title.strip(), re.IGNORECASE) is not None


def chapter_title(line: str) -> str | None:
    """The chapter title when a line, alone, is a chapter heading; else None."""
    if len(line) > 100 or not _MAYBE_HEADING.match(line):
        return None
    line = line.strip()
    hashed = _HASHED.match(line)
    if hashed:
        return hashed.group("title").strip()
    worded = _WORDED.match(line)
    if worded:
        bare = worded.group("bare_title")
        if bare is not None and (not bare[:1].isupper() and not bare[:1].isdigit() or _SENTENCE_END.search(bare)):
            return None  # "Part one of the plan was simple."
        return line
    if _NAMED.match(line):
        return line
    numeral = line.rstrip(".")
    if _ROMAN_ALONE.match(line) and _ROMAN_VALUE.match(numeral) and (len(numeral) > 1 or numeral in "IVX"):
        return line  # "L." or "C." alone is more likely an answer or an initial than chapter 50 or 100
    return None
