"""A batch on this machine: long-lived worker processes, one per core, each building book after book."""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from ..errors import EXIT_BUG
from . import worker
from .jobs import BookJob
from .worker import BookOutcome

PER_WORKER = 2  # books in flight per worker: one building, one queued, so no worker waits on the driver
DEATHS_ALLOWED = 1  # a book whose worker died this often is built once more, alone; twice, it fails
TICK_SECONDS = 0.5  # how often the driver wakes to redraw the progress bar while books build
# Workers are replaced after this many books each: a worker's heap only grows (WeasyPrint's and
# fontconfig's caches, fragmentation), 100 MB more over 500 books on 2 cores, so without this
# the batch's memory grew with its length. A fresh fork costs a fraction of one book.
BOOKS_PER_WORKER = 40
WORKER_DIED = "the worker building it died (killed, out of memory or crashed) twice; the batch went on"


def run_local(
    jobs: Iterable[BookJob],
    *,
    workers: int,
    force: bool,
    in_process: bool = False,
    on_outcome: Callable[[BookOutcome], None],
    tick: Callable[[], None] = lambda: None,
) -> None:
    """Build every job, calling on_outcome as each book finishes (in finishing order).

    in_process (-j 1) builds here, with no pool: a debugger and a traceback see the real thing, but
    a book that crashes its process ends the batch.
    """
    if in_process:
        worker.warm()
        for job in jobs:
            on_outcome(worker.build_one(job, force))
            tick()
        return
    _Pool(workers, force, on_outcome, tick).run(iter(jobs))


def _start_worker() -> None:
    """The pool's initializer: Ctrl-C is the driver's to handle (it stops the workers itself, and a
    worker's KeyboardInterrupt would print a traceback); then load the backends once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker.warm()


def _build(job: BookJob, force: bool) -> BookOutcome:
    """What a worker runs: looked up at call time, so a test can patch worker.build_one before the fork."""
    return worker.build_one(job, force)


def _start_method() -> str:
    """fork on Linux when this process has no other thread (a thread holding a lock at the fork
    would leave the child waiting forever, see forking.py); spawn elsewhere. The driver imports
    neither WeasyPrint nor Pango: the workers load them after the fork, with their first PDF."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "spawn"


class _Pool:
    """A ProcessPoolExecutor kept at most PER_WORKER books per worker ahead, and started again when
    a worker dies: the books in flight then are built again one at a time, so that the book that
    kills its worker is found and fails alone while the rest of the batch goes on."""

    def __init__(self, workers: int, force: bool, on_outcome, tick) -> None:
        self.workers = workers
        self.force = force
        self.on_outcome = on_outcome
        self.tick = tick
        self.deaths: dict[str, int] = {}  # job id → how often its worker died under it
        self.executor: ProcessPoolExecutor  # the pool, while run() runs
        self.handed = 0  # books handed to the current pool

    def run(self, jobs: Iterator[BookJob]) -> None:
        suspects: deque[BookJob] = deque()  # in flight when a worker died: built again, alone
        again: deque[BookJob] = deque()  # taken back from a pool that broke before it took them
        in_flight: dict[Future, BookJob] = {}
        self.executor = self._new_executor()
        try:
            while True:
                broken = False
                if suspects:
                    if not in_flight:
                        broken = not self._submit(suspects.popleft(), in_flight, suspects)
                else:
                    while (
                        len(in_flight) < PER_WORKER * self.workers
                        and not broken
                        and self.handed < BOOKS_PER_WORKER * self.workers
                    ):
                        job = again.popleft() if again else next(jobs, None)
                        if job is None:
                            break
                        broken = not self._submit(job, in_flight, again)
                if not in_flight and not broken:
                    if self.handed >= BOOKS_PER_WORKER * self.workers:
                        self._replace_executor()  # its books are done: fresh workers for the next ones
                        continue
                    if suspects or again:
                        continue
                    return
                done, _ = wait(in_flight, timeout=TICK_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    if isinstance(future.exception(), BrokenProcessPool):
                        broken = True
                        break
                    self._finish(future, in_flight.pop(future))
                if broken:
                    suspects.extend(self._recover(in_flight))
                self.tick()
        except BaseException:
            self._stop_now()
            raise
        finally:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def _new_executor(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context(_start_method())
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=_start_worker)

    def _submit(self, job: BookJob, in_flight: dict, back: deque) -> bool:
        """Hand a book to the pool; False (the book put back at the front of `back`) when the pool
        is broken."""
        try:
            in_flight[self.executor.submit(_build, job, self.force)] = job
        except BrokenProcessPool:
            back.appendleft(job)
            return False
        self.handed += 1
        return True

    def _replace_executor(self) -> None:
        # Joined before the next fork: the old pool's threads must be gone (see _start_method).
        # A new executor forks nothing until its first book, so replacing it at the end is free.
        self.executor.shutdown(wait=True)
        self.executor = self._new_executor()
        self.handed = 0

    def _finish(self, future: Future, job: BookJob) -> None:
        error = future.exception()
        if error is None:
            self.on_outcome(future.result())
        else:  # build_one never raises: this is the pool's own trouble (a book that would not pickle)
            self.on_outcome(
                BookOutcome(
                    job.id,
                    job.source,
                    "failed",
                    exit_code=EXIT_BUG,
                    message=f"internal error: {type(error).__name__}: {error}"[:500],
                )
            )

    def _recover(self, in_flight: dict) -> list[BookJob]:
        """A worker died: the pool fails every book it holds. Gather them, start a new pool, and
        return the books to build again (those already twice under a dying worker fail here)."""
        wait(in_flight)
        retry = []
        for future, job in in_flight.items():
            if not isinstance(future.exception(), BrokenProcessPool):
                self._finish(future, job)
                continue
            self.deaths[job.id] = self.deaths.get(job.id, 0) + 1
            if self.deaths[job.id] > DEATHS_ALLOWED:
                self.on_outcome(BookOutcome(job.id, job.source, "failed", exit_code=EXIT_BUG, message=WORKER_DIED))
            else:
                retry.append(job)
        in_flight.clear()
        self._replace_executor()
        return retry

    def _stop_now(self) -> None:
        """Ctrl-C (or a bug in the driver): stop the workers mid-book. Their outputs are written
        to temporary files and renamed, so a book cut short leaves its previous outputs; the
        temporary files of a dead writer are removed when that output is next written."""
        processes = getattr(self.executor, "_processes", None) or {}
        for process in list(processes.values()):
            try:
                process.terminate()
            except (OSError, AttributeError):
                pass
