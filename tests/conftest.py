"""Shared test helpers: fixture projects, in-process and subprocess builds, golden files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Property-test budgets: `dev` for a quick local run, `ci` (what ./dev test and CI use) a larger,
# fixed and derandomised one, so that a CI run is repeatable.
settings.register_profile("dev", max_examples=30)
settings.register_profile("ci", max_examples=200, derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("BOOKFORGE_HYPOTHESIS", "dev"))

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
GOLDEN = TESTS / "golden"
REPO = TESTS.parent
SEEDS = REPO.parent / "shared" / "seeds"


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden files from the current output (review the diff before committing)",
    )


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def check_golden(name: str, actual, update: bool) -> None:
    """Compare JSON-able data with tests/golden/<name>.json (rewritten with --update-golden)."""
    path = GOLDEN / f"{name}.json"
    text = json.dumps(actual, ensure_ascii=False, indent=2) + "\n"
    if update or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not update:
            pytest.fail(f"golden file {path.name} did not exist; written now, review and commit it")
        return
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"output differs from {path.relative_to(REPO)}; rerun with --update-golden if intended"


@pytest.fixture
def project(tmp_path):
    """Copy a fixture project into a temporary folder (so builds never write into tests/)."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return copy


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120):
    """Run the real `bookforge` command in a subprocess (exit codes and stderr as a user sees them)."""
    full_env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bookforge", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


PDF_OVERRIDES = ("trim", "bleed", "marks", "variant")  # what `bookforge pdf` says over book.toml's [pdf]


def build(project_dir: Path, formats=("epub",), **options):
    """Build in-process (fast), as the command line would: [pdf] values over book.toml's, the rest
    build options (jobs, one_pass, no_cache, pages); returns (results, diagnostics)."""
    from bookforge.backends import BuildOptions
    from bookforge.build import build_formats, resolve_project
    from bookforge.diagnostics import Diagnostics

    diagnostics = Diagnostics()
    pdf = {key: options.pop(key) for key in PDF_OVERRIDES if key in options}
    proj = resolve_project([project_dir], diagnostics, pdf=pdf)
    results = build_formats(proj, list(formats), diagnostics, options=BuildOptions(**options))
    return results, diagnostics


def load(project_dir: Path, typography: bool | None = None):
    """Read and transform a project's book in-process; returns (book, diagnostics)."""
    from bookforge.diagnostics import Diagnostics
    from bookforge.pipeline import load_book
    from bookforge.project import open_project

    diagnostics = Diagnostics()
    proj = open_project(project_dir, diagnostics)
    return load_book(proj, diagnostics, typography=typography), diagnostics


def interruptible() -> None:
    """A child process's `preexec_fn`: Ctrl-C (SIGINT) reaches it as it reaches a command typed in
    a terminal. A test run started in the background or by CI may have SIGINT ignored, and a child
    inherits that: Python then installs no KeyboardInterrupt handler, so a SIGINT test would wait
    for a stop that never comes."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
