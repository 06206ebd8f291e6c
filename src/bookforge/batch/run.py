"""The batch driver: the books to build, here or on a cluster, with progress, a report and an exit status."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import Self

from ..errors import BatchFailedError, MissingDependencyError
from ..output import atomic_output
from .jobs import jobs_from
from .local import run_local
from .worker import BookOutcome

EXIT_INTERRUPTED = 130  # what a shell reports for Ctrl-C (128 + SIGINT)


def run_batch(
    inputs: list[Path],
    manifest: Path | None,
    formats: tuple[str, ...],
    out: Path | None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    send_files: bool = False,
    force: bool = False,
    report: Path | None = None,
    show_progress: bool = False,
    verbose: bool = False,
    say: Callable[[str], None] = lambda line: None,
    error: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> int:
    """Build every book, then say how it went; the exit status (0, 10 when some failed, 130 when
    interrupted). A usage problem (an unreadable manifest) raises before anything is built."""
    jobs = jobs_from(inputs, manifest, formats, out)
    runner = _cluster_runner() if scheduler else None  # a missing `distributed` is said before any build
    tally = _Tally(len(jobs))
    interrupted = False
    with ExitStack() as stack:
        sink = stack.enter_context(_report_file(report)) if report else None
        progress = stack.enter_context(_Progress(len(jobs)) if show_progress else nullcontext())
        log = progress.print if progress else say

        def record(outcome: BookOutcome) -> None:
            with tally.lock:  # a cluster may report from its own thread
                tally.add(outcome)
                if sink is not None:
                    sink.write((json.dumps(outcome.to_json(), ensure_ascii=False) + "\n").encode())
                    sink.flush()  # a batch killed later still leaves the rows it finished
                if progress:
                    progress.update(tally)
                if verbose:
                    log(_outcome_line(outcome))

        try:
            if runner is not None:
                runner(
                    jobs,
                    scheduler,
                    force=force,
                    send_files=send_files,
                    on_outcome=record,
                    max_in_flight=2 * workers if workers else 0,
                )
            else:
                # No more workers than books: each one costs a start and a warm-up.
                run_local(
                    jobs,
                    workers=min(workers or _cores(), max(len(jobs), 1)),
                    in_process=workers == 1,
                    force=force,
                    on_outcome=record,
                    tick=progress.refresh if progress else (lambda: None),
                )
        except KeyboardInterrupt:
            interrupted = True  # the report keeps the books that finished, and is renamed into place
    for outcome in tally.failures:
        error(_failure_line(outcome))
    say(tally.summary())
    if interrupted:
        error(f"interrupted: {tally.done} of {tally.total} books finished; the same command builds the rest")
        return EXIT_INTERRUPTED
    return BatchFailedError.exit_code if tally.failures else 0


class _Tally:
    """Counts as books finish, the failed ones kept for the lines after the batch."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.built = self.skipped = 0
        self.failures: list[BookOutcome] = []
        self.started = time.monotonic()
        self.lock = threading.Lock()

    def add(self, outcome: BookOutcome) -> None:
        if outcome.status == "built":
            self.built += 1
        elif outcome.status == "skipped":
            self.skipped += 1
        else:
            self.failures.append(outcome)

    @property
    def done(self) -> int:
        return self.built + self.skipped + len(self.failures)

    def per_minute(self) -> float:
        return self.done * 60 / max(time.monotonic() - self.started, 1e-6)

    def summary(self) -> str:
        """57 built, 0 skipped, 3 failed in 41 s (83 books/min)."""
        seconds = time.monotonic() - self.started
        shown = f"{seconds:.1f}" if seconds < 10 else f"{seconds:.0f}"
        return (
            f"{self.built} built, {self.skipped} skipped, {len(self.failures)} failed in {shown} s "
            f"({self.per_minute():.0f} books/min)"
        )


def _outcome_line(outcome: BookOutcome) -> str:
    if outcome.status == "failed":
        return _failure_line(outcome)
    return f"{outcome.status} {outcome.source} in {outcome.seconds:.2f} s"


def _failure_line(outcome: BookOutcome) -> str:
    """`source: message (exit N)`; a manifest line's message already starts with its place."""
    message = outcome.message
    if not message.startswith(outcome.source + ":"):
        message = f"{outcome.source}: {message}"
    return f"{message} (exit {outcome.exit_code})"


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _report_file(path: Path):
    """The report's rows go to a temporary file beside it, renamed into place when the batch ends
    (interrupted too); a killed batch's temporary file is removed by the next run's."""
    return atomic_output(path)


def _cluster_runner():
    """run_on_cluster, imported only when a scheduler is named (Dask is an optional extra)."""
    if importlib.util.find_spec("distributed") is None:
        raise MissingDependencyError(
            "a batch on a Dask cluster needs Dask's `distributed`, which is not installed",
            hint="pip install 'bookforge[cluster]'",
        )
    try:
        from .cluster import run_on_cluster
    except ImportError as exc:
        raise MissingDependencyError(
            f"cannot load the Dask cluster support: {exc}", hint="pip install 'bookforge[cluster]'"
        ) from None
    return run_on_cluster


class _Progress:
    """A rich progress bar on stderr: books done, failed and skipped, books per minute, time left.

    Redrawn by the driver (auto_refresh off): a refresh thread in the driver would make forking
    the next pool unsafe (see local._start_method)."""

    def __init__(self, total: int) -> None:
        # rich only for a terminal that watches: a batch run by a script or a second run over
        # unchanged books (0.3 s) does not load it
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.console = Console(stderr=True)
        self.bar = Progress(
            TextColumn("books"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed, {task.fields[skipped]} skipped"),
            TextColumn("{task.fields[rate]} books/min"),
            TimeRemainingColumn(),
            console=self.console,
            auto_refresh=False,
        )
        self.task = self.bar.add_task("books", total=total, failed=0, skipped=0, rate="–")
        self.last = 0.0

    def __enter__(self) -> Self:
        self.bar.start()
        self.bar.refresh()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.refresh()
        self.bar.stop()

    def update(self, tally: _Tally) -> None:
        self.bar.update(
            self.task,
            completed=tally.done,
            failed=len(tally.failures),
            skipped=tally.skipped,
            rate=f"{tally.per_minute():.0f}",
        )
        self.refresh()

    def refresh(self) -> None:
        now = time.monotonic()
        if now - self.last >= 0.1:  # thousands of quick skips must not cost a redraw each
            self.last = now
            self.bar.refresh()

    def print(self, line: str) -> None:
        self.bar.console.print(line, markup=False, highlight=False)
