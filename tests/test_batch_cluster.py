"""`bookforge batch` on a Dask cluster: shared-file-system and bytes modes, a killed worker, resuming."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from conftest import run_cli

distributed = pytest.importorskip("distributed", reason="the cluster tests need Dask (pip install 'bookforge[cluster]')")

from bookforge.batch.cluster import run_on_cluster  # noqa: E402
from bookforge.batch.jobs import jobs_from  # noqa: E402
from bookforge.batch.transfer import Parcel, pack, unpack  # noqa: E402
from bookforge.batch.worker import STATE_NAME  # noqa: E402
from bookforge.errors import BuildError  # noqa: E402

pytestmark = pytest.mark.slow

WORDS = ("lamp harbour ferry ledger tide lantern orchard quay kettle bridge rope candle gate stair "
         "window letter river storm garden bell").split()
# An odd second and some nanoseconds: a zip's 2-second times would change the build date.
MTIME_NS = 1_615_000_001_123_456_789


def _story(seed: int, paragraphs: int) -> str:
    out = [f"Notes: a story made for the cluster tests, number {seed}.", ""]
    for p in range(paragraphs):
        words = [WORDS[(seed * 7 + p * 3 + i) % len(WORDS)] for i in range(40)]
        out += [" ".join(words).capitalize() + ".", ""]
        if p % 9 == 8:
            out.append("")  # a scene break
    return "\n".join(out)


def _book(folder: Path, number: int, formats: list[str], paragraphs: int = 12, broken: bool = False) -> Path:
    (folder / "manuscripts").mkdir(parents=True)
    stories = ""
    for index in range(1, 3):
        (folder / "manuscripts" / f"{index:02d}.txt").write_text(_story(number * 10 + index, paragraphs),
                                                                 encoding="utf-8")
        stories += f'[[story]]\nfile = "manuscripts/{index:02d}.txt"\ntitle = "Story {index}"\nauthor = "Writer {number}"\n\n'
    styles = folder / "styles"
    styles.mkdir()
    (styles / "extra.css").write_text("p { hyphens: manual; }\n", encoding="utf-8")
    unknown = 'colour = "blue"\n' if broken else ""
    (folder / "book.toml").write_text(
        f'[book]\ntitle = "Cluster Book {number}"\n{unknown}\n[build]\nformats = {json.dumps(formats)}\n\n{stories}',
        encoding="utf-8")
    for path in folder.rglob("*"):
        os.utime(path, ns=(MTIME_NS + number, MTIME_NS + number))
    return folder


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    """Twelve small books: mostly EPUB, two with a PDF too, one whose book.toml is wrong."""
    root = tmp_path_factory.mktemp("books")
    for number in range(1, 13):
        formats = ["epub", "pdf"] if number in (3, 8) else ["epub"]
        _book(root / f"book-{number:02d}", number, formats, broken=number == 5)
    return root


@pytest.fixture(scope="module")
def reference(books, tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """Each good book as `bookforge build` makes it, from a copy with the same files and times."""
    copy = tmp_path_factory.mktemp("reference") / "books"
    shutil.copytree(books, copy)
    built = {}
    for folder in sorted(copy.iterdir()):
        result = run_cli("-q", "build", str(folder))
        if folder.name == "book-05":
            assert result.returncode == 3, result.stderr
            continue
        assert result.returncode == 0, result.stderr
        built[folder.name] = {p.name: p.read_bytes() for p in (folder / "build").iterdir() if p.is_file()}
    return built


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as dask_client:
        yield dask_client
    _stop_dask_threads()


def _stop_dask_threads() -> None:
    """Dask leaves its offload thread running after the cluster closes; bookforge forks its helpers
    only when it is a process's one thread, and the rest of the suite runs in this process. The
    executor is replaced by an idle one (its thread starts only if Dask is used again)."""
    from concurrent.futures import ThreadPoolExecutor

    from distributed import utils

    executor = getattr(utils, "_offload_executor", None)
    if isinstance(executor, ThreadPoolExecutor):
        executor.shutdown(wait=True)
        utils._offload_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="Dask-Offload")


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch):
    # Build dates from the files' times, as `bookforge build` in run_cli makes them.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def _run(jobs, address, **options) -> dict:
    rows = {}
    run_on_cluster(jobs, address, on_outcome=lambda o: rows.__setitem__(o.id, o),
                   **{"force": False, "send_files": False, "max_in_flight": 4, **options})
    return rows


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != STATE_NAME}


def test_shared_file_system_then_bytes_give_bookforge_builds_bytes(books, reference, client, tmp_path):
    jobs = jobs_from(sorted(books.iterdir()), None, (), None)
    rows = _run(jobs, client)
    assert len(rows) == 12
    assert rows["book-05"].status == "failed" and rows["book-05"].exit_code == 3
    assert "colour" in rows["book-05"].message
    for name, expected in reference.items():
        assert rows[name].status == "built", rows[name].message
        assert _outputs(books / name / "build") == expected, name
    pdf_book = {o["format"] for o in rows["book-03"].outputs}
    assert pdf_book == {"epub", "pdf"}
    assert len({row.worker for row in rows.values() if row.status == "built"}) == 2  # both workers had books

    # Bytes: the same books, sent as files, written by this process into another folder.
    out = tmp_path / "out"
    sent_jobs = jobs_from(sorted(books.iterdir()), None, (), out)
    sent = _run(sent_jobs, client.scheduler.address, send_files=True)
    assert sent["book-05"].status == "failed" and sent["book-05"].exit_code == 3
    for name, expected in reference.items():
        assert sent[name].status == "built", sent[name].message
        assert _outputs(out / name) == expected, name
        assert all(Path(o["path"]).parent == out / name for o in sent[name].outputs)
        assert (out / name / STATE_NAME).is_file()
    assert not any(p.name == "build" for p in out.rglob("*"))

    # A second run skips every good book, in both modes; the broken one fails again.
    again = _run(jobs, client)
    assert {n: r.status for n, r in again.items() if n != "book-05"} == dict.fromkeys(reference, "skipped")
    assert again["book-05"].status == "failed"
    again_sent = _run(sent_jobs, client, send_files=True)
    assert {n: r.status for n, r in again_sent.items() if n != "book-05"} == dict.fromkeys(reference, "skipped")

    # An edited manuscript is sent and built again; force builds every book.
    story = books / "book-07" / "manuscripts" / "01.txt"
    story.write_text(story.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    edited = _run(sent_jobs, client, send_files=True)
    assert edited["book-07"].status == "built"
    assert sum(r.status == "skipped" for r in edited.values()) == 10
    forced = _run(sent_jobs[:3], client, send_files=True, force=True)
    assert [r.status for r in forced.values()] == ["built"] * 3


def test_a_killed_worker_costs_no_book(client, tmp_path):
    root = tmp_path / "books"
    # One slow book (a PDF of some length) among quick ones, with one book in flight per worker so
    # that the slow one is certainly running when its worker is killed.
    _book(root / "slow", 99, ["epub", "pdf"], paragraphs=260)
    for number in range(1, 7):
        _book(root / f"quick-{number}", number, ["epub"])
    jobs = jobs_from(sorted(root.iterdir()), None, (), None)
    killed = []

    def kill_the_slow_books_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for worker, keys in client.processing().items():
                if any(str(key).startswith("bookforge-slow-") for key in keys):
                    time.sleep(0.5)  # well inside the build
                    pid = client.run(os.getpid, workers=[worker])[worker]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_the_slow_books_worker, daemon=True)
    killer.start()
    rows = _run(jobs, client, max_in_flight=2)
    killer.join()
    assert killed, "the slow book was never seen running"
    assert {r.status for r in rows.values()} == {"built"}, {r.id: r.message for r in rows.values()}
    assert len(rows) == 7
    assert str(killed[0]) not in rows["slow"].worker  # built again by a live worker
    assert (root / "slow" / "build" / "cluster-book-99.pdf").stat().st_size > 0
    client.wait_for_workers(2, timeout=60)  # the nanny's restarted worker, for the tests after this


def test_manuscripts_with_pictures_and_outside_files_are_sent(client, tmp_path):
    import zipfile

    from PIL import Image

    archive = tmp_path / "archive"
    (archive / "texts" / "pics").mkdir(parents=True)
    Image.new("RGB", (40, 30), (200, 100, 50)).save(archive / "texts" / "pics" / "dot.png")
    (archive / "texts" / "one.md").write_text("# One\n\nA lamp.\n\n![A dot](pics/dot.png)\n\nThe end.\n",
                                              encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "two.txt").write_text("Two\n\nThe ferry came at dawn.\n", encoding="utf-8")
    for path in [*archive.rglob("*"), elsewhere / "two.txt"]:
        os.utime(path, ns=(MTIME_NS, MTIME_NS))
    manifest = archive / "books.jsonl"
    manifest.write_text(json.dumps({"id": "pictured", "manuscripts": ["texts/one.md", str(elsewhere / "two.txt")],
                                    "title": "Pictured", "authors": ["A. Writer"], "formats": ["epub"]}) + "\n",
                        encoding="utf-8")
    shared = _run(jobs_from([], manifest, (), tmp_path / "shared"), client)
    sent = _run(jobs_from([], manifest, (), tmp_path / "sent"), client, send_files=True)
    assert shared["pictured"].status == sent["pictured"].status == "built", sent["pictured"].message
    assert not [w for w in sent["pictured"].warnings if "M005" in w]  # the picture was there to be read
    assert _outputs(tmp_path / "sent" / "pictured") == _outputs(tmp_path / "shared" / "pictured")
    with zipfile.ZipFile(Path(sent["pictured"].outputs[0]["path"])) as epub:
        assert any(name.endswith(".png") for name in epub.namelist())


def test_archive_members_that_leave_the_folder_are_refused(tmp_path):
    import io
    import zipfile

    for name in ("../escape.txt", "/etc/escape.txt", "a/../../escape.txt", "C:/escape.txt", "a\\..\\b"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("book.toml", "")
            archive.writestr(name, "out")
        with pytest.raises(BuildError, match="leads outside"):
            unpack(Parcel(buffer.getvalue(), {}), tmp_path / "dest")
        assert not (tmp_path / "dest").exists()  # nothing written, not even the good member
        assert not (tmp_path / "escape.txt").exists()
    good = tmp_path / "good.txt"
    good.write_text("hello")
    os.utime(good, ns=(MTIME_NS, MTIME_NS))
    unpack(pack([(good, "x/good.txt")]), tmp_path / "ok")
    assert (tmp_path / "ok" / "x" / "good.txt").stat().st_mtime_ns == MTIME_NS


def test_a_refused_archive_is_a_failed_row_not_a_crash(client, tmp_path):
    import io
    import zipfile

    from bookforge.batch.cluster import build_sent
    from bookforge.batch.jobs import BookJob

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../evil", "x")
    job = BookJob(id="evil", source="evil", project=Path("."))
    outcome, files = client.submit(build_sent, job, Parcel(buffer.getvalue(), {}), None, pure=False).result()
    assert (outcome.status, outcome.exit_code, files) == ("failed", 6, [])
    assert "leads outside" in outcome.message


def test_an_address_with_no_scheduler_is_one_line(monkeypatch):
    from bookforge.batch import cluster
    from bookforge.batch.cluster import SchedulerError

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "1s")

    with pytest.raises(SchedulerError, match="no Dask scheduler answered"):
        _run([], "tcp://127.0.0.1:9")
    with pytest.raises(SchedulerError, match="not a scheduler's address"):
        _run([], "nowhere")


def test_the_command_line_with_a_scheduler(books, reference, client, tmp_path):
    good = [str(books / name) for name in sorted(reference)[:3]]
    out = tmp_path / "cli"
    result = run_cli("batch", *good, str(books / "book-05"), "--scheduler", client.scheduler.address,
                     "--send-files", "--out", str(out), "--report", str(tmp_path / "report.jsonl"))
    assert result.returncode == 10, result.stderr  # one book failed, the rest were built
    assert "Traceback" not in result.stderr
    assert "book-05" in result.stderr and "(exit 3)" in result.stderr
    for name in sorted(reference)[:3]:
        assert _outputs(out / name) == reference[name]
    rows = [json.loads(line) for line in (tmp_path / "report.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(r["status"] for r in rows) == ["built", "built", "built", "failed"]
    missing = run_cli("batch", good[0], "--scheduler", "tcp://127.0.0.1:9", timeout=60)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "no Dask scheduler answered" in missing.stderr



def test_the_sixty_book_batch_on_the_cluster_gives_the_same_bytes(client, tmp_path):
    """The local pool's 60-book batch (tests/test_batch.py) on the LocalCluster, from the command
    line: the same 57 books built, byte for byte as `bookforge build` makes them, and the same 3
    failures with their exit codes."""
    import test_batch

    library = test_batch._make_library(tmp_path / "library")
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    result = test_batch._batch(library, "--scheduler", client.scheduler.address, "--out", str(out),
                               "--report", str(report))
    assert result.returncode == test_batch.EXIT_BATCH, result.stderr
    assert "57 built, 0 skipped, 3 failed" in result.stderr and "Traceback" not in result.stderr
    rows = test_batch._report(report)
    failed = {book_id: row["exit_code"] for book_id, row in rows.items() if row["status"] == "failed"}
    assert failed == {"p58": 3, "p59": 4, "garbage": 4}
    reference = test_batch._reference(library, tmp_path / "reference")
    assert set(reference) == set(rows) - set(failed)
    for book_id, expected in reference.items():
        assert test_batch._outputs(rows[book_id]) == expected, book_id
