"""`bookforge serve` over real HTTP: traversal, foreign Host and cross-site requests refused with
nothing outside the project read, its headers, and the command's own behaviour (no extra, --host,
Ctrl-C)."""

from __future__ import annotations

import http.client
import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import build, interruptible
from PIL import Image

pytest.importorskip("starlette", reason="the serve extra is not installed (pip install -e '.[serve]')")

from bookforge.backends import BuildOptions
from bookforge.diagnostics import Diagnostics
from bookforge.serve.pages import PIXELS_PER_POINT, PrintPages
from bookforge.serve.paths import book_member
from bookforge.serve.run import listen, serve
from bookforge.serve.security import host_name

SECRET = "the unpublished sequel: nobody may read this"


@pytest.fixture
def running(project, tmp_path):
    """The preview of a copy of seeds_shape, served by the real server on a free port, with a
    secret file beside the project (outside it) and symlinks in the project pointing at it."""
    folder = project("seeds_shape")
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(SECRET)
    (folder / "manuscripts" / "leak.txt").symlink_to(secret)
    lines: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(
        target=serve,
        daemon=True,
        args=(listen("127.0.0.1", 0), [folder], ["epub"], BuildOptions()),
        kwargs={
            "host": "127.0.0.1",
            "open_browser": False,
            "epubcheck": False,
            "say": lines.put,
            "report_error": lambda error: lines.put(str(error)),
            "make_diagnostics": Diagnostics,
            "stop": stop,
        },
    )
    thread.start()
    url = _wait(lines, "previewing at").split()[2]
    _wait(lines, "built")
    (folder / "build" / "leak.txt").symlink_to(secret)
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    yield folder, outside, port
    stop.set()
    thread.join(timeout=10)


def test_a_book_toml_broken_from_the_start_is_shown_until_fixed(project):
    folder = project("seeds_shape")
    toml = folder / "book.toml"
    good = toml.read_text()
    toml.write_text(good.replace("[book]\n", '[book]\nlangauge = "en"\n'))
    lines: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    options = {
        "host": "127.0.0.1",
        "open_browser": False,
        "epubcheck": False,
        "say": lines.put,
        "report_error": lambda error: lines.put(f"error {error}"),
        "make_diagnostics": Diagnostics,
        "stop": stop,
    }
    thread = threading.Thread(
        target=serve, args=(sock, [folder], ["epub"], BuildOptions()), kwargs=options, daemon=True
    )
    thread.start()
    try:
        assert "unknown key 'langauge'" in _wait(lines, "error")
        _wait(lines, "nothing to preview yet")
        _wait(lines, "watching")
        _, _, body = get(port, "/api/state")
        assert b'"book":null' in body and b"langauge" in body
        toml.write_text(good)
        _wait(lines, "rebuilt")
        _, _, body = get(port, "/api/state")
        assert b'"error":null' in body and b"Seeds Shape" in body
    finally:
        stop.set()
        thread.join(timeout=10)


