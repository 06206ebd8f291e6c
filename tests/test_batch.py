"""`bookforge batch`: 60 small books on every core, failures isolated and reported, resumable after a kill,
each output byte for byte what `bookforge build` makes of the same book."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bookforge.batch import local, worker
from bookforge.batch.jobs import jobs_from
from bookforge.batch.run import run_batch
from bookforge.errors import BatchFailedError
from bookforge.names import slugify

from conftest import interruptible, run_cli

BOOKS = 60  # 57 good, 3 broken
PDF_BOOKS = {5, 23, 41, 50}  # the few that also build a PDF (a PDF costs ~1 s, an EPUB ~0.1 s)
FROM_MANIFEST = range(45, 57)  # good books given as a manifest line of manuscripts + title/authors
EXIT_BATCH = BatchFailedError.exit_code

WORDS = ("lamp harbour letter winter orchard violin ferry lantern cellar meadow signal thread "
         "copper station ribbon garden tide bell").split()


def _story(book: int, number: int) -> str:
    """A short story of its own for each book (so no two books are the same bytes)."""
    words = [WORDS[(book * 7 + number * 3 + i) % len(WORDS)] for i in range(40)]
    sentences = [" ".join(words[i:i + 8]).capitalize() + "." for i in range(0, 40, 8)]
    return (f"# The {WORDS[(book + number) % len(WORDS)].title()} of Book {book}\n\n"
            f"{' '.join(sentences[:3])} \"Yes,\" she said -- and went on.\n\n* * *\n\n"
            f"{' '.join(sentences[3:])} It was book {book}, story {number}.\n")


def _make_library(root: Path) -> dict:
    """60 books under root: projects p01… with book.toml, a manifest naming the rest as manuscripts
    with their title and authors, and three broken books (a bad book.toml value, a story book.toml
    lists that is not there, a .docx that is not a Word document)."""
    root.mkdir(parents=True, exist_ok=True)
    loose = root / "loose"
    loose.mkdir()
    projects, lines, manifest_books = [], [], {}
    for book in range(1, 58):
        if book in FROM_MANIFEST:
            files = []
            for number in (1, 2):
                path = loose / f"b{book:02d}-{number}.md"
                path.write_text(_story(book, number), encoding="utf-8")
                files.append(path)
            title, author = f"Loose Leaves {book}", f"Writer {book}"
            line = {"id": f"loose-{book}", "manuscripts": [f"loose/{f.name}" for f in files],
                    "title": title, "authors": [author]}
            if book not in PDF_BOOKS:
                line["formats"] = ["epub"]  # else the formats of a book without book.toml: EPUB and PDF
            lines.append(line)
            manifest_books[f"loose-{book}"] = (files, title, author)
            continue
        folder = root / f"p{book:02d}"
        (folder / "manuscripts").mkdir(parents=True)
        for number in range(1, 2 + book % 3):
            (folder / "manuscripts" / f"{number:02d}-story.md").write_text(_story(book, number), encoding="utf-8")
        formats = '["epub", "pdf"]' if book in PDF_BOOKS else '["epub"]'
        date = f'date = "2024-0{1 + book % 9}-1{book % 10}"\n' if book % 2 else ""  # others: the files' date
        (folder / "book.toml").write_text(
            f'[book]\ntitle = "Book Number {book}"\nauthors = ["Author {book}"]\nlanguage = "en"\n{date}\n'
            f"[build]\nformats = {formats}\n", encoding="utf-8")
        projects.append(folder)
    # Broken in three ways, each its own exit code and message.
    bad = root / "p58"
    (bad / "manuscripts").mkdir(parents=True)
    (bad / "manuscripts" / "a.md").write_text(_story(58, 1), encoding="utf-8")
    (bad / "book.toml").write_text('[book]\ntitle = "Bad Value"\nlanguage = 12\n', encoding="utf-8")
    missing = root / "p59"
    (missing / "manuscripts").mkdir(parents=True)
    (missing / "manuscripts" / "here.md").write_text(_story(59, 1), encoding="utf-8")
    (missing / "book.toml").write_text('[book]\ntitle = "Missing"\n\n[[story]]\nfile = "manuscripts/here.md"\n\n'
                                       '[[story]]\nfile = "manuscripts/not-here.md"\n', encoding="utf-8")
    projects += [bad, missing]
    (loose / "garbage.docx").write_bytes(b"PK\x03\x04 this is not a zip \xff\xfe\x00" * 20)
    lines.append({"id": "garbage", "manuscripts": ["loose/garbage.docx"], "title": "Garbage", "authors": ["Nobody"]})
    manifest = root / "books.jsonl"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return {"root": root, "projects": projects, "manifest": manifest, "loose": manifest_books}


def _batch(library: dict, *args: str, timeout: float = 300):
    names = [p.name for p in library["projects"]]
    return run_cli("batch", *names, "--manifest", library["manifest"].name, *args, cwd=library["root"], timeout=timeout)


def _report(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {row["id"]: row for row in rows}


def _reference(library: dict, into: Path) -> dict[str, dict[str, bytes]]:
    """What `bookforge build` makes of each good book: projects copied (dates and all) into `into`
    and built there; the manifest's books built from the manifest's folder with --title/--author."""
    def project(folder: Path):
        copy = into / folder.name
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("build"))
        result = run_cli("build", str(copy))
        assert result.returncode == 0, result.stderr
        return folder.name, {p.suffix: p.read_bytes() for p in (copy / "build").glob("*.*") if p.is_file()}

    def loose(item):
        book_id, (files, title, author) = item
        formats = () if int(book_id.split("-")[1]) in PDF_BOOKS else ("--to", "epub")
        result = run_cli("build", *(f"loose/{f.name}" for f in files), *formats, "--title", title,
                         "--author", author, cwd=library["root"])
        assert result.returncode == 0, result.stderr
        built = library["root"] / "build"
        return book_id, {p.suffix: p.read_bytes() for p in built.glob(f"{slugify(title)}.*") if p.is_file()}

    good = [p for p in library["projects"] if p.name not in ("p58", "p59")]
    with ThreadPoolExecutor(2) as pool:
        built = dict(pool.map(project, good))
        built.update(pool.map(loose, library["loose"].items()))
    return built


def _outputs(row: dict) -> dict[str, bytes]:
    return {Path(o["path"]).suffix: Path(o["path"]).read_bytes() for o in row["outputs"]}


def _temporary_report(report: Path) -> list[Path]:
    return list(report.parent.glob(f".{report.name}.*.part"))


def _rows_so_far(report: Path) -> int:
    return sum(path.read_bytes().count(b"\n") for path in _temporary_report(report))


def _wait_for_rows(report: Path, process: subprocess.Popen, rows: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while _rows_so_far(report) < rows:
        assert process.poll() is None, "the batch ended before it could be interrupted"
        assert time.monotonic() < deadline, "no rows in the report's temporary file"
        time.sleep(0.05)


def _start_batch(library: dict, *args: str) -> subprocess.Popen:
    names = [p.name for p in library["projects"]]
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.Popen([sys.executable, "-m", "bookforge", "batch", *names, "--manifest", "books.jsonl", *args],
                            cwd=library["root"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,  # its own process group: killed with its workers
                            preexec_fn=interruptible)


@pytest.mark.slow
def test_sixty_books_built_reported_skipped_and_resumed_after_a_kill(tmp_path):
    library = _make_library(tmp_path / "library")
    out, report = tmp_path / "out", tmp_path / "reports" / "first.jsonl"

    started = time.monotonic()
    first = _batch(library, "--out", str(out), "--report", str(report))
    first_seconds = time.monotonic() - started
    assert first.returncode == EXIT_BATCH == 10, first.stderr
    assert "Traceback" not in first.stderr
    assert "57 built, 0 skipped, 3 failed in " in first.stderr
    lines = first.stderr.splitlines()
    assert any(line.startswith("p58: book.toml:3") and line.endswith("(exit 3)") for line in lines), first.stderr
    assert any(line.startswith("p59: book.toml:") and "not-here.md" in line and line.endswith("(exit 4)")
               for line in lines), first.stderr
    assert any(line.startswith("books.jsonl:13: loose/garbage.docx:") and line.endswith("(exit 4)")
               for line in lines), first.stderr

    rows = _report(report)
    assert len(rows) == BOOKS and not _temporary_report(report)
    failed = {book_id: row for book_id, row in rows.items() if row["status"] == "failed"}
    assert {k: (v["exit_code"], v["source"]) for k, v in failed.items()} == {
        "p58": (3, "p58"), "p59": (4, "p59"), "garbage": (4, "books.jsonl:13")}
    assert all(row["message"] for row in failed.values())
    for book_id, row in rows.items():
        assert set(row) >= {"id", "source", "status", "exit_code", "message", "outputs", "seconds", "warnings"}
        assert isinstance(row["warnings"], list) and row["seconds"] >= 0
        if book_id in failed:
            continue
        assert row["status"] == "built" and row["exit_code"] == 0
        number = int(book_id.split("-")[-1].lstrip("p"))
        assert sorted(o["format"] for o in row["outputs"]) == (["epub", "pdf"] if number in PDF_BOOKS else ["epub"])
        for output in row["outputs"]:
            path = Path(output["path"])
            assert path.parent == out / book_id and path.stat().st_size == output["size"]

    # Byte for byte what `bookforge build` makes of the same book.
    reference = _reference(library, tmp_path / "reference")
    assert set(reference) == set(rows) - set(failed)
    for book_id, expected in reference.items():
        assert _outputs(rows[book_id]) == expected, book_id

    # Unchanged books are skipped: the second run builds nothing (the broken ones fail again).
    started = time.monotonic()
    second = _batch(library, "--out", str(out), "--report", str(report))
    second_seconds = time.monotonic() - started
    assert second.returncode == EXIT_BATCH and "0 built, 57 skipped, 3 failed" in second.stderr
    again = _report(report)
    assert sorted(row["status"] for row in again.values()) == ["failed"] * 3 + ["skipped"] * 57
    # The books' own time: a skip (hash the inputs, read the state) is a small part of a build.
    work = {name: sum(row["seconds"] for row in run.values() if row["status"] != "failed")
            for name, run in (("first", rows), ("second", again))}
    print(f"first run {first_seconds:.2f} s, second run {second_seconds:.2f} s "
          f"({second_seconds / first_seconds:.0%}); the books' own seconds {work['first']:.2f} and "
          f"{work['second']:.3f} ({work['second'] / work['first']:.1%})")
    assert work["second"] < 0.1 * work["first"]
    # Loosely, the wall time: a second run is mostly the fixed start (Python, the workers' fork and
    # warm-up: ~0.7 s here), which the first run's 60 small books only outweigh by a few times.
    assert second_seconds < 0.6 * first_seconds

    # Ctrl-C: the rows that finished are in the report, renamed into place; exit 130, no traceback.
    out2, report2 = tmp_path / "out2", tmp_path / "reports" / "killed.jsonl"
    process = _start_batch(library, "--out", str(out2), "--report", str(report2))
    _wait_for_rows(report2, process, 5)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted:" in stderr
    interrupted = _report(report2)
    assert 5 <= len(interrupted) < BOOKS and not _temporary_report(report2)

    # SIGKILL to the batch and its workers mid-book; then the next run finishes the rest.
    process = _start_batch(library, "--out", str(out2), "--report", str(report2))
    _wait_for_rows(report2, process, len(interrupted) + 5)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert _temporary_report(report2)  # what a SIGKILL leaves (removed by the next run)
    last = _batch(library, "--out", str(out2), "--report", str(report2))
    assert last.returncode == EXIT_BATCH, last.stderr
    rows = _report(report2)
    statuses = [row["status"] for row in rows.values()]
    assert statuses.count("failed") == 3 and statuses.count("skipped") >= len(interrupted) - 3
    assert statuses.count("built") + statuses.count("skipped") == 57
    for book_id, expected in reference.items():
        assert _outputs(rows[book_id]) == expected, book_id
    left = [p for p in tmp_path.rglob("*.part")]
    assert not left, left


def test_a_worker_that_dies_is_replaced_and_its_book_built_again(tmp_path, monkeypatch):
    library = tmp_path / "books"
    for name in ("a", "b", "c", "d", "e"):
        (library / name / "manuscripts").mkdir(parents=True)
        (library / name / "manuscripts" / "s.md").write_text(_story(ord(name), 1), encoding="utf-8")
        (library / name / "book.toml").write_text(f'[book]\ntitle = "Book {name}"\n\n[build]\nformats = ["epub"]\n')
    once = tmp_path / "died-once"
    real = worker.build_one

    def dying(job, force=False):  # runs in the forked workers, which inherit this patch
        if job.id == "b" and not once.exists():
            once.touch()
            os._exit(9)  # as a segfault or the OOM killer would: no exception, no goodbye
        if job.id == "d":
            os._exit(9)  # every time: this book fails, alone
        return real(job, force)

    monkeypatch.setattr(worker, "build_one", dying)
    monkeypatch.setattr(local, "_start_method", lambda: "fork")
    outcomes = []
    jobs = jobs_from([library / n for n in "abcde"], None, (), None)
    local.run_local(jobs, workers=2, force=False, on_outcome=outcomes.append)
    status = {o.id: o.status for o in outcomes}
    assert len(outcomes) == 5 and status == {"a": "built", "b": "built", "c": "built", "d": "failed", "e": "built"}
    died = next(o for o in outcomes if o.id == "d")
    assert died.exit_code == 1 and "the worker building it died" in died.message
    assert once.exists()


def test_workers_are_replaced_after_their_share_of_books(tmp_path, monkeypatch):
    """Memory stays flat over a long batch: each worker builds BOOKS_PER_WORKER books, then a fresh
    one takes over (its heap only grows while it lives)."""
    library = tmp_path / "books"
    names = [f"b{n:02d}" for n in range(9)]
    for name in names:
        (library / name / "manuscripts").mkdir(parents=True)
        (library / name / "manuscripts" / "s.md").write_text(_story(len(name) + int(name[1:]), 1), encoding="utf-8")
        (library / name / "book.toml").write_text(f'[book]\ntitle = "Book {name}"\n\n[build]\nformats = ["epub"]\n')
    monkeypatch.setattr(local, "BOOKS_PER_WORKER", 2)
    monkeypatch.setattr(local, "_start_method", lambda: "fork")
    outcomes = []
    local.run_local(jobs_from([library / n for n in names], None, (), None), workers=2, force=False,
                    on_outcome=outcomes.append)
    assert sorted(o.id for o in outcomes) == names and {o.status for o in outcomes} == {"built"}
    # 9 books, 2 workers, 2 books each: three pools of workers (at most 2 × 2 = 4 books a pool).
    assert len({o.worker for o in outcomes}) >= 5


def test_to_and_out_and_the_default_places(tmp_path):
    library = _make_library(tmp_path / "library")
    root = library["root"]
    manifest = root / "two.jsonl"
    manifest.write_text('{"id": "loose-45", "manuscripts": ["loose/b45-1.md"], "title": "T", "authors": ["A"]}\n'
                        '"p05"\n', encoding="utf-8")
    lines = []
    # --to epub on a book whose [build] formats are epub and pdf; --out puts each book in OUT/<id>/.
    status = run_batch([root / "p01"], manifest, ("epub",), tmp_path / "out", workers=1, say=lines.append)
    assert status == 0 and lines[-1].startswith("3 built, 0 skipped, 0 failed in ")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.epub")) == [
        "loose-45/t.epub", "p01/book-number-1.epub", "p05/book-number-5.epub"]
    assert not list((tmp_path / "out").rglob("*.pdf"))
    # Without --out: a project's own build/, a manifest's book of manuscripts build/batch/<id>/ beside it.
    status = run_batch([root / "p01"], manifest, (), None, workers=1)
    assert status == 0
    assert (root / "p01" / "build" / "book-number-1.epub").is_file()
    assert (root / "p05" / "build" / "book-number-5.pdf").is_file()
    assert (root / "build" / "batch" / "loose-45" / "t.epub").is_file()


def test_a_manifest_line_that_is_not_json_fails_alone_with_its_line(tmp_path):
    library = _make_library(tmp_path / "library")
    manifest = library["root"] / "m.jsonl"
    manifest.write_text('"p01"\n{"project": "p02",\n\n"p03"\n', encoding="utf-8")
    errors, report = [], tmp_path / "r.jsonl"
    status = run_batch([], manifest, (), None, workers=1, report=report, error=errors.append)
    assert status == EXIT_BATCH
    assert len(errors) == 1 and errors[0].startswith(f"{manifest}:2: not a JSON line") and errors[0].endswith("(exit 3)")
    assert [row["status"] for row in _report(report).values()] == ["built", "failed", "built"]


def test_usage_errors(tmp_path):
    assert run_cli("batch").returncode == 2
    assert run_cli("batch", str(tmp_path), "--to", "docx").returncode == 2
    assert run_cli("batch", str(tmp_path), "--send-files").returncode == 2
    missing = run_cli("batch", "--manifest", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 3 and "cannot read the manifest" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_folder_without_its_own_book_toml_is_not_taken_for_the_project_above(tmp_path):
    from bookforge.batch.jobs import jobs_from
    from bookforge.batch.worker import build_one

    project = tmp_path / "shelf"
    (project / "manuscripts" / "drafts").mkdir(parents=True)
    (project / "book.toml").write_text('[book]\ntitle = "The Shelf"\n', encoding="utf-8")
    (project / "manuscripts" / "a.txt").write_text("Notes: none.\n\nA story.\n", encoding="utf-8")
    [job] = jobs_from([project / "manuscripts" / "drafts"], None, ("epub",), tmp_path / "out")
    outcome = build_one(job)
    assert (outcome.status, outcome.exit_code) == ("failed", 3)
    assert "no book.toml in this folder" in outcome.message and not (tmp_path / "out").exists()
