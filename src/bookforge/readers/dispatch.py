"""One manuscript file in, one Story out, by the reader its suffix names (readers/files.py's table)."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from ..diagnostics import Diagnostics
from ..errors import ManuscriptError
from ..model import Story
from .files import READERS
from .ledger import Ledger


def read_file(path: Path, rel: str, diagnostics: Diagnostics, *, chapter_file: bool = False) -> Story:
    """Read one manuscript file into a Story (`chapter_file`: one chapter of a story folder)."""
    try:
        data = path.read_bytes()
    except PermissionError:
        raise ManuscriptError("cannot read: permission denied", path=rel) from None
    except IsADirectoryError:
        raise ManuscriptError("is a folder, not a manuscript file", path=rel) from None
    except OSError as exc:
        raise ManuscriptError(f"cannot read: {exc.strerror or exc}", path=rel) from None
    # The reader's module by name: only the parser this file needs is imported (python-docx, lxml).
    module = import_module(f".{READERS[path.suffix.lower()]}", __package__)
    ledger = Ledger(rel)
    story = module.read(data, rel, diagnostics, chapter_file=chapter_file, ledger=ledger)
    ledger.check(story, diagnostics)  # every word the reader was handed is in the story, or F001 says so
    return story
