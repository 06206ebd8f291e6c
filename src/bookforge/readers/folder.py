"""A story told in a folder of files: each file one chapter or more, in name order."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostics
from ..model import Story


def read_folder(folder: Path, rel: str, diagnostics: Diagnostics) -> Story:
    """The first file's header gives the story's authors, notes, summary, tags and language; each
    file's own title (a `Title:` line, a lone top heading) names its chapter; later files' notes
    go before their chapter and their end notes after it. The folder's name titles the story."""
    from ..pipeline import title_from_file_name
    from ..project import story_files
    from . import read_file

    story = Story(source=rel, title=title_from_file_name(folder.with_suffix(".d")))
    for index, path in enumerate(story_files(folder)):
        part = read_file(path, f"{rel.rstrip('/')}/{path.name}", diagnostics)
        if index == 0:
            story.authors = part.authors
            story.summary, story.notes, story.meta, story.language = part.summary, part.notes, part.meta, part.language
        if not part.chapters:
            continue
        if index > 0:
            part.chapters[0].notes = part.notes + part.summary + part.chapters[0].notes
        if len(part.chapters) == 1 and part.chapters[0].title is None and part.title:
            part.chapters[0].title = part.title
        part.chapters[-1].end_notes += part.end_notes
        story.chapters.extend(part.chapters)
    return story
