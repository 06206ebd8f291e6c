"""Images in manuscripts: keep those inside the project, refuse the network and everything outside."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostics
from ..links import is_remote
from ..media_types import IMAGE_TYPES
from ..model import (
    Block,
    Book,
    Container,
    Figure,
    Image,
    Inline,
    Note,
    Paragraph,
    Story,
    block_inlines,
    child_blocks,
    walk,
)


def check_images(book: Book, root: Path, diagnostics: Diagnostics) -> list[Story]:
    """Drop images that are remote, outside the project, missing or not images; warn for each.
    Returns the stories that lost an image: they no longer are what their manuscript alone makes."""
    changed = []
    for story in book.stories:
        if story.source.lower().endswith((".txt", ".text")):
            continue  # plain text has no image syntax: nothing to check, nothing to walk
        warned = len(diagnostics.items)
        for blocks in story.block_lists():
            _blocks(blocks, root, story.media, diagnostics)
        if len(diagnostics.items) > warned:
            changed.append(story)
    return changed


def book_media(book: Book) -> dict[str, bytes]:
    """Every image that lives inside a manuscript, by its src."""
    return {src: data for story in book.stories for src, data in story.media.items()}


def image_bytes(root: Path, src: str, media: dict[str, bytes]) -> bytes:
    """An image's bytes: from the manuscript that holds it (a Word document), else from its file."""
    data = media.get(src)
    if data is not None:
        return data
    path = image_path(root, src)
    if path is None:
        raise FileNotFoundError(src)
    return path.read_bytes()


def usable(src: str, root: Path, media: dict[str, bytes]) -> bool:
    """An image an EPUB may hold and the build may read: in the manuscript (a Word document's) or a
    file in the project, of a core image type either way (a Word document may hold EMF or TIFF)."""
    if src in media:
        return Path(src).suffix.lower() in IMAGE_TYPES
    return image_path(root, src) is not None


def image_path(root: Path, src: str) -> Path | None:
    """The file a project-relative image src names, when it is safe to read; else None."""
    if is_remote(src) or src.startswith("/"):
        return None
    path = (root / src).resolve()
    if not path.is_relative_to(root) or not path.is_file() or path.suffix.lower() not in IMAGE_TYPES:
        return None
    return path


def _blocks(blocks: list[Block], root: Path, media: dict[str, bytes], diagnostics: Diagnostics) -> None:
    """Warn for each unusable image in reading order and leave it out; a figure's caption stays, as
    a paragraph in its place."""
    refused: set[int] = set()  # figures whose picture is left out, by id
    for node in walk(blocks):
        if isinstance(node, Note):
            continue  # its blocks come next in the walk
        if isinstance(node, Figure):
            if not usable(node.image.src, root, media):
                _refuse(node.image.src, node, root, media, diagnostics)
                refused.add(id(node))
            runs = [node.caption]
        else:
            runs = block_inlines(node)
        for run in runs:
            run[:] = _inlines(run, node, root, media, diagnostics)
    if refused:
        _captions_as_paragraphs(blocks, refused)


def _captions_as_paragraphs(blocks: list[Block], refused: set[int]) -> None:
    """Each refused figure replaced by a paragraph of its caption (the caption's words stay)."""
    lists = [blocks]
    for node in walk(blocks):
        lists += [node.blocks] if isinstance(node, Note) else child_blocks(node)
    for run in lists:
        for index, block in enumerate(run):
            if isinstance(block, Figure) and id(block) in refused:
                run[index] = Paragraph(block.caption, loc=block.loc)


def _inlines(
    inlines: list[Inline], block: Block, root: Path, media: dict[str, bytes], diagnostics: Diagnostics
) -> list[Inline]:
    kept: list[Inline] = []
    for node in inlines:
        if isinstance(node, Image):
            if not usable(node.src, root, media):
                _refuse(node.src, block, root, media, diagnostics)
                continue
        elif isinstance(node, Container):
            node.children = _inlines(node.children, block, root, media, diagnostics)
        kept.append(node)
    return kept


def _refuse(src: str, block: Block, root: Path, media: dict[str, bytes], diagnostics: Diagnostics) -> None:
    if src in media:
        why = "is not a JPEG, PNG, GIF, SVG or WebP image"
    elif is_remote(src):
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
        hint="save the picture as PNG or JPEG and insert that (in Word: right-click it → Save as Picture)"
        if src in media
        else "put images in the project (e.g. images/) and link them with a relative path",
    )
