"""Manuscript readers: one file in, one Story out; the reader is chosen by the file's suffix."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostics
from ..model import Story
from .dispatch import read_file
from .files import READERS, SUPPORTED_SUFFIXES, story_files
from .folder import read_folder

__all__ = ["READERS", "SUPPORTED_SUFFIXES", "read_file", "read_manuscript", "story_files"]


def read_manuscript(path: Path, rel: str, diagnostics: Diagnostics) -> Story:
    """Read one manuscript file (or a story folder) into a Story, title and authors as it gives them."""
    if path.is_dir():
        return read_folder(path, rel, diagnostics)
    return read_file(path, rel, diagnostics)
