"""`bookforge watch`: rebuild when a manuscript, book.toml or a style changes, whatever happens."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .diagnostics import Diagnostics
from .errors import BookforgeError


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


def watch(
    sources: list[Path] | None,
    formats: list[str] | None,
    options: dict,
    say: Callable[[str], None],
    report_error: Callable[[BookforgeError], None],
    make_diagnostics: Callable[[], Diagnostics],
    stop_after: int | None = None,
) -> None:
    """Build once, then again after every change, until interrupted (or `stop_after` rebuilds)."""
    from watchfiles import watch as changes_of

    from .build import build_formats, resolve_project
    from .pipeline import StoryCache

    stories = StoryCache()

    def build_once(first: bool) -> Path | None:
        started = time.perf_counter()
        diagnostics = make_diagnostics()
        try:
            project = resolve_project(sources, diagnostics)
            wanted = formats or project.config.build.formats
            results = build_formats(project, wanted, diagnostics, options=dict(options), story_cache=stories)
        except BookforgeError as error:
            report_error(error)
            say("the previous outputs are unchanged; waiting for the next change")
            return None
        except Exception as error:  # noqa: BLE001 - a watcher must survive its own bugs
            say(f"bookforge: internal error: {type(error).__name__}: {error} (please report this)")
            return None
        seconds = time.perf_counter() - started
        parts = []
        for result in results:
            laid_out = result.stats.get("laid_out")
            detail = f", {len(laid_out)} of {result.stats['parts']} parts laid out" if laid_out is not None else ""
            parts.append(f"{project.rel(result.path)}{detail}")
        say(f"{'built' if first else 'rebuilt'} {'; '.join(parts)} in {seconds:.2f} s")
        return project.root

    root = build_once(first=True)
    if root is None:
        diagnostics = make_diagnostics()
        root = resolve_project(sources, diagnostics).root
    output = (root / "build").resolve()
    try:
        from .project import open_project

        output = (root / open_project(root, make_diagnostics()).config.build.output).resolve()
    except BookforgeError:
        pass
    try:
        from .build import prepare

        project = resolve_project(sources, make_diagnostics())
        prepare(project, formats or project.config.build.formats, Diagnostics(), stories, options)
    except Exception:  # noqa: BLE001 - warming up is an optimisation; the next build reports problems
        pass
    changes = changes_of(root, debounce=150, step=30, raise_interrupt=False, yield_on_timeout=True,
                         rust_timeout=200, watch_filter=lambda _, path: relevant(Path(path), root, output))
    next(changes)  # the watcher is in place before we say so: a change made right after is seen
    say(f"watching {root} for changes (Ctrl-C to stop)")
    rebuilds = 0
    for changed in changes:
        if not changed:  # a timeout tick, not a change
            continue
        build_once(first=False)
        rebuilds += 1
        if stop_after is not None and rebuilds >= stop_after:
            return
