"""Images in manuscripts: keep those inside the project, refuse the network and everything outside."""

from __future__ import annotations

import re
from pathlib import Path

from ..diagnostics import Diagnostics
from ..model import Block, BlockQuote, Book, Heading, Image, Inline, ListBlock, Paragraph
from ..render.cache import set_fingerprint

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def check_images(book: Book, root: Path, diagnostics: Diagnostics) -> None:
    """Drop images that are remote, outside the project, missing or not images; warn for each."""
    for story in book.stories:
        if story.source.lower().endswith((".txt", ".text")):
            continue  # plain text has no image syntax: nothing to check, nothing to walk
        groups = [story.summary, story.notes, story.end_notes]
        for chapter in story.chapters:
            groups += [chapter.summary, chapter.notes, chapter.blocks, chapter.end_notes]
        warned = len(diagnostics.items)
        for blocks in groups:
            _blocks(blocks, root, diagnostics)
        if len(diagnostics.items) > warned:  # an image dropped: the story no longer is its manuscript
            set_fingerprint(story, None)


def image_path(root: Path, src: str) -> Path | None:
    """The file a project-relative image src names, when it is safe to read; else None."""
    if _REMOTE.match(src) or src.startswith("/"):
        return None
    path = (root / src).resolve()
    if not path.is_relative_to(root) or not path.is_file() or path.suffix.lower() not in IMAGE_TYPES:
        return None
    return path


def _blocks(blocks: list[Block], root: Path, diagnostics: Diagnostics) -> None:
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            block.children = _inlines(block.children, block, root, diagnostics)
        elif isinstance(block, BlockQuote):
            _blocks(block.children, root, diagnostics)
        elif isinstance(block, ListBlock):
            for item in block.items:
                _blocks(item, root, diagnostics)


def _inlines(inlines: list[Inline], block, root: Path, diagnostics: Diagnostics) -> list[Inline]:
    kept: list[Inline] = []
    for node in inlines:
        if isinstance(node, Image):
            if image_path(root, node.src) is None:
                _refuse(node.src, block, root, diagnostics)
                continue
        elif hasattr(node, "children"):
            node.children = _inlines(node.children, block, root, diagnostics)
        kept.append(node)
    return kept


def _refuse(src: str, block, root: Path, diagnostics: Diagnostics) -> None:
    if _REMOTE.match(src):
        why = "is on the network; bookforge never fetches anything"
    elif src.startswith("/") or not (root / src).resolve().is_relative_to(root):
        why = "is outside the project folder"
    elif not (root / src).is_file():
        why = "does not exist"
    else:
        why = "is not a JPEG, PNG, GIF, SVG or WebP image"
    loc = block.loc
    diagnostics.warn(
        "M005",
        f"image '{src[:80]}' {why}; left out",
        path=loc.path if loc else None,
        line=loc.line if loc else None,
        hint="put images in the project (e.g. images/) and link them with a relative path",
    )
