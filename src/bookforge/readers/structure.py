"""Shared by the document readers (HTML, Word): header paragraphs, chapter starts, scene-break tidying."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from ..diagnostics import Diagnostics
from ..model import Block, Chapter, Heading, Inline, LineBreak, Loc, Paragraph, SceneBreak, Story, Text
from ..render.xhtml import plain_text
from .header import HEADER_LINE, LIST_FIELDS, PROSE_FIELDS, canonical_field, language_tag, split_list
from .txt import chapter_title


_SPACE_RUN = re.compile(" {2,}")


@dataclass
class ChapterStart:
    """A heading (or a "Chapter 3: …" paragraph) that begins a chapter, in a reader's block list."""

    title: str
    level: int  # 1 for <h1>/Heading 1; "Chapter …" paragraphs count as the top level
    loc: Loc


def join_text(inlines: list[Inline]) -> list[Inline]:
    """Neighbouring Text nodes joined, runs of spaces made one, empty ones dropped."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(_SPACE_RUN.sub(" ", out[-1].text + node.text))
        elif isinstance(node, Text):
            if node.text:
                out.append(Text(_SPACE_RUN.sub(" ", node.text)) if "  " in node.text else node)
        else:
            out.append(node)
    return out


def trim_inlines(inlines: list[Inline]) -> list[Inline]:
    """A paragraph's inlines with no space or line break at its edges, and no space around its
    line breaks (documents keep whatever the author typed there)."""
    inlines = join_text(inlines)
    while inlines and (isinstance(inlines[0], LineBreak) or (isinstance(inlines[0], Text) and not inlines[0].text.strip(" "))):
        inlines.pop(0)
    while inlines and (isinstance(inlines[-1], LineBreak) or (isinstance(inlines[-1], Text) and not inlines[-1].text.strip(" "))):
        inlines.pop()
    for index, node in enumerate(inlines):
        if not isinstance(node, Text):
            continue
        text = node.text
        if index == 0 or isinstance(inlines[index - 1], LineBreak):
            text = text.lstrip(" ")
        if index == len(inlines) - 1 or isinstance(inlines[index + 1], LineBreak):
            text = text.rstrip(" ")
        inlines[index] = Text(text)
    # Spaces at the very start or end inside emphasis (`<em> word </em>`) go too.
    if inlines and getattr(inlines[0], "children", None) and isinstance(inlines[0].children[0], Text):
        inlines[0].children[0] = Text(inlines[0].children[0].text.lstrip(" "))
    if inlines and getattr(inlines[-1], "children", None) and isinstance(inlines[-1].children[-1], Text):
        inlines[-1].children[-1] = Text(inlines[-1].children[-1].text.rstrip(" "))
    return [node for node in inlines if not (isinstance(node, Text) and not node.text)]


def _first_line(inlines: list[Inline]) -> list[Inline]:
    return list(itertools.takewhile(lambda node: not isinstance(node, LineBreak), inlines))


def take_header(items: list, story: Story, rel: str, diagnostics: Diagnostics) -> list:
    """Leading `Notes: …`, `Summary: …`, `Title: …` paragraphs become story fields, as in plain text."""
    while items and isinstance(items[0], Paragraph):
        paragraph = items[0]
        text = plain_text(_first_line(paragraph.children))
        match = HEADER_LINE.match(text)
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
        else:
            size = len(plain_text([node]))
            if size > length and hasattr(node, "children"):
                node.children = _without_label(node.children, length)
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
