"""EPUBCheck on every fixture book, the sample anthology and the real seeds: 0 errors, 0 warnings.

All books are built first and checked in one JVM (EPUBCheck costs seconds per JVM start).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, SEEDS

from bookforge.build import build_formats, resolve_project
from bookforge.diagnostics import Diagnostics
from bookforge.scaffold import create_project
from bookforge.validate.epubcheck import run_epubcheck

pytestmark = pytest.mark.slow


def seeds_project(target: Path) -> Path:
    """A project holding only the two real seed manuscripts and a book.toml naming them."""
    (target / "manuscripts").mkdir(parents=True)
    entries = []
    for number, seed in enumerate(sorted(SEEDS.glob("*.txt")), start=1):
        shutil.copy(seed, target / "manuscripts" / seed.name)
        entries.append(
            f'[[story]]\nfile = "manuscripts/{seed.name}"\ntitle = "Seed Story {number}"\nauthor = "Seed Author {number}"\n'
        )
    (target / "book.toml").write_text('[book]\ntitle = "The Seeds"\ndate = "2026-11-20"\n\n' + "\n".join(entries))
    return target


def variant(source: Path, target: Path, replace: tuple[str, str] | None = None) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("build"))
    if replace:
        toml = target / "book.toml"
        text = toml.read_text()
        toml.write_text(text.replace(*replace) if replace[0] in text else text.replace("[book]\n", f"[book]\n{replace[1]}\n"))
    return target


def build_one(folder_or_files, output: Path, fmt: str = "epub", **kw) -> Path:
    diagnostics = Diagnostics()
    sources = folder_or_files if isinstance(folder_or_files, list) else [folder_or_files]
    project = resolve_project(sources, diagnostics, **kw)
    build_formats(project, [fmt], diagnostics, output=str(output))
    return output


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    work = tmp_path_factory.mktemp("epubcheck")
    out = work / "out"
    out.mkdir()
    books: dict[str, Path] = {}
    books["sample-anthology"] = build_one(REPO, out / "sample.epub")
    for name in ("seeds_shape", "markdown_story", "images_cover", "cp1252", "formats", "structure"):
        # Copies: a build writes its caches (the generated cover's) into the project's build/.
        books[name] = build_one(variant(FIXTURES / name, work / name), out / f"{name}.epub")
    for placement in ("front", "end"):
        folder = variant(FIXTURES / "markdown_story", work / f"notes-{placement}", ('notes = "end"', f'notes = "{placement}"'))
        books[f"notes-{placement}"] = build_one(folder, out / f"notes-{placement}.epub")
    scaffold = work / "scaffold"
    create_project(scaffold)
    books["bookforge-new"] = build_one(scaffold, out / "scaffold.epub")
    (work / "adhoc").mkdir()
    (work / "adhoc" / "a.txt").write_text("Title: One\n\nHello \"world\".\n")
    (work / "adhoc" / "b.md").write_text("# Two\n\nA *second* story.\n")
    books["adhoc-files"] = build_one([work / "adhoc" / "a.txt", work / "adhoc" / "b.md"], out / "adhoc.epub",
                                     title="Dreams")
    # KEPUBs: Kobo's spans, wrappers and style hacks must keep the book valid.
    for name in ("seeds_shape", "images_cover", "formats", "structure"):
        books[f"{name}-kepub"] = build_one(work / name, out / f"{name}.kepub.epub", "kepub")
    # Notes, tables and lists with every note in one Notes section at the back.
    book_notes = variant(FIXTURES / "structure", work / "structure-book-notes", ('footnotes = "book"', 'footnotes = "book"'))
    books["structure-book-notes"] = build_one(book_notes, out / "structure-book-notes.epub")
    books["sample-anthology-kepub"] = build_one(REPO, out / "sample.kepub.epub", "kepub")
    conforming = work / "conforming"  # the sample anthology, claiming EPUB Accessibility 1.1
    conforming.mkdir()
    shutil.copytree(REPO / "manuscripts", conforming / "manuscripts")
    (conforming / "book.toml").write_text((REPO / "book.toml").read_text().replace("[book]\n", "[book]\nconforms-to = true\n", 1))
    books["conforms-to"] = build_one(conforming, out / "conforming.epub")
    if SEEDS.is_dir():
        books["real-seeds"] = build_one(seeds_project(work / "seeds"), out / "seeds.epub")
        books["real-seeds-kepub"] = build_one(work / "seeds", out / "seeds.kepub.epub", "kepub")
    results = run_epubcheck(list(books.values()))
    return dict(zip(books, results))


BOOKS = ["sample-anthology", "seeds_shape", "markdown_story", "images_cover", "cp1252", "formats", "notes-front",
         "notes-end", "bookforge-new", "adhoc-files", "real-seeds", "seeds_shape-kepub", "images_cover-kepub",
         "formats-kepub", "sample-anthology-kepub", "real-seeds-kepub", "conforms-to", "structure", "structure-kepub",
         "structure-book-notes"]


@pytest.mark.parametrize("name", BOOKS)
def test_epubcheck_reports_nothing(reports, name):
    if name not in reports:
        pytest.skip(f"{SEEDS} is not present on this machine")
    report = reports[name]
    assert report.clean, report.summary()
