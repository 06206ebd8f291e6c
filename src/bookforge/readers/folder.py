"""A story told in a folder of files: each file one chapter or more, in name order."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostics
from ..errors import ManuscriptError
from ..model import Attrs, Block, ListBlock, Paragraph, Preformatted, SceneBreak, Story, Text
from ..names import title_from_file_name
from .dispatch import read_file
from .files import story_files


def read_folder(folder: Path, rel: str, diagnostics: Diagnostics) -> Story:
    """The first file's header gives the story's authors, subtitle, notes, summary, tags and language;
    each file is a chapter titled by its own title (a `Title:` line, a lone top heading) or else by
    its file name ("Chapter 1.docx" → "Chapter 1"); later files' notes go before their chapter and
    their end notes after it, a later file's other authors join the story's, and a file with notes
    but no text gives them to the chapter before it (or the one after). Nothing a file says is
    dropped. The folder's name, in the author's case, titles the story."""
    story = Story(source=rel, title=title_from_file_name(folder, folder=True))
    inside = folder.resolve()
    waiting: list[Block] = []  # what a file without chapters said, for the next chapter's notes
    for index, path in enumerate(story_files(folder)):
        part_rel = f"{rel.rstrip('/')}/{path.name}"
        if not path.resolve().is_relative_to(inside):
            raise ManuscriptError(
                "is a link to a file outside its story folder",
                path=part_rel,
                hint="bookforge only reads files inside the project (symlinks included); copy the file into the folder",
            )
        part = read_file(path, part_rel, diagnostics, chapter_file=True)
        story.media.update(part.media)
        for key, value in part.meta.items():
            story.meta.setdefault(key, value)
        story.authors += [author for author in part.authors if author not in story.authors]
        if index == 0:
            story.subtitle, story.summary, story.notes = part.subtitle, part.summary, part.notes
            story.language, story.file_as = part.language, part.file_as
            said: list[Block] = []
        else:
            said = _subtitle(part) + part.notes + part.summary
        if not part.chapters:  # notes or end notes alone, no text: they belong beside the text
            said += part.end_notes
            if story.chapters:
                story.chapters[-1].end_notes += said
            elif index == 0:  # its notes and summary are the story's already
                waiting += part.end_notes
            else:
                waiting += said
            continue
        first = part.chapters[0]
        first.notes = waiting + said + first.notes
        waiting = []
        if first.title is None:
            first.title = part.title or title_from_file_name(path)
        if part.language and part.language != story.language:
            _in_language(part, part.language)
        part.chapters[-1].end_notes += part.end_notes
        story.chapters.extend(part.chapters)
    if waiting:
        story.end_notes += waiting
    return story


def _in_language(part: Story, language: str) -> None:
    """A file in another language than the story's first: its blocks say so (hyphenation, voices)."""
    for chapter in part.chapters:
        for block in chapter.notes + chapter.blocks + chapter.end_notes:
            if isinstance(block, (SceneBreak, ListBlock, Preformatted)):
                continue  # no attributes to say it with
            if block.attrs is None:
                block.attrs = Attrs(lang=language)
            elif not block.attrs.lang:
                block.attrs.lang = language


def _subtitle(part: Story) -> list[Block]:
    """A later file's subtitle, kept as a line under its chapter's title."""
    return (
        [Paragraph([Text(part.subtitle)], loc=part.chapters[0].loc if part.chapters else None)] if part.subtitle else []
    )
