"""Writing outputs safely: atomic replacement and a reproducible build date."""

from __future__ import annotations

import datetime as dt
import errno
import glob
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import BuildError

_ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the earliest date a zip entry can hold


@contextmanager
def atomic_output(path: Path, shown: str | None = None) -> Iterator[BinaryIO]:
    """Write an output through `replacing`, its folder made first and a killed build's leftovers
    removed; a failure is a BuildError that names `shown` (the path as the user wrote it)."""
    shown = shown or str(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_orphans(path)
        with replacing(path) as handle:
            yield handle
    except OSError as exc:
        raise BuildError(f"cannot write {shown}: {_reason(exc)}", hint=_hint(exc)) from None


@contextmanager
def replacing(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Write to a new hidden file beside `path`, then rename it over `path` in one step: a reader,
    or a failure or kill before the rename, never meets half a file (a killed writer leaves only its
    `.part`, see `is_orphan`). `durable` flushes the file to the disk before the rename (an output;
    a cache can be written again). Raises OSError."""
    temporary, fd = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
            _as_a_new_file(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def replace_bytes(path: Path, data: bytes) -> None:
    """Write a cache file in one step (`replacing`, not flushed to the disk: a lost cache file only
    costs time). Raises OSError."""
    with replacing(path, durable=False) as handle:
        handle.write(data)


def _create_temporary(path: Path) -> tuple[Path, int]:
    """A new, private `.{name}.{pid}.{random}.part` beside `path`: the pid tells a later build
    whether its writer is gone."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent)
    return Path(name), fd


def _as_a_new_file(fd: int) -> None:
    """mkstemp's file is private (0600): give it the mode any new file gets under this umask."""
    try:
        os.fchmod(fd, 0o666 & ~_umask())
    except OSError:
        pass  # an e-reader's FAT file system keeps its mount's modes and refuses a change


def is_orphan(part: Path) -> bool:
    """Is this `.part` (named by `_create_temporary`) left by a writer that is gone?"""
    return part.name.endswith(".part") and writer_is_gone(part.name.rsplit(".", 3)[-3])


def _remove_orphans(path: Path) -> None:
    """Delete temporary files a killed build left beside `path` (their writer's pid is gone)."""
    for candidate in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        if is_orphan(candidate):
            candidate.unlink(missing_ok=True)


def writer_is_gone(pid: str) -> bool:
    """Is the process that named a temporary file after its pid no longer running?"""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return _is_zombie(pid)


def _is_zombie(pid: str) -> bool:
    """A killed process not yet reaped still answers kill(pid, 0); it writes nothing any more. (A
    batch killed with its workers leaves them so until init reaps them: seconds, or forever in a
    container whose first process reaps nobody.)"""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # not Linux, or gone since
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    return exc.strerror or str(exc)


def _hint(exc: OSError) -> str | None:
    if exc.errno == errno.ENOSPC:
        return "free some space; the previous output was left as it was"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "choose another output folder with -o, or fix the folder's permissions"
    return None


def build_time(date: str | None, inputs: list[Path]) -> dt.datetime:
    """The moment a build claims: SOURCE_DATE_EPOCH, else [book] date, else the newest input's mtime.

    Never the wall clock, so that the same inputs give byte-identical outputs.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise BuildError(f"SOURCE_DATE_EPOCH must be a number of seconds, not '{epoch}'") from None
    elif date:
        parts = [int(p) for p in date.split("-")] + [1, 1]
        moment = dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.UTC)
    else:
        moment = dt.datetime.fromtimestamp(int(newest_mtime(inputs)), tz=dt.UTC)
    return max(moment, _ZIP_EPOCH).replace(microsecond=0)


def newest_mtime(paths: list[Path]) -> float:
    """When the newest of these files last changed (0 when none exists)."""
    return max((p.stat().st_mtime for p in paths if p.exists()), default=0)


def human_size(size: int) -> str:
    """Sizes as messages show them: 412 KB, 3.1 MB."""
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
