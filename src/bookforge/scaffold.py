"""`bookforge new`: a ready-to-build project folder (book.toml, a sample story, styles/)."""

from __future__ import annotations

from pathlib import Path

from .errors import ConfigError

TEMPLATE_DIR = Path(__file__).parent / "scaffold"
GITIGNORE = "build/\n"


def create_project(folder: Path, *, title: str | None = None) -> list[str]:
    """Create the project; refuse to touch a folder that already has files in it."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigError(
            f"{folder} already exists and is not empty",
            hint="choose a new folder name; bookforge never overwrites your files",
        )
    book_title = title or folder.name.replace("-", " ").replace("_", " ").strip().title() or "My Anthology"
    created = []
    for source in sorted(TEMPLATE_DIR.rglob("*")):
        if source.is_dir() or source.name.startswith(".") or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(TEMPLATE_DIR)
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        if relative.name == "book.toml":
            text = text.replace("__TITLE__", book_title.replace('"', '\\"'))
        target.write_text(text, encoding="utf-8")
        created.append(relative.as_posix())
    (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    created.append(".gitignore")
    return created
