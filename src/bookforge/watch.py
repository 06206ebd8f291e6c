"""The rebuild loop `bookforge watch` and `bookforge serve` share: build, then again on every change."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .backends import SUFFIXES, BuildOptions
from .build import BuildResult, build_formats, prepare, resolve_project
from .diagnostics import Diagnostics
from .errors import BookforgeError, ConfigError
from .pipeline import StoryCache
from .project import Project, find_root, open_project


def relevant(path: Path, root: Path, output: Path) -> bool:
    """Changes worth a rebuild: project files, not outputs, caches, dotfiles or editor droppings."""
    try:
        relative = path.resolve().relative_to(root)
    except ValueError:
        return False
    if path.resolve().is_relative_to(output):
        return False
    if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
        return False
    name = relative.name
    return not (name.endswith(("~", ".swp", ".swx", ".tmp", ".part")) or name.startswith("#"))


@dataclass
class Build:
    """One successful build: what was built, what it said, how long it took."""

    project: Project
    results: list[BuildResult]
    diagnostics: Diagnostics
    seconds: float
    first: bool


class Rebuilder:
    """Builds one project again and again, reading only the stories that changed since last time."""

    def __init__(
        self,
        sources: list[Path] | None,
        formats: list[str] | None,
        options: BuildOptions,
        make_diagnostics: Callable[[], Diagnostics],
        default_formats: Callable[[list[str]], list[str]] = list,
    ) -> None:
        self.sources = sources
        self.formats = formats
        self.default_formats = default_formats  # from book.toml's [build] formats, when none are asked
        self.options = options
        self.make_diagnostics = make_diagnostics
        self.stories = StoryCache()

    def build(self, first: bool, on_written: Callable[[str, Path], None] | None = None) -> Build:
        """Build every format; `on_written(format, path)` as soon as each file is written (a
        preview shows the EPUB while the PDF is still being laid out). Raises BookforgeError."""
        started = time.perf_counter()
        diagnostics = self.make_diagnostics()
        project = resolve_project(self.sources, diagnostics)
        wanted = self.wanted(project)

        def step(name: str, seconds: float | None) -> None:
            # build_formats reports "build <format>" with its time right after that file is written.
            written = name.removeprefix("build ")
            if on_written is not None and seconds is not None and written in wanted:
                on_written(written, project.output_path(SUFFIXES[written]))

        results = build_formats(
            project, wanted, diagnostics, options=self.options, story_cache=self.stories, on_step=step
        )
        return Build(project, results, diagnostics, time.perf_counter() - started, first)

    def wanted(self, project: Project) -> list[str]:
        return self.formats or self.default_formats(project.config.build.formats)

    def folders(self, broken_config_too: bool = False) -> tuple[Path, Path]:
        """The project folder to watch, and its output folder (whose changes are ours, not the author's).
        A book.toml that does not load fails here, unless `broken_config_too`: then the folder holding
        it is watched, for the fix."""
        try:
            root = resolve_project(self.sources, self.make_diagnostics()).root
        except ConfigError:
            if not broken_config_too:
                raise
            root = find_root(self.sources[0] if self.sources else Path.cwd())
        output = (root / "build").resolve()
        try:
            output = (root / open_project(root, self.make_diagnostics()).config.build.output).resolve()
        except BookforgeError:  # a broken book.toml: its build says so; watch the default folder meanwhile
            pass
        return root, output

    def warm_up(self) -> None:
        """Prepare what the next build will need (WeasyPrint, the styles) while the author writes."""
        try:
            project = resolve_project(self.sources, self.make_diagnostics())
            prepare(project, self.wanted(project), Diagnostics(), self.stories, self.options)
        except Exception:  # noqa: BLE001, S110 - warming up is an optimisation; the next build reports problems
            pass


def _not_the_interrupt(record: logging.LogRecord) -> bool:
    """watchfiles says "KeyboardInterrupt caught, stopping watch" on Ctrl-C: the command says how it
    stopped in its own words."""
    return record.msg != "KeyboardInterrupt caught, stopping watch"


def changes(root: Path, output: Path, stop: threading.Event | None = None) -> Iterator[set]:
    """Sets of changed project files, debounced; the watcher is in place before the first yield."""
    from watchfiles import watch as changes_of

    logger = logging.getLogger("watchfiles.main")
    logger.addFilter(_not_the_interrupt)
    try:
        watcher = changes_of(
            root,
            debounce=150,
            step=30,
            raise_interrupt=False,
            yield_on_timeout=True,
            rust_timeout=200,
            stop_event=stop,
            watch_filter=lambda _, path: relevant(Path(path), root, output),
        )
        if next(watcher, None) is None:  # a timeout tick once the watcher is set up: a change right after is seen
            return  # stopped already
        yield set()
        for changed in watcher:
            if changed:  # else a timeout tick, not a change
                yield changed
    finally:
        logger.removeFilter(_not_the_interrupt)


def rebuild_on_change(
    rebuilder: Rebuilder,
    on_built: Callable[[Build], None],
    on_failed: Callable[[Exception], None],
    on_watching: Callable[[Path], None],
    on_written: Callable[[str, Path], None] | None = None,
    on_started: Callable[[], None] | None = None,
    stop: threading.Event | None = None,
    stop_after: int | None = None,
    broken_config_too: bool = False,
) -> None:
    """Build once, then again after every change, until interrupted, `stop` is set or `stop_after`
    rebuilds. A failed build (a BookforgeError, or a bug: the loop must survive its own) goes to
    `on_failed` and the loop waits for the next change; a book.toml broken from the start ends it
    (after `on_failed`) unless `broken_config_too`."""

    def build_once(first: bool) -> bool:
        if on_started is not None:
            on_started()
        try:
            on_built(rebuilder.build(first, on_written))
            return True
        except Exception as error:  # noqa: BLE001 - a watcher must survive its own bugs
            on_failed(error)
            return False

    build_once(first=True)
    root, output = rebuilder.folders(broken_config_too)
    rebuilder.warm_up()
    watcher = changes(root, output, stop)
    if next(watcher, None) is None:
        return
    on_watching(root)
    for rebuilds, _ in enumerate(watcher, start=1):
        build_once(first=False)
        if stop_after is not None and rebuilds >= stop_after:
            return


def watch(
    sources: list[Path] | None,
    formats: list[str] | None,
    options: BuildOptions,
    say: Callable[[str], None],
    report_error: Callable[[BookforgeError], None],
    make_diagnostics: Callable[[], Diagnostics],
    stop_after: int | None = None,
) -> None:
    """`bookforge watch`: a line per build, and the previous outputs kept when one fails."""

    def built(build: Build) -> None:
        parts = []
        for result in build.results:
            laid_out = result.stats.get("laid_out")
            detail = f", {len(laid_out)} of {result.stats['parts']} parts laid out" if laid_out is not None else ""
            parts.append(f"{build.project.rel(result.path)}{detail}")
        say(f"{'built' if build.first else 'rebuilt'} {'; '.join(parts)} in {build.seconds:.2f} s")

    def failed(error: Exception) -> None:
        if isinstance(error, BookforgeError):
            report_error(error)
            say("the previous outputs are unchanged; waiting for the next change")
        else:
            say(f"bookforge: internal error: {type(error).__name__}: {error} (please report this)")

    rebuild_on_change(
        Rebuilder(sources, formats, options, make_diagnostics),
        built,
        failed,
        on_watching=lambda root: say(f"watching {root} for changes (Ctrl-C to stop)"),
        stop_after=stop_after,
    )
