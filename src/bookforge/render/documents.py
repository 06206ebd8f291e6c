"""The book as XHTML documents (title page, contents, notes, stories) shared by every backend."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model import Attrs, Block, Book, Chapter, Heading, Story
from .labels import labels_for
from .notes import StoryNotes, reading_order
from .xhtml import Context, attr, esc, lang_attrs, render_blocks, render_footnotes, render_note_list, render_opening

if TYPE_CHECKING:
    from .cache import RenderCache

Href = Callable[[str, "str | None"], str]  # (document name, fragment id) → link target


@dataclass
class Document:
    """One XHTML document of the book: a file in the EPUB, a section of the PDF."""

    name: str  # unique, file-name safe: "titlepage", "contents", a story or chapter id
    title: str  # the <title>
    body: str  # markup that goes inside <body>
    lang: str  # BCP 47 tag of the document
    matter: str  # "frontmatter", "bodymatter" or "backmatter"
    kind: str  # "halftitle", "titlepage", "imprint", "toc", "notes", "story", "chapter", "endnotes"
    story: Story | None = None  # the story this document belongs to
    print_only: bool = False  # the half-title page exists only in print


@dataclass
class TocEntry:
    """A line of the contents: a story (with author) or a chapter, or a section like Notes."""

    title: str
    document: str
    fragment: str | None
    author: str | None = None
    lang: str | None = None
    matter: str = "bodymatter"  # "frontmatter" entries are numbered in roman in print
    children: list[TocEntry] = field(default_factory=list)


@dataclass
class Landmark:
    kind: str  # EPUB landmark type: "cover", "titlepage", "toc", "bodymatter"…
    title: str
    document: str


@dataclass
class RenderedBook:
    documents: list[Document]
    toc: list[TocEntry]
    landmarks: list[Landmark]
    labels: dict[str, str]


@dataclass(frozen=True)
class RenderOptions:
    notes: str = "story"  # where story notes go: "story", "front" or "end"
    has_cover: bool = False
    preface: bool = True  # show a story's rating, fandom, tags… at its opening
    # Where footnotes and endnotes are set: "document" (footnotes at the end of the document that
    # calls them, endnotes at the story's end: EPUB), "page" (footnotes at the foot of the page:
    # print) or "book" (every note in one Notes section at the back: [book] footnotes = "book").
    notes_at: str = "document"


ENDNOTES_DOCUMENT = "endnotes"  # the book's Notes section, when every note is set there

# The archive-style preface: header fields shown above a story's summary and notes, in this order.
PREFACE_FIELDS = ("rating", "warnings", "categories", "fandoms", "relationships", "characters", "tags", "series")


def render_book(
    book: Book,
    options: RenderOptions,
    href: Href,
    image_src: Callable[[str], str],
    page_numbers: dict[str, str] | None = None,
    cache: RenderCache | None = None,
    cache_tag: str = "",
) -> RenderedBook:
    """Render every document of the book; `href` and `image_src` adapt links to the backend.

    With a cache (watch mode), an unchanged story's documents are taken from the last build;
    `cache_tag` names what else its markup depends on (the backend and how it links images).
    """
    labels = labels_for(book.language)
    ctx = Context(
        image_src=image_src,
        scene_break_label=labels["scene_break"],
        back_label=labels["note_back"],
        page_label=labels["page"] if page_numbers is not None else "",
    )
    docs: list[Document] = []

    def front(name: str, title: str, body: str, kind: str, print_only: bool = False) -> None:
        docs.append(Document(name, title, body, book.language, "frontmatter", kind, print_only=print_only))

    front("halftitle", book.title, _halftitle(book), "halftitle", print_only=True)
    front("titlepage", labels["title_page"], _titlepage(book, labels), "titlepage")
    front("imprint", labels["copyright"], _imprint(book, labels), "imprint")

    story_docs: list[Document] = []
    toc: list[TocEntry] = []
    for story in book.stories:
        if cache is None:
            story_docs.extend(_story_documents(story, book, options, labels, ctx, href))
        else:

            def render(src: Callable[[str], str], story: Story = story) -> list[Document]:
                return _story_documents(story, book, options, labels, dataclasses.replace(ctx, image_src=src), href)

            story_docs.extend(cache.documents(story, cache_tag, (book.language, options), image_src, render))
        toc.append(_toc_entry(story, book))

    notes_doc = None
    has_notes = any(s.notes or (options.notes == "end" and s.end_notes) for s in book.stories)
    if options.notes in ("front", "end") and has_notes:
        matter = "frontmatter" if options.notes == "front" else "backmatter"
        title = collected_notes_title(book, labels)
        notes_doc = Document(
            "notes",
            title,
            _collected_notes(book, options, labels, ctx, href, title),
            book.language,
            matter,
            "notes",
        )
        entry = TocEntry(title, "notes", "notes", matter=matter)
        if options.notes == "front":
            toc.insert(0, entry)
        else:
            toc.append(entry)

    book_notes = _book_notes(book, options, labels, ctx, href) if options.notes_at == "book" else ""
    if book_notes:
        toc.append(TocEntry(labels["notes"], ENDNOTES_DOCUMENT, ENDNOTES_DOCUMENT, matter="backmatter"))

    front("contents", labels["contents"], "", "toc")
    contents = docs[-1]
    if notes_doc is not None and options.notes == "front":
        docs.append(notes_doc)
    docs.extend(story_docs)
    if notes_doc is not None and options.notes == "end":
        docs.append(notes_doc)
    if book_notes:
        docs.append(Document(ENDNOTES_DOCUMENT, labels["notes"], book_notes, book.language, "backmatter", "endnotes"))

    landmarks = []
    if options.has_cover:
        landmarks.append(Landmark("cover", labels["cover"], "cover"))
    landmarks.append(Landmark("titlepage", labels["title_page"], "titlepage"))
    landmarks.append(Landmark("toc", labels["contents"], "contents"))
    if story_docs:
        landmarks.append(Landmark("bodymatter", labels["start"], story_docs[0].name))
    contents.body = render_contents(toc, landmarks, labels, href, page_numbers)
    return RenderedBook(docs, toc, landmarks, labels)


# ---------------------------------------------------------------------------------------------
# Front matter


def join_names(names: list[str], language: str) -> str:
    """'A', 'A and B', 'A, B and C' (the conjunction in the book's language)."""
    conjunction = {"fr": "et", "de": "und", "es": "y", "it": "e", "nl": "en"}.get(language[:2], "and")
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def _halftitle(book: Book) -> str:
    return (
        f'<section class="halftitle" epub:type="halftitlepage" aria-label="{attr(book.title)}">\n'
        f'<p class="halftitle-title">{esc(book.title)}</p>\n</section>\n'
    )


def _titlepage(book: Book, labels: dict[str, str]) -> str:
    parts = ['<section class="titlepage" epub:type="titlepage" aria-labelledby="book-title">\n']
    parts.append(f'<h1 id="book-title" class="book-title" epub:type="fulltitle">{esc(book.title)}</h1>\n')
    if book.subtitle:
        parts.append(f'<p class="book-subtitle" role="doc-subtitle">{esc(book.subtitle)}</p>\n')
    if book.authors:
        parts.append(f'<p class="book-authors">{esc(join_names(book.authors, book.language))}</p>\n')
    if book.editors:
        parts.append(
            f'<p class="book-editors"><span class="edited-by">{esc(labels["edited_by"])}</span> '
            f"{esc(join_names(book.editors, book.language))}</p>\n"
        )
    if book.publisher:
        parts.append(f'<p class="book-publisher">{esc(book.publisher)}</p>\n')
    parts.append("</section>\n")
    return "".join(parts)


def _isbn(identifier: str) -> str | None:
    """The ISBN in 'urn:isbn:978-…', 'isbn:…' or a bare ISBN-10/13; None for anything else."""
    text = identifier.strip().lower().removeprefix("urn:").removeprefix("isbn").lstrip(": ")
    digits = text.replace("-", "").replace(" ", "")
    if len(digits) == 13 and digits.isdigit() and digits[:3] in ("978", "979"):
        return text.upper()
    if len(digits) == 10 and digits[:9].isdigit() and (digits[9].isdigit() or digits[9] == "x"):
        return text.upper()
    return None


def _imprint(book: Book, labels: dict[str, str]) -> str:
    parts = [f'<section class="imprint" epub:type="copyright-page" aria-label="{attr(labels["copyright"])}">\n']
    if book.rights:
        parts.append(f'<p class="rights">{esc(book.rights)}</p>\n')
    if book.publisher:
        parts.append(f'<p class="publisher">{esc(book.publisher)}</p>\n')
    if book.date:
        parts.append(f'<p class="date">{esc(labels["published"])} {esc(book.date)}</p>\n')
    isbn = _isbn(book.identifier)
    if isbn:
        parts.append(f'<p class="identifier">ISBN {esc(isbn)}</p>\n')
    else:
        parts.append(f'<p class="identifier">{esc(labels["identifier"])}: {esc(book.identifier)}</p>\n')
    parts.append(f'<p class="made-with">{esc(labels["made_with"])}</p>\n</section>\n')
    return "".join(parts)


def render_contents(
    toc: list[TocEntry],
    landmarks: list[Landmark],
    labels: dict[str, str],
    href: Href,
    page_numbers: dict[str, str] | None = None,
) -> str:
    """The contents page: the EPUB navigation document, or (with page_numbers) the printed contents.

    In print each entry's link carries its page number in data-page; the print stylesheet draws
    the dot leader and the number (or asks WeasyPrint for target-counter() in one-pass builds).
    """
    printed = page_numbers is not None
    extra = " print-contents" if printed else ""
    epub_type = "" if printed else ' epub:type="toc"'
    out = [
        (
            f'<nav id="toc" class="contents{extra}"{epub_type} role="doc-toc" aria-labelledby="toc-title">\n'
            f'<h2 id="toc-title" class="contents-title">{esc(labels["contents"])}</h2>\n'
        )
    ]
    _toc_list(toc, labels, href, page_numbers, out, depth=1)
    out.append("</nav>\n")
    if not printed:  # EPUB: reading systems use the landmarks; readers never see them
        out.append(
            f'<nav epub:type="landmarks" class="landmarks" hidden="hidden" aria-labelledby="landmarks-title">\n'
            f'<h2 id="landmarks-title">{esc(labels["landmarks"])}</h2>\n<ol>\n'
        )
        for mark in landmarks:
            out.append(
                f'<li><a epub:type="{mark.kind}" href="{attr(href(mark.document, None))}">{esc(mark.title)}</a></li>\n'
            )
        out.append("</ol>\n</nav>\n")
    return "".join(out)


def _toc_list(entries, labels, href, page_numbers, out, depth: int) -> None:
    out.append(f'<ol class="toc-level-{depth}">\n')
    for entry in entries:
        target = attr(href(entry.document, entry.fragment))
        title = f'<span class="toc-title"{lang_attrs(entry.lang)}>{esc(entry.title)}</span>'
        classes = "toc-entry" + (" toc-front" if entry.matter == "frontmatter" else "")
        if page_numbers is None:
            author = f'<span class="toc-author"> {esc(labels["by"])} {esc(entry.author)}</span>' if entry.author else ""
            out.append(f'<li class="{classes}"><a href="{target}">{title}{author}</a>')
        else:
            number = esc(page_numbers.get(entry.fragment or entry.document, ""))
            out.append(f'<li class="{classes}"><a class="toc-link" href="{target}" data-page="{number}">{title}</a>')
            if entry.author:
                out.append(f'<span class="toc-author">{esc(entry.author)}</span>')
        if entry.children:
            out.append("\n")
            _toc_list(entry.children, labels, href, page_numbers, out, depth + 1)
        out.append("</li>\n")
    out.append("</ol>\n")


def _toc_entry(story: Story, book: Book) -> TocEntry:
    entry = TocEntry(
        story.title,
        story.id,
        story.id,
        author=join_names(story.authors, book.language) or None,
        lang=story.language if story.language and story.language != book.language else None,
    )
    if len(story.chapters) > 1:
        for index, chapter in enumerate(story.chapters):
            if chapter.title:
                entry.children.append(TocEntry(chapter.title, chapter_document(story, index), chapter.id))
    return entry


def chapter_document(story: Story, index: int) -> str:
    """The document a story's chapter lives in: the first shares the story's opening."""
    return story.id if index == 0 else story.chapters[index].id


# ---------------------------------------------------------------------------------------------
# Stories


def _labelled_section(
    blocks: list[Block],
    css_class: str,
    epub_type: str,
    role: str,
    label: str,
    section_id: str,
    ctx: Context,
    heading_tag: str = "h3",
) -> str:
    if not blocks:
        return ""
    return (
        f'<section class="{css_class}" epub:type="{epub_type}" role="{role}" aria-labelledby="{section_id}">\n'
        f'<{heading_tag} id="{section_id}" class="block-label">{esc(label)}</{heading_tag}>\n'
        f"{render_blocks(blocks, ctx)}</section>\n"
    )


def _preface(story: Story, labels) -> str:
    """Rating, warnings, fandom, relationships, characters and tags, as archive readers know them."""
    rows = []
    for key in PREFACE_FIELDS:
        value = story.meta.get(key)
        text = ", ".join(value) if isinstance(value, list) else str(value or "")
        if text.strip():
            rows.append(f'<dt>{esc(labels[key])}</dt>\n<dd class="preface-{key}">{esc(text)}</dd>\n')
    if not rows:
        return ""
    return f'<dl class="story-preface" aria-label="{attr(labels["preface"])}">\n{"".join(rows)}</dl>\n'


def _story_front(story: Story, options: RenderOptions, labels, ctx: Context) -> str:
    """Preface, summary and (when they stay with the story) notes: the story's own front matter."""
    parts = [
        _preface(story, labels) if options.preface else "",
        _labelled_section(
            story.summary, "story-summary", "abstract", "doc-abstract", labels["summary"], f"{story.id}-summary", ctx
        ),
    ]
    if options.notes == "story":
        parts.append(
            _labelled_section(
                story.notes, "story-notes", "preface", "doc-preface", labels["story_notes"], f"{story.id}-notes", ctx
            )
        )
    return "".join(parts)


def _end_notes(story: Story, options: RenderOptions, labels, ctx: Context) -> str:
    if options.notes == "end":
        return ""
    return _labelled_section(
        story.end_notes,
        "story-end-notes",
        "afterword",
        "doc-afterword",
        labels["end_notes"],
        f"{story.id}-end-notes",
        ctx,
    )


def _opening(story: Story, book: Book) -> str:
    """The story's title, its subtitle under it (not in the contents: a subtitle belongs to the
    opening page, as on a title page), and its byline."""
    byline = join_names(story.authors, story.language or book.language)
    out = [
        (
            '<header class="story-opening">\n'
            f'<h2 id="{story.id}-title" class="story-title" epub:type="title">{esc(story.title)}</h2>\n'
        )
    ]
    if story.subtitle:
        out.append(f'<p class="story-subtitle" role="doc-subtitle">{esc(story.subtitle)}</p>\n')
    if byline:
        out.append(f'<p class="byline">{esc(byline)}</p>\n')
    out.append("</header>\n")
    return "".join(out)


def _chapter_body(chapter: Chapter, ctx: Context, labels, followed: bool = False) -> str:
    """A chapter's title, the author's notes before and after its text (each with a small label,
    so a note that a page break leaves alone still says what it is), and the text. `followed`:
    another chapter of the story comes after this one."""
    out = []
    if chapter.title:
        out.append(f'<h3 id="{chapter.id}-title" class="chapter-title" epub:type="title">{esc(chapter.title)}</h3>\n')
    if chapter.summary:
        out.append(f'<div class="chapter-summary">\n{render_blocks(chapter.summary, ctx)}</div>\n')
    if chapter.notes:
        out.append(
            f'<div class="chapter-notes">\n<p class="block-label">{esc(labels["story_notes"])}</p>\n'
            f"{render_blocks(chapter.notes, ctx)}</div>\n"
        )
    blocks = _part_titles(chapter.blocks) if followed else chapter.blocks
    out.append(render_opening(blocks, ctx))
    if chapter.end_notes:
        out.append(
            f'<div class="chapter-end-notes">\n<p class="block-label">{esc(labels["chapter_end_notes"])}</p>\n'
            f"{render_blocks(chapter.end_notes, ctx)}</div>\n"
        )
    return "".join(out)


def _part_titles(blocks: list[Block]) -> list[Block]:
    """Headings that end a chapter belong to what follows (a "Part Two" before the next chapter):
    marked as part titles, which open a page of their own rather than close this one."""
    end = len(blocks)
    while end and isinstance(blocks[end - 1], Heading):
        end -= 1
    if end == len(blocks) or end == 0:
        return blocks
    titles: list[Block] = []
    for heading in blocks[end:]:
        if isinstance(heading, Heading):  # every one of them (the loop above): said for the type checker
            attrs = heading.attrs or Attrs()
            titles.append(
                dataclasses.replace(heading, attrs=dataclasses.replace(attrs, classes=["part-title", *attrs.classes]))
            )
    return blocks[:end] + titles


def _story_notes(story: Story, options: RenderOptions, ctx: Context, href: Href) -> StoryNotes:
    """How this story's notes are numbered, called and set (see RenderOptions.notes_at)."""
    chapters = story.chapters or [Chapter(id=f"{story.id}-1")]
    last = chapter_document(story, len(chapters) - 1) if story.chapters else story.id
    places = {
        id(story.summary): story.id,
        id(story.notes): story.id if options.notes == "story" else "notes",
        id(story.end_notes): last if options.notes != "end" else "notes",
    }
    for index, chapter in enumerate(story.chapters):
        for blocks in (chapter.summary, chapter.notes, chapter.blocks, chapter.end_notes):
            places[id(blocks)] = chapter_document(story, index)
    notes_document = ENDNOTES_DOCUMENT if options.notes_at == "book" else last
    return StoryNotes(
        story,
        options.notes_at,
        href,
        notes_document,
        places,
        calls_seen_here=options.notes == "story",
        order=reading_order(story, options.notes),
    )


def _endnotes(notes: StoryNotes, labels, ctx: Context) -> str:
    """The story's endnotes, set after its text (unless the book gathers every note)."""
    marks = notes.gathered() if notes.placement != "book" else []
    if not marks:
        return ""
    section_id = f"{notes.story.id}-endnotes"
    return (
        f'<section class="endnotes" epub:type="endnotes" role="doc-endnotes" aria-labelledby="{section_id}">\n'
        f'<h3 id="{section_id}" class="block-label">{esc(labels["notes"])}</h3>\n'
        f"{render_note_list(marks, ctx)}</section>\n"
    )


def _book_notes(book: Book, options: RenderOptions, labels, ctx: Context, href: Href) -> str:
    """Every story's notes in one Notes section at the back ([book] footnotes = "book")."""
    out = []
    for story in book.stories:
        notes = _story_notes(story, options, ctx, href)
        marks = notes.gathered()
        if not marks:
            continue
        story_ctx = dataclasses.replace(ctx, notes=notes)
        lang = story.language if story.language and story.language != book.language else None
        out.append(
            f'<section id="notes-to-{story.id}" class="book-notes-story" aria-labelledby="notes-to-{story.id}-title"'
            f'{lang_attrs(lang)}>\n<h3 id="notes-to-{story.id}-title" class="notes-story-title">'
            f'<a href="{attr(href(story.id, story.id))}">{esc(story.title)}</a></h3>\n'
            f"{render_note_list(marks, story_ctx)}</section>\n"
        )
    if not out:
        return ""
    return (
        f'<section id="{ENDNOTES_DOCUMENT}" class="book-notes" epub:type="endnotes" role="doc-endnotes" '
        f'aria-labelledby="{ENDNOTES_DOCUMENT}-title">\n<h2 id="{ENDNOTES_DOCUMENT}-title" class="notes-title">'
        f"{esc(labels['notes'])}</h2>\n" + "".join(out) + "</section>\n"
    )


def _story_documents(
    story: Story, book: Book, options: RenderOptions, labels, ctx: Context, href: Href
) -> list[Document]:
    lang = story.language or book.language
    chapters = story.chapters or [Chapter(id=f"{story.id}-1")]
    notes = _story_notes(story, options, ctx, href)
    ctx = dataclasses.replace(ctx, notes=notes)
    if len(chapters) == 1:
        body = (
            f'<section id="{story.id}" class="story" epub:type="chapter" role="doc-chapter" '
            f'aria-labelledby="{story.id}-title">\n'
            + _opening(story, book)
            + _story_front(story, options, labels, ctx)
            + _chapter_body(chapters[0], ctx, labels)
            + _end_notes(story, options, labels, ctx)
            + render_footnotes(ctx)
            + _endnotes(notes, labels, ctx)
            + render_footnotes(ctx)  # those called in an endnote
            + "</section>\n"
        )
        return [Document(story.id, story.title, body, lang, "bodymatter", "story", story=story)]

    documents = []
    for index, chapter in enumerate(chapters):
        # An untitled opening chapter (the text before the first heading) is headed by its story.
        labelled = f' aria-labelledby="{chapter.id}-title"' if chapter.title else f' aria-labelledby="{story.id}-title"'

        head = ""
        if index == 0:
            head = (
                f'<section id="{story.id}" class="story story-parts" epub:type="part" role="doc-part" '
                f'aria-labelledby="{story.id}-title">\n'
                + _opening(story, book)
                + _story_front(story, options, labels, ctx)
                + "</section>\n"
            )
        section = head + (
            f'<section id="{chapter.id}" class="chapter" epub:type="chapter" role="doc-chapter"{labelled}>\n'
            + _chapter_body(chapter, ctx, labels, followed=index < len(chapters) - 1)
            + render_footnotes(ctx)
            + "</section>\n"
        )
        if index == len(chapters) - 1:  # the story's afterword, then its endnotes
            section += _end_notes(story, options, labels, ctx)
            section += render_footnotes(ctx) + _endnotes(notes, labels, ctx) + render_footnotes(ctx)
        title = story.title if index == 0 else (chapter.title or story.title)
        kind = "story" if index == 0 else "chapter"
        documents.append(
            Document(chapter_document(story, index), title, section, lang, "bodymatter", kind, story=story)
        )
    return documents


def collected_notes_title(book: Book, labels) -> str:
    """The title of the authors' own notes gathered in the front or back matter: not "Notes",
    which is the book's word for its footnotes and endnotes."""
    return labels["authors_notes"] if len(book.story_authors()) > 1 else labels["author_notes"]


def _collected_notes(book: Book, options: RenderOptions, labels, ctx: Context, href: Href, title: str) -> str:
    """Every story's notes gathered in one section of the front or back matter."""
    out = [
        (
            '<section id="notes" class="collected-notes" aria-labelledby="notes-title">\n'
            f'<h2 id="notes-title" class="notes-title">{esc(title)}</h2>\n'
        )
    ]
    for story in book.stories:
        blocks = story.notes + (story.end_notes if options.notes == "end" else [])
        if not blocks:
            continue
        section_id = f"notes-{story.id}"
        byline = join_names(story.authors, story.language or book.language)
        out.append(
            f'<section id="{section_id}" class="story-notes" epub:type="preface" role="doc-preface" '
            f'aria-labelledby="{section_id}-title"{lang_attrs(story.language if story.language != book.language else None)}>\n'
            f'<h3 id="{section_id}-title" class="notes-story-title">'
            f'<a href="{attr(href(story.id, story.id))}">{esc(story.title)}</a></h3>\n'
        )
        if byline:
            out.append(f'<p class="byline">{esc(byline)}</p>\n')
        story_ctx = dataclasses.replace(ctx, notes=_story_notes(story, options, ctx, href))
        out.append(render_blocks(story.notes, story_ctx))
        if options.notes == "end" and story.end_notes:
            out.append(
                f'<div class="collected-end-notes"><h4 class="block-label">{esc(labels["end_notes"])}</h4>\n'
                f"{render_blocks(story.end_notes, story_ctx)}</div>\n"
            )
        out.append(render_footnotes(story_ctx))
        out.append("</section>\n")
    out.append("</section>\n")
    return "".join(out)
