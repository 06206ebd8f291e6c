"""Content-addressed cache of laid-out parts in build/.cache/pdf: a rebuild lays out only what changed."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from ... import __version__
from ...output import is_orphan, replace_bytes
from ...themes import FONTS_DIR
from .layout import PartJob, PartResult

CACHE_FORMAT = 1


@lru_cache(maxsize=1)
def _environment_key() -> str:
    """Everything outside the part that can change its pages: versions and the bundled fonts."""
    # Versions from package metadata: importing pypdf here would cost every worker its memory.
    digest = hashlib.sha256()
    digest.update(f"{CACHE_FORMAT}|{__version__}|{version('weasyprint')}|{version('pypdf')}".encode())
    for font in sorted(FONTS_DIR.glob("*.otf")):
        digest.update(font.name.encode())
        digest.update(hashlib.sha256(font.read_bytes()).digest())
    return digest.hexdigest()


def part_key(job: PartJob) -> str:
    """The cache key of a part: its HTML, every stylesheet, the variant, and the environment."""
    digest = hashlib.sha256(_environment_key().encode())
    digest.update(job.html.encode())
    for name, text in job.css:
        digest.update(b"\0" + name.encode() + b"\0" + text.encode())
    digest.update(f"\0{job.variant}\0{job.base_url}\0{job.pad_to_even}".encode())
    if job.font_rules or job.fonts_key:  # installed fonts the text falls back to (CJK…)
        digest.update(f"\0{job.font_rules}\0{job.fonts_key}".encode())
    return digest.hexdigest()[:40]


class PartCache:
    """Stores each part as <key>.pdf plus <key>.json (page count, anchors, page kinds, warnings)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0
        self.laid_out: list[str] = []  # names of the parts that had to be laid out

    def get(self, key: str, name: str) -> PartResult | None:
        result = self._get(key, name)
        if result is None:
            self.laid_out.append(name)
        return result

    def _get(self, key: str, name: str) -> PartResult | None:
        self.used.add(key)
        if self.folder is None:
            self.misses += 1
            return None
        pdf_path, info_path = self.folder / f"{key}.pdf", self.folder / f"{key}.json"
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            pdf = pdf_path.read_bytes()
        except (OSError, ValueError):
            self.misses += 1
            return None
        if info.get("format") != CACHE_FORMAT or len(pdf) != info.get("size"):
            self.misses += 1
            return None
        self.hits += 1
        return PartResult(
            name,
            pdf,
            info["pages"],
            info["anchors"],
            info["page_names"],
            info["blank"],
            info["warnings"],
            info["refused"],
        )

    def put(self, key: str, result: PartResult) -> None:
        self.used.add(key)
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            info = {
                "format": CACHE_FORMAT,
                "size": len(result.pdf),
                "pages": result.pages,
                "anchors": result.anchors,
                "page_names": result.page_names,
                "blank": result.blank,
                "warnings": result.warnings,
                "refused": result.refused,
            }
            # The PDF first, then the JSON that vouches for it: a half-written entry is never used.
            replace_bytes(self.folder / f"{key}.pdf", result.pdf)
            replace_bytes(self.folder / f"{key}.json", json.dumps(info).encode())
        except OSError:
            pass  # a cache that cannot be written only costs time

    def get_blob(self, key: str) -> bytes | None:
        """Any other cached bytes (merged font subsets), kept and pruned like the parts."""
        self.used.add(key)
        if self.folder is None:
            return None
        try:
            return (self.folder / f"{key}.bin").read_bytes()
        except OSError:
            return None

    def put_blob(self, key: str, data: bytes) -> None:
        self.used.add(key)
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            replace_bytes(self.folder / f"{key}.bin", data)
        except OSError:
            pass

    def prune(self) -> None:
        """Forget parts this build did not use, so the cache does not grow without bound."""
        if self.folder is None or not self.folder.is_dir():
            return

        for path in self.folder.iterdir():
            if path.stem not in self.used and path.suffix in (".pdf", ".json", ".bin"):
                path.unlink(missing_ok=True)
            elif is_orphan(path):
                path.unlink(missing_ok=True)  # left by a build that was killed while writing
