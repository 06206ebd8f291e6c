"""Which files in a manuscripts folder are manuscripts: supported suffixes, minus editor and OS litter."""

from __future__ import annotations

import fnmatch
from pathlib import Path

from ..names import natural_key

# suffix → module in this package whose `read(data, rel, diagnostics, *, chapter_file, ledger)` reads it
READERS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
}
SUPPORTED_SUFFIXES = frozenset(READERS)
# Manuscripts written as plain text (txt and Markdown): their lines are the author's lines, so a
# finding's line number can be read back in the file itself (the lint, the preview's placing).
PLAIN_TEXT_SUFFIXES = frozenset(suffix for suffix, reader in READERS.items() if reader in ("txt", "md"))

# Files that editors and operating systems leave beside documents; never manuscripts. Word writes
# `~$name.docx` (a 162-byte lock file) while a document is open, and authors commit them.
LITTER_PATTERNS = ("~$*", "*~", ".#*", "#*#", "*.swp", "*.swo", "*.tmp", ".DS_Store", "Thumbs.db", "desktop.ini", "._*")


def is_litter(name: str) -> bool:
    """A lock file, backup or OS file: skipped wherever manuscripts are listed."""
    return name.startswith(".") or any(
        fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(name.lower(), p.lower()) for p in LITTER_PATTERNS
    )


def is_manuscript(path: Path) -> bool:
    """A file bookforge reads as a manuscript (by suffix), and not litter."""
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not is_litter(path.name)


def story_files(folder: Path) -> list[Path]:
    """A story folder's manuscripts (one chapter or more each), in natural name order."""
    return sorted((p for p in folder.iterdir() if p.is_file() and is_manuscript(p)), key=lambda p: natural_key(p.name))


def skipped_files(folder: Path) -> list[Path]:
    """The litter in a folder (what `-v` reports as skipped)."""
    return sorted(
        (
            p
            for p in folder.iterdir()
            if is_litter(p.name) and p.name not in (".", "..") and not p.name.startswith(".git")
        ),
        key=lambda p: natural_key(p.name),
    )
