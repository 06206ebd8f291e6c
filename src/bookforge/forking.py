"""Forked helper processes: when one pays, how it is started and stopped, and the pipe framing.

A helper whose parent is killed works on until its next write to the pipe fails, then ends: Linux's
parent-death signal would stop it sooner, but asking for it (ctypes) costs a helper more start-up
time than a helper's work left undone ever costs."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable

# Below this much manuscript text, a fork and what crosses its pipes cost more than the second core
# saves (measured by benchmarks/bench.py; the "100k+s" row is Markdown with notes and tables).
WORTH_BYTES = 256 * 1024


def worth_forking(text_bytes: int) -> bool:
    """Linux (a cheap fork), a second core, enough text, and no other thread in this process: a
    thread holding the import or logging lock at the fork would leave the child waiting forever."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return sys.platform == "linux" and cores >= 2 and text_bytes >= WORTH_BYTES and threading.active_count() == 1


def fork_helper(serve: Callable[..., None], *directions: str) -> tuple[int, list[int]] | None:
    """Fork a helper that runs `serve(*its_ends)` and vanishes; one pipe per direction ("to" the
    helper or "from" it). Returns (pid, this process's ends), or None when no fork could be made
    (every descriptor closed again): the caller then does the work itself."""
    pipes: list[tuple[int, int]] = []
    try:
        for _ in directions:
            pipes.append(os.pipe())
        pid = os.fork()
    except OSError:
        for ends in pipes:
            for fd in ends:
                os.close(fd)
        return None
    # A pipe's ends: (read, write). The helper reads what goes "to" it and writes what comes "from" it.
    helper_ends = [reads if way == "to" else writes for way, (reads, writes) in zip(directions, pipes)]
    own_ends = [writes if way == "to" else reads for way, (reads, writes) in zip(directions, pipes)]
    if pid == 0:
        status = 0
        try:
            for fd in own_ends:
                os.close(fd)
            serve(*helper_ends)
        except BaseException:  # noqa: BLE001 - the parent notices the missing answer and does the work
            status = 1
        finally:
            os._exit(status)  # never run the parent's exit handlers (or its pytest) a second time
    for fd in helper_ends:
        os.close(fd)
    return pid, own_ends


def stop(pid: int) -> None:
    """Kill and reap a helper whose work is no longer wanted."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    reap(pid)


def reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def read_exactly(fd: int, size: int) -> bytes | None:
    """`size` bytes from a pipe, or None if it closed first."""
    chunks, missing = [], size
    while missing:
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
