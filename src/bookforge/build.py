"""Build orchestration: project (with the command line's overrides) → book → theme → each requested backend."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .backends import SUFFIXES, BuildContext, BuildOptions, Built, get_backend
from .config import apply_overrides
from .cover import CoverImage, book_cover
from .diagnostics import Diagnostics
from .errors import ConfigError
from .model import Book
from .output import build_time
from .pipeline import StoryCache, load_book
from .project import Project, adhoc_project, open_project
from .themes import Theme, project_theme


@dataclass
class BuildResult:
    format: str
    path: Path
    seconds: float
    size: int
    stats: dict = field(default_factory=dict)  # backend facts: parts, cache hits, phase times


def resolve_project(
    sources: list[Path] | None,
    diagnostics: Diagnostics,
    *,
    title: str | None = None,
    authors: list[str] | None = None,
    language: str | None = None,
    pdf: Mapping[str, Any] | None = None,
) -> Project:
    """A project folder (or the one we are in), or a book made of the manuscript files named; the
    command line's values (title, authors, language, [pdf] trim, bleed, marks, variant) over its
    book.toml, applied here and nowhere else."""
    if not sources:
        project = open_project(Path.cwd(), diagnostics)
    elif len(sources) == 1 and (sources[0].is_dir() or sources[0].name == "book.toml"):
        project = open_project(sources[0], diagnostics)
    else:
        folders = [s for s in sources if s.is_dir()]
        if folders:
            raise ConfigError(f"{folders[0]} is a folder: name one project folder, or manuscript files only")
        project = adhoc_project(sources, diagnostics=diagnostics)  # its title and names: the overrides below
    apply_overrides(project.config, {"title": title, "authors": authors, "language": language}, dict(pdf or {}))
    return project


def _cover_once(
    project: Project, book: Book, theme: Theme, diagnostics: Diagnostics
) -> Callable[[], CoverImage | None]:
    """The book's cover, resolved (checked or generated) by the first backend that shows it only."""
    return functools.cache(lambda: book_cover(project, book, theme, diagnostics))


def prepare(
    project: Project,
    formats: list[str],
    diagnostics: Diagnostics,
    story_cache: StoryCache | None = None,
    options: BuildOptions | None = None,
) -> None:
    """Do ahead what later builds of these formats will need (the PDF: WeasyPrint and the styles)."""
    if "pdf" not in formats:
        return
    from .backends.pdf import warm_up  # WeasyPrint's backend: only a watch that builds PDFs loads it

    book = load_book(project, diagnostics, cache=story_cache)
    theme = project_theme(project)
    ctx = BuildContext(
        project,
        book,
        theme,
        diagnostics,
        Path("/dev/null"),
        build_time(project.config.date, project.inputs()),
        options or BuildOptions(),
        cover=_cover_once(project, book, theme, diagnostics),
    )
    warm_up(ctx)


def build_formats(
    project: Project,
    formats: list[str],
    diagnostics: Diagnostics,
    *,
    output: str | None = None,
    options: BuildOptions | None = None,
    show_progress: bool = False,
    on_step: Callable[[str, float | None], None] | None = None,  # None: a fact, not a timing
    story_cache: StoryCache | None = None,
) -> list[BuildResult]:
    """Read the book once, resolve its theme and cover once, then build every format asked for."""
    options = options or BuildOptions()
    step = on_step or (lambda name, seconds: None)
    start = time.perf_counter()
    book = load_book(project, diagnostics, cache=story_cache)
    step("read and transform manuscripts", time.perf_counter() - start)
    theme = project_theme(project)
    moment = build_time(project.config.date, project.inputs())
    # The first backend that shows the cover resolves it (checked or generated); the rest reuse it.
    cover = _cover_once(project, book, theme, diagnostics)

    results = []
    built: dict[str, Built] = {}
    # The interior before its cover, whatever the order asked: the cover's spine needs its pages.
    if "cover-pdf" in formats and "pdf" in formats:
        formats = sorted(formats, key=lambda name: name == "cover-pdf")
    for name in formats:
        started = time.perf_counter()
        backend = get_backend(name)
        target = project.output_path(SUFFIXES[name], output if len(formats) == 1 else None)
        ctx = BuildContext(
            project=project,
            book=book,
            theme=theme,
            diagnostics=diagnostics,
            output=target,
            build_time=moment,
            options=options,
            show_progress=show_progress,
            render_cache=story_cache.rendered if story_cache is not None else None,
            cover=cover,
            built=dict(built),
        )
        made = backend.build(ctx)
        built[name] = made
        seconds = time.perf_counter() - started
        stats = made.stats
        for phase, phase_seconds in stats.get("phases", {}).items():
            step(f"  {name}: {phase}", phase_seconds)
        if "parts" in stats:
            step(
                f"  {name}: {len(stats['laid_out'])} of {stats['parts']} parts laid out, the rest from the cache", None
            )
        step(f"build {name}", seconds)
        results.append(BuildResult(name, made.path, seconds, made.path.stat().st_size, stats))
    return results
