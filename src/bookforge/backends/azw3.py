"""AZW3 (Kindle Format 8) for copying onto a Kindle by USB: the EPUB converted by calibre's ebook-convert."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import BuildError, MissingDependencyError
from ..output import atomic_output
from . import BuildContext, Built
from .epub import build_epub_bytes

CALIBRE_HINT = (
    "install calibre (Debian/Ubuntu: apt-get install calibre; macOS: brew install --cask calibre; "
    "others: https://calibre-ebook.com/download), or send the EPUB itself with Send to Kindle: "
    "bookforge send --email you@kindle.com"
)


def ebook_convert() -> str:
    """calibre's converter, or a clear MissingDependencyError (exit 7)."""
    found = os.environ.get("BOOKFORGE_EBOOK_CONVERT") or shutil.which("ebook-convert")
    if not found:
        raise MissingDependencyError("AZW3 needs calibre's ebook-convert, which is not installed", hint=CALIBRE_HINT)
    return found


class Azw3Backend:
    def build(self, ctx: BuildContext) -> Built:
        program = ebook_convert()
        data = build_epub_bytes(ctx)
        with tempfile.TemporaryDirectory(prefix="bookforge-azw3-") as folder:
            source, target = Path(folder) / "book.epub", Path(folder) / "book.azw3"
            source.write_bytes(data)
            convert(program, source, target)
            with atomic_output(ctx.output, ctx.project.rel(ctx.output)) as handle, target.open("rb") as made:
                shutil.copyfileobj(made, handle)
        return Built(ctx.output)


def convert(program: str, source: Path, target: Path) -> None:
    """Run ebook-convert; its last words become the error when it fails."""
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")  # no display needed
    try:
        result = subprocess.run(
            [program, str(source), str(target)],
            capture_output=True,
            text=True,
            timeout=900,
            env=environment,
            check=False,
        )
    except OSError as exc:
        raise MissingDependencyError(f"cannot run {program}: {exc.strerror}", hint=CALIBRE_HINT) from None
    except subprocess.TimeoutExpired:
        raise BuildError("calibre's ebook-convert took more than 15 minutes and was stopped") from None
    if result.returncode != 0 or not target.is_file():
        last = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()][-3:]
        raise BuildError(
            f"calibre's ebook-convert failed (exit {result.returncode}): " + " / ".join(last),
            hint="run `ebook-convert book.epub book.azw3` yourself to see the whole log",
        )
