"""The one reader skeleton: every reader turns its file into a stream of blocks, chapter starts and
breaks; this module turns that stream into the story's header fields, title, chapters and end notes.

The rules, the same for every format:
- leading `Notes: …`, `Summary: …`, `Title: …` paragraphs (documents) are header fields;
- a paragraph starting `End notes:` sends what follows to the story's end notes;
- a lone top-level heading opening a story file is the story's title (in a chapter file of a story
  folder it is the chapter's title); headings at the top level start chapters, deeper ones stay
  headings; a one-line paragraph that reads "Chapter 3: …" starts a chapter too;
- scene breaks never open or close a chapter (an explicit mark dropped there is said: M006), two in
  a row are one, and where a file marks its breaks explicitly, runs of blank lines are spacing.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

from ..diagnostics import Diagnostics
from ..model import Block, Chapter, Heading, Inline, LineBreak, Loc, Paragraph, SceneBreak, Story, Text, plain_text
from .header import apply_field, header_field
from .inlines import without_label
from .marks import chapter_title

# Two records of a reader's stream, named tuples rather than dataclasses: every build imports
# this module, and a dataclass costs half a millisecond to define.


class ChapterStart(NamedTuple):
    """A heading (or a "Chapter 3: …" paragraph) that may begin a chapter, in a reader's stream."""

    title: str
    level: int  # 1 for <h1>/Heading 1/`#`; "Chapter …" paragraphs count as the top level
    loc: Loc | None


class Break(NamedTuple):
    """A scene break in a reader's stream: an explicit mark (`***`, `<hr>`, `❧`) or a blank run."""

    loc: Loc
    explicit: bool = True


Item = Block | ChapterStart | Break


def take_header(items: list[Item], story: Story, diagnostics: Diagnostics) -> list[Item]:
    """Leading `Notes: …`, `Summary: …`, `Title: …` paragraphs become story fields; the rest is returned."""
    while items and isinstance(items[0], Paragraph):
        paragraph = items[0]
        text = plain_text(_first_line(paragraph.children))
        found = header_field(text)
        if found is None or found[0] == "end_notes":
            break
        field, _key, value = found
        items = items[1:]
        body = without_label(paragraph.children, _label_end(text))
        blocks: list[Block] = [Paragraph(body, loc=paragraph.loc, attrs=paragraph.attrs)] if body else []
        apply_field(
            story,
            field,
            value,
            loc=paragraph.loc or Loc(story.source, 1),
            diagnostics=diagnostics,
            blocks=blocks,
        )
    return items


def _first_line(inlines: list[Inline]) -> list[Inline]:
    return list(itertools.takewhile(lambda node: not isinstance(node, LineBreak), inlines))


def assemble(
    items: list[Item],
    story: Story,
    diagnostics: Diagnostics,
    *,
    chapter_file: bool = False,
    marks_over_blanks: bool = False,
) -> None:
    """Turn a reader's stream into the story's chapters (and end notes); see the module's rules.

    `chapter_file`: the file is one chapter of a story folder, so its lone top heading titles the
    chapter, not the story. `marks_over_blanks`: blank runs are breaks only where the file has no
    explicit break marks (documents, where blank paragraphs are often layout).
    """
    rel = story.source
    items = _split_end_notes(items, story)
    if marks_over_blanks and any(isinstance(item, Break) and item.explicit for item in items):
        items = [item for item in items if not (isinstance(item, Break) and not item.explicit)]
    starts = [item for item in items if isinstance(item, ChapterStart)]
    if not chapter_file and starts and items and isinstance(items[0], ChapterStart):
        top = min(s.level for s in starts)
        first = items[0]
        alone = sum(1 for s in starts if s.level == top) == 1
        if (
            first.level == top
            and alone
            and not chapter_title(first.title)
            and (not story.title or story.title.casefold() == first.title.casefold())
        ):
            story.title = story.title or first.title
            items = items[1:]
            starts = starts[1:]
    chapter_level = min((s.level for s in starts), default=1)
    chapter = Chapter(loc=Loc(rel, 1))
    chapters = [chapter]
    pending: Break | None = None  # a break waiting for the block it separates from the ones before
    for item in items:
        item = _as_read(item, chapter_level, rel)
        if isinstance(item, Break):
            if not chapter.blocks:
                _dropped(item, "start", rel, diagnostics, quiet=item.loc.line <= 1)
            elif pending is None or (item.explicit and not pending.explicit):
                pending = item  # two in a row are one (the explicit one)
            continue
        if isinstance(item, ChapterStart):
            if item.level <= chapter_level:
                _dropped(pending, "end", rel, diagnostics)
                pending = None
                if chapter.blocks or chapter.title is not None:
                    chapter = Chapter(loc=item.loc)
                    chapters.append(chapter)
                chapter.title = item.title
                chapter.loc = item.loc
                continue
            item = Heading(item.level - chapter_level, [Text(item.title)], loc=item.loc)
        if pending is not None:
            chapter.blocks.append(SceneBreak(loc=pending.loc))
            pending = None
        chapter.blocks.append(item)
    _dropped(pending, "end", rel, diagnostics)
    story.chapters = [c for c in chapters if c.blocks or c.title is not None]


def _as_read(item: Item, chapter_level: int, rel: str) -> Item:
    """A one-line "Chapter 3: …" paragraph as the chapter start it is, and a reader's own scene
    break as an explicit break; anything else as it is."""
    if type(item) is Paragraph:
        children = item.children
        if len(children) == 1 and type(children[0]) is Text:
            title = chapter_title(children[0].text)
            if title:
                return ChapterStart(title, chapter_level, item.loc)
    elif type(item) is SceneBreak:  # a reader that made the break itself: an explicit one
        return Break(item.loc or Loc(rel, 1), True)
    return item


def _split_end_notes(items: list[Item], story: Story) -> list[Item]:
    """An `End notes:` paragraph and everything after it are the story's end notes."""
    for index, item in enumerate(items):
        if not isinstance(item, Paragraph) or not item.children:
            continue
        first = item.children[0]
        if type(first) is Text and ":" not in first.text[:40]:
            continue  # the usual paragraph: no label, known without looking further
        text = plain_text(_first_line(item.children))
        if ":" not in text[:40]:
            continue
        found = header_field(text)
        if found is not None and found[0] == "end_notes":
            body = without_label(item.children, _label_end(text))
            if body:
                story.end_notes.append(Paragraph(body, loc=item.loc, attrs=item.attrs))
            for later in items[index + 1 :]:
                if isinstance(later, ChapterStart):
                    story.end_notes.append(Heading(1, [Text(later.title)], loc=later.loc))
                elif not isinstance(later, Break):
                    story.end_notes.append(later)
            return items[:index]
    return items


def _dropped(item: Break | None, where: str, rel: str, diagnostics: Diagnostics, quiet: bool = False) -> None:
    """A break at a chapter's start or end separates nothing: an explicit mark dropped there is said."""
    if item is None or not item.explicit or quiet:
        return
    diagnostics.warn(
        "M006",
        f"scene break at the {where} of a chapter dropped",
        path=item.loc.path or rel,
        line=item.loc.line,
        hint="nothing to separate there; remove the break marks to silence this",
    )


def _label_end(text: str) -> int:
    """Where a `Label:` paragraph's text starts: just past the label's colon."""
    return text.index(":") + 1
