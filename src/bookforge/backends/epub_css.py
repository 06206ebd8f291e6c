"""Stylesheets for the EPUB: files they use are packaged, anything on the network or outside refused."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostics
from ..media_types import ASSET_TYPES
from .kindle_safety import strip_css_comments

# Media types EPUB 3.3 allows for what stylesheets refer to (images and fonts).
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


@dataclass
class PackagedCss:
    text: str
    assets: dict[str, Path] = field(default_factory=dict)  # name inside the EPUB → file


def package_css(
    sheets: list[tuple[str, str, Path]], roots: list[Path], diagnostics: Diagnostics, shown: Callable[[Path], str]
) -> PackagedCss:
    """Join stylesheets (name, text, folder it came from) into one, fixing every url() on the way."""
    result = PackagedCss("")
    chunks = []
    for name, text, folder in sheets:
        text = strip_css_comments(text)
        if "url(" not in text.lower():
            chunks.append(text)
            continue
        import tinycss2  # here, not at the top: most stylesheets have no url() to fix

        tokens = tinycss2.parse_stylesheet(text, skip_comments=False, skip_whitespace=False)
        for parent, index, token in list(_walk(tokens)):
            target = _url_of(token)
            if target is not None:
                replacement = _resolve(target, folder, roots, result, diagnostics, name, shown)
                parent[index] = _token_for(token, replacement)
        chunks.append(tinycss2.serialize(tokens))
    result.text = "\n".join(chunks)
    return result


def _walk(nodes):
    """(list, index, token) for every token of a parsed stylesheet, depth first."""
    for index, node in enumerate(nodes):
        yield nodes, index, node
        for attribute in ("prelude", "content", "arguments"):
            children = getattr(node, attribute, None)
            if isinstance(children, list):
                yield from _walk(children)


def _url_of(token) -> str | None:
    if token.type == "url":
        return token.value
    if token.type == "function" and token.lower_name == "url":
        strings = [t for t in token.arguments if t.type == "string"]
        return strings[0].value if strings else None
    return None


def _token_for(token, value: str | None):
    """A url() to the packaged file, or the keyword `none` where the file was refused."""
    from tinycss2.ast import IdentToken, URLToken  # (deferred as in package_css)

    if value is None:
        return IdentToken(token.source_line, token.source_column, "none")
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    return URLToken(token.source_line, token.source_column, value, f'url("{quoted}")')


def _resolve(
    target: str, folder: Path, roots: list[Path], result: PackagedCss, diagnostics: Diagnostics, sheet: str, shown
) -> str | None:
    if target.startswith(("data:", "#")):
        return target
    if _REMOTE.match(target):
        reason = "is on the network; bookforge never fetches anything"
    else:
        path = (folder / target.split("#")[0].split("?")[0]).resolve()
        if not any(path.is_relative_to(root) for root in roots):
            reason = "is outside the project"
        elif not path.is_file():
            reason = "does not exist"
        elif path.suffix.lower() not in ASSET_TYPES:
            reason = "is not an image or font an EPUB may hold"
        else:
            name = "assets/" + path.name
            while name in result.assets and result.assets[name] != path:
                name = f"assets/x-{posixpath.basename(name)}"
            result.assets[name] = path
            return name
    diagnostics.warn(
        "T001",
        f"url({target[:80]}) in {sheet} {reason}; left out of the EPUB",
        path=shown(folder / sheet) if not _REMOTE.match(sheet) else sheet,
        hint="stylesheets may use images and fonts inside the project (or data: URIs)",
    )
    return None
