"""Story header fields (plain-text `Key: value` blocks, YAML front matter): names, kinds, languages."""

from __future__ import annotations

import re

# Canonical field name for every spelling a manuscript may use (matched case-insensitively).
FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "by": "authors",
    "summary": "summary",
    "notes": "notes",
    "author's notes": "notes",
    "author's note": "notes",
    "authors notes": "notes",
    "a/n": "notes",
    "end notes": "end_notes",
    "endnotes": "end_notes",
    "end note": "end_notes",
    "language": "language",
    "rating": "rating",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "tags": "tags",
    "additional tags": "tags",
    "freeform": "tags",
    "category": "categories",
    "categories": "categories",
    "relationship": "relationships",
    "relationships": "relationships",
    "pairing": "relationships",
    "pairings": "relationships",
    "character": "characters",
    "characters": "characters",
    "warning": "warnings",
    "warnings": "warnings",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "series": "series",
    "words": "words",
    "chapters": "chapter_count",
    "published": "published",
    "updated": "updated",
    "completed": "completed",
    "status": "status",
    "collections": "collections",
    "dedication": "dedication",
}

# Fields whose value is a comma-separated list.
LIST_FIELDS = {"authors", "fandoms", "tags", "categories", "relationships", "characters", "warnings",
               "collections"}
# Fields whose value is prose, parsed into paragraphs with inline markup.
PROSE_FIELDS = {"summary", "notes", "end_notes"}

# A `Key:` at the start of a line, with the key made of letters, spaces, slash and apostrophe.
HEADER_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z' /]{0,24}?)\s*:(?:\s+(.*)|\s*)$")

# Language names as archives write them, to BCP 47.
LANGUAGE_NAMES = {
    "english": "en", "français": "fr", "francais": "fr", "french": "fr", "deutsch": "de",
    "german": "de", "español": "es", "espanol": "es", "spanish": "es", "italiano": "it",
    "italian": "it", "nederlands": "nl", "dutch": "nl", "svenska": "sv", "swedish": "sv",
    "polski": "pl", "polish": "pl", "русский": "ru", "russian": "ru", "português": "pt",
    "portuguese": "pt", "português brasileiro": "pt-BR", "dansk": "da", "danish": "da",
    "norsk": "no", "norwegian": "no", "suomi": "fi", "finnish": "fi", "čeština": "cs",
    "czech": "cs", "magyar": "hu", "hungarian": "hu", "日本語": "ja", "japanese": "ja",
    "中文": "zh", "中文-普通话 國語": "zh", "chinese": "zh", "한국어": "ko", "korean": "ko",
    "türkçe": "tr", "turkish": "tr", "ελληνικά": "el", "greek": "el", "українська": "uk",
    "ukrainian": "uk", "català": "ca", "catalan": "ca",
}
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def canonical_field(key: str) -> str | None:
    """The field a header key stands for, or None when it is not a header key."""
    return FIELD_ALIASES.get(" ".join(key.lower().replace("_", " ").replace("-", " ").split()))


def split_list(value: str) -> list[str]:
    """'A, B & C' → ['A', 'B', 'C']."""
    return [part.strip() for part in re.split(r"\s*[,;&]\s*", value) if part.strip()]


def language_tag(value: str) -> str | None:
    """'Français' → 'fr', 'en-GB' → 'en-GB'; None when unrecognised."""
    value = value.strip()
    named = LANGUAGE_NAMES.get(value.lower())
    if named:
        return named
    return value if _LANGUAGE_TAG.match(value) else None
