"""Story header fields (plain-text `Key: value` lines, YAML front matter, leading document paragraphs):
their names, and the one place a field's value is put on the Story."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..diagnostics import Diagnostics
    from ..model import Block, Loc, Story

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
    "content rating": "rating",
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
    "content warning": "warnings",
    "content warnings": "warnings",
    "series": "series",
    "words": "words",
    "chapters": "chapter_count",
    "published": "published",
    "updated": "updated",
    "completed": "completed",
    "status": "status",
    "collections": "collections",
    "dedication": "dedication",
    "subtitle": "subtitle",
}

# Fields whose value is a comma-separated list.
LIST_FIELDS = {"authors", "fandoms", "tags", "categories", "relationships", "characters", "warnings", "collections"}
# Fields whose value is prose, parsed into paragraphs with inline markup.
PROSE_FIELDS = {"summary", "notes", "end_notes"}

# A `Key:` at the start of a line, with the key made of letters, spaces, slash and apostrophe.
HEADER_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z' /]{0,24}?)\s*:(?:\s+(.*)|\s*)$")

# Language names as archives write them, to BCP 47.
LANGUAGE_NAMES = {
    "english": "en",
    "français": "fr",
    "francais": "fr",
    "french": "fr",
    "deutsch": "de",
    "german": "de",
    "español": "es",
    "espanol": "es",
    "spanish": "es",
    "italiano": "it",
    "italian": "it",
    "nederlands": "nl",
    "dutch": "nl",
    "svenska": "sv",
    "swedish": "sv",
    "polski": "pl",
    "polish": "pl",
    "русский": "ru",
    "russian": "ru",
    "português": "pt",
    "portuguese": "pt",
    "português brasileiro": "pt-BR",
    "dansk": "da",
    "danish": "da",
    "norsk": "no",
    "norwegian": "no",
    "suomi": "fi",
    "finnish": "fi",
    "čeština": "cs",
    "czech": "cs",
    "magyar": "hu",
    "hungarian": "hu",
    "日本語": "ja",
    "japanese": "ja",
    "中文": "zh",
    "中文-普通话 國語": "zh",
    "chinese": "zh",
    "한국어": "ko",
    "korean": "ko",
    "türkçe": "tr",
    "turkish": "tr",
    "ελληνικά": "el",
    "greek": "el",
    "українська": "uk",
    "ukrainian": "uk",
    "català": "ca",
    "catalan": "ca",
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


def apply_field(
    story: Story, field: str, value: Any, *, loc: Loc, diagnostics: Diagnostics, blocks: list[Block] | None = None
) -> None:
    """Put one header field on the story. `field` is canonical (see FIELD_ALIASES); `value` is the
    text as written (a list for YAML lists); prose fields come as `blocks`, parsed by the reader."""
    if field in PROSE_FIELDS:
        getattr(story, field).extend(blocks or [])
        return
    if value is None or value == "" or value == []:
        return
    if field == "title":
        story.title = story.title or " ".join(str(value).split())
    elif field == "subtitle":
        story.subtitle = story.subtitle or " ".join(str(value).split())
    elif field == "authors":
        story.authors = story.authors or as_list(value)
    elif field == "language":
        tag = language_tag(str(value))
        if tag:
            story.language = tag
        else:
            diagnostics.warn(
                "M007",
                f"'{value}' is not a language bookforge knows; the book's language is used",
                path=loc.path,
                line=loc.line,
                hint='write a language tag such as "en", "fr" or "de"',
            )
    elif field in LIST_FIELDS:
        story.meta[field] = as_list(value)
    else:
        story.meta[field] = value if isinstance(value, str) else str(value)


def as_list(value: Any) -> list[str]:
    """A YAML list as strings, or 'A, B & C' split."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return split_list(str(value))
