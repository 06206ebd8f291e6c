"""Server-Sent Events: every open preview page hears of each new build, from the build's thread."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator

_CLOSE = object()


class Broker:
    """Fans a message out to every subscriber's queue; `publish` may be called from any thread."""

    def __init__(self) -> None:
        self._subscribers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = set()
        self._lock = threading.Lock()

    def publish(self, kind: str, data: dict) -> None:
        message = {"event": kind, "data": json.dumps(data, ensure_ascii=False)}
        self._send(message)

    def close(self) -> None:
        """End every stream (the server is stopping; a browser would otherwise hold it open)."""
        self._send(_CLOSE)

    def _send(self, message: object) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, message)
            except RuntimeError:  # that loop is closed: the server stopped
                pass

    async def stream(self, first: dict) -> AsyncIterator[dict]:
        """One subscriber's messages, starting with `first` (the state as it is now)."""
        queue: asyncio.Queue = asyncio.Queue()
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subscribers.add(entry)
        try:
            yield first
            while (message := await queue.get()) is not _CLOSE:
                yield message
        finally:
            with self._lock:
                self._subscribers.discard(entry)
