"""Themes: built-in CSS folders in the package, overridden file by file by the project's styles/."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .config import KeyLocator
from .errors import ThemeError

THEMES_DIR = Path(__file__).parent / "themes"
FONTS_DIR = Path(__file__).parent / "fonts"
THEME_FILES = ("base.css", "epub.css", "print.css")
# What theme.toml may say (docs/themes.md lists the same), every value a string: the theme's name
# and description, the face its CSS sets (for people reading the file), the generated cover's colours.
SETTINGS_KEYS = ("name", "description", "font-family", "ink", "paper", "accent")
COLOUR_KEYS = ("ink", "paper", "accent")  # the generated cover's text, background and band
_NOT_EMPTY_KEYS = ("name", "font-family")
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


@dataclass
class Theme:
    """A resolved theme: its CSS files after the project's overrides, plus extra project CSS."""

    name: str
    files: dict[str, str]  # theme file name → CSS text (from the project when overridden)
    sources: dict[str, Path]  # theme file name → where it was read from
    extras: list[tuple[str, str]] = field(default_factory=list)  # other styles/*.css, in name order
    settings: dict = field(default_factory=dict)  # theme.toml

    def sheets(self, target: str, styles_dir: Path | None) -> list[tuple[str, str, Path]]:
        """The stylesheets for a target as (name, text, folder they came from), in cascade order."""
        out = [(name, self.files[name], self.sources[name].parent) for name in ("base.css", f"{target}.css")]
        out += [(name, text, styles_dir or THEMES_DIR) for name, text in self.extras]
        return out


def available_themes() -> list[str]:
    return sorted(p.name for p in THEMES_DIR.iterdir() if (p / "base.css").is_file())


def project_theme(project) -> Theme:
    """The project's theme with its styles/ over it (a book made of loose files has no styles/)."""
    return load_theme(project.config.theme, project.styles_dir if project.config_path else None)


def load_theme(name: str, styles_dir: Path | None) -> Theme:
    """Load a built-in theme and apply the project's styles/ folder over it."""
    folder = THEMES_DIR / name
    if not (folder / "base.css").is_file():
        themes = available_themes()
        close = difflib.get_close_matches(name, themes, n=1)
        raise ThemeError(
            f"no theme named '{name}'",
            path="book.toml",
            hint=(f"did you mean '{close[0]}'? " if close else "") + "themes: " + ", ".join(themes),
        )
    files, sources = {}, {}
    for file_name in THEME_FILES:
        path = folder / file_name
        if styles_dir is not None and (styles_dir / file_name).is_file():
            path = styles_dir / file_name
        files[file_name] = _read_css(path)
        sources[file_name] = path
    extras = []
    if styles_dir is not None and styles_dir.is_dir():
        for path in sorted(styles_dir.glob("*.css")):
            if path.name not in THEME_FILES:
                extras.append((path.name, _read_css(path)))
    settings = _read_settings(folder / "theme.toml")
    if styles_dir is not None:  # the project's styles/theme.toml overrides keys (colours for the cover…)
        settings.update(_read_settings(styles_dir / "theme.toml"))
    return Theme(name, files, sources, extras, settings)


def _read_settings(path: Path) -> dict:
    """theme.toml's keys, each checked: an unknown key or a value that is not a string fails at its line."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
        settings = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ThemeError(f"not valid TOML: {exc}", path=str(path)) from None
    locator = KeyLocator(text)
    for key, value in settings.items():
        if key not in SETTINGS_KEYS:
            close = difflib.get_close_matches(key, SETTINGS_KEYS, n=1)
            raise ThemeError(
                f"unknown key '{key}' in theme.toml",
                path=str(path),
                line=locator.find(None, key),
                hint=f"did you mean '{close[0]}'?" if close else "keys: " + ", ".join(SETTINGS_KEYS),
            )
        if not isinstance(value, str):
            raise ThemeError(
                f'theme.toml: {key} must be a string, e.g. {key} = "…"', path=str(path), line=locator.find(None, key)
            )
        if key in _NOT_EMPTY_KEYS and not value.strip():
            raise ThemeError(f"theme.toml: {key} is empty", path=str(path), line=locator.find(None, key))
        if key in COLOUR_KEYS and not is_colour(value):
            raise ThemeError(
                f"theme.toml: {key} = {value!r} is not a colour",
                path=str(path),
                line=locator.find(None, key),
                hint='write colours as "#7a2e1f" or a CSS colour name ("darkred", "rgb(122, 46, 31)")',
            )
    return settings


def is_colour(value: str) -> bool:
    """A colour the cover can be drawn in: hex, or whatever else Pillow reads (CSS names, rgb(), hsl())."""
    if _HEX_COLOUR.fullmatch(value):
        return True  # the usual case, without importing Pillow's colour table
    from PIL import ImageColor  # loads PIL.Image: 60 ms an EPUB build need not pay (bench.py's EPUB rows)

    try:
        ImageColor.getrgb(value)
    except ValueError:
        return False
    return True


def _read_css(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ThemeError("stylesheet is not UTF-8", path=str(path)) from None
    except OSError as exc:
        raise ThemeError(f"cannot read stylesheet: {exc.strerror}", path=str(path)) from None
