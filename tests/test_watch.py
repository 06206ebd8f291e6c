"""`bookforge watch`: rebuild on change, survive bad input with the outputs untouched, ignore outputs."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time

import pytest
from conftest import interruptible

pytestmark = pytest.mark.slow


class Watcher:
    """A `bookforge watch` subprocess whose stderr lines can be awaited."""

    def __init__(self, folder, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bookforge", "watch", *args], cwd=folder, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1,
            preexec_fn=interruptible,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float = 90) -> list[str]:
        """Lines up to and including the first that starts with `prefix`."""
        got, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            got.append(line)
            self.seen.append(line)
            if line.startswith(prefix):
                return got
        raise AssertionError(f"no line starting {prefix!r} within {timeout} s; saw {self.seen}")

    def quiet_for(self, seconds: float) -> list[str]:
        got, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                got.append(self.lines.get(timeout=max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                pass
        return got

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def test_watch_rebuilds_survives_errors_and_ignores_its_outputs(project):
    folder = project("seeds_shape")
    output = folder / "build" / "seeds-shape.epub"
    watcher = Watcher(folder, "--to", "epub")
    try:
        assert watcher.wait_for("built")[-1].startswith("built build/seeds-shape.epub")
        watcher.wait_for("watching")
        first = output.read_bytes()

        story = folder / "manuscripts" / "short.txt"
        story.write_text(story.read_text().replace("Odo woke", "Odo awoke", 1))
        assert "rebuilt build/seeds-shape.epub" in watcher.wait_for("rebuilt")[-1]
        second = output.read_bytes()
        assert second != first

        toml = folder / "book.toml"
        good = toml.read_text()
        toml.write_text(good.replace("[book]\n", "[book]\nlangauge = \"en\"\n"))
        lines = watcher.wait_for("the previous outputs are unchanged")
        assert any("book.toml:2: error: unknown key 'langauge'" in line for line in lines), lines
        assert not any("Traceback" in line for line in lines)
        assert output.read_bytes() == second, "a failed build leaves the last EPUB as it was"

        toml.write_text(good)
        watcher.wait_for("rebuilt")

        (folder / "build" / "notes.txt").write_text("an output folder change is not a reason to rebuild")
        (folder / "manuscripts" / ".short.txt.swp").write_text("an editor's swap file neither")
        assert not [line for line in watcher.quiet_for(2.0) if line.startswith("rebuilt")]
    finally:
        watcher.stop()


def test_watch_rebuilds_the_pdf_laying_out_only_the_changed_story(project):
    folder = project("seeds_shape")
    watcher = Watcher(folder, "--to", "pdf")
    try:
        assert "3 of 3 parts laid out" in watcher.wait_for("built")[-1], "a fresh project: every part"
        watcher.wait_for("watching")
        story = folder / "manuscripts" / "long.txt"
        story.write_text(story.read_text().replace("Pella was always", "Pella was nearly always", 1))
        line = watcher.wait_for("rebuilt")[-1]
        assert "1 of 3 parts laid out" in line, line
    finally:
        watcher.stop()


def test_ctrl_c_says_only_stopped_watching(project):
    """Not watchfiles' own "KeyboardInterrupt caught, stopping watch" before it."""
    import signal

    watcher = Watcher(project("seeds_shape"), "--to", "epub")
    try:
        watcher.wait_for("watching")
        time.sleep(0.5)  # waiting for a change, as an author's Ctrl-C finds it
        watcher.process.send_signal(signal.SIGINT)
        assert watcher.process.wait(timeout=20) == 0
        rest = watcher.quiet_for(0.5)
    finally:
        watcher.process.kill()
    assert rest == ["stopped watching"], rest
