"""A helper process that educates stories' joined paragraph texts while the main one reads on."""

from __future__ import annotations

import os
import struct
import threading

from ..forking import fork_helper, read_exactly, reap, worth_forking, write_all
from .typography import QUOTE_STYLES, QuoteStyle, educate_joined

_HEADER = struct.Struct("<II")  # ticket, payload length


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
        self.collector = threading.Thread(target=self._collect, args=(replies,), daemon=True)
        self.collector.start()

    @classmethod
    def start(cls, text_bytes: int) -> TypographyWorker | None:
        """A worker, when this machine and this much text make one worth it; else None."""
        if not worth_forking(text_bytes):
            return None  # the work stays here
        # The helper serves until the main process closes its end of the requests, then vanishes.
        forked = fork_helper(_serve, "to", "from")
        if forked is None:
            return None
        pid, (requests, replies) = forked
        return cls(pid, requests, replies)

    def submit(self, joined: str, style: QuoteStyle) -> int | None:
        if not self.alive:
            return None
        self.tickets += 1
        payload = f"{style.key}\x01{joined}".encode("utf-8", "surrogatepass")
        try:
            write_all(self.requests, _HEADER.pack(self.tickets, len(payload)) + payload)
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
        reap(self.pid)
        # The helper gone, its replies pipe ends and the thread with it: joined, so that no thread
        # is left running when a backend forks its own workers.
        self.collector.join()

    def _collect(self, replies: int) -> None:
        try:
            while True:
                head = read_exactly(replies, _HEADER.size)
                if head is None:
                    break
                ticket, length = _HEADER.unpack(head)
                body = read_exactly(replies, length)
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
        head = read_exactly(requests, _HEADER.size)
        if head is None:
            return
        ticket, length = _HEADER.unpack(head)
        body = read_exactly(requests, length)
        if body is None:
            return
        key, joined = body.decode("utf-8", "surrogatepass").split("\x01", 1)
        educated = educate_joined(joined, QUOTE_STYLES[key]).encode("utf-8", "surrogatepass")
        write_all(replies, _HEADER.pack(ticket, len(educated)) + educated)

