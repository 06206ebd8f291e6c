"""Shared by the document readers (HTML, Word): header paragraphs, chapter starts, scene-break tidying."""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import Diagnostics
from ..model import Block, Chapter, Heading, Inline, LineBreak, Loc, Paragraph, SceneBreak, Story, Text
from .header import HEADER_LINE, LIST_FIELDS, PROSE_FIELDS, canonical_field, language_tag, split_list
from .txt import chapter_title


@dataclass
class ChapterStart:
    """A heading (or a "Chapter 3: …" paragraph) that begins a chapter, in a reader's block list."""

    title: str
    level: int  # 1 for <h1>/Heading 1; "Chapter …" paragraphs count as the top level
    loc: Loc


def plain_text(inlines: list[Inline]) -> str:
    out = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append("\n")
        elif hasattr(node, "children"):
            out.append(plain_text(node.children))
        elif hasattr(node, "text"):
            out.append(node.text)
    return "".join(out)


def take_header(items: list, story: Story, rel: str, diagnostics: Diagnostics) -> list:
    """Leading `Notes: …`, `Summary: …`, `Title: …` paragraphs become story fields, as in plain text."""
    while items and isinstance(items[0], Paragraph):
        paragraph = items[0]
        text = plain_text(paragraph.children)
        match = HEADER_LINE.match(text.split("\n", 1)[0])
        field = canonical_field(match.group(1)) if match else None
        if field is None:
            break
        items = items[1:]
        value = (match.group(2) or "").strip()
        if field in PROSE_FIELDS:
            body = _without_label(paragraph.children, len(text) - len(text.lstrip()) + text.lstrip().index(":") + 1)
            if body:
                getattr(story, field).append(Paragraph(body, loc=paragraph.loc, attrs=paragraph.attrs))
        elif field == "title":
            story.title = story.title or value
        elif field == "authors":
            story.authors = story.authors or split_list(value)
        elif field == "language":
            tag = language_tag(value)
            if tag:
                story.language = tag
            else:
                diagnostics.warn("M007", f"language '{value}' not understood", path=rel,
                                 line=paragraph.loc.line if paragraph.loc else None,
                                 hint='use a language name or a tag such as "fr"')
        elif field in LIST_FIELDS:
            story.meta[field] = split_list(value)
        else:
            story.meta[field] = value
    return items


def _without_label(inlines: list[Inline], length: int) -> list[Inline]:
    """The inlines after the first `length` characters (the `Notes:` label), leading space trimmed."""
    out: list[Inline] = []
    for node in inlines:
        if length <= 0:
            out.append(node)
            continue
        if isinstance(node, Text):
            if len(node.text) > length:
                out.append(Text(node.text[length:]))
            length -= len(node.text)
        elif hasattr(node, "children"):
            size = len(plain_text(node.children))
            if size > length:
                rest = _without_label(node.children, length)
                node.children = rest
                out.append(node)
            length -= size
    while out and isinstance(out[0], Text) and not out[0].text.strip():
        out.pop(0)
    if out and isinstance(out[0], Text):
        out[0] = Text(out[0].text.lstrip())
    return out


def assemble(items: list, story: Story, rel: str) -> None:
    """Blocks and ChapterStarts → the story's chapters.

    A lone top-level heading that opens the text is the story's title; headings at the top level
    start chapters; paragraphs that read "Chapter 3: …" do too. Scene breaks never open or close
    a chapter, and two in a row are one.
    """
    starts = [item for item in items if isinstance(item, ChapterStart)]
    if starts and items and isinstance(items[0], ChapterStart):
        top = min(s.level for s in starts)
        first = items[0]
        if first.level == top and sum(1 for s in starts if s.level == top) == 1 and not chapter_title(first.title):
            if not story.title or story.title.casefold() == first.title.casefold():
                story.title = story.title or first.title
                items = items[1:]
                starts = starts[1:]
    chapter_level = min((s.level for s in starts), default=1)
    chapter = Chapter(loc=Loc(rel, 1))
    chapters = [chapter]
    for item in items:
        if isinstance(item, Paragraph) and len(item.children) == 1 and isinstance(item.children[0], Text):
            title = chapter_title(item.children[0].text)
            if title:
                item = ChapterStart(title, chapter_level, item.loc)
        if isinstance(item, ChapterStart):
            if item.level <= chapter_level:
                if chapter.blocks or chapter.title is not None:
                    chapter = Chapter(loc=item.loc)
                    chapters.append(chapter)
                chapter.title = item.title
                chapter.loc = item.loc
            else:
                chapter.blocks.append(Heading(item.level - chapter_level, [Text(item.title)], loc=item.loc))
            continue
        if isinstance(item, SceneBreak) and (not chapter.blocks or isinstance(chapter.blocks[-1], SceneBreak)):
            continue
        chapter.blocks.append(item)
    for chapter in chapters:
        while chapter.blocks and isinstance(chapter.blocks[-1], SceneBreak):
            chapter.blocks.pop()
    story.chapters = [c for c in chapters if c.blocks or c.title is not None]


def is_blank(block: Block) -> bool:
    """An empty paragraph (only spaces, no-break spaces or line breaks)."""
    return isinstance(block, Paragraph) and not plain_text(block.children).strip()
