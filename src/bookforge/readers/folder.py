"""A story told in a folder of files: each file one chapter or more, in name order."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostics
from ..model import Story
from ..names import title_from_file_name
from .files import story_files


def read_folder(folder: Path, rel: str, diagnostics: Diagnostics) -> Story:
    """The first file's header gives the story's authors, notes, summary, tags and language; each
    file is a chapter titled by its own title (a `Title:` line, a lone top heading) or else by its
    file name ("Chapter 1.docx" → "Chapter 1"); later files' notes go before their chapter and
    their end notes after it. The folder's name, in the author's case, titles the story."""
    from . import read_file

    story = Story(source=rel, title=title_from_file_name(folder, folder=True))
    for index, path in enumerate(story_files(folder)):
        part = read_file(path, f"{rel.rstrip('/')}/{path.name}", diagnostics, chapter_file=True)
        story.media.update(part.media)
        if index == 0:
            story.authors = part.authors
            story.summary, story.notes, story.meta, story.language = part.summary, part.notes, part.meta, part.language
        if not part.chapters:
            continue
        if index > 0:
            part.chapters[0].notes = part.notes + part.summary + part.chapters[0].notes
        first = part.chapters[0]
        if first.title is None:
            first.title = part.title or title_from_file_name(path)
        part.chapters[-1].end_notes += part.end_notes
        story.chapters.extend(part.chapters)
    return story
