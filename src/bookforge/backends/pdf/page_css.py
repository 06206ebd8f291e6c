"""The generated half of the print stylesheet: page size, margins, fonts, running heads, folios."""

from __future__ import annotations

from ...model import Book
from ...printing.geometry import Geometry
from ...themes import FONTS_DIR
from .book_html import PrintPart

FONT_FAMILY = "bookforge-serif"
FONT_FILES = (
    ("LinLibertine_R.otf", "normal", "normal"),
    ("LinLibertine_RI.otf", "normal", "italic"),
    ("LinLibertine_RB.otf", "bold", "normal"),
    ("LinLibertine_RBI.otf", "bold", "italic"),
)
# Where folios sit: the same numbers the assembler uses when it stamps them.
FOLIO_SIZE_EM = 0.82


def css_string(text: str) -> str:
    """A CSS string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def font_faces() -> str:
    rules = []
    for file_name, weight, style in FONT_FILES:
        url = (FONTS_DIR / file_name).resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}"); '
            f"font-weight: {weight}; font-style: {style}; "
            # Old-style figures belong to the face: see print.css on why not per element.
            f'font-feature-settings: "onum" 1; }}'
        )
    return "\n".join(rules)


def story_page_css(part: PrintPart, book: Book) -> str:
    """A story's named page: its running heads, and no head or folio on its opening page."""
    name = part.page_name()
    assert part.story is not None, "a story's part holds its story"
    return (
        f"@page {name}:left {{ @top-center {{ content: {css_string(book.title)}; }} }}\n"
        f"@page {name}:right {{ @top-center {{ content: {css_string(part.story.title)}; }} }}\n"
        f"@page :nth(1 of {name}) {{ @top-center {{ content: none; }} @bottom-center {{ content: none; }} }}"
    )


def page_css(book: Book, parts: list[PrintPart], geometry: Geometry, one_pass: bool) -> str:
    """CSS generated from book.toml and the book: everything the theme cannot know in advance."""
    g = geometry
    marks = " ".join(g.marks) if g.marks else "none"
    lines = [
        font_faces(),
        f"html {{ font-size: {g.font_size:.2f}pt; }}",
        (
            f"@page {{ size: {g.width:.2f}pt {g.height:.2f}pt; margin: {g.top:.2f}pt {g.outer:.2f}pt "
            f"{g.bottom:.2f}pt {g.inner:.2f}pt; bleed: {g.bleed:.2f}pt; marks: {marks}; }}"
        ),
        # Mirrored margins: the gutter is on the left of right-hand pages and the right of left ones.
        f"@page :left {{ margin-left: {g.outer:.2f}pt; margin-right: {g.inner:.2f}pt; }}",
        f"@page :right {{ margin-left: {g.inner:.2f}pt; margin-right: {g.outer:.2f}pt; }}",
        ".print-halftitle, .print-titlepage, .print-imprint { page: bare; }",
        # A reading PDF's cover: the whole first page, then a blank inside cover.
        ".print-cover { page: cover; }",
        ".print-cover + .print-halftitle { break-before: right; }",
        f".print-cover img {{ display: block; width: {g.width:.2f}pt; height: {g.height:.2f}pt; object-fit: cover; }}",
        "@page cover { margin: 0; @top-center { content: none; } @bottom-center { content: none; } }",
        ".print-titlepage { break-before: right; }",
        ".print-imprint { break-before: page; }",
        ".print-toc { page: front; break-before: right; }",
        ".print-notes-front { page: front; break-before: right; }",
        ".print-notes-back { page: notes; break-before: right; }",
        ".print-story { break-before: right; }",
        ".print-chapter { break-before: page; }",
        "@page :blank { @top-center { content: none; } @bottom-center { content: none; } }",
        # One-pass builds end on an even page with a page of this (layout.py): blank, so no heads.
        ".print-pad { page: pad; }",
        "@page pad { @top-center { content: none; } @bottom-center { content: none; } }",
    ]
    book_head = css_string(book.title)
    if one_pass:  # parts carry their own story's rules (story_page_css), so one title's change
        lines += [story_page_css(part, book) for part in parts if part.kind == "story"]  # stays local
    lines.append(f"@page notes:left {{ @top-center {{ content: {book_head}; }} }}")
    notes_label = next((p.documents[0].title for p in parts if p.kind == "back"), "Notes")
    lines.append(f"@page notes:right {{ @top-center {{ content: {css_string(notes_label)}; }} }}")

    if one_pass:
        # One document: WeasyPrint numbers the pages itself, roman in the front matter.
        first_story = next((p for p in parts if p.kind == "story"), None)
        lines += [
            "@page { @bottom-center { content: counter(page); } }",
            "@page front { @bottom-center { content: counter(page, lower-roman); } }",
            "@page bare { @bottom-center { content: none; } }",
            "a.toc-link::after { content: leader('. ') target-counter(attr(href), page); }",
            ".note-page a::after { content: target-counter(attr(href), page); }",
            ".toc-front a.toc-link::after { content: leader('. ') target-counter(attr(href), page, lower-roman); }",
        ]
        if first_story is not None:
            lines.append(f"@page :nth(1 of {first_story.page_name()}) {{ counter-reset: page 1; }}")
            # The rule above replaces the opening's margin boxes only if it comes after them.
            lines.append(
                f"@page :nth(1 of {first_story.page_name()}) {{ @top-center {{ content: none; }} "
                "@bottom-center { content: none; } }"
            )
    else:
        # Parts: folios are stamped after assembly, when every page's number is known.
        lines.append("a.toc-link::after { content: leader('. ') attr(data-page); }")
        lines.append(".note-page a::after { content: attr(data-page); }")  # filled after layout (fill_note_pages)
    return "\n".join(lines) + "\n"
