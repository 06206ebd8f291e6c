"""Runs the preview: the web server on its own thread, the shared rebuild loop on this one, until Ctrl-C."""

from __future__ import annotations

import ipaddress
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

import uvicorn

from ..backends import BuildOptions
from ..diagnostics import Diagnostics
from ..errors import BookforgeError
from ..watch import Build, Rebuilder, rebuild_on_change
from .app import create_app
from .events import Broker
from .problems import findings
from .security import LOOPBACK_NAMES
from .state import PreviewState

PREVIEW_FORMATS = ("epub", "pdf")  # the reading view shows the EPUB, the print view the PDF


def preview_formats(configured: list[str]) -> list[str]:
    """Of book.toml's formats, those the preview shows; the EPUB at least (the reading view)."""
    return [name for name in configured if name in PREVIEW_FORMATS] or ["epub"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: any free one), made first so the URL is known before serving.
    Raises OSError (a port in use, an address not of this machine)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


def serve(
    sock: socket.socket,
    sources: list[Path] | None,
    formats: list[str] | None,
    options: BuildOptions,
    *,
    host: str,
    open_browser: bool,
    epubcheck: bool,
    say: Callable[[str], None],
    report_error: Callable[[BookforgeError], None],
    make_diagnostics: Callable[[], Diagnostics],
    stop: threading.Event | None = None,
) -> None:
    """Serve the preview on `sock` (from `listen`), build, and build again on every change;
    returns when interrupted or `stop` is set."""
    bound = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if shown in ('0.0.0.0', '[::]') else shown}:{bound}/"
    allowed = LOOPBACK_NAMES | {shown.lower()}
    state, broker = PreviewState(), Broker()
    server = uvicorn.Server(
        uvicorn.Config(
            # Served beyond this machine: reached by its address too (192.168.1.20:8719), whichever.
            create_app(state, broker, allowed, any_address=not is_loopback(host)),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="preview-server", daemon=True)
    thread.start()
    if not is_loopback(host):
        say(f"warning: serving on {host}: anyone who can reach this machine can read the book")
    say(f"previewing at {url} (Ctrl-C to stop)")
    if open_browser:
        webbrowser.open(url)

    def changed() -> None:
        broker.publish("state", state.snapshot())

    def written(name: str, path: Path) -> None:
        (state.book_written if name == "epub" else state.print_written)(path)
        changed()

    def built(build: Build) -> None:
        state.build_finished(build.project.root, findings(sources, build.diagnostics, epubcheck, rebuilder.stories))
        changed()
        say(f"{'built' if build.first else 'rebuilt'} in {build.seconds:.2f} s")

    def failed(error: Exception) -> None:
        if isinstance(error, BookforgeError):
            state.build_failed(error, findings(sources, None, epubcheck, rebuilder.stories))
            report_error(error)
        else:
            state.build_failed(error, [])
            say(f"bookforge: internal error: {type(error).__name__}: {error} (please report this)")
        changed()
        kept = "the preview shows the last good book" if state.book else "nothing to preview yet"
        say(f"{kept}; waiting for the next change")

    def started() -> None:
        state.building_started()
        changed()

    rebuilder = Rebuilder(sources, formats or None, options, make_diagnostics, default_formats=preview_formats)
    try:
        rebuild_on_change(
            rebuilder,
            built,
            failed,
            on_watching=lambda root: say(f"watching {root} for changes"),
            on_written=written,
            on_started=started,
            stop=stop,
            broken_config_too=True,
        )
    finally:
        broker.close()
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
