"""From project to transformed Book: read every manuscript, apply book.toml, run the transforms."""

from __future__ import annotations

import uuid
from pathlib import Path

from .config import Config
from .diagnostics import Diagnostics
from .model import Book, Story
from .names import title_from_file_name
from .project import Manuscript, Project
from .readers import read_manuscript
from .readers.files import READERS
from .render.cache import RenderCache
from .render.labels import labels_for
from .split_read import read_in_two, split_worth_it
from .transforms.ids import assign_ids
from .transforms.resources import check_images
from .transforms.typography import educate_book_fields, educate_story, quote_style

# Namespace for identifiers derived from title and names (stable across builds and machines).
_BOOK_NAMESPACE = uuid.UUID("5b0f6e1c-7a63-4d55-9a1e-0b00cf0f0b00")


def load_book(
    project: Project, diagnostics: Diagnostics, *, typography: bool | None = None, cache: StoryCache | None = None
) -> Book:
    """Read, assemble and transform the whole book (each story only once per content, with a cache)."""
    config = project.config
    educate = config.typography if typography is None else typography
    stories = []
    sizes = _sizes(project) if cache is None else []
    if sizes and split_worth_it(sizes):

        def read_one(manuscript: Manuscript, said: Diagnostics) -> Story:
            story = read_story(manuscript, config, said)
            if educate:
                educate_story(story, quote_style(story.language or config.language, config.quotes))
            return story

        stories = read_in_two(project.manuscripts, read_one, diagnostics)
        return _finish_book(project, config, stories, educate, diagnostics, cache)
    for manuscript in project.manuscripts:
        story = cache.get(manuscript, config, educate, diagnostics) if cache else None
        if story is None:
            story = read_story(manuscript, config, diagnostics)
            if educate:
                educate_story(story, quote_style(story.language or config.language, config.quotes))
            if cache:
                cache.put(manuscript, config, educate, story, diagnostics)
        stories.append(story)
    return _finish_book(project, config, stories, educate, diagnostics, cache)


def _finish_book(
    project: Project,
    config: Config,
    stories: list[Story],
    educate: bool,
    diagnostics: Diagnostics,
    cache: StoryCache | None,
) -> Book:
    """The stories read: the book around them, its images checked, its fields educated, ids given."""
    book = book_from_config(config, stories, diagnostics)
    for changed in check_images(book, project.root, diagnostics):
        if cache is not None:  # an image dropped: the story no longer is its manuscript alone
            cache.rendered.fingerprints.forget(changed)
    if educate:
        educate_book_fields(book, config.quotes)
    assign_ids(book)
    return book


def is_plain_text(path: Path) -> bool:
    return READERS.get(path.suffix.lower()) == "txt"


def _sizes(project: Project) -> list[int]:
    """Each manuscript's bytes to parse: what reading in two processes is decided on. Plain text
    is read at almost the speed of the disk, so its bytes do not count: forking for it costs more
    than the second core saves (benchmarks/tricks.py: 1.06x on 100k words of plain text, 0.94x on
    the same words as Markdown with notes, tables and lists)."""
    sizes = []
    for manuscript in project.manuscripts:
        try:
            sizes.append(sum(path.stat().st_size for path in manuscript.files if not is_plain_text(path)))
        except OSError:
            sizes.append(0)  # reading it will say what is wrong
    return sizes


