"""Reading a big book on two cores: a forked copy of this process reads every other manuscript
while this one reads the rest; its stories come back pickled, and every warning is said in
manuscript order, as if one process had read them all."""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable
from typing import TypeVar

from .diagnostics import Diagnostics

T = TypeVar("T")
_LENGTH = struct.Struct("<Q")
# Below this much manuscript text, the fork and the pickling cost more than the second core saves
# (measured by benchmarks/bench.py: the "100k+s" row, Markdown with notes and tables).
WORTH_BYTES = 256 * 1024


def split_worth_it(sizes: list[int]) -> bool:
    """Several manuscripts, enough text, Linux (a cheap, safe fork) and a second core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return sys.platform == "linux" and cores >= 2 and len(sizes) >= 2 and sum(sizes) >= WORTH_BYTES


def read_in_two(items: list, read_one: Callable[[object, Diagnostics], T],
                diagnostics: Diagnostics) -> list[T]:
    """`read_one(item, diagnostics)` for every item, the odd ones in a forked helper. Results and
    warnings keep the items' order; the first error in that order is raised, as a single process
    would have raised it. If the helper dies, its items are read here."""
    reads, writes = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reads)
        os.close(writes)
        return _in_order(items, read_one, diagnostics)
    if pid == 0:  # the helper: read its half, send it, vanish without running the parent's exit code
        status = 0
        try:
            os.close(reads)
            outcome = [_attempt(read_one, items[index]) for index in range(1, len(items), 2)]
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            _write_all(writes, _LENGTH.pack(len(payload)) + payload)
        except BaseException:  # noqa: BLE001 - the parent notices the missing answer and reads here
            status = 1
        finally:
            os._exit(status)
    os.close(writes)
    finished = False
    try:
        mine = {index: _attempt(read_one, items[index]) for index in range(0, len(items), 2)}
        theirs = _receive(reads)
        finished = True
    finally:
        os.close(reads)
        if not finished:
            _stop(pid)
        else:
            _reap(pid)
    if theirs is None:  # the helper failed: read its half here
        theirs = [_attempt(read_one, items[index]) for index in range(1, len(items), 2)]
    outcomes = {**mine, **dict(zip(range(1, len(items), 2), theirs))}
    results = []
    for index in range(len(items)):
        result, said, error = outcomes[index]
        for diagnostic in said.items:
            diagnostics.items.append(diagnostic)
            if diagnostics.on_report is not None:
                diagnostics.on_report(diagnostic)
        for info in said.infos:
            diagnostics.infos.append(info)
            if diagnostics.on_info is not None:
                from .diagnostics import INFO_CODES

                diagnostics.on_info(info, INFO_CODES[info.code][1])
        if error is not None:
            raise error
        results.append(result)
    return results


def _attempt(read_one, item) -> tuple[object, Diagnostics, BaseException | None]:
    """(result, what reading it said, the error it raised): warnings are kept to be said in order."""
    said = Diagnostics()
    try:
        return read_one(item, said), said, None
    except Exception as error:  # noqa: BLE001 - raised again in order, in the parent
        return None, said, error


def _in_order(items: list, read_one, diagnostics: Diagnostics) -> list:
    return [read_one(item, diagnostics) for item in items]


def _receive(fd: int):
    head = _read_exactly(fd, _LENGTH.size)
    if head is None:
        return None
    body = _read_exactly(fd, _LENGTH.unpack(head)[0])
    if body is None:
        return None
    try:
        return pickle.loads(body)
    except Exception:  # noqa: BLE001 - a helper that died mid-way: read its half here
        return None


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _reap(pid)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, missing = [], size
    while missing:
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
