"""The word ledger (F001): every word a reader is handed reaches the book, or a warning names the
file, the line and the first lost words. Readers are broken on purpose to see it speak up."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, load, run_cli

from bookforge.diagnostics import Diagnostics
from bookforge.readers import read_file

SHAPES = FIXTURES / "shapes"
BOOKS = ["formats", "structure", "seeds_shape", "markdown_story", "images_cover", "cp1252", "lint"]
SHAPE_FILES = sorted(p for p in SHAPES.iterdir() if p.suffix in (".docx", ".html", ".txt", ".md")
                     and not p.name.startswith("~$"))


def _read(path: Path) -> Diagnostics:
    diagnostics = Diagnostics()
    read_file(path, path.name, diagnostics)
    return diagnostics


@pytest.mark.parametrize("name", BOOKS + ["sample-anthology"])
def test_no_fixture_book_loses_a_word(name):
    _, diagnostics = load(REPO if name == "sample-anthology" else FIXTURES / name)
    assert [d.format() for d in diagnostics.items if d.code == "F001"] == []


@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.name)
def test_no_manuscript_shape_loses_a_word(path):
    assert [d.format() for d in _read(path).items if d.code == "F001"] == []


def test_a_reader_that_drops_a_text_box_is_caught(monkeypatch):
    from bookforge.readers import docx

    monkeypatch.setattr(docx, "_text_boxes", lambda drawing: [])
    found = [d for d in _read(SHAPES / "textbox.docx").items if d.code == "F001"]
    assert found, "the text box's words are missing and the ledger says so"
    assert found[0].path == "textbox.docx" and found[0].line == 2
    assert "biscuit tin" in found[0].message


def test_a_reader_that_drops_a_paragraph_is_caught(monkeypatch, tmp_path):
    from bookforge.readers import txt

    original = txt._items

    def lossy(scanned, rel, base_indent):
        items = original(scanned, rel, base_indent)
        return items[:2] + items[3:]  # the third paragraph vanishes

    monkeypatch.setattr(txt, "_items", lossy)
    manuscript = tmp_path / "story.txt"
    manuscript.write_text("Notes: a note.\n\nFirst paragraph here.\n\nSecond paragraph here.\n\n"
                          "The heron stood in the shallows and did not move.\n\nLast one.\n", encoding="utf-8")
    found = [d for d in _read(manuscript).items if d.code == "F001"]
    assert [d.line for d in found] == [7]
    assert found[0].message.startswith("words did not reach the book: “The heron stood in the shallows")


def test_a_reader_that_drops_a_table_or_a_note_is_caught(monkeypatch):
    from bookforge.readers import md

    monkeypatch.setattr(md._Reader, "_table", lambda self, tokens, index: (None, next(
        i for i in range(index, len(tokens)) if tokens[i].type == "table_close") + 1))
    manuscript = FIXTURES / "structure" / "manuscripts" / "01-the-night-kitchen.md"
    assert any(d.code == "F001" for d in _read(manuscript).items)

    monkeypatch.undo()
    monkeypatch.setattr(md._Reader, "_read_notes", lambda self, tokens, start: None)
    assert any(d.code == "F001" for d in _read(manuscript).items), "the notes' words are missing"


def test_an_html_reader_that_drops_a_chapter_is_caught(monkeypatch):
    from bookforge.readers import html

    original = html._Reader._archive_chapters
    monkeypatch.setattr(html._Reader, "_archive_chapters", lambda self, container: original(self, container)[:-1])
    found = [d for d in _read(FIXTURES / "formats" / "manuscripts" / "04-the-lighthouse-keepers-log.html").items
             if d.code == "F001"]
    assert any("Day nine" in d.message for d in found), [d.message for d in found]


def test_check_reports_the_ledger_and_strict_fails_on_it(tmp_path):
    project = tmp_path / "book"
    shutil.copytree(FIXTURES / "seeds_shape", project)
    # A reader bug stands in for a shape nobody foresaw: a sitecustomize module on PYTHONPATH
    # patches the plain-text reader in the `bookforge check` subprocess to drop a paragraph.
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import bookforge.readers.txt as t\n"
        "o = t._items\n"
        "t._items = lambda s, r, b: o(s, r, b)[1:]\n", encoding="utf-8")
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}
    result = run_cli("check", "--no-epubcheck", "--json", cwd=project, env=env)
    assert '"F001"' in result.stdout
    strict = run_cli("check", "--no-epubcheck", "--strict", cwd=project, env=env)
    assert strict.returncode == 8 and "F001" in strict.stdout + strict.stderr
