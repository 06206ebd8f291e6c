"""One book of a batch, built where a worker runs it: never raises, always says what happened."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import __version__
from ..backends import BuildOptions, get_backend
from ..build import build_formats
from ..diagnostics import Diagnostics
from ..errors import EXIT_BUG, BookforgeError, ConfigError
from ..output import atomic_output
from ..project import adhoc_project, open_project
from .jobs import BookJob

STATE_NAME = ".batch-state.json"  # beside a book's outputs: the inputs' key of its last good build
_SKIPPED_DIRS = {"build", ".git", ".hg", ".svn", "__pycache__", "node_modules"}


@dataclass
class BookOutcome:
    """A report row: what became of one book (plain data, sent back from any worker)."""

    id: str
    source: str
    status: str  # "built", "skipped" (unchanged since its last good build) or "failed"
    exit_code: int = 0  # bookforge's exit code for this book (0 when built or skipped)
    message: str = ""  # the one-line error, `file:line: message`, when failed
    outputs: list[dict] = field(default_factory=list)  # {"format", "path", "size"}
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # "CODE file:line: message"
    worker: str = ""  # host:pid that built it

    def to_json(self) -> dict:
        return asdict(self)


def warm() -> None:
    """Import the backends once per worker, so no book pays for them (build comes with this module).

    WeasyPrint (0.4 s) is left to the worker's first PDF, which loads it once for every later
    one: a batch of EPUBs, or a second run that finds every book unchanged, never pays for it.
    """
    for name in ("epub", "pdf"):
        get_backend(name)


def build_one(job: BookJob, force: bool = False) -> BookOutcome:
    """Build one book's formats (or skip it when nothing changed since its last good build)."""
    started = time.perf_counter()
    outcome = BookOutcome(job.id, job.source, "failed", worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        if job.error is not None:
            raise job.error
        _build(job, force, outcome)
    except BookforgeError as error:
        outcome.status, outcome.exit_code, outcome.message = "failed", error.exit_code, _one_line(error)
    except MemoryError:
        outcome.status, outcome.exit_code, outcome.message = (
            "failed",
            EXIT_BUG,
            "out of memory while building this book",
        )
    except Exception as exc:  # noqa: BLE001 - a bug with one book must not stop the batch; it is reported
        outcome.status, outcome.exit_code = "failed", EXIT_BUG
        outcome.message = f"internal error: {type(exc).__name__}: {exc}"[:500]
    outcome.seconds = round(time.perf_counter() - started, 3)
    return outcome


def _build(job: BookJob, force: bool, outcome: BookOutcome) -> None:
    diagnostics = Diagnostics()
    project, formats, out_dir = open_job(job, diagnostics)
    key = input_key(job, project, formats)
    state_path = out_dir / STATE_NAME
    if not force and _unchanged(state_path, key):
        outcome.status = "skipped"
        outcome.outputs = _read_state(state_path)["outputs"]
        return
    # One book per core is the batch's parallelism: the PDF lays out its parts in this process.
    results = build_formats(project, formats, diagnostics, options=BuildOptions(jobs=1))
    outcome.outputs = [{"format": r.format, "path": str(r.path), "size": r.size} for r in results]
    outcome.warnings = [_warning_line(d) for d in diagnostics.items]
    outcome.status = "built"
    # Written last: a batch killed before this line builds the book again next time.
    write_state(state_path, key, outcome.outputs)


def write_state(state_path: Path, key: str, outputs: list[dict]) -> None:
    """Record a good build: its inputs' key and its outputs (a later batch skips the book while both hold)."""
    with atomic_output(state_path) as handle:
        handle.write(json.dumps({"key": key, "version": __version__, "outputs": outputs}, indent=1).encode())


def open_job(job: BookJob, diagnostics) -> tuple:
    """The job's project (its output folder set), the formats to build and where they go."""
    if job.project is not None:
        if not (job.project / "book.toml").is_file():  # open_project would take a project above it
            raise ConfigError(
                "no book.toml in this folder",
                path=job.source,
                hint="name each book's project folder (the one holding its book.toml), or list "
                "manuscript files in a manifest line",
            )
        project = open_project(job.project, diagnostics)
    else:
        project = adhoc_project(
            list(job.manuscripts),
            title=job.title,
            authors=list(job.authors),
            language=job.language,
            diagnostics=diagnostics,
            root=job.root,
        )
    if job.out is not None:
        project.config.build.output = str(job.out)  # absolute: root / it is it
    formats = list(job.formats) or list(project.config.build.formats)
    return project, formats, project.root / project.config.build.output


def input_key(job: BookJob, project, formats: list[str]) -> str:
    """A digest of everything the book's outputs are made from: its files' bytes, the settings the
    job adds, the formats, bookforge's version and SOURCE_DATE_EPOCH. Equal keys, equal outputs."""
    digest = hashlib.sha256()
    digest.update(
        json.dumps(
            [
                __version__,
                formats,
                job.title,
                list(job.authors),
                job.language,
                str(job.out),
                os.environ.get("SOURCE_DATE_EPOCH"),
            ]
        ).encode()
    )
    for path in _input_files(job, project):
        digest.update(str(path.relative_to(project.root) if path.is_relative_to(project.root) else path).encode())
        digest.update(b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def _input_files(job: BookJob, project) -> list[Path]:
    """A project's every file (manuscripts, book.toml, styles, pictures), its outputs and version
    control aside; a book of manuscripts: its manuscripts (its folder may be a whole archive)."""
    if job.project is None:
        return sorted(path for m in project.manuscripts for path in m.files)
    output = (project.root / project.config.build.output).resolve()
    files: list[Path] = []
    for folder, dirs, names in os.walk(project.root):
        here = Path(folder)
        dirs[:] = sorted(
            d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith(".") and (here / d).resolve() != output
        )
        files.extend(here / name for name in sorted(names) if not name.startswith("."))
    return files


def _unchanged(state_path: Path, key: str) -> bool:
    state = _read_state(state_path)
    if not state or state.get("key") != key:
        return False
    # The outputs must still be there as they were written (a deleted EPUB is built again).
    return all(Path(o["path"]).is_file() and Path(o["path"]).stat().st_size == o["size"] for o in state["outputs"])


def _read_state(state_path: Path) -> dict:
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and isinstance(state.get("outputs"), list) else {}


def _one_line(error) -> str:
    text = str(error)
    return text.splitlines()[0] if text else type(error).__name__


def _warning_line(diagnostic) -> str:
    return diagnostic.format().splitlines()[0]