def _wait(lines: queue.Queue[str], prefix: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = lines.get(timeout=deadline - time.monotonic())
        if line.startswith(prefix):
            return line
    raise AssertionError(f"no line starting {prefix!r}")


def get(port: int, path: str, headers: dict | None = None, read: bool = True) -> tuple[int, dict, bytes]:
    """A request with the path sent exactly as written (no client-side normalising of `..`)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    for name, value in {"Host": f"127.0.0.1:{port}", **(headers or {})}.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read() if read else b""
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_the_preview_serves_its_page_and_the_books_own_documents(running):
    _, _, port = running
    status, headers, body = get(port, "/")
    assert status == 200 and b"/static/preview.js" in body
    policy = headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    status, headers, body = get(port, "/book/EPUB/text/the-long-way-round.xhtml")
    assert status == 200 and "The Long Way Round" in body.decode()
    assert headers["content-type"].startswith("application/xhtml+xml")
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "script-src" not in headers["content-security-policy"], "no script at all in the book's documents"
    assert headers["x-content-type-options"] == "nosniff"
    folder = running[0]
    with zipfile.ZipFile(next((folder / "build").glob("*.epub"))) as epub:
        for name in ("EPUB/text/night-window.xhtml", "EPUB/css/style.css", "EPUB/images/cover.jpg"):
            assert get(port, f"/book/{name}")[2] == epub.read(name), "exactly what is in the EPUB"


TRAVERSALS = [
    "/book/../../outside/secret.txt",
    "/book/EPUB/../../../outside/secret.txt",
    "/book/%2e%2e/%2e%2e/outside/secret.txt",
    "/book/EPUB/%2E%2E/%2E%2E/%2E%2E/outside/secret.txt",
    "/book/%252e%252e/%252e%252e/outside/secret.txt",
    "/book/..%2f..%2f..%2foutside%2fsecret.txt",
    "/book/..%5c..%5coutside%5csecret.txt",
    "/book//etc/passwd",
    "/book/%2Fetc%2Fpasswd",
    "/static/../../../../outside/secret.txt",
    "/static/%2e%2e/%2e%2e/%2e%2e/outside/secret.txt",
    "/static/..%2f..%2fapp.py",
    "/../outside/secret.txt",
    "/book/manuscripts/leak.txt",
    "/book/build/leak.txt",
    "/book/leak.txt",
    "/manuscripts/leak.txt",
    "/build/leak.txt",
    "/pages/../../outside/secret.txt",
    "/pages/0123456789abcdef0123.png",
]


def test_traversal_plain_encoded_double_encoded_and_symlinks_get_404_and_nothing_outside_is_read(running):
    _, outside, port = running
    for path in TRAVERSALS[:3]:  # every route warmed up: the imports a first request makes are done
        get(port, path)
    opened: list[str] = []
    listening = True

    def record(event: str, args: tuple) -> None:
        if listening and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            opened.append(os.fsdecode(args[0]))

    sys.addaudithook(record)  # sees every file any thread of this process opens
    try:
        for path in TRAVERSALS + [f"/book/{outside / 'secret.txt'}", f"/book{outside / 'secret.txt'}"]:
            status, _, body = get(port, path)
            assert status == 404, (path, status)
            assert SECRET.encode() not in body, path
    finally:
        listening = False
    leaked = [path for path in opened if Path(path).resolve().is_relative_to(outside.resolve())]
    assert not leaked, f"read outside the project: {leaked}"


def test_a_foreign_host_is_refused(running):
    _, _, port = running
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}", f"localhost.evil:{port}"):
        status, _, body = get(port, "/api/state", {"Host": host})
        assert status == 421, host
        assert b"Seeds Shape" not in body
    assert get(port, "/api/state", {"Host": f"localhost:{port}"})[0] == 200


def test_a_cross_origin_event_stream_is_refused(running):
    _, _, port = running
    for origin in ("http://evil.example", f"http://evil.example:{port}", "null", f"https://127.0.0.1:{port}"):
        status, _, _ = get(port, "/events", {"Origin": origin})
        assert status == 403, origin
    status, headers, _ = get(port, "/events", {"Origin": f"http://127.0.0.1:{port}"}, read=False)
    assert status == 200 and headers["content-type"].startswith("text/event-stream")


@pytest.mark.parametrize(
    "requested",
    ["..", "EPUB/../x", "/EPUB/text/a.xhtml", "EPUB//a", "%2e%2e/x", "EPUB\\..\\x", "EPUB/./a", "", "a\0b", "C:/x"],
)
def test_book_member_names_nothing_for_a_trick(requested):
    members = {"EPUB/text/a.xhtml", "EPUB/../x", "..", "%2e%2e/x", "EPUB/./a", "EPUB//a"}
    assert book_member(requested, members) is None
    assert book_member("EPUB/text/a.xhtml", members) == "EPUB/text/a.xhtml"


def test_host_name_drops_the_port():
    assert host_name("127.0.0.1:8000") == "127.0.0.1"
    assert host_name("[::1]:8000") == "[::1]"
    assert host_name("localhost") == "localhost"
    assert host_name("LocalHost:80") == "localhost"


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:8716@evil", "127.0.0.1:80a", "127.0.0.1:", "127.0.0.1: 80", "a:b:c", "[::1]x", "[::1]:x",
     "[::1", "::1", "evil@127.0.0.1", "127.0.0.1/x", "127.0.0.1:80:80", "", " localhost"],
)  # fmt: skip
def test_a_host_that_is_not_name_and_port_is_no_host(host):
    assert host_name(host) is None


def test_a_tricky_host_or_another_machines_address_is_refused_on_loopback(running):
    _, _, port = running
    for host in (f"127.0.0.1:{port}@evil.example", f"127.0.0.1:{port}x", "192.0.2.2", f"[fd00::2]:{port}"):
        assert get(port, "/api/state", {"Host": host})[0] == 421, host


def _own_address() -> str | None:
    """This machine's address on the way out (no packet is sent), if it has one besides loopback."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_served_on_every_address_it_answers_to_its_ip_address_from_another_machine(project):
    address = _own_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    folder = project("seeds_shape")
    lines: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    sock = listen("0.0.0.0", 0)
    port = sock.getsockname()[1]
    options = {
        "host": "0.0.0.0",
        "open_browser": False,
        "epubcheck": False,
        "say": lines.put,
        "report_error": lambda error: lines.put(str(error)),
        "make_diagnostics": Diagnostics,
        "stop": stop,
    }
    thread = threading.Thread(target=serve, args=(sock, [folder], ["epub"], BuildOptions()), kwargs=options)
    thread.start()
    try:
        _wait(lines, "built")

        def status(host: str, headers: dict | None = None) -> int:
            connection = http.client.HTTPConnection(address, port, timeout=10)  # not through loopback
            connection.putrequest("GET", "/api/state", skip_host=True)
            for name, value in {"Host": host, **(headers or {})}.items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            body = response.read()
            connection.close()
            assert (b"Seeds Shape" in body) == (response.status == 200)
            return response.status

        assert status(f"{address}:{port}") == 200, "what `curl http://<its address>:PORT/` sends"
        assert status(address) == 200 and status("[fd00::2]:80") == 200 and status(f"localhost:{port}") == 200
        assert status(f"{address}:{port}", {"Origin": f"http://{address}:{port}"}) == 200
        assert status(f"{address}:{port}", {"Origin": f"http://evil.example:{port}"}) == 403
        for host in ("evil.example", f"evil.example:{port}", f"{address}.evil.example:{port}",
                     f"{address}:{port}@evil.example", "[evil]", "010.0.0.1", "1.2.3"):  # fmt: skip
            assert status(host) == 421, host
    finally:
        stop.set()
        thread.join(timeout=10)


def _start(folder: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    full = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | (env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "bookforge", "serve", *args],
        cwd=folder,
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_another_host_is_warned_about(project):
    folder = project("seeds_shape")
    process = _start(folder, "--to", "epub", "--host", "0.0.0.0")
    lines: queue.Queue[str] = queue.Queue()
    # stderr read on a thread, so a server that never says a line fails the test instead of hanging it
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    try:
        seen = [lines.get(timeout=120)]
        while not seen[-1].startswith("watching"):
            seen.append(lines.get(timeout=120))
        assert any(line.startswith("warning: serving on 0.0.0.0") for line in seen), seen
        url = next(line for line in seen if line.startswith("previewing at")).split()[2]
        assert url.startswith("http://127.0.0.1:")
        time.sleep(0.5)  # waiting for a change, as an author's Ctrl-C finds it
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        time.sleep(0.2)  # the reader thread takes the last lines
        rest = "".join(lines.get_nowait() for _ in range(lines.qsize()))
        assert rest.splitlines() == ["stopped serving"], "nothing else (no watchfiles message): " + rest
    finally:
        process.kill()


def test_a_port_in_use_is_a_usage_error(project):
    folder = project("seeds_shape")
    taken = listen("127.0.0.1", 0)
    try:
        process = _start(folder, "--port", str(taken.getsockname()[1]))
        _, stderr = process.communicate(timeout=60)
    finally:
        taken.close()
    assert process.returncode == 2, stderr
    assert "cannot listen on 127.0.0.1" in stderr and "Traceback" not in stderr, stderr


def test_without_the_extra_it_says_how_to_install_it(project, tmp_path):
    folder = project("seeds_shape")
    blocker = tmp_path / "blocker" / "starlette"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError(\"No module named 'starlette'\", name='starlette')\n")
    process = _start(folder, env={"PYTHONPATH": str(blocker.parent)})
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 7, stderr
    assert "pip install 'bookforge[serve]'" in stderr and "Traceback" not in stderr, stderr


@pytest.mark.slow
def test_print_pages_at_trim_size_are_drawn_again_only_where_the_pdf_changed(project):
    folder = project("seeds_shape")
    toml = folder / "book.toml"
    toml.write_text(toml.read_text() + '\n[pdf]\ntrim = "5x8in"\nbleed = "0.125in"\n')
    [result], _ = build(folder, ("pdf",))
    pages = PrintPages()
    before = pages.load(result.path)
    assert {(page.width, page.height) for page in before} == {(360.0, 576.0)}, "the trim, without the bleed"
    drawn = {page.digest: pages.image(page.digest) for page in before}
    image = Image.open(io.BytesIO(drawn[before[0].digest]))
    assert image.size == (360 * PIXELS_PER_POINT, 576 * PIXELS_PER_POINT)

    story = folder / "manuscripts" / "short.txt"
    story.write_text(story.read_text().replace("Odo woke", "Odo wake", 1))  # the last story, same length
    [result], _ = build(folder, ("pdf",))
    after = pages.load(result.path)
    assert len(after) == len(before)
    changed = [index for index, (old, new) in enumerate(zip(before, after)) if old.digest != new.digest]
    assert changed and len(changed) <= 2, changed  # the story's opening page (and no other)
    assert all(index >= len(before) // 2 for index in changed), "pages of the first story are unchanged"
    for old, new in zip(before, after):
        if old.digest == new.digest:
            assert pages.image(new.digest) is drawn[old.digest], "an unchanged page is not drawn again"
    assert pages.image(after[changed[0]].digest) != drawn[before[changed[0]].digest]
    assert pages.image("0" * 20) is None
