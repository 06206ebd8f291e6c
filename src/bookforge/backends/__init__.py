"""Backends: a name plus one build method; each turns the shared model into one output format."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..diagnostics import Diagnostics
from ..model import Book
from ..project import Project
from ..themes import Theme

if TYPE_CHECKING:
    from ..render.cache import RenderCache


@dataclass
class BuildContext:
    """Everything a backend needs, in one value."""

    project: Project
    book: Book
    theme: Theme
    diagnostics: Diagnostics
    output: Path  # where the finished file goes
    build_time: dt.datetime  # what the output claims as its date (never the wall clock)
    options: dict[str, Any] = field(default_factory=dict)  # per-format command-line options
    show_progress: bool = False  # a terminal is watching: progress bars are welcome
    render_cache: RenderCache | None = None  # watch mode: unchanged stories' XHTML from the last build
    # Outputs built earlier in this run, by format: the print cover counts the interior's pages
    # in the PDF just written instead of laying the book out again.
    built: dict[str, Path] = field(default_factory=dict)


class Backend(Protocol):
    name: str  # "epub": the --to value, the output suffix, the config table
    suffix: str  # ".epub"

    def build(self, ctx: BuildContext) -> Path: ...


# name → "module:class"; imported only when that format is built, so `epub` never loads WeasyPrint.
BACKENDS = {
    "epub": "bookforge.backends.epub:EpubBackend",
    "pdf": "bookforge.backends.pdf:PdfBackend",
    "kepub": "bookforge.backends.kepub:KepubBackend",
    "azw3": "bookforge.backends.azw3:Azw3Backend",
    "cover-pdf": "bookforge.backends.cover_pdf:CoverPdfBackend",
}
SUFFIXES = {"epub": ".epub", "pdf": ".pdf", "kepub": ".kepub.epub", "azw3": ".azw3", "cover-pdf": "-cover.pdf"}


def get_backend(name: str) -> Backend:
    module_name, _, class_name = BACKENDS[name].partition(":")
    return getattr(import_module(module_name), class_name)()
