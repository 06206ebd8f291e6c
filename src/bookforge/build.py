"""Build orchestration: project → book → theme → each requested backend, with timings."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostics
from .errors import ConfigError
from .project import Project, adhoc_project, open_project


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
) -> Project:
    """A project folder (or the one we are in), or a book made of the manuscript files named."""
    if not sources:
        project = open_project(Path.cwd(), diagnostics)
    elif len(sources) == 1 and (sources[0].is_dir() or sources[0].name == "book.toml"):
        project = open_project(sources[0], diagnostics)
    else:
        folders = [s for s in sources if s.is_dir()]
        if folders:
            raise ConfigError(
                f"{folders[0]} is a folder: name one project folder, or manuscript files only"
            )
        return adhoc_project(sources, title=title, authors=authors or [], language=language,
                             diagnostics=diagnostics)
    if title:
        project.config.title = title
    if authors:
        project.config.authors = list(authors)
    if language:
        project.config.language = language
    return project


def prepare(project: Project, formats: list[str], diagnostics: Diagnostics, story_cache=None, options=None) -> None:
    """Do ahead what later builds of these formats will need (the PDF: WeasyPrint and the styles)."""
    if "pdf" not in formats:
        return
    from .backends import BuildContext
    from .backends.pdf import warm_up
    from .output import build_time
    from .pipeline import load_book
    from .themes import project_theme

    book = load_book(project, diagnostics, cache=story_cache)
    theme = project_theme(project)
    ctx = BuildContext(project, book, theme, diagnostics, Path("/dev/null"),
                       build_time(project.config.date, project.inputs()), dict(options or {}))
    warm_up(ctx)


def build_formats(
    project: Project,
    formats: list[str],
    diagnostics: Diagnostics,
    *,
    output: str | None = None,
    options: dict[str, Any] | None = None,
    show_progress: bool = False,
    on_step: Callable[[str, float], None] | None = None,
    story_cache=None,
) -> list[BuildResult]:
    """Read the book once, then build every format asked for."""
    from .backends import SUFFIXES, BuildContext, get_backend
    from .output import build_time
    from .pipeline import load_book
    from .themes import project_theme

    step = on_step or (lambda name, seconds: None)
    start = time.perf_counter()
    book = load_book(project, diagnostics, cache=story_cache)
    step("read and transform manuscripts", time.perf_counter() - start)
    theme = project_theme(project)
    moment = build_time(project.config.date, project.inputs())

    results = []
    built: dict[str, Path] = {}
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
            options=dict(options or {}),
            show_progress=show_progress,
            render_cache=story_cache.rendered if story_cache is not None else None,
            built=dict(built),
        )
        path = backend.build(ctx)
        built[name] = path
        seconds = time.perf_counter() - started
        stats = ctx.options.get("_stats", {})
        for phase, phase_seconds in stats.get("phases", {}).items():
            step(f"  {name}: {phase}", phase_seconds)
        if "parts" in stats:
            step(f"  {name}: {len(stats['laid_out'])} of {stats['parts']} parts laid out, the rest from the cache", None)
        step(f"build {name}", seconds)
        results.append(BuildResult(name, path, seconds, path.stat().st_size, stats))
    return results
