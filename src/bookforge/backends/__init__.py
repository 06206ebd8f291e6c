"""Backends: a name plus one build method; each turns the shared model into one output format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..diagnostics import Diagnostics
from ..formats import FORMATS
from ..model import Book
from ..project import Project
from ..themes import Theme

if TYPE_CHECKING:
    from ..cover import CoverImage
    from ..render.cache import RenderCache

# Where each format's file goes, after the book's slug: derived from the one list of formats.
SUFFIXES = {name: format.suffix for name, format in FORMATS.items()}


@dataclass(frozen=True)
class BuildOptions:
    """How to build, as the command line asks (what to build is book.toml's, in the project's Config)."""

    jobs: int | None = None  # PDF layout processes (None: every core)
    one_pass: bool = False  # the PDF laid out as one document, not in parts
    no_cache: bool = False  # lay out every PDF part again
    pages: int | None = None  # the print cover's interior page count, when given (else counted)


@dataclass(frozen=True)
class Built:
    """What a backend made: the file, and the facts its caller reports (parts, pages, cache hits, phases)."""

    path: Path
    stats: dict[str, Any] = field(default_factory=dict)


def _no_cover() -> None:
    return None


@dataclass
class BuildContext:
    """Everything a backend needs, in one value."""

    project: Project
    book: Book
    theme: Theme
    diagnostics: Diagnostics
    output: Path  # where the finished file goes
    build_time: dt.datetime  # what the output claims as its date (never the wall clock)
    options: BuildOptions = field(default_factory=BuildOptions)
    show_progress: bool = False  # a terminal is watching: progress bars are welcome
    render_cache: RenderCache | None = None  # watch mode: unchanged stories' XHTML from the last build
    # The book's cover, resolved once per build (build_formats) the first time a backend asks.
    cover: Callable[[], CoverImage | None] = _no_cover
    # Outputs built earlier in this run, by format: the print cover takes the interior's page count
    # from the PDF built just before it instead of laying the book out again.
    built: dict[str, Built] = field(default_factory=dict)


class Backend(Protocol):
    """One format's maker; its name and suffix are formats.py's."""

    def build(self, ctx: BuildContext) -> Built: ...


def get_backend(name: str) -> Backend:
    """The backend of a format, its module imported now (so `epub` never loads WeasyPrint)."""
    module_name, _, class_name = FORMATS[name].backend.partition(":")
    return getattr(import_module(module_name), class_name)()
