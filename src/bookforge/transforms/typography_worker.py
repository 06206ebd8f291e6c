"""A helper process that educates stories' joined paragraph texts while the main one reads on."""

from __future__ import annotations

import os
import struct
import sys
import threading

from .typography import QUOTE_STYLES, QuoteStyle, educate_joined

_HEADER = struct.Struct("<II")  # ticket, payload length
# Below this much manuscript text, starting the helper costs more than it saves.
WORTH_BYTES = 256 * 1024


class TypographyWorker:
    """A forked copy of this process, fed through a pipe: only strings cross, never model objects
    (pickling those would cost more than the typography itself). Replies are read by a thread, so
    neither side ever waits on a full pipe. If the helper dies, `result` says None and the caller
    does the work itself: the book is the same either way."""

    def __init__(self, pid: int, requests: int, replies: int) -> None:
        self.pid, self.requests = pid, requests
        self.done: dict[int, str] = {}
        self.alive = True
        self.arrived = threading.Condition()
        self.tickets = 0
        threading.Thread(target=self._collect, args=(replies,), daemon=True).start()

    @classmethod
    def start(cls, text_bytes: int) -> TypographyWorker | None:
        """A worker, when this machine and this much text make one worth it; else None."""
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        if sys.platform != "linux" or cores < 2 or text_bytes < WORTH_BYTES:
            return None  # fork is safe and cheap on Linux; elsewhere the work stays here
        try:
            requests_read, requests_write = os.pipe()
            replies_read, replies_write = os.pipe()
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:  # the helper: serve until the main process closes its end, then vanish
            status = 0
            try:
                os.close(requests_write)
                os.close(replies_read)
                _serve(requests_read, replies_write)
            except BaseException:  # noqa: BLE001 - the main process notices and does the work
                status = 1
            finally:
                os._exit(status)  # never run the main process's exit handlers twice
        os.close(requests_read)
        os.close(replies_write)
        return cls(pid, requests_write, replies_read)

    def submit(self, joined: str, style: QuoteStyle) -> int | None:
        if not self.alive:
            return None
        self.tickets += 1
        payload = f"{style.key}\x01{joined}".encode("utf-8", "surrogatepass")
        try:
            _write_all(self.requests, _HEADER.pack(self.tickets, len(payload)) + payload)
        except OSError:
            self.alive = False
            return None
        return self.tickets

    def result(self, ticket: int | None) -> str | None:
        if ticket is None:
            return None
        with self.arrived:
            while ticket not in self.done and self.alive:
                self.arrived.wait()
            return self.done.pop(ticket, None)

    def close(self) -> None:
        try:
            os.close(self.requests)  # the helper reads end-of-file and exits
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass

    def _collect(self, replies: int) -> None:
        try:
            while True:
                head = _read_exactly(replies, _HEADER.size)
                if head is None:
                    break
                ticket, length = _HEADER.unpack(head)
                body = _read_exactly(replies, length)
                if body is None:
                    break
                with self.arrived:
                    self.done[ticket] = body.decode("utf-8", "surrogatepass")
                    self.arrived.notify_all()
        finally:
            os.close(replies)
            with self.arrived:
                self.alive = False
                self.arrived.notify_all()


def _serve(requests: int, replies: int) -> None:
    while True:
        head = _read_exactly(requests, _HEADER.size)
        if head is None:
            return
        ticket, length = _HEADER.unpack(head)
        body = _read_exactly(requests, length)
        if body is None:
            return
        key, joined = body.decode("utf-8", "surrogatepass").split("\x01", 1)
        educated = educate_joined(joined, QUOTE_STYLES[key]).encode("utf-8", "surrogatepass")
        _write_all(replies, _HEADER.pack(ticket, len(educated)) + educated)


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
