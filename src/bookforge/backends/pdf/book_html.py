"""The book as print HTML: the shared XHTML documents grouped into parts (front, each story, back)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...media_types import IMAGE_TYPES
from ...model import Book, Story
from ...render.documents import Document, RenderedBook, RenderOptions, join_names, render_book, render_contents
from ...render.xhtml import attr, esc
from ...transforms.resources import book_media

if TYPE_CHECKING:
    from ...cover import CoverImage
    from ...render.cache import RenderCache

# Cross-part links use this scheme; the assembler turns them into links to the right page.
PART_LINK = "bookforge-part:"


@dataclass
class PrintPart:
    """A run of documents that starts on a right-hand page and is laid out on its own."""

    name: str  # "front", a story id, or "back"
    kind: str  # "front", "story" or "back"
    documents: list[Document]
    story: Story | None = None

    def page_name(self) -> str:
        """The CSS named page of this part (running heads and openings are keyed on it)."""
        return {"front": "front", "back": "notes"}.get(self.kind) or f"p-{self.name}"


def print_book(
    book: Book,
    notes: str,
    root: Path,
    one_pass: bool,
    cache: RenderCache | None = None,
    preface: bool = True,
    cover: CoverImage | None = None,
    footnotes: str = "story",
) -> tuple[RenderedBook, list[PrintPart]]:
    """Render the documents for print and group them into parts. Footnotes float to the foot of
    the page that calls them (or all notes go to the Notes section at the back)."""
    if one_pass:
        href = lambda document, fragment: f"#{fragment or document}"
    else:
        href = lambda document, fragment: f"{PART_LINK}{fragment or document}"
    media = book_media(book)

    def image_src(src: str) -> str:
        if src in media:  # an image inside a manuscript (a Word document): no file to point at
            kind = IMAGE_TYPES.get(Path(src).suffix.lower(), "application/octet-stream")
            return f"data:{kind};base64," + base64.b64encode(media[src]).decode("ascii")
        return (root / src).resolve().as_uri()

    rendered = render_book(
        book,
        RenderOptions(notes=notes, preface=preface, notes_at="book" if footnotes == "book" else "page"),
        href=href,
        image_src=image_src,
        page_numbers={},
        cache=cache,
        cache_tag=f"pdf {'one-pass' if one_pass else 'parts'} {root}",
    )
    front = PrintPart("front", "front", [])
    parts = [front]
    if cover is not None:  # a reading PDF opens on its cover, the way the EPUB does
        source = "data:image/jpeg;base64," + base64.b64encode(cover.data).decode("ascii")
        body = (
            f'<section class="cover-page" aria-label="{attr(rendered.labels["cover"])}">\n'
            f'<img src="{source}" alt="{attr(cover.alt)}"/>\n</section>\n'
        )
        front.documents.append(Document("cover", rendered.labels["cover"], body, book.language, "frontmatter", "cover"))
    for document in rendered.documents:
        if document.kind in ("halftitle", "titlepage", "imprint", "toc") or (
            document.kind == "notes" and document.matter == "frontmatter"
        ):
            front.documents.append(document)
        elif document.kind in ("notes", "endnotes"):
            back = parts[-1] if parts[-1].kind == "back" else None
            if back is None:
                parts.append(PrintPart("back", "back", [document]))
            else:
                back.documents.append(document)
        elif document.kind == "story":
            story = document.story
            assert story is not None, "render_book gives every story document its story"
            parts.append(PrintPart(story.id, "story", [document], story=story))
        else:  # later chapters of a multi-chapter story join their story's part
            parts[-1].documents.append(document)
    return rendered, parts


def contents_body(rendered: RenderedBook, page_numbers: dict[str, str], one_pass: bool) -> str:
    href = (lambda d, f: f"#{f or d}") if one_pass else (lambda d, f: f"{PART_LINK}{f or d}")
    return render_contents(rendered.toc, rendered.landmarks, rendered.labels, href, page_numbers)


def part_body(part: PrintPart, contents: str | None = None) -> str:
    """The HTML inside <body> for one part."""
    out = []
    if part.kind == "story":
        out.append(f'<div class="print-story" id="part-{part.name}" style="page: {part.page_name()}">\n')
    for index, document in enumerate(part.documents):
        classes = f"print-doc print-{document.kind}"
        if document.kind in ("notes", "endnotes"):
            classes += " print-notes-front" if part.kind == "front" else " print-notes-back"
        body = contents if (document.kind == "toc" and contents is not None) else document.body
        lang = f' lang="{attr(document.lang)}"' if document.lang else ""
        out.append(f'<div class="{classes}"{lang}>\n{body}</div>\n')
    if part.kind == "story":
        out.append("</div>\n")
    return "".join(out)


_NOTE_PAGE = re.compile(r'(<span class="note-page">\(<a href="' + re.escape(PART_LINK) + r'([^"]*)" data-page=")(")')


def fill_note_pages(body: str, page_numbers: dict[str, str]) -> str:
    """The back Notes section with the page of each note's call, known once the stories are laid out."""
    return _NOTE_PAGE.sub(lambda m: m.group(1) + attr(page_numbers.get(m.group(2), "")) + m.group(3), body)


def has_note_pages(body: str) -> bool:
    return '<span class="note-page">' in body


def html_document(
    book: Book, body: str, build_date: str, with_metadata: bool, body_class: str = "print", style: str = ""
) -> str:
    """A complete HTML document; one-pass builds carry the PDF metadata in its head."""
    head = [f"<title>{esc(book.title)}</title>"]
    if style:
        head.append(f"<style>\n{style}\n</style>")
    if with_metadata:
        names = book.editors or book.authors or book.story_authors()
        if names:
            head.append(f'<meta name="author" content="{attr(join_names(names, book.language))}">')
        if book.description:
            head.append(f'<meta name="description" content="{attr(book.description)}">')
        head.append('<meta name="generator" content="bookforge">')
        head.append(f'<meta name="dcterms.created" content="{build_date}">')
        head.append(f'<meta name="dcterms.modified" content="{build_date}">')
    return (
        f'<!DOCTYPE html>\n<html lang="{attr(book.language)}">\n<head>\n<meta charset="utf-8">\n'
        + "\n".join(head)
        + f'\n</head>\n<body class="{attr(body_class)}">\n{body}</body>\n</html>\n'
    )
