"""Bad input, one test per row of the table: the message, the exit code, earlier outputs untouched."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import run_cli
from epubfacts import NS, Epub

from bookforge.errors import BuildError, ManuscriptError

BOOK = '[book]\ntitle = "Robust"\ndate = "2026-03-03"\n'


def make(tmp_path: Path, files: dict[str, bytes | str], toml: str = BOOK) -> Path:
    folder = tmp_path / "book"
    (folder / "manuscripts").mkdir(parents=True)
    (folder / "book.toml").write_text(toml)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


def one_line_error(result, code: int, *fragments: str) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    # Warnings (with their hints) may come first; the error is one line plus at most a hint.
    errors = [n for n, line in enumerate(lines) if "error" in line.split(":", 3)[-2:][0] or ": error:" in line]
    assert len(errors) == 1, result.stderr
    lines = lines[errors[0]:]
    assert 1 <= len(lines) <= 2 and (len(lines) == 1 or lines[1].startswith("  hint:")), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


class Previous:
    """A build folder holding earlier outputs; a failed build must leave them exactly as they were."""

    def __init__(self, folder: Path):
        self.build = folder / "build"
        self.build.mkdir(exist_ok=True)
        self.files = {"robust.epub": b"PK previous epub", "robust.pdf": b"%PDF previous pdf"}
        for name, data in self.files.items():
            (self.build / name).write_bytes(data)

    def untouched(self) -> None:
        found = {p.name: p.read_bytes() for p in self.build.iterdir() if p.is_file()}
        assert found == self.files, f"build/ changed: {sorted(found)}"


def run_patched(folder: Path, patch: str, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI in a child with `patch` applied first: for failures the OS will not make for root."""
    program = f"import sys\n{patch}\nfrom bookforge.cli import main\nsys.argv = ['bookforge', *sys.argv[1:]]\nmain()\n"
    return subprocess.run([sys.executable, "-c", program, *args], cwd=folder, capture_output=True, text=True,
                          timeout=300)


def all_documents_parse(epub_path: Path) -> Epub:
    epub = Epub(epub_path)
    for _ in epub.documents():  # each parse is the check
        pass
    return epub


# --- encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, code",
    [
        ("cp1252.txt", "“Caf\u00e9,” she said\u2026".encode("cp1252"), "M001"),
        ("latin1.txt", "Fa\u00e7ade, na\u00efve, \u00e0 la carte: \u00bfs\u00ed?".encode("latin-1"), "M001"),
        ("utf16.txt", "Title: \u00dcbung\n\n“Text.”".encode("utf-16"), "M008"),
    ],
)
def test_other_encodings_are_decoded_with_a_warning(tmp_path, name, data, code):
    folder = make(tmp_path, {f"manuscripts/{name}": data})
    result = run_cli("epub", cwd=folder)
    assert result.returncode == 0, result.stderr
    where = f"manuscripts/{name}" + ("" if code == "M008" else ":1")  # UTF-16 is a whole-file matter
    assert f"{where}: warning[{code}]" in result.stderr
    text = all_documents_parse(folder / "build" / "robust.epub").text()
    assert "Café" in text or "Façade" in text or "Übung" in text


def test_undecodable_bytes_name_the_file_and_offset(tmp_path):
    folder = make(tmp_path, {"manuscripts/bad.txt": b"Fine.\n\nThen \x81 and \x8d."})
    previous = Previous(folder)
    one_line_error(run_cli("epub", cwd=folder), 4, "manuscripts/bad.txt:3", "byte 0x81 at offset 12")
    previous.untouched()


# --- junk characters ------------------------------------------------------------------------------


