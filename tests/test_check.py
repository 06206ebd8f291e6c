"""`bookforge check`: lint codes at their lines, built-file checks, exit codes and the JSON report."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from conftest import SEEDS, check_golden, run_cli

from bookforge.diagnostics_docs import SCHEMA_FILE

# The schema as published (tests/test_diagnostics.py holds it to the registry it is generated from).
JSON_SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / SCHEMA_FILE).read_text(encoding="utf-8"))
WHERE = ("code", "path", "line")


def findings(result) -> list[dict]:
    report = json.loads(result.stdout)
    jsonschema.validate(report, JSON_SCHEMA)
    return report["findings"]


def places(found: list[dict]) -> list[tuple]:
    return [tuple(f[k] for k in WHERE) for f in found]


def test_every_lint_rule_is_found_at_its_line(project, update_golden):
    folder = project("lint")
    result = run_cli("check", "--json", "--no-epubcheck", cwd=folder)
    assert result.returncode == 0, result.stderr  # warnings alone do not fail without --strict
    found = findings(result)
    check_golden("check-lint", [{k: f[k] for k in ("code", "severity", "path", "line", "message")} for f in found],
                 update_golden)
    codes = {f["code"] for f in found}
    # Every rule the issue names, each shown by a manuscript in the fixture.
    assert {"L001", "L003", "L004", "L005", "L006", "L007", "L008", "L009", "L010", "L011", "C002", "M004"} <= codes
    assert not [f for f in found if f["path"] == "manuscripts/09-clean.txt"], "the clean story has no findings"
    assert len([f for f in found if f["code"] == "L001"]) == 1, "a manuscript listed twice is linted once"


def test_strict_turns_warnings_into_failure(project):
    folder = project("lint")
    result = run_cli("check", "--strict", "--no-epubcheck", cwd=folder)
    assert result.returncode == 8
    assert "checked 11 manuscripts: 0 errors, 12 warnings" in result.stderr


def test_straight_quotes_with_typography_off(tmp_path):
    (tmp_path / "manuscripts").mkdir()
    (tmp_path / "manuscripts" / "a.txt").write_text('Title: Plain\nAuthor: P\n\nFirst.\n\n"Straight," she said.\n')
    (tmp_path / "book.toml").write_text('[book]\ntitle = "Plain"\ntypography = false\n')
    found = findings(run_cli("check", "--json", "--no-epubcheck", cwd=tmp_path))
    assert places(found) == [("L002", "manuscripts/a.txt", 6)]


def _seeds_shaped(project) -> Path:
    return project("seeds_shape")


def test_seeds_shape_flags_only_the_break_inside_dialogue(project):
    folder = _seeds_shaped(project)
    result = run_cli("check", "--no-epubcheck", cwd=folder)
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert lines[0] == "manuscripts/short.txt:16: warning[L003]: scene break between a question and its answer"
    assert lines[-1] == "checked 2 manuscripts: 0 errors, 1 warning"
    assert "long.txt" not in result.stderr


@pytest.mark.skipif(not SEEDS.exists(), reason="the real seeds live outside the repository")
def test_real_seeds_flag_the_break_in_the_shorter_one_only(tmp_path):
    from test_seeds import seeds_book

    seeds_book(tmp_path)
    short, long = sorted(SEEDS.glob("*.txt"), key=lambda p: p.stat().st_size)
    lines = short.read_text(encoding="utf-8").split("\n")
    question = next(n for n, line in enumerate(lines, 1) if line.strip() == '"But he told you before he left?"')
    found = findings(run_cli("check", "--json", "--no-epubcheck", cwd=tmp_path))
    assert places(found) == [("L003", f"manuscripts/{short.name}", question + 1)]
    assert not [f for f in found if long.name in (f["path"] or "")]


@pytest.mark.slow
def test_built_files_are_checked_by_epubcheck_and_our_own_checks(project):
    folder = _seeds_shaped(project)
    assert run_cli("-q", "build", cwd=folder, timeout=300).returncode == 0
    result = run_cli("check", "--json", cwd=folder, timeout=300)
    report = json.loads(result.stdout)
    jsonschema.validate(report, JSON_SCHEMA)
    assert report["checked"]["epub"] == "build/seeds-shape.epub"
    assert report["checked"]["pdf"] == "build/seeds-shape.pdf"
    assert report["checked"]["epubcheck"] == {"fatals": 0, "errors": 0, "warnings": 0}
    assert [f["code"] for f in report["findings"]] == ["L003"]
    assert result.returncode == 0


def _rewrite(epub: Path, change) -> None:
    """Rewrite an EPUB entry by entry, letting `change(name, data)` alter or drop (None) entries."""
    with zipfile.ZipFile(epub) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(epub, "w") as target:
        for info, data in entries:
            data = change(info.filename, data)
            if data is not None:
                target.writestr(info, data)


def test_a_broken_epub_is_reported_with_exit_code_6(project):
    folder = _seeds_shaped(project)
    assert run_cli("-q", "epub", cwd=folder).returncode == 0
    epub = folder / "build" / "seeds-shape.epub"
    mtime = epub.stat().st_mtime

    def damage(name: str, data: bytes):
        if name.endswith("night-window.xhtml"):
            return data.replace(b"</body>", b"<p>unclosed</body>")
        if name.endswith("contents.xhtml"):  # the navigation document
            return data.replace(b'<a href="the-long-way-round.xhtml"><span class="toc-title">The Long Way Round',
                                b'<a href="missing.xhtml"><span class="toc-title">The Short Way')
        return data

    _rewrite(epub, damage)
    os.utime(epub, (mtime, mtime))  # as old as the build: no staleness warning muddles the result
    result = run_cli("check", "--json", "--no-epubcheck", cwd=folder)
    assert result.returncode == 6
    codes = {f["code"]: f for f in findings(result)}
    assert {"E102", "E103", "E104"} <= set(codes)
    assert "night-window.xhtml" in codes["E102"]["message"]
    assert "'missing.xhtml' points at a file the EPUB does not hold" in codes["E103"]["message"]
    assert "The Long Way Round" in codes["E104"]["message"]


@pytest.mark.slow
def test_a_pdf_of_the_wrong_size_is_reported(project):
    folder = _seeds_shaped(project)
    assert run_cli("-q", "pdf", cwd=folder, timeout=300).returncode == 0
    toml = folder / "book.toml"
    toml.write_text(toml.read_text() + '\n[pdf]\ntrim = "a5"\n')
    pdf = folder / "build" / "seeds-shape.pdf"
    os.utime(pdf)  # newer than book.toml, so only the size is wrong
    result = run_cli("check", "--json", "--no-epubcheck", cwd=folder)
    assert result.returncode == 6
    [size] = [f for f in findings(result) if f["code"] == "P102"]
    assert "148" in size["message"] or "419.5" in size["message"], size


def test_outputs_older_than_their_inputs_are_called_stale(project):
    folder = _seeds_shaped(project)
    assert run_cli("-q", "epub", cwd=folder).returncode == 0
    epub = folder / "build" / "seeds-shape.epub"
    manuscript = folder / "manuscripts" / "short.txt"
    os.utime(manuscript, (epub.stat().st_mtime + 100, epub.stat().st_mtime + 100))  # edited after the build
    found = findings(run_cli("check", "--json", "--no-epubcheck", cwd=folder))
    assert ("B001", "build/seeds-shape.epub", None) in places(found)


def test_missing_java_is_a_clear_warning_not_a_crash(project, tmp_path):
    folder = _seeds_shaped(project)
    assert run_cli("-q", "epub", cwd=folder).returncode == 0
    # A PATH with Python but no java on it.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {"PATH": str(bin_dir), "JAVA_HOME": ""}
    result = run_cli("check", cwd=folder, env=env)
    assert "Traceback" not in result.stderr
    assert "warning[X001]: EPUBCheck did not run: Java is not installed; EPUBCheck needs it" in result.stderr
    assert "hint: install a Java runtime" in result.stderr
    assert result.returncode == 0
    assert run_cli("check", "--strict", cwd=folder, env=env).returncode == 8


@pytest.mark.parametrize("toml, manuscript, code, source", [
    ('[book]\ntitle = "Open\n', "Text.", 3, "config"),
    ('[book]\ntitle = "Fine"\n', b"Bad \x81 byte \x8d.", 4, "manuscript"),
])
def test_errors_in_the_inputs_are_findings_with_their_exit_code(tmp_path, toml, manuscript, code, source):
    (tmp_path / "manuscripts").mkdir()
    (tmp_path / "book.toml").write_text(toml)
    data = manuscript if isinstance(manuscript, bytes) else manuscript.encode()
    (tmp_path / "manuscripts" / "a.txt").write_bytes(data)
    result = run_cli("check", "--json", "--no-epubcheck", cwd=tmp_path)
    assert result.returncode == code
    [error] = [f for f in findings(result) if f["severity"] == "error"]
    assert error["source"] == source and error["line"]
    assert "Traceback" not in result.stderr


def test_colour_only_on_a_terminal(project):
    folder = _seeds_shaped(project)
    piped = run_cli("check", "--no-epubcheck", cwd=folder)
    assert "\x1b[" not in piped.stderr
    # The same command with stderr on a pseudo-terminal.
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    process = subprocess.run([sys.executable, "-m", "bookforge", "check", "--no-epubcheck"], cwd=folder,
                             stdout=subprocess.DEVNULL, stderr=terminal, env=env, timeout=120, check=False)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    shown = b"".join(chunks).decode()
    assert process.returncode == 0
    assert "\x1b[33mwarning[L003]\x1b[0m" in shown


def test_check_never_writes(project):
    folder = _seeds_shaped(project)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    run_cli("check", cwd=folder)
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before
    assert not (folder / "build").exists()


@pytest.mark.parametrize("toml_line, theme_toml, path, line", [
    ('theme = "nope"', None, "book.toml", None),
    ('theme = "classic"', 'accent = "#7a2e1f"\ncolour = "red"\n', "styles/theme.toml", 2),
    ('theme = "classic"', 'ink = "banana"\n', "styles/theme.toml", 1),
])
def test_a_theme_a_build_would_stop_at_is_a_finding_with_exit_code_5(tmp_path, toml_line, theme_toml, path, line):
    (tmp_path / "manuscripts").mkdir()
    (tmp_path / "manuscripts" / "a.txt").write_text("Title: A\n\nText.\n")
    (tmp_path / "book.toml").write_text(f'[book]\ntitle = "T"\n{toml_line}\n')
    if theme_toml is not None:
        (tmp_path / "styles").mkdir()
        (tmp_path / "styles" / "theme.toml").write_text(theme_toml)
    assert run_cli("epub", cwd=tmp_path).returncode == 5  # as a build
    result = run_cli("check", "--json", "--no-epubcheck", cwd=tmp_path)
    assert result.returncode == 5, result.stderr
    [error] = [f for f in findings(result) if f["severity"] == "error"]
    assert (error["code"], error["source"], error["path"], error["line"]) == ("T000", "theme", path, line)


def test_a_missing_output_intent_fails_every_command_at_its_line(tmp_path):
    (tmp_path / "manuscripts").mkdir()
    (tmp_path / "manuscripts" / "a.txt").write_text("Title: A\n\nText.\n")
    (tmp_path / "book.toml").write_text('[book]\ntitle = "T"\n\n[pdf]\noutput-intent = "printer.icc"\n')
    epub = run_cli("epub", cwd=tmp_path)
    assert epub.returncode == 3 and "book.toml:5: error: [pdf] output-intent: no such file" in epub.stderr, epub.stderr
    result = run_cli("check", "--json", "--no-epubcheck", cwd=tmp_path)
    assert result.returncode == 3
    [error] = [f for f in findings(result) if f["severity"] == "error"]
    assert (error["code"], error["source"], error["line"]) == ("C000", "config", 5)
    (tmp_path / "book.toml").write_text('[book]\ntitle = "T"\n\n[pdf]\noutput-intent = "../printer.icc"\n')
    outside = run_cli("epub", cwd=tmp_path)
    assert outside.returncode == 3 and "book.toml:5:" in outside.stderr and "outside the project" in outside.stderr
