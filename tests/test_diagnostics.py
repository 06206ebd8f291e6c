"""One diagnostics system: the sink, the registry every emitted code is in, and the docs made from it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bookforge.diagnostic_codes import CODES
from bookforge.diagnostics import Diagnostic, Diagnostics
from bookforge.diagnostics_docs import COMMAND, generated

REPO = Path(__file__).parent.parent
SOURCE = REPO / "src" / "bookforge"
CODE = re.compile(r"^[A-Z][0-9]{3}$")


def test_the_same_warning_is_said_once_and_replayed_once():
    shown = []
    diagnostics = Diagnostics(on_report=shown.append)
    for _ in range(2):  # the interior and the cover both find the PDF/X profile missing
        diagnostics.warn("P002", "pdf/x-4 needs a CMYK output intent", path="book.toml", line=7)
    diagnostics.warn("P002", "pdf/x-4 needs a CMYK output intent", path="book.toml", line=8)  # another place
    helper = Diagnostics()
    helper.warn("P002", "pdf/x-4 needs a CMYK output intent", path="book.toml", line=7)
    helper.warn("M003", "no text", path="manuscripts/a.txt")
    diagnostics.replay(helper)
    assert [(d.code, d.line) for d in diagnostics.items] == [("P002", 7), ("P002", 8), ("M003", None)]
    assert shown == diagnostics.items


def test_a_code_is_said_only_as_what_the_registry_makes_it():
    diagnostics = Diagnostics()
    with pytest.raises(ValueError, match="unknown diagnostic code 'M999'"):
        diagnostics.warn("M999", "a typo")
    with pytest.raises(ValueError, match="not a warning"):
        diagnostics.warn("I004", "an information line said as a warning")
    with pytest.raises(ValueError, match="not an information code"):
        diagnostics.info("M001", "a warning said as an information line")
    with pytest.raises(ValueError, match="unknown diagnostic code"):
        Diagnostic("Z001", "warning", "no such code")
    assert Diagnostic.of("E101", "not a zip archive").severity == "error"
    assert Diagnostic.of("P104", "an odd number of pages", severity="warning").severity == "warning"


def test_a_diagnostic_survives_its_json_and_says_its_column():
    said = Diagnostic.of("L006", "'Sumary:' is not a header key", path="manuscripts/a.txt", line=2, column=1,
                         hint="did you mean 'Summary:'?")
    assert Diagnostic.from_json(said.to_json()) == said
    assert said.format() == ("manuscripts/a.txt:2:1: warning[L006]: 'Sumary:' is not a header key\n"
                             "  hint: did you mean 'Summary:'?")
    # A build's diagnostics have no column, and their JSON (golden files, the cover's cache) has no key for it.
    assert "column" not in Diagnostic.of("M003", "no text").to_json()


def test_the_generated_docs_are_current():
    for name, text in generated().items():
        path = REPO / "docs" / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        assert current == text, f"docs/{name} is not what the registry makes: run `{COMMAND}` and commit it"


def test_the_codes_page_and_the_schema_name_every_code():
    files = generated()
    page = files["diagnostics.md"]
    for code, info in CODES.items():
        assert f"| `{code}` | {info.severity}" in page
    schema_codes = ast.literal_eval(files["check-schema.json"].split('"enum": ')[1].split("]")[0] + "]")
    assert schema_codes == sorted(code for code, info in CODES.items() if info.severity != "info")


def emitted_codes(source: str, filename: str = "<source>") -> dict[str, list[str]]:
    """Each code literal passed first (or as `code=`) to a call, with the places it is passed from.

    Every call that makes a diagnostic takes its code first: the sink's `warn` and `info`, the
    record's `Diagnostic` and `Diagnostic.of`, and the small helpers lint, the built-file checks and
    the printer's rules wrap them in; so any call counts, whatever its name."""
    found: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        first = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "code"), None)
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and CODE.match(first.value):
            found.setdefault(first.value, []).append(f"{filename}:{node.lineno}")
    return found


def test_the_source_walk_finds_a_code_nobody_registered():
    source = ('diagnostics.warn("Q123", "new")\nreport.add("pdf", Diagnostic.of("P005", "p"))\n'
              'said = _helper(code="Q124")\nif code in ("M001", "M002"): pass\n')
    assert emitted_codes(source) == {"Q123": ["<source>:1"], "P005": ["<source>:2"], "Q124": ["<source>:3"]}


def test_every_code_emitted_in_the_source_is_registered_and_every_registered_one_emitted():
    emitted: dict[str, list[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for code, places in emitted_codes(path.read_text(encoding="utf-8"), str(path.relative_to(REPO))).items():
            emitted.setdefault(code, []).extend(places)
    unregistered = {code: places for code, places in emitted.items() if code not in CODES}
    assert not unregistered, f"add these to src/bookforge/diagnostic_codes.py, then run `{COMMAND}`: {unregistered}"
    assert set(CODES) == set(emitted), f"registered but said nowhere: {sorted(set(CODES) - set(emitted))}"


def test_the_generated_docs_are_found_from_any_folder(tmp_path):
    """The docs folder is the checkout's, not ./docs: from elsewhere --check still finds them current
    and a write lands in the repository, never in the folder it was run from."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "bookforge.diagnostics_docs", "--check"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_generated_docs_are_refused_outside_a_checkout(tmp_path, monkeypatch, capsys):
    from bookforge import diagnostics_docs

    installed = tmp_path / "site-packages" / "bookforge" / "diagnostics_docs.py"
    installed.parent.mkdir(parents=True)
    installed.touch()
    assert diagnostics_docs.checkout_docs(installed) is None
    assert diagnostics_docs.checkout_docs() == Path(__file__).resolve().parents[1] / "docs"
    monkeypatch.setattr(diagnostics_docs, "checkout_docs", lambda: None)
    monkeypatch.chdir(tmp_path)
    assert diagnostics_docs.main([]) == 2
    assert "outside a checkout" in capsys.readouterr().err and not (tmp_path / "docs").exists()
    assert diagnostics_docs.main(["--docs", str(tmp_path), "--check"]) == 1, "--docs still names a folder"
