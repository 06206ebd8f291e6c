"""The problems pane: `bookforge check`'s findings with the build's own warnings, each placed in the book."""

from __future__ import annotations

from pathlib import Path

from ..check import finding_json, run_check
from ..diagnostics import Diagnostics
from ..pipeline import StoryCache
from ..readers.files import PLAIN_TEXT_SUFFIXES
from .book import BookView, words_of

PLACE_WORDS = 8  # enough of a manuscript line to find its paragraph, few enough to fit on one


def findings(
    sources: list[Path] | None, built: Diagnostics | None, epubcheck: bool, stories: StoryCache | None = None
) -> list[dict]:
    """What `bookforge check` says (EPUBCheck only when asked), then what the build said that check
    does not (a backend's warnings), each once. With the build's story cache, check reads only the
    stories the build did not just read."""
    found = run_check(sources, epubcheck=epubcheck, story_cache=stories).findings
    seen = {(f["code"], f["path"], f["line"], f["message"]) for f in found}
    for diagnostic in built.items if built is not None else []:
        key = (diagnostic.code, diagnostic.path, diagnostic.line, diagnostic.message)
        if key not in seen:
            seen.add(key)
            found.append(finding_json("build", diagnostic))
    return found


def place(finding: dict, root: Path, book: BookView | None) -> dict | None:
    """Where in the book a finding's manuscript line is: the document holding its words, and the words."""
    path, line = finding.get("path"), finding.get("line")
    if book is None or not path or not line or Path(path).suffix.lower() not in PLAIN_TEXT_SUFFIXES:
        return None
    source = (root / path).resolve()
    if not source.is_relative_to(root.resolve()) or not source.is_file():
        return None  # never read outside the project
    try:
        lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    if not 0 < line <= len(lines):
        return None
    phrase = " ".join(words_of(lines[line - 1]).split()[:PLACE_WORDS])
    document = book.find_words(phrase)
    return {"href": document, "words": phrase} if document else None