class StoryCache:
    """Parsed, educated stories by manuscript content, for a process that builds again and again
    (`bookforge watch`): an unchanged manuscript is not read twice. Entries are pickled, so every
    build gets fresh objects it may change. Each story it hands out has its key noted as its
    fingerprint in `rendered` (the backends' per-story XHTML), which is keyed on it in turn."""

    def __init__(self) -> None:
        self.entries: dict[tuple, tuple[bytes, Diagnostics]] = {}
        self.rendered = RenderCache()

    def _key(self, manuscript: Manuscript, config: Config, educate: bool) -> tuple | None:
        import hashlib  # its OpenSSL binding costs milliseconds that only a watching process should pay

        try:
            hashed = hashlib.sha256()
            for path in manuscript.files:
                hashed.update(path.name.encode() + b"\0" + path.read_bytes())
            digest = hashed.hexdigest()
        except OSError:
            return None
        entry = manuscript.entry
        overrides = (entry.title, tuple(entry.authors), entry.language) if entry else None
        return (manuscript.rel, digest, overrides, educate, config.language, config.quotes)

    def get(self, manuscript: Manuscript, config: Config, educate: bool, diagnostics: Diagnostics):
        import pickle  # as hashlib: a one-off build never pays for it

        key = self._key(manuscript, config, educate)
        if key is None or key not in self.entries:
            return None
        data, said = self.entries[key]
        diagnostics.replay(said)  # the same warnings and information as the first time, shown again
        story = pickle.loads(data)
        self.rendered.fingerprints.set(story, key)
        return story

    def put(self, manuscript: Manuscript, config: Config, educate: bool, story: Story, diagnostics) -> None:
        import pickle  # as hashlib: a one-off build never pays for it

        key = self._key(manuscript, config, educate)
        if key is not None:
            said = Diagnostics(
                items=[d for d in diagnostics.items if d.path == manuscript.rel],
                infos=[d for d in diagnostics.infos if d.path == manuscript.rel],
            )
            self.entries[key] = (pickle.dumps(story, protocol=pickle.HIGHEST_PROTOCOL), said)
            self.rendered.fingerprints.set(story, key)


def read_story(manuscript: Manuscript, config: Config, diagnostics: Diagnostics) -> Story:
    """Read one manuscript, then let its [[story]] entry override title, authors and language."""
    story = read_manuscript(manuscript.path, manuscript.rel, diagnostics)
    entry = manuscript.entry
    if entry is not None:
        if entry.title:
            story.title = entry.title
        if entry.authors:
            story.authors = list(entry.authors)
        if entry.language:
            story.language = entry.language
    if story.language == config.language:
        story.language = None
    # Every chapter after the first has a heading, for the contents and for readers who jump:
    # its own, else its number (a folder's chapters are named by their files already).
    word = labels_for(story.language or config.language)["chapter"]
    for number, chapter in enumerate(story.chapters[1:], start=2):
        if not chapter.title:
            chapter.title = f"{word} {number}"
    if not story.title:
        story.title = title_from_file_name(manuscript.path, folder=manuscript.path.is_dir())
        diagnostics.warn(
            "M004",
            f"no title; using '{story.title}' from the file name",
            path=manuscript.rel,
            hint='add a `Title:` line at the top, or title = "…" in its [[story]] entry',
        )
    if not any(True for _ in story.blocks()):
        diagnostics.warn(
            "M003",
            "no text in this manuscript; the story is kept with its title only",
            path=manuscript.rel,
            hint="check that this is the right file",
        )
    return story


def book_from_config(config: Config, stories: list[Story], diagnostics: Diagnostics) -> Book:
    title = config.title
    if not title:
        if len(stories) == 1:
            title = stories[0].title
        else:
            title = "Anthology"
            diagnostics.warn("C001", "no book title given; using 'Anthology'", hint='pass --title "…"')
    book = Book(
        title=title,
        subtitle=config.subtitle,
        editors=list(config.editors),
        authors=list(config.authors),
        language=config.language,
        publisher=config.publisher,
        rights=config.rights,
        date=config.date,
        description=config.description,
        cover=config.cover,
        stories=stories,
    )
    book.identifier = config.identifier or derived_identifier(book)
    return book


def derived_identifier(book: Book) -> str:
    """A UUID derived from the title and names: stable build after build, unique enough per book."""
    names = book.editors + book.authors + book.story_authors()
    seed = "\n".join([book.title, *names])
    return f"urn:uuid:{uuid.uuid5(_BOOK_NAMESPACE, seed)}"
