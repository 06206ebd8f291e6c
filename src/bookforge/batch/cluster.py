"""A batch on a Dask cluster: books sent to its workers as they free up, retried when a worker dies.

Two ways a book's files reach a worker:

* shared file system (the default): the task is `build_one(job, force)`, so the job's paths must be
  the same on every worker (NFS, a cluster's shared home) and each worker writes the outputs and the
  state file itself;
* bytes (`send_files=True`): this process decides what is unchanged (it has the files), packs each
  book to build (transfer.pack), a worker builds it in a private temporary folder and returns the
  outputs' bytes, and this process writes them where a shared-file-system build would have, then
  the state file.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostics
from ..errors import EXIT_BUG, BookforgeError, BuildError, MissingDependencyError, SchedulerError
from ..model import Container, Figure, Image, Inline, Note, block_inlines, walk
from ..output import atomic_output
from ..pipeline import load_book
from ..transforms.resources import image_path
from .jobs import BookJob
from .transfer import Parcel, check_name, pack, unpack
from .worker import (
    STATE_NAME,
    BookOutcome,
    _input_files,
    _one_line,
    _read_state,
    _unchanged,
    build_one,
    input_key,
    open_job,
    warm,
    write_state,
)

if TYPE_CHECKING:
    from distributed import WorkerPlugin
else:
    try:  # the [cluster] extra; the local pool never needs it
        from distributed import WorkerPlugin
    except ImportError:  # pragma: no cover - exercised where distributed is missing
        WorkerPlugin = object

RETRIES = 2  # a book whose worker died (or whose task failed) is run again this many times
_PLUGIN_NAME = "bookforge-warm"
CONNECT_TIMEOUT = "15s"  # a scheduler across a network may take a moment; none at all is an error


class WarmWorkers(WorkerPlugin):
    """Loads bookforge's backends once in each worker (WeasyPrint with its first PDF), including
    ones that join (or are restarted) after the batch began."""

    def setup(self, worker=None) -> None:
        warm()


@dataclass
class _Sent:
    """What this process keeps of a book sent as bytes, to write its outputs when they return."""

    job: BookJob
    key: str
    out_dir: Path
    origin: Path  # the book's folder here, for messages that name the worker's copy of it


def run_on_cluster(
    jobs: list[BookJob],
    address,
    *,
    force: bool,
    send_files: bool,
    on_outcome: Callable[[BookOutcome], None],
    max_in_flight: int,
) -> None:
    """Build every job on the cluster at `address` ("tcp://host:port" or a distributed.Client),
    at most `max_in_flight` at a time, calling `on_outcome` (in this thread) as each book ends."""
    client, owned = _connect(address)
    try:
        _warm(client)
        if max_in_flight <= 0:  # not said: two books per worker thread, so none waits for the next
            max_in_flight = 2 * sum(client.nthreads().values())
        _run(client, jobs, force, send_files, on_outcome, max(1, max_in_flight))
    finally:
        if owned:
            client.close()


def _run(client, jobs, force, send_files, on_outcome, max_in_flight) -> None:
    from distributed import as_completed

    # The client's SOURCE_DATE_EPOCH is the build's, wherever it runs: outputs are what
    # `bookforge build` here would write, and the skip keys agree with them.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    pending = iter(jobs)
    running = as_completed(loop=client.loop)
    sent: dict = {}

    def submit_next() -> bool:
        """Send the next book that needs a worker (those decided here are reported at once)."""
        for job in pending:
            if job.error is not None:  # a bad manifest line: nothing for a worker to do
                on_outcome(build_one(job, force))
                continue
            key = f"bookforge-{job.id}-{uuid.uuid4().hex[:8]}"
            if send_files:
                ready = _prepare(job, force)
                if isinstance(ready, BookOutcome):
                    on_outcome(ready)
                    continue
                keep, work, parcel = ready
                # The parcel goes with the task, not scattered: a scattered copy dies with its
                # worker, and the retry would have nothing to unpack.
                future = client.submit(
                    build_sent, work, parcel, epoch, str(keep.origin), key=key, pure=False, retries=RETRIES
                )
            else:
                keep = job
                future = client.submit(build_shared, job, force, epoch, key=key, pure=False, retries=RETRIES)
            sent[future.key] = keep
            running.add(future)
            return True
        return False

    for _ in range(max_in_flight):
        if not submit_next():
            break
    for future in running:
        keep = sent.pop(future.key)
        on_outcome(_collect(future, keep))
        future.release()  # its outputs' bytes are written: the cluster may forget them
        submit_next()


def build_shared(job: BookJob, force: bool, epoch: str | None) -> BookOutcome:
    """On a worker: build the job from the shared file system (the paths are the client's)."""
    _use_epoch(epoch)
    return build_one(job, force)


def build_sent(
    job: BookJob, parcel: Parcel, epoch: str | None, origin: str = ""
) -> tuple[BookOutcome, list[tuple[str, bytes]]]:
    """On a worker: unpack the book into a private folder, build it there, return the outcome and
    each output's (file name, bytes). Never raises: a refused archive is a failed row."""
    _use_epoch(epoch)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bookforge-batch-") as folder:
        here = Path(folder).resolve()
        try:
            unpack(parcel, here / "book")
        except (BookforgeError, OSError, ValueError) as error:
            outcome = _failed(job, error)
            outcome.seconds = round(time.perf_counter() - started, 3)
            return outcome, []
        local = _relocated(job, here)
        outcome = build_one(local, force=True)  # the client decided it must be built
        files = []
        if outcome.status == "built":
            for output in outcome.outputs:
                path = Path(output["path"])
                files.append((path.name, path.read_bytes()))
        # Messages name the book's files as the client knows them, not this temporary folder.
        outcome.message = outcome.message.replace(str(here / "book"), origin)
        outcome.seconds = round(time.perf_counter() - started, 3)
        return outcome, files


def _relocated(job: BookJob, here: Path) -> BookJob:
    """The job as it reads in the worker's folder: the book under book/, outputs under out/."""
    book = here / "book"
    if job.project is not None:
        return replace(job, project=book, out=here / "out")
    return replace(job, manuscripts=tuple(book / m for m in job.manuscripts), root=book, out=here / "out")


def _prepare(job: BookJob, force: bool):
    """In this process: the skip decision (an outcome) or what to send: (what to keep, the job as
    the worker reads it, the parcel of its files)."""
    started = time.perf_counter()
    try:
        project, formats, out_dir = open_job(job, Diagnostics())
        key = input_key(job, project, formats)
        state_path = out_dir / STATE_NAME
        if not force and _unchanged(state_path, key):
            outcome = BookOutcome(
                job.id, job.source, "skipped", outputs=_read_state(state_path)["outputs"], worker=_here()
            )
            outcome.seconds = round(time.perf_counter() - started, 3)
            return outcome
        members, work = _members(job, project)
        if job.project is None:
            members += [(path, name) for path, name in _pictures(project, members)]
        return _Sent(job, key, out_dir, project.root), work, pack(members)
    except (BookforgeError, OSError, ValueError) as error:
        outcome = _failed(job, error)
        outcome.seconds = round(time.perf_counter() - started, 3)
        return outcome


def _members(job: BookJob, project) -> tuple[list[tuple[Path, str]], BookJob]:
    """The book's files with their names in the parcel, and the job with paths relative to the
    parcel's folder (the worker puts them under its own)."""
    root = project.root
    if job.project is not None:
        files = _input_files(job, project)
        return [(path, path.relative_to(root).as_posix()) for path in files], replace(job, project=Path("."))
    members, manuscripts = [], []
    for index, manuscript in enumerate(project.manuscripts):
        source = manuscript.path
        # A manuscript outside the manifest's folder keeps its name in a folder of its own.
        base = source.relative_to(root).as_posix() if source.is_relative_to(root) else f"_outside/{index}/{source.name}"
        manuscripts.append(Path(base))
        if source.is_dir():
            members += [(path, f"{base}/{path.relative_to(source).as_posix()}") for path in manuscript.files]
        else:
            members.append((source, base))
    return members, replace(job, manuscripts=tuple(manuscripts), root=Path("."))


def _pictures(project, members: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """The pictures a book of manuscripts shows (a project folder travels whole; a manifest's
    folder may be a whole archive): those its Markdown and HTML name, inside its folder."""
    if all(m.path.suffix.lower() in (".txt", ".text") for m in project.manuscripts):
        return []  # plain text names no pictures: no need to read the book here
    found: dict[Path, str] = {}

    def keep(src: str) -> None:
        path = image_path(project.root, src)
        if path is not None:
            found[path] = path.relative_to(project.root).as_posix()

    def keep_images(run: list[Inline]) -> None:
        for node in run:
            if isinstance(node, Image):
                keep(node.src)
            elif isinstance(node, Container):
                keep_images(node.children)

    book = load_book(project, Diagnostics())
    for story in book.stories:
        for blocks in story.block_lists():
            for node in walk(blocks):  # notes' blocks included
                if isinstance(node, Figure):
                    keep(node.image.src)
                    keep_images(node.caption)
                elif not isinstance(node, Note):
                    for run in block_inlines(node):
                        keep_images(run)
    taken = {name for _, name in members}
    return [(path, name) for path, name in found.items() if name not in taken]


def _collect(future, keep) -> BookOutcome:
    """The finished task's outcome; in bytes mode, its outputs written here first."""
    try:
        result = future.result()
    except Exception as exc:  # noqa: BLE001 - a task lost with its workers is this book's failed row
        job = keep.job if isinstance(keep, _Sent) else keep
        return BookOutcome(
            job.id,
            job.source,
            "failed",
            exit_code=EXIT_BUG,
            worker=_here(),
            message=f"the cluster could not build it: {type(exc).__name__}: {exc}"[:500],
        )
    if not isinstance(keep, _Sent):
        return result
    outcome, files = result
    if outcome.status != "built":
        return outcome
    try:
        outcome.outputs = _write_outputs(keep, outcome.outputs, files)
    except BookforgeError as error:
        failed = _failed(keep.job, error)
        failed.worker, failed.seconds = outcome.worker, outcome.seconds
        return failed
    return outcome


def _write_outputs(sent: _Sent, outputs: list[dict], files: list[tuple[str, bytes]]) -> list[dict]:
    """Write what the worker built where a shared-file-system build would have put it, then the
    state file (last: a batch stopped between the two builds the book again)."""
    data = dict(files)
    written = []
    for output in outputs:
        name = check_name(Path(output["path"]).name)
        if "/" in name or name not in data:
            raise BuildError(f"the worker sent no {output['format']} for this book")
        target = sent.out_dir / name
        with atomic_output(target) as handle:
            handle.write(data[name])
        written.append({"format": output["format"], "path": str(target), "size": len(data[name])})
    write_state(sent.out_dir / STATE_NAME, sent.key, written)
    return written


def _use_epoch(epoch: str | None) -> None:
    # Set for the whole worker process: every task of a batch carries the same value, so two
    # books built at once on one worker never disagree.
    if epoch is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = epoch


def _failed(job: BookJob, error: Exception) -> BookOutcome:
    if isinstance(error, BookforgeError):
        code, message = error.exit_code, _one_line(error)
    else:
        code, message = 1, f"{type(error).__name__}: {error}"[:500]
    return BookOutcome(job.id, job.source, "failed", exit_code=code, message=message, worker=_here())


def _here() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _connect(address):
    """A Client for `address`, and whether this run made it (and so closes it)."""
    try:
        from distributed import Client
    except ImportError:
        raise MissingDependencyError(
            "--scheduler needs Dask's distributed package, which is not installed",
            hint="pip install 'bookforge[cluster]' here and on every worker",
        ) from None
    if isinstance(address, Client):
        return address, False
    if not isinstance(address, str) or ":" not in address:
        raise SchedulerError(f"'{address}' is not a scheduler's address", hint="write it as tcp://HOST:PORT")
    try:
        _reachable(address)
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(
            f"no Dask scheduler answered at {address}: {_reason(exc)}",
            hint="start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
            "each with bookforge[cluster] installed",
        ) from None


def _reachable(address: str) -> None:
    """Raise OSError at once when nothing listens at a TCP address (a Client would retry until its
    timeout, and leave its event loop's thread behind when it gives up)."""
    if "://" in address and not address.startswith("tcp://"):
        return  # tls://, ucx://…: Dask's own connection says what is wrong
    host, _, port = address.removeprefix("tcp://").rpartition(":")
    if not host or not port.isdigit():
        raise ValueError("not HOST:PORT")
    socket.create_connection((host.strip("[]"), int(port)), timeout=float(CONNECT_TIMEOUT.rstrip("s"))).close()


def _warm(client) -> None:
    """Load bookforge once per worker (a plugin: workers that join later are warmed too)."""
    try:
        client.register_plugin(WarmWorkers(), name=_PLUGIN_NAME)
    except (ImportError, AttributeError) as exc:  # ModuleNotFoundError on a worker without bookforge
        raise MissingDependencyError(
            f"the cluster's workers cannot load bookforge: {exc}",
            hint="install the same bookforge[cluster] on every worker",
        ) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()  # "connection refused", not "[Errno 111] Connection refused"
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
