"""The typography helper process: the same book with it, without it, and when it dies."""

from __future__ import annotations

import json
import os
import signal
import sys

import pytest
from conftest import load

from bookforge.model import to_json
import bookforge.pipeline as pipeline
from bookforge import forking
from bookforge.transforms import typography_worker
from bookforge.transforms.typography_worker import TypographyWorker

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the helper is forked on Linux only")


def model(folder) -> str:
    book, _ = load(folder)
    return json.dumps(to_json(book), sort_keys=True)


def test_the_helper_educates_exactly_as_the_main_process(project, monkeypatch):
    folder = project("seeds_shape")
    monkeypatch.setattr(typography_worker.TypographyWorker, "start", classmethod(lambda cls, size: None))
    alone = model(folder)
    monkeypatch.undo()
    started = []
    real_start = TypographyWorker.start.__func__

    def start(cls, size):
        worker = real_start(cls, size)
        started.append(worker)
        return worker

    monkeypatch.setattr(forking, "WORTH_BYTES", 0)
    monkeypatch.setattr(pipeline, "split_worth_it", lambda sizes: False)  # the other helper, not tested here
    monkeypatch.setattr(TypographyWorker, "start", classmethod(start))
    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: no helper")
    assert model(folder) == alone
    assert started and started[0] is not None, "the helper really ran"
    assert started[0].tickets > 0


def test_a_helper_that_dies_leaves_the_work_to_the_main_process(project, monkeypatch):
    folder = project("seeds_shape")
    alone = model(folder)
    real_submit = TypographyWorker.submit

    def submit_then_die(self, joined, style):
        ticket = real_submit(self, joined, style)
        os.kill(self.pid, signal.SIGKILL)
        return ticket

    monkeypatch.setattr(forking, "WORTH_BYTES", 0)
    monkeypatch.setattr(pipeline, "split_worth_it", lambda sizes: False)
    monkeypatch.setattr(TypographyWorker, "submit", submit_then_die)
    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: no helper")
    assert model(folder) == alone


def test_closing_the_helper_leaves_no_thread_behind(monkeypatch):
    """The PDF backend forks its own workers after the read: no reply-reading thread may still run."""
    import threading

    from bookforge.transforms.typography import QUOTE_STYLES

    monkeypatch.setattr(forking, "WORTH_BYTES", 0)
    worker = TypographyWorker.start(1)
    if worker is None:
        pytest.skip("one core: no helper")
    style = next(iter(QUOTE_STYLES.values()))
    assert worker.result(worker.submit('"Hello," she said.', style))
    worker.close()
    assert not worker.collector.is_alive() and threading.active_count() == 1
