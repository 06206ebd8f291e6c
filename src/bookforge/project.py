"""A book project: find its root, load book.toml, list its manuscripts, and keep every path inside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, PdfConfig, StoryEntry, load_config
from .diagnostics import Diagnostics
from .errors import ConfigError, ManuscriptError
from .names import natural_key, slugify
from .readers.files import SUPPORTED_SUFFIXES, is_litter, is_manuscript, skipped_files, story_files

CONFIG_NAME = "book.toml"
MANUSCRIPTS_DIR = "manuscripts"
STYLES_DIR = "styles"


@dataclass
class Manuscript:
    """One manuscript to read: where it is and what book.toml says about it."""

    path: Path  # absolute, resolved; a folder for a story told in several files
    rel: str  # as shown to the user: relative to the project root when inside it
    entry: StoryEntry | None = None

    @property
    def files(self) -> list[Path]:
        """The files the story is read from: the manuscript itself, or a folder's files in name order."""
        return story_files(self.path) if self.path.is_dir() else [self.path]


@dataclass
class Project:
    """A book project (or an ad-hoc set of files named on the command line)."""

    root: Path  # absolute, resolved
    config: Config
    manuscripts: list[Manuscript] = field(default_factory=list)
    config_path: Path | None = None  # None for an ad-hoc build without book.toml

    @property
    def styles_dir(self) -> Path:
        return self.root / STYLES_DIR

    def rel(self, path: Path) -> str:
        """A path as the user should see it: relative to the project when inside it."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def cache_dir(self, name: str) -> Path:
        """Where a cache of this kind lives: build/.cache/<name> in a project; for files named on
        the command line (no project, perhaps `-o elsewhere/x.epub`), the user's cache folder, so
        that no build/ appears wherever the command happened to run."""
        if self.config_path is not None:
            return self.root / self.config.build.output / ".cache" / name
        from platformdirs import user_cache_dir  # tens of ms that only a build of loose files needs

        return Path(user_cache_dir("bookforge")) / name

    def output_path(self, suffix: str, output: str | None = None) -> Path:
        """Where a format goes: `-o` when given, else build/<slug><suffix>."""
        if output:
            return Path(output).expanduser().absolute()
        return self.root / self.config.build.output / (slugify(self.config.title) + suffix)

    def inputs(self) -> list[Path]:
        """Every file whose change should trigger a rebuild (watch mode, build dates)."""
        files = [path for m in self.manuscripts for path in m.files]
        if self.config_path:
            files.append(self.config_path)
        if isinstance(self.config.cover, str) and (self.root / self.config.cover).is_file():
            files.append(self.root / self.config.cover)
        if self.styles_dir.is_dir():
            files.extend(sorted(p for p in self.styles_dir.rglob("*") if p.is_file()))
        return files


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding book.toml, like git finds .git."""
    start = start.absolute()
    if start.is_file() and start.name == CONFIG_NAME:
        return start.parent.resolve()
    if not start.exists():
        raise ConfigError(f"no such folder: {start}")
    for folder in [start, *start.parents]:
        if (folder / CONFIG_NAME).is_file():
            return folder.resolve()
    raise ConfigError(
        f"no {CONFIG_NAME} in {start} or any folder above it",
        hint="run `bookforge new <folder>` to start a project, or name manuscript files to build them directly",
    )


def open_project(start: Path, diagnostics: Diagnostics) -> Project:
    """Load the project that `start` is in (a folder, or book.toml itself)."""
    root = find_root(start)
    config_path = root / CONFIG_NAME
    try:
        text = config_path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 (byte {exc.start})", path=CONFIG_NAME, hint="save book.toml as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=CONFIG_NAME) from None
    config = load_config(text, CONFIG_NAME)
    project = Project(root=root, config=config, config_path=config_path)
    project.manuscripts = _list_manuscripts(project, diagnostics)
    if isinstance(config.cover, str):
        resolve_inside(root, config.cover, "cover", line=None)
    if config.pdf.output_intent:  # every command says so at its line, not only the PDF build that reads it
        output_intent_path(root, config.pdf)
    return project


def output_intent_path(root: Path, pdf: PdfConfig) -> Path:
    """The file `[pdf] output-intent` names: inside the project, or an absolute path (a profile the
    system has); a ConfigError at its line when there is no such file."""
    named = pdf.output_intent or ""
    line = pdf.line_of.get("output-intent")
    path = Path(named) if Path(named).is_absolute() else resolve_inside(root, named, "output-intent", line=line)
    if not path.is_file():
        raise ConfigError(
            f"[pdf] output-intent: no such file: {named}",
            path=CONFIG_NAME,
            line=line,
            hint="name your printer's CMYK ICC profile (.icc), saved in the project folder",
        )
    return path


