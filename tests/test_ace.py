"""Ace by DAISY on the sample anthology, the real seeds and a fixture with images: no violations.

Ace comes from npm (`./dev test` installs it into .tools/ace with --ignore-scripts) and runs on
Debian's Chromium. Where either is missing the tests are skipped and say why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, SEEDS, build

pytestmark = pytest.mark.slow

ACE = Path(os.environ.get("BOOKFORGE_ACE", REPO / ".tools" / "ace" / "node_modules" / ".bin" / "ace-puppeteer"))
CHROMIUM = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
needs_ace = pytest.mark.skipif(
    not ACE.exists() or not CHROMIUM,
    reason=f"Ace by DAISY ({ACE}) or Chromium is not installed; `./dev test` installs both where npm and apt are",
)


def ace_report(epub: Path, out: Path) -> dict:
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=CHROMIUM)
    result = subprocess.run([str(ACE), "--force", "--silent", "--outdir", str(out), str(epub)],
                            capture_output=True, text=True, timeout=300, env=env)
    report = out / "report.json"
    assert report.is_file(), f"Ace wrote no report: {result.stdout[-1500:]} {result.stderr[-1500:]}"
    return json.loads(report.read_text(encoding="utf-8"))


def violations(report: dict) -> list[str]:
    found = []
    for subject in report.get("assertions", []):
        for assertion in subject.get("assertions", []):
            test = assertion["earl:test"]
            found.append(f"{subject['earl:testSubject']['url']}: [{test['earl:impact']}] {test['dct:title']}: "
                         f"{assertion['earl:result']['dct:description'][:200]}")
    return found


def copy_project(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(source / "manuscripts", target / "manuscripts")
    shutil.copy(source / "book.toml", target / "book.toml")
    for extra in ("images", "cover.png"):
        if (source / extra).is_dir():
            shutil.copytree(source / extra, target / extra)
        elif (source / extra).is_file():
            shutil.copy(source / extra, target / extra)
    return target


def seeds_project(target: Path) -> Path:
    from test_epubcheck import seeds_project as make

    return make(target)


@needs_ace
@pytest.mark.parametrize("name", ["sample-anthology", "real-seeds", "images_cover", "formats", "sample-kepub",
                                  "structure", "structure-kepub", "structure-book-notes"])
def test_ace_finds_no_violations(tmp_path, name):
    if name == "real-seeds":
        if not SEEDS.is_dir():
            pytest.skip(f"{SEEDS} is not present on this machine")
        folder = seeds_project(tmp_path / "seeds")
    elif name in ("sample-anthology", "sample-kepub"):
        folder = copy_project(REPO, tmp_path / "sample")
    elif name.startswith("structure"):  # notes, tables, lists, figures: every note at the back, too
        folder = copy_project(FIXTURES / "structure", tmp_path / name)
        if name == "structure-book-notes":
            toml = folder / "book.toml"
            toml.write_text(toml.read_text().replace("[book]\n", '[book]\nfootnotes = "book"\n', 1))
    else:
        folder = copy_project(FIXTURES / name, tmp_path / name)
    results, _ = build(folder, ("kepub",) if name.endswith("kepub") else ("epub",))
    report = ace_report(results[0].path, tmp_path / "report")
    assert violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"


@needs_ace
def test_the_conformance_claim_and_summary_reach_ace(tmp_path):
    folder = copy_project(REPO, tmp_path / "claimed")
    toml = folder / "book.toml"
    toml.write_text(toml.read_text().replace(
        "[book]\n", '[book]\nconforms-to = true\naccessibility-summary = "Plain prose with headings and a contents list."\n', 1))
    results, _ = build(folder)
    report = ace_report(results[0].path, tmp_path / "report")
    assert violations(report) == []
    metadata = json.dumps(report["earl:testSubject"]["metadata"], ensure_ascii=False)
    assert "EPUB Accessibility 1.1 - WCAG 2.2 Level AA" in metadata
    assert "Plain prose with headings and a contents list." in metadata
