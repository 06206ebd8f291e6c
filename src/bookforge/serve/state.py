"""What the preview shows: the last good book (reading and print), its problems, and a failed build's error."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ..errors import BookforgeError
from .book import BookView, read_epub
from .pages import PrintPages
from .problems import place


class PreviewState:
    """Updated by the build thread, read by the server's; every change raises `version`."""

    def __init__(self) -> None:
        self.book: BookView | None = None
        self.pages = PrintPages()
        self.problems: list[dict] = []
        self.error: dict | None = None
        self.building = True
        self.version = 0
        self.built_at: float | None = None
        self._lock = threading.Lock()

    def building_started(self) -> None:
        with self._lock:
            self.building = True
            self.version += 1

    def book_written(self, path: Path) -> None:
        book = read_epub(path)
        with self._lock:
            self.book = book
            self.version += 1

    def print_written(self, path: Path) -> None:
        self.pages.load(path)
        with self._lock:
            self.version += 1

    def build_finished(self, root: Path, problems: list[dict]) -> None:
        placed = [{**finding, "place": place(finding, root, self.book)} for finding in problems]
        with self._lock:
            self.problems = placed
            self.error = None
            self.building = False
            self.built_at = time.time()
            self.version += 1

    def build_failed(self, error: Exception, problems: list[dict]) -> None:
        """The last good book stays; the error goes above it."""
        if isinstance(error, BookforgeError):
            failure = {"message": error.message, "where": error.where() or None, "hint": error.hint}
        else:
            failure = {
                "message": f"internal error: {type(error).__name__}: {error}",
                "where": None,
                "hint": "please report this",
            }
        with self._lock:
            self.error = failure
            self.problems = [{**finding, "place": None} for finding in problems]
            self.building = False
            self.version += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "version": self.version,
                "building": self.building,
                "error": self.error,
                "book": self.book.to_json() if self.book else None,
                "pages": self.pages.to_json(),
                "problems": self.problems,
                "builtAt": self.built_at,
            }