def adhoc_project(
    files: list[Path],
    *,
    diagnostics: Diagnostics,
    title: str | None = None,
    authors: list[str] | None = None,
    language: str | None = None,
    root: Path | None = None,
) -> Project:
    """A book made straight from manuscript files named on the command line (no book.toml); its
    folder is where the command runs (a batch manifest's own folder for a manifest's line). The
    command line's title and names are not given here: build.resolve_project applies them, checked."""
    root = (root or Path.cwd()).resolve()
    config = Config(title=title or "", authors=list(authors or []))
    if language:
        config.language = language
    project = Project(root=root, config=config)
    for file in files:
        path = file.expanduser().absolute()
        rel = project.rel(path)
        _check_manuscript_file(path, rel)
        project.manuscripts.append(Manuscript(path=path.resolve(), rel=rel))
    return project


def resolve_inside(root: Path, rel: str, what: str, *, line: int | None) -> Path:
    """Resolve a path from book.toml, refusing anything that ends up outside the project."""
    candidate = Path(rel)
    if candidate.is_absolute() or "\\" in rel:
        raise ConfigError(
            f"{what} path '{rel}' must be relative to the project folder",
            path=CONFIG_NAME,
            line=line,
        )
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root):
        raise ConfigError(
            f"{what} path '{rel}' points outside the project",
            path=CONFIG_NAME,
            line=line,
            hint="bookforge only reads files inside the project folder (symlinks included)",
        )
    return resolved


def _list_manuscripts(project: Project, diagnostics: Diagnostics) -> list[Manuscript]:
    config, root = project.config, project.root
    if config.stories:
        manuscripts: list[Manuscript] = []
        seen: dict[Path, int | None] = {}
        for entry in config.stories:
            path = resolve_inside(root, entry.file, "manuscript", line=entry.line)
            rel = project.rel(path)
            _check_manuscript_file(path, rel, config_line=entry.line)
            if path in seen:
                diagnostics.warn(
                    "C002",
                    f"{rel} is listed twice (also at line {seen[path]}); both copies are kept",
                    path=CONFIG_NAME,
                    line=entry.line,
                    hint="remove one of the [[story]] entries if that was not meant",
                )
            seen.setdefault(path, entry.line)
            manuscripts.append(Manuscript(path=path, rel=rel, entry=entry))
        return manuscripts

    folder = root / MANUSCRIPTS_DIR
    if not folder.is_dir():
        raise ConfigError(
            f"no [[story]] entries in {CONFIG_NAME} and no {MANUSCRIPTS_DIR}/ folder",
            path=CONFIG_NAME,
            hint=f"put manuscripts in {MANUSCRIPTS_DIR}/ or list them with [[story]] file = …",
        )
    manuscripts = []
    for path in sorted(folder.iterdir(), key=lambda p: natural_key(p.name)):
        if is_litter(path.name):
            _say_skipped(project, path, diagnostics)
            continue
        if path.is_dir():
            if not story_files(path):  # a folder of images or notes, not a story
                continue
            for litter in skipped_files(path):
                _say_skipped(project, litter, diagnostics)
        elif not path.is_file() or not is_manuscript(path):
            continue
        resolved = resolve_inside(root, path.relative_to(root).as_posix(), "manuscript", line=None)
        manuscripts.append(Manuscript(path=resolved, rel=project.rel(path)))
    if not manuscripts:
        raise ConfigError(
            f"{MANUSCRIPTS_DIR}/ holds no manuscripts",
            path=MANUSCRIPTS_DIR,
            hint="bookforge reads " + ", ".join(sorted(SUPPORTED_SUFFIXES)) + " files",
        )
    return manuscripts


def _say_skipped(project: Project, path: Path, diagnostics: Diagnostics) -> None:
    if path.name.startswith(".") and not path.name.startswith((".#", "._", ".DS_Store")):
        return  # hidden files and folders (.git, .obsidian…) are not worth a line
    diagnostics.info("I001", f"skipped {path.name} (a lock file, backup or system file)", path=project.rel(path))


def _check_manuscript_file(path: Path, rel: str, config_line: int | None = None) -> None:
    where = {"path": CONFIG_NAME, "line": config_line} if config_line else {"path": rel}
    if not path.exists():
        raise ManuscriptError(f"manuscript not found: {rel}", **where)
    if path.is_dir():
        if not story_files(path):
            raise ManuscriptError(
                f"{rel} is a folder with no manuscripts in it",
                **where,
                hint="a story folder holds its chapters as " + ", ".join(sorted(SUPPORTED_SUFFIXES)) + " files",
            )
        return
    if is_litter(path.name):
        raise ManuscriptError(
            f"{rel} is a lock file, backup or system file, not a manuscript",
            **where,
            hint="Word writes ~$ files while a document is open; name the document itself",
        )
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ManuscriptError(
            f"{rel}: bookforge cannot read '{path.suffix or 'extension-less'}' files",
            **where,
            hint="supported: " + ", ".join(sorted(SUPPORTED_SUFFIXES)),
        )
