"""Reading a big book on two cores gives the very book one process reads: the same model, the same
warnings in the same order, the same first error; and a helper that dies costs nothing but time."""

from __future__ import annotations

import os
import shutil
import sys

import pytest
from conftest import FIXTURES

import bookforge.pipeline as pipeline
import bookforge.split_read as split_read
from bookforge.diagnostics import Diagnostics
from bookforge.errors import ManuscriptError
from bookforge.model import to_json
from bookforge.project import open_project

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the split read forks, on Linux only")


@pytest.fixture
def book(tmp_path):
    """A book of every format, with warnings from several manuscripts, big enough to be split."""
    project = tmp_path / "book"
    shutil.copytree(FIXTURES / "structure", project, ignore=shutil.ignore_patterns("build"))
    for name in ("cp1252", "lint"):  # manuscripts that warn
        for path in (FIXTURES / name / "manuscripts").iterdir():
            shutil.copy(path, project / "manuscripts" / f"9{name}-{path.name}")
    return project


def _load(project, split: bool, monkeypatch):
    monkeypatch.setattr(pipeline, "split_worth_it", lambda sizes: split)
    diagnostics = Diagnostics()
    book = pipeline.load_book(open_project(project, diagnostics), diagnostics)
    return to_json(book), [d.format() for d in diagnostics.items], [d.format() for d in diagnostics.infos]


def test_the_split_read_gives_the_book_one_process_reads(book, monkeypatch):
    split = _load(book, True, monkeypatch)
    single = _load(book, False, monkeypatch)
    assert split == single
    assert split[1], "the book warns, so the order of warnings is tested"


def test_the_first_error_in_manuscript_order_is_the_one_raised(book, monkeypatch):
    (book / "manuscripts" / "00-broken.docx").write_bytes(b"not a zip")
    (book / "manuscripts" / "zz-broken.docx").write_bytes(b"not a zip either")
    monkeypatch.setattr(pipeline, "split_worth_it", lambda sizes: True)
    with pytest.raises(ManuscriptError) as raised:
        pipeline.load_book(open_project(book, Diagnostics()), Diagnostics())
    assert raised.value.path == "manuscripts/00-broken.docx"


def test_a_helper_that_dies_costs_only_time(book, monkeypatch):
    def dying(item, said):
        if os.getpid() != parent:
            os._exit(3)  # the helper dies before it answers
        return pipeline.read_story(item, config, said)

    parent = os.getpid()
    config = open_project(book, Diagnostics()).config
    items = open_project(book, Diagnostics()).manuscripts
    stories = split_read.read_in_two(items, dying, Diagnostics())
    assert [s.source for s in stories] == [m.rel for m in items]


def test_big_books_of_several_manuscripts_are_split_and_small_ones_not():
    assert split_read.split_worth_it([200 * 1024, 100 * 1024]) == (len(os.sched_getaffinity(0)) >= 2)
    assert not split_read.split_worth_it([300 * 1024])
    assert not split_read.split_worth_it([10 * 1024, 10 * 1024])


def test_no_fork_while_another_thread_runs(monkeypatch):
    """A thread holding the import or logging lock at the fork would leave the child stuck for good."""
    import threading

    from bookforge import forking

    assert split_read.split_worth_it([300 * 1024, 300 * 1024]) == (len(os.sched_getaffinity(0)) >= 2)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not forking.worth_forking(10 * forking.WORTH_BYTES)
        assert not split_read.split_worth_it([300 * 1024, 300 * 1024])
    finally:
        release.set()
        other.join()


def test_a_bug_in_the_helper_keeps_its_traceback():
    def buggy(item, said):
        if os.getpid() != parent and item == "b":
            {}["missing"]  # a bug, in the helper only
        return item

    parent = os.getpid()
    with pytest.raises(KeyError) as raised:
        split_read.read_in_two(["a", "b"], buggy, Diagnostics())
    notes = "".join(getattr(raised.value, "__notes__", []))
    assert "raised in the reading helper process" in notes and "in buggy" in notes


def test_only_the_bytes_a_reader_parses_count_towards_a_split(tmp_path):
    """Plain text is read at disk speed: a book of it alone is never split, however big (tricks.py:
    the fork cost more than it saved there); its Markdown is counted."""
    project = tmp_path / "book"
    (project / "manuscripts").mkdir(parents=True)
    (project / "book.toml").write_text('[book]\ntitle = "Sizes"\n', encoding="utf-8")
    words = "The keeper lit the lamp at dusk and counted the boats home.\n\n" * 6000
    (project / "manuscripts" / "1-plain.txt").write_text(words, encoding="utf-8")
    (project / "manuscripts" / "2-plain.txt").write_text(words, encoding="utf-8")
    (project / "manuscripts" / "3-marked.md").write_text(words, encoding="utf-8")
    sizes = pipeline._sizes(open_project(project, Diagnostics()))
    assert sizes == [0, 0, len(words.encode())]
