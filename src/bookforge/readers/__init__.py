"""Manuscript readers: one file in, one Story out; the reader is chosen by the file's suffix."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # keep start-up light: readers import their parsers only when used
    from ..diagnostics import Diagnostics
    from ..model import Story

from .files import READERS, SUPPORTED_SUFFIXES, story_files  # noqa: F401 - the package's public names


def read_manuscript(path: Path, rel: str, diagnostics: Diagnostics) -> Story:
    """Read one manuscript file (or a story folder) into a Story, title and authors as it gives them."""
    if path.is_dir():
        from .folder import read_folder

        return read_folder(path, rel, diagnostics)
    return read_file(path, rel, diagnostics)


def read_file(path: Path, rel: str, diagnostics: Diagnostics, *, chapter_file: bool = False) -> Story:
    """Read one manuscript file into a Story (`chapter_file`: one chapter of a story folder)."""
    from importlib import import_module

    from ..errors import ManuscriptError

    try:
        data = path.read_bytes()
    except PermissionError:
        raise ManuscriptError("cannot read: permission denied", path=rel) from None
    except IsADirectoryError:
        raise ManuscriptError("is a folder, not a manuscript file", path=rel) from None
    except OSError as exc:
        raise ManuscriptError(f"cannot read: {exc.strerror or exc}", path=rel) from None
    from .ledger import Ledger

    module = import_module(f".{READERS[path.suffix.lower()]}", __name__)
    ledger = Ledger(rel)
    story = module.read(data, rel, diagnostics, chapter_file=chapter_file, ledger=ledger)
    ledger.check(story, diagnostics)  # every word the reader was handed is in the story, or F001 says so
    return story
