"""What a batch builds: one job per book, from project folders or a JSON Lines manifest."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import FORMATS
from ..errors import ConfigError

MANIFEST_KEYS = {"id", "project", "manuscripts", "title", "authors", "language", "formats"}


@dataclass(frozen=True)
class BookJob:
    """One book of a batch: a project folder, or manuscript files plus the book's fields.

    Plain data (paths and strings), so it pickles to a worker process or a Dask worker as it is.
    """

    id: str  # unique in the batch; names the book's output folder under --out and its report row
    source: str  # where it was asked for, for messages: "works/123" or "manifest.jsonl:12"
    project: Path | None = None  # a folder holding book.toml
    manuscripts: tuple[Path, ...] = ()  # …or the manuscript files of a book without book.toml
    root: Path | None = None  # the folder those manuscripts' book lives in (the manifest's)
    title: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    formats: tuple[str, ...] = ()  # empty: the project's [build] formats (or --to)
    out: Path | None = None  # the folder for this book's outputs (None: the project's build/)
    error: ConfigError | None = field(default=None, compare=False)  # a manifest line that cannot be a book

    def files(self) -> list[Path]:
        """The files this job reads first (the project's book.toml, or the manuscripts)."""
        return [self.project / "book.toml"] if self.project else list(self.manuscripts)


def jobs_from(
    inputs: Iterable[Path], manifest: Path | None, formats: tuple[str, ...], out: Path | None
) -> list[BookJob]:
    """Every book the command line names, in order, with ids made unique."""
    jobs: list[BookJob] = []
    for folder in inputs:
        jobs.append(
            BookJob(id=_slug(folder.resolve().name), source=str(folder), project=folder.resolve(), formats=formats)
        )
    if manifest is not None:
        jobs.extend(read_manifest(manifest, formats))
    return _placed(_unique(jobs), out)


def read_manifest(path: Path, formats: tuple[str, ...] = ()) -> Iterator[BookJob]:
    """One job per non-blank line of a JSON Lines manifest; a bad line is a job that fails with its
    line number (the rest of the batch still builds)."""
    base = path.resolve().parent
    try:
        handle = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read the manifest: {exc.strerror or exc}", path=str(path)) from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                yield _job_from_line(json.loads(line), base, where, formats)
            except json.JSONDecodeError as exc:
                yield _broken(
                    where,
                    ConfigError(
                        f"not a JSON line: {exc.msg}",
                        path=str(path),
                        line=number,
                        hint='write one JSON object per line, e.g. {"project": "works/123"}',
                    ),
                )
            except ConfigError as exc:
                yield _broken(where, ConfigError(exc.message, path=str(path), line=number, hint=exc.hint))


def _job_from_line(data, base: Path, where: str, formats: tuple[str, ...]) -> BookJob:
    if isinstance(data, str):  # a bare "works/123": a project folder
        data = {"project": data}
    if not isinstance(data, dict):
        raise ConfigError(
            "a manifest line must be a JSON object or a project folder's path",
            hint='{"project": "works/123"} or {"id": "123", "manuscripts": ["a.md"], "title": "…"}',
        )
    unknown = sorted(set(data) - MANIFEST_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key '{unknown[0]}' in a manifest line", hint="keys: " + ", ".join(sorted(MANIFEST_KEYS))
        )
    line_formats = data.get("formats") or list(formats)
    if not isinstance(line_formats, list) or any(f not in FORMATS for f in line_formats):
        raise ConfigError("formats must be a list from " + ", ".join(FORMATS))
    if ("project" in data) == ("manuscripts" in data):
        raise ConfigError('a manifest line names either "project" (a folder with book.toml) or "manuscripts"')
    if "project" in data:
        folder = _path(data["project"], base, "project")
        return BookJob(
            id=_slug(str(data.get("id") or folder.name)), source=where, project=folder, formats=tuple(line_formats)
        )
    files = data["manuscripts"]
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not files:
        raise ConfigError("manuscripts must be a list of files")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ConfigError('a book of manuscripts needs its "title"')
    authors = data.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise ConfigError("authors must be a list of names")
    language = data.get("language")
    if language is not None and not isinstance(language, str):
        raise ConfigError('language must be a language tag such as "en"')
    return BookJob(
        id=_slug(str(data.get("id") or title)),
        source=where,
        manuscripts=tuple(_path(f, base, "manuscript") for f in files),
        root=base,
        title=title.strip(),
        authors=tuple(authors),
        language=language,
        formats=tuple(line_formats),
    )


def _path(value, base: Path, what: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{what} must be a path")
    path = Path(value).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def _broken(where: str, error: ConfigError) -> BookJob:
    return BookJob(id=_slug(where.replace(":", "-line-")), source=where, error=error)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _slug(text: str) -> str:
    """A folder name that is safe everywhere and keeps the archive's ids readable ("work-123")."""
    cleaned = _UNSAFE.sub("-", text).strip("-.")
    return cleaned[:80] or "book"


def _unique(jobs: list[BookJob]) -> list[BookJob]:
    """Ids made unique in input order ("book", "book-2"): each book's outputs get their own folder."""
    seen: dict[str, int] = {}
    unique = []
    for job in jobs:
        count = seen.get(job.id.lower(), 0) + 1
        seen[job.id.lower()] = count
        unique.append(job if count == 1 else replace(job, id=f"{job.id}-{count}"))
    return unique


def _placed(jobs: list[BookJob], out: Path | None) -> list[BookJob]:
    """With --out, each book writes to OUT/<id>/; without, a project writes to its own build/ and a
    book of manuscripts to build/batch/<id>/ beside its manifest."""
    placed = []
    for job in jobs:
        if out is not None:
            target = out.resolve() / job.id
        elif job.project is None and job.root is not None:
            target = job.root / "build" / "batch" / job.id
        else:
            target = None
        placed.append(replace(job, out=target))
    return placed
