"""The command line as a user meets it: real subprocesses, real exit codes, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pathlib import Path
from conftest import FIXTURES, run_cli
from epubfacts import NS, Epub

HEAVY_MODULES = {"ebooklib", "lxml", "weasyprint", "markdown_it", "yaml", "rich", "pypdf", "PIL", "fontTools"}


def assert_clean_failure(result, exit_code: int, *fragments: str) -> None:
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, f"one error line (plus a hint): {result.stderr!r}"
    assert "error" in lines[0]
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


def test_help_imports_nothing_heavy():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bookforge", "--help"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert not (imported & HEAVY_MODULES), imported & HEAVY_MODULES
    for command in ("epub", "build", "inspect", "new"):
        assert command in result.stdout


@pytest.mark.parametrize("command", ["epub", "build", "inspect", "new"])
def test_every_command_has_help(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout
    assert "--quiet" in result.stdout and "--verbose" in result.stdout


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("bookforge ")


def test_finds_book_toml_in_a_parent_folder(project):
    folder = project("seeds_shape")
    result = run_cli("epub", cwd=folder / "manuscripts")
    assert result.returncode == 0, result.stderr
    assert (folder / "build" / "seeds-shape.epub").is_file()
    assert "wrote build/seeds-shape.epub (2 stories" in result.stderr


def test_project_folder_as_argument_and_output_option(project, tmp_path):
    folder = project("seeds_shape")
    result = run_cli("-q", "epub", str(folder), "-o", str(tmp_path / "out.epub"), cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert (tmp_path / "out.epub").is_file()


def test_manuscript_files_without_book_toml(tmp_path):
    (tmp_path / "a.txt").write_text("Title: First\nAuthor: One\n\nHello \"there\".\n")
    (tmp_path / "b.md").write_text("# Second\n\nA *second* story.\n")
    result = run_cli("epub", "a.txt", "b.md", "--title", "Dreams", "-o", "dreams.epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    epub = Epub(tmp_path / "dreams.epub")
    assert epub.metadata("dc:title/text()") == ["Dreams"]
    titles = epub.nav().xpath("//x:span[@class='toc-title']/text()", namespaces=NS)
    assert titles == ["First", "Second"]


def test_inspect_prints_the_model_as_json():
    result = run_cli("inspect", str(FIXTURES / "seeds_shape"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["type"] == "Book" and [s["title"] for s in data["stories"]] == ["The Long Way Round", "Night Window"]


def test_build_makes_the_formats_asked_for(project):
    folder = project("seeds_shape")
    result = run_cli("build", "--to", "epub", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert (folder / "build" / "seeds-shape.epub").is_file()


def test_build_rejects_an_unknown_format(project):
    result = run_cli("build", "--to", "mobi", cwd=project("seeds_shape"))
    assert result.returncode == 2 and "unknown format 'mobi'" in result.stderr
    assert "Traceback" not in result.stderr


def test_new_scaffolds_a_project_that_builds(tmp_path):
    result = run_cli("new", "my-anthology", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "my-anthology"
    assert (folder / "book.toml").is_file() and (folder / "styles").is_dir()
    assert list((folder / "manuscripts").iterdir())
    toml = (folder / "book.toml").read_text()
    for key in ("subtitle", "editors", "authors", "identifier", "publisher", "rights", "date", "description",
                "cover", "notes", "theme", "typography", "[[story]]", "[pdf]", "trim"):
        assert key in toml, key
    assert 'title = "My Anthology"' in toml
    built = run_cli("epub", cwd=folder)
    assert built.returncode == 0, built.stderr
    assert (folder / "build" / "my-anthology.epub").is_file()


def test_the_scaffold_book_toml_shows_every_key():
    """`bookforge new` promises a book.toml that shows every key; the schema is the list."""
    import re

    from bookforge.config import TABLES

    text = (Path(__file__).parent.parent / "src" / "bookforge" / "scaffold" / "book.toml").read_text()
    for table, keys in TABLES.items():
        assert re.search(rf"^#? ?\[{{1,2}}{table}\]{{1,2}}", text, re.MULTILINE), f"[{table}] is not shown"
        for key in keys:
            if key == "authors" and table == "story":
                continue  # shown as the alternative to author
            assert re.search(rf"^#? ?{re.escape(key)} = ", text, re.MULTILINE), f"[{table}] {key} is not shown"


def test_new_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    assert_clean_failure(run_cli("new", "x", cwd=tmp_path), 3, "already exists")
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"


# --- bad input: one line naming the file (and line), an exit code, no traceback, nothing lost --


def test_typo_in_book_toml():
    result = run_cli("epub", str(FIXTURES / "unknown_key"))
    assert_clean_failure(result, 3, "book.toml:3", "unknown key 'langauge'")
    assert "did you mean 'language'?" in result.stderr


def test_broken_book_toml():
    assert_clean_failure(run_cli("epub", str(FIXTURES / "bad_toml")), 3, "book.toml:2", "not valid TOML")


def test_missing_manuscript():
    result = run_cli("epub", str(FIXTURES / "missing_file"))
    assert_clean_failure(result, 4, "book.toml:8", "manuscript not found: manuscripts/not-here.txt")


def test_undecodable_manuscript():
    result = run_cli("epub", str(FIXTURES / "undecodable"))
    assert_clean_failure(result, 4, "manuscripts/bad.txt:3", "cannot decode", "byte 0x81 at offset 25 is neither UTF-8 nor Windows-1252")


def test_no_project_here(tmp_path):
    assert_clean_failure(run_cli("epub", cwd=tmp_path), 3, "no book.toml")


def test_cp1252_builds_with_a_warning_naming_the_file(project):
    result = run_cli("epub", cwd=project("cp1252"))
    assert result.returncode == 0, result.stderr
    assert "manuscripts/old.txt:1: warning[M001]: not UTF-8 (byte 0xe9 at offset 10)" in result.stderr


def test_bad_input_does_not_touch_the_previous_epub(project):
    folder = project("seeds_shape")
    assert run_cli("-q", "epub", cwd=folder).returncode == 0
    output = folder / "build" / "seeds-shape.epub"
    before = output.read_bytes()
    (folder / "manuscripts" / "short.txt").write_bytes(b"\x81\x8d broken")
    result = run_cli("epub", cwd=folder)
    assert result.returncode == 4
    assert output.read_bytes() == before
    assert sorted(p.name for p in output.parent.iterdir() if p.name != ".cache") == ["seeds-shape.epub"]


def test_manuscripts_are_never_modified(project):
    folder = project("cp1252")
    before = {p.name: p.read_bytes() for p in (folder / "manuscripts").iterdir()}
    assert run_cli("-q", "epub", cwd=folder).returncode == 0
    assert {p.name: p.read_bytes() for p in (folder / "manuscripts").iterdir()} == before