def test_nul_and_control_characters_are_removed_with_a_warning(tmp_path):
    folder = make(tmp_path, {"manuscripts/junk.txt": b"Clean line.\n\nA \x00NUL, a bell\x07 and an escape\x1b[0m.\n"})
    result = run_cli("epub", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "manuscripts/junk.txt:3: warning[M002]" in result.stderr
    text = all_documents_parse(folder / "build" / "robust.epub").text()
    assert "A NUL, a bell and an escape[0m." in text


@pytest.mark.parametrize("data", [
    b"Before \xed\xa0\x80 after.\n",  # UTF-8 with an encoded lone surrogate
    b"\xff\xfe" + "Before ".encode("utf-16-le") + b"\x00\xd8"
    + " after.\n".encode("utf-16-le"),  # UTF-16 with a lone high surrogate
])
def test_lone_surrogates_are_removed_with_a_warning(tmp_path, data):
    folder = make(tmp_path, {"manuscripts/s.txt": data})
    result = run_cli("epub", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "manuscripts/s.txt:1: warning[M002]: control characters or lone surrogates removed" in result.stderr
    # The two spaces left around the removed character are one, as runs of spaces between words are.
    assert "Before after." in all_documents_parse(folder / "build" / "robust.epub").text()


# --- empty files ----------------------------------------------------------------------------------


def test_empty_header_only_and_blank_files_warn_and_build(tmp_path):
    folder = make(tmp_path, {
        "manuscripts/1-empty.txt": b"",
        "manuscripts/2-header-only.txt": b"Title: Only a Title\nNotes: Nothing else.\n",
        "manuscripts/3-blank.txt": b"\n\n\n   \n\n",
        "manuscripts/4-real.txt": b"Some real text.\n",
    })
    result = run_cli("build", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("warning[M003]") == 3
    epub = all_documents_parse(folder / "build" / "robust.epub")
    assert epub.nav().xpath("count(//x:nav[@epub:type='toc']//x:li)", namespaces=NS) == 4
    assert (folder / "build" / "robust.pdf").stat().st_size > 1000


# --- size: linear, bounded --------------------------------------------------------------------------


def test_a_200000_character_paragraph_costs_linear_time(tmp_path):
    from bookforge.diagnostics import Diagnostics
    from bookforge.readers.txt import read_txt
    from bookforge.transforms.typography import QuoteStyle, educate_story

    def cost(repeats: int) -> float:
        # Unmatched *openers, quotes and apostrophes: the inputs that make naive parsers quadratic.
        text = ("*word 'quote \"said --- ... _under " * repeats)[: repeats * 36]
        started = time.process_time()
        story = read_txt(text, "p.txt", Diagnostics())
        educate_story(story, QuoteStyle())
        return time.process_time() - started

    small, large = cost(1_400), cost(5_600)  # 50,000 and 200,000 characters
    assert large < 8 * small + 0.5, f"4x the text took {large / max(small, 1e-9):.1f}x the time"


@pytest.mark.slow
def test_a_50_mb_manuscript_builds_with_bounded_memory(tmp_path):
    paragraph = ("The lamp turned, and the tide came in over the stones as it always had. " * 6 + "\n\n")
    data = (paragraph * (50_000_000 // len(paragraph))).encode()
    folder = make(tmp_path, {"manuscripts/huge.txt": data})
    command = [sys.executable, "-c", (
        "import resource, sys; from bookforge.cli import main; sys.argv = ['bookforge', '-q', 'epub']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, code, file=sys.stderr)"
    )]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=600)
    peak_kb, code = result.stderr.split()[-2:]
    assert code in ("0", "None"), result.stderr
    assert int(peak_kb) < 3_000_000, f"{int(peak_kb) // 1024} MB for a 50 MB manuscript"
    import zipfile

    with zipfile.ZipFile(folder / "build" / "robust.epub") as epub:
        text_bytes = sum(i.file_size for i in epub.infolist() if i.filename.endswith(".xhtml"))
    assert text_bytes > len(data), "every paragraph is in the book"


# --- broken files ---------------------------------------------------------------------------------


def test_broken_yaml_front_matter_names_line_and_column(tmp_path):
    folder = make(tmp_path, {"manuscripts/a.md": "---\ntitle: Fine\nauthor: [Unclosed\n---\nText.\n"})
    previous = Previous(folder)
    line = one_line_error(run_cli("epub", cwd=folder), 4, "manuscripts/a.md:", "YAML front matter")
    assert line.split(":")[2].isdigit(), "file:line:column"
    previous.untouched()


def test_broken_book_toml_names_line_and_column(tmp_path):
    folder = make(tmp_path, {"manuscripts/a.txt": "Text."}, toml='[book]\ntitle = "Open\n')
    previous = Previous(folder)
    one_line_error(run_cli("epub", cwd=folder), 3, "book.toml:2:", "not valid TOML")
    previous.untouched()


def test_wrong_value_type_names_line_column_and_what_was_expected(tmp_path):
    folder = make(tmp_path, {"manuscripts/a.txt": "Text."}, toml=BOOK + "typography = 1\n")
    previous = Previous(folder)
    one_line_error(run_cli("epub", cwd=folder), 3, "book.toml:4:14", "typography must be true or false, not the number 1")
    previous.untouched()


# --- paths ------------------------------------------------------------------------------------------


def test_a_missing_manuscript_names_it(tmp_path):
    folder = make(tmp_path, {"manuscripts/a.txt": "Text."}, toml=BOOK + '[[story]]\nfile = "manuscripts/gone.txt"\n')
    previous = Previous(folder)
    one_line_error(run_cli("epub", cwd=folder), 4, "book.toml:5", "manuscripts/gone.txt")
    previous.untouched()


def test_a_folder_where_a_manuscript_should_be(tmp_path):
    # A folder of chapters is a story; a folder with no manuscript in it is an error naming it.
    folder = make(tmp_path, {"manuscripts/dir/notes.odt": "x"}, toml=BOOK + '[[story]]\nfile = "manuscripts/dir"\n')
    previous = Previous(folder)
    one_line_error(run_cli("epub", cwd=folder), 4, "book.toml:5", "manuscripts/dir is a folder with no manuscripts")
    previous.untouched()


def test_an_unreadable_manuscript_names_it(tmp_path):
    folder = make(tmp_path, {"manuscripts/locked.txt": "secret"})
    previous = Previous(folder)
    path = folder / "manuscripts" / "locked.txt"
    if os.geteuid() != 0:  # a real permission problem when the OS can deny us
        path.chmod(0)
        result = run_cli("epub", cwd=folder)
    else:  # root reads anything: have the OS deny this one file, as it would for anyone else
        result = run_patched(folder, (
            "from pathlib import Path\n"
            "real = Path.read_bytes\n"
            "def denied(self):\n"
            "    if self.name == 'locked.txt': raise PermissionError(13, 'Permission denied')\n"
            "    return real(self)\n"
            "Path.read_bytes = denied"
        ), "epub")
    one_line_error(result, 4, "manuscripts/locked.txt", "permission denied")
    previous.untouched()


def test_two_stories_with_the_same_title_are_both_kept(tmp_path):
    folder = make(tmp_path, {"manuscripts/a.txt": "Title: Twins\n\nOne.", "manuscripts/b.txt": "Title: Twins\n\nTwo."})
    assert run_cli("-q", "epub", cwd=folder).returncode == 0
    epub = all_documents_parse(folder / "build" / "robust.epub")
    spine = epub.spine_hrefs()
    assert "text/twins.xhtml" in spine and "text/twins-2.xhtml" in spine
    assert "One." in epub.text() and "Two." in epub.text()


@pytest.mark.parametrize("entry", ['[[story]]\nfile = "../../etc/passwd"\n', 'cover = "../outside.png"\n'])
def test_paths_that_leave_the_project_are_refused(tmp_path, entry):
    (tmp_path / "outside.png").write_bytes(b"\x89PNG")
    toml = BOOK + entry if entry.startswith("[[") else BOOK.replace("[book]\n", f"[book]\n{entry}")
    folder = make(tmp_path, {"manuscripts/a.txt": "Text."}, toml=toml)
    previous = Previous(folder)
    one_line_error(run_cli("epub", cwd=folder), 3, "book.toml", "points outside the project")
    previous.untouched()


def test_a_symlink_out_of_the_project_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Not part of the book.")
    folder = make(tmp_path, {"manuscripts/a.txt": "Text."})
    (folder / "manuscripts" / "b.txt").symlink_to(secret)
    previous = Previous(folder)
    one_line_error(run_cli("epub", cwd=folder), 3, "manuscripts/b.txt", "points outside the project")
    previous.untouched()


# --- hostile content ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, text", [
    ("a.txt", 'Hello <script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3))'),
    ("b.md", 'Hello <script>alert(1)</script>\n\n<a href="javascript:alert(2)" onclick="x()">x</a>\n\n'
             '[link](javascript:alert(3)) ![i](javascript:alert(4))'),
])
def test_hostile_markup_is_text_never_markup(tmp_path, name, text):
    folder = make(tmp_path, {f"manuscripts/{name}": text})
    assert run_cli("-q", "epub", cwd=folder).returncode == 0
    epub = all_documents_parse(folder / "build" / "robust.epub")
    for _, root in epub.documents():
        assert not root.xpath("//x:script | //x:iframe | //@*[starts-with(name(), 'on')]", namespaces=NS)
        assert not [h for h in root.xpath("//@href | //@src") if h.lower().startswith("javascript")]
    assert "<script>alert(1)</script>" in epub.text()


def test_stylesheet_urls_on_the_network_or_outside_are_neither_fetched_nor_packaged(tmp_path):
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    folder = make(tmp_path, {"manuscripts/a.txt": "Text.", "styles/paper.png": b"\x89PNG\r\n\x1a\n"})
    (folder / "styles" / "custom.css").write_text(
        f'body {{ background: url("http://127.0.0.1:{server.server_port}/remote.png"); }}\n'
        'h2 { background-image: url(../../outside.png); }\n'
        '.titlepage { background: url(paper.png) no-repeat; }\n'
    )
    try:
        result = run_cli("build", cwd=folder)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert requests == []
    assert result.stderr.count("warning[T001]") >= 2
    epub = Epub(folder / "build" / "robust.epub")
    css = epub.read("css/style.css").decode()
    assert "127.0.0.1" not in css and "outside.png" not in css
    assert 'url("assets/paper.png")' in css and "EPUB/css/assets/paper.png" in epub.names()


def test_images_on_the_network_or_outside_are_neither_fetched_nor_packaged(tmp_path):
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    url = f"http://127.0.0.1:{server.server_port}/pic.png"
    folder = make(tmp_path, {"manuscripts/a.md": f"Text.\n\n![remote]({url})\n\n![outside](../../secret.png)\n",
                             "manuscripts/b.txt": f'Plain text with <img src="{url}"> in it.'})
    try:
        result = run_cli("build", cwd=folder, timeout=300)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert requests == [], "nothing was fetched"
    assert "manuscripts/a.md:3: warning[M005]" in result.stderr
    assert "manuscripts/a.md:5: warning[M005]" in result.stderr
    epub = all_documents_parse(folder / "build" / "robust.epub")
    assert not [n for n in epub.names() if n.endswith(".png")]
    assert "secret" not in (folder / "build" / "robust.pdf").read_bytes().decode("latin-1")


# --- writing --------------------------------------------------------------------------------------------


def test_an_unwritable_build_folder_is_an_error_and_the_old_file_stays(tmp_path):
    folder = make(tmp_path, {"manuscripts/a.txt": "Text."})
    assert run_cli("-q", "epub", cwd=folder).returncode == 0
    output = folder / "build" / "robust.epub"
    before = output.read_bytes()
    (folder / "manuscripts" / "a.txt").write_text("Changed.")
    if os.geteuid() != 0:
        (folder / "build").chmod(0o555)
        try:
            result = run_cli("epub", cwd=folder)
        finally:
            (folder / "build").chmod(0o755)
    else:  # root may write anywhere: have the OS refuse, as it would anyone else
        result = run_patched(folder, (
            "import bookforge.output as output\n"
            "def refuse(*a, **k): raise PermissionError(13, 'Permission denied')\n"
            "output._create_temporary = refuse"
        ), "epub")
    one_line_error(result, 6, "cannot write build/robust.epub", "permission denied")
    assert output.read_bytes() == before
    assert [p.name for p in output.parent.iterdir() if p.name != ".cache"] == ["robust.epub"]


@pytest.mark.parametrize("command, name", [("epub", "robust.epub"), ("pdf", "robust.pdf")])
def test_a_full_disk_is_an_error_and_the_old_file_stays(tmp_path, command, name):
    folder = make(tmp_path, {"manuscripts/a.txt": "Text."})
    assert run_cli("-q", command, cwd=folder, timeout=300).returncode == 0
    output = folder / "build" / name
    before = output.read_bytes()
    (folder / "manuscripts" / "a.txt").write_text("Changed, and longer than it was.")
    # The disk fills up while the new file is being written: the last flush fails with ENOSPC.
    result = run_patched(folder, (
        "import errno, os\n"
        "def full(fd): raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "os.fsync = full"
    ), command, *(["--no-cache"] if command == "pdf" else []))
    line = one_line_error(result, 6, f"cannot write build/{name}", "the disk is full")
    assert "Traceback" not in result.stderr and line
    assert output.read_bytes() == before
    assert not [p for p in output.parent.iterdir() if p.name.endswith(".part")], "no temporary file left"


@pytest.mark.slow
def test_a_build_killed_midway_leaves_the_previous_epub_whole(tmp_path):
    paragraph = "The lamp turned, and the tide came in over the stones, as it always had. " * 5 + "\n\n"
    folder = make(tmp_path, {"manuscripts/long.txt": paragraph * 60_000})  # 25 MB: seconds to build
    previous = Previous(folder)
    process = subprocess.Popen([sys.executable, "-m", "bookforge", "-q", "epub"], cwd=folder,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(1.0)
    assert process.poll() is None, "the build finished before it could be killed; make the book longer"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for name, data in previous.files.items():
        assert (previous.build / name).read_bytes() == data, f"{name} is whole"
    # What the killed build was writing is a hidden temporary file; the next build removes it.
    left = [p.name for p in previous.build.iterdir() if p.name not in previous.files and p.name != ".cache"]
    assert all(n.startswith(".robust.epub.") and n.endswith(".part") for n in left), left
    (folder / "manuscripts" / "long.txt").write_text("Short now.")
    assert run_cli("-q", "epub", cwd=folder).returncode == 0
    assert sorted(p.name for p in previous.build.iterdir() if p.name != ".cache") == ["robust.epub", "robust.pdf"]


@pytest.mark.slow
def test_a_build_killed_midway_leaves_the_previous_pdf_whole(tmp_path):
    stories = {
        f"manuscripts/{n:02d}.txt": ("Notes: Kill me.\n\n" + ("The quiet harbour kept its lamps lit. " * 12 + "\n\n") * 60)
        for n in range(1, 7)
    }
    folder = make(tmp_path, stories)
    assert run_cli("-q", "pdf", cwd=folder, timeout=600).returncode == 0
    output = folder / "build" / "robust.pdf"
    before = output.read_bytes()
    for path in (folder / "manuscripts").iterdir():
        path.write_text(path.read_text().replace("quiet", "silent"))
    process = subprocess.Popen([sys.executable, "-m", "bookforge", "-q", "pdf", "--no-cache"], cwd=folder,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(1.5)  # well into the layout
    assert process.poll() is None, "the build finished before it could be killed; make the book longer"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert output.read_bytes() == before, "the previous PDF is whole"
    names = [p.name for p in output.parent.iterdir() if p.is_file()]
    assert [n for n in names if n.endswith(".pdf")] == ["robust.pdf"], names


# --- bugs ----------------------------------------------------------------------------------------------


def test_a_bug_prints_one_line_and_asks_for_a_report(tmp_path):
    folder = make(tmp_path, {"manuscripts/a.txt": "Text."})
    program = (
        "import sys, bookforge.pipeline as p\n"
        "def broken(*a, **k): raise ZeroDivisionError('simulated bug')\n"
        "p.load_book = broken\n"
        "from bookforge.cli import main\n"
        "sys.argv = ['bookforge'] + sys.argv[1:]\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", program, "epub"], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "internal error: ZeroDivisionError: simulated bug" in result.stderr and "please report" in result.stderr
    verbose = subprocess.run([sys.executable, "-c", program, "--traceback", "epub"], cwd=folder,
                             capture_output=True, text=True)
    assert "Traceback" in verbose.stderr and "ZeroDivisionError" in verbose.stderr
