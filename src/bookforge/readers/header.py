"""Story header fields (plain-text `Key: value` lines, YAML front matter, leading document paragraphs):
their names, the one place a field's value is put on the Story, and YAML front matter split from
the body and applied, for the Markdown and HTML readers alike."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ManuscriptError
from ..model import Block, Loc, Story
from .decode import scrub

if TYPE_CHECKING:
    from ..diagnostics import Diagnostics
    from .ledger import Ledger  # (the ledger imports this module)

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


def header_field(line: str) -> tuple[str, str, str] | None:
    """(canonical field, key as written, value) when a line opens a header field (`Notes: …`), else
    None: what every reader's header scan (txt's lines, take_header's paragraphs, a Markdown
    metadata block) asks of a line."""
    match = HEADER_LINE.match(line)
    if not match:
        return None
    canonical = canonical_field(match.group(1))
    if canonical is None:
        return None
    return canonical, match.group(1).strip(), (match.group(2) or "").strip()


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


# ---------------------------------------------------------------------------------------------
# YAML front matter: the header of a Markdown file, or of a page a static-site generator exported
# (Jekyll, Eleventy), shared by the Markdown and HTML readers

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)

# Reads a prose field's values (a YAML list: a paragraph an item) into blocks, every block at the
# key's line: front matter's prose is Markdown, so the Markdown reader hands its own in.
ProseReader = Callable[[list[str], int], list[Block]]


def split_front_matter(text: str, rel: str) -> tuple[Any, dict[str, int], str, int]:
    """(parsed YAML or None, line of each top-level key, body text, lines before the body)."""
    if not re.match(r"^---[ \t]*\n", text):
        return None, {}, text, 0
    first_newline = text.index("\n") + 1
    end = _FRONT_MATTER_END.search(text, first_newline)
    if end is None:
        raise ManuscriptError("YAML front matter is not closed", path=rel, line=1, hint="end it with a line of ---")
    yaml_text = text[first_newline : end.start()]
    import yaml  # here: PyYAML takes 10-20 ms to load, and most manuscripts have no front matter

    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ManuscriptError(
            f"YAML front matter: {problem}",
            path=rel,
            line=mark.line + 2 if mark else 1,
            column=mark.column + 1 if mark else None,
            hint="front matter is `key: value` lines between two lines of ---",
        ) from None
    body_start = text.find("\n", end.start())
    body_start = len(text) if body_start < 0 else body_start + 1
    if data is None:
        data = {}
    data = _scrubbed(data)
    if not isinstance(data, dict):
        raise ManuscriptError("YAML front matter must be `key: value` lines", path=rel, line=2)
    key_lines: dict[str, int] = {}
    for number, line in enumerate(yaml_text.split("\n"), start=2):
        match = re.match(r"^([^\s:#][^:]*):", line)
        if match:
            key_lines.setdefault(match.group(1).strip().strip("'\""), number)
    return data, key_lines, text[body_start:], text.count("\n", 0, body_start)


def _scrubbed(value: Any) -> Any:
    """YAML escapes can spell characters no book may hold (\\u0000, lone surrogates): drop them."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    if isinstance(value, dict):
        return {_scrubbed(k): _scrubbed(v) for k, v in value.items()}
    return value


def apply_front_matter(
    data: dict,
    key_lines: dict[str, int],
    story: Story,
    diagnostics: Diagnostics,
    ledger: Ledger | None,
    read_prose: ProseReader,
) -> None:
    """Every front-matter key onto the story; keys bookforge does not use are named (M007). The
    prose fields' values are read by `read_prose` (the Markdown reader's: md.prose_reader)."""
    rel = story.source
    unknown: list[str] = []
    for key, value in data.items():
        loc = Loc(rel, key_lines.get(str(key), 2))
        canonical = canonical_field(str(key))
        if value is None:
            continue
        blocks: list[Block] | None = None
        if canonical in PROSE_FIELDS:  # a YAML list: a paragraph an item
            blocks = read_prose([str(part) for part in (value if isinstance(value, list) else [value])], loc.line)
        elif ledger is not None and canonical != "language":  # a language is a setting, not words
            ledger.add(loc.line, " ".join(map(str, value)) if isinstance(value, list) else str(value))
        if canonical is None:
            unknown.append(str(key))
            story.meta[str(key)] = value if isinstance(value, (str, list)) else str(value)
            continue
        apply_field(story, canonical, value, loc=loc, diagnostics=diagnostics, blocks=blocks)
    if unknown:
        diagnostics.warn(
            "M007",
            "front-matter key" + ("s " if len(unknown) > 1 else " ") + ", ".join(unknown) + " not used by bookforge",
            path=rel,
            line=key_lines.get(unknown[0], 2),
            hint="bookforge reads title, author, summary, notes, end notes, language, rating, warnings, "
            "fandom, relationships, characters, tags and series",
        )
