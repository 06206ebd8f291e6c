"""Model blocks and inlines to XHTML markup: fast string building with strict escaping."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import assert_never

from ..model import (
    Attrs,
    Block,
    BlockQuote,
    Code,
    Container,
    Emph,
    Figure,
    Heading,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Link,
    ListBlock,
    Note,
    Paragraph,
    Preformatted,
    SceneBreak,
    SmallCaps,
    Span,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Table,
    TableCell,
    Text,
    block_text,
    plain_text,
)
from ..names import roman
from .notes import NoteMark, StoryNotes
from .table_fit import breakable, table_fit


def esc(text: str) -> str:
    """Escape character data (str.replace is several times faster than translate here)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def attr(text: str) -> str:
    """Escape an attribute value (for double quotes)."""
    return esc(text).replace('"', "&quot;")


def lang_attrs(lang: str | None) -> str:
    """` lang="x" xml:lang="x"` (both, as EPUB wants), or nothing."""
    return f' lang="{attr(lang)}" xml:lang="{attr(lang)}"' if lang else ""


@dataclass
class Context:
    """What block rendering needs to know about where it happens."""

    image_src: Callable[[str], str]  # project-relative image path → URL in the output
    scene_break_label: str = "Scene break"
    heading_base: int = 3  # the <hN> level of a level-1 Heading block inside a chapter
    notes: StoryNotes | None = None  # the story being rendered: how its notes are called and set
    back_label: str = "Back to the text"  # a note's link back to its call
    # Print: a note set away from its call (the book's Notes section) says the call's page,
    # "page 12", with this word; "" in the EPUB, which has no pages.
    page_label: str = ""


def render_blocks(blocks: list[Block], ctx: Context) -> str:
    out: list[str] = []
    for block in blocks:
        _block(block, ctx, out)
    return "".join(out)


def render_opening(blocks: list[Block], ctx: Context) -> str:
    """A run of text whose first paragraph opens a story or chapter: it gets a lead-in span.

    `<p class="opening"><span class="lead-in">The first words</span> and the rest…</p>`: print
    sets the lead-in in small caps beside a drop cap; reading systems may style it or not.
    """
    first = blocks[0] if blocks else None
    if not isinstance(first, Paragraph) or not first.children:
        return render_blocks(blocks, ctx)
    lead, rest = _split_lead_in(first.children)
    out = [f"<p{_attrs(first.attrs, 'opening')}>"]
    if lead:
        out.append('<span class="lead-in">')
        _inlines(lead, ctx, out)
        out.append("</span>")
    _inlines(rest, ctx, out)
    out.append("</p>\n")
    for block in blocks[1:]:
        _block(block, ctx, out)
    return "".join(out)


_LEAD_IN = re.compile(r"^\s*\S+(?:\s+\S+){0,2}")


def _split_lead_in(children: list[Inline]) -> tuple[list[Inline], list[Inline]]:
    """The paragraph's first words (up to three, from its first text run) and everything else."""
    head = children[0]
    if not isinstance(head, Text):
        return [], children
    match = _LEAD_IN.match(head.text)
    if not match:
        return [], children
    rest_text = head.text[match.end() :]
    rest = ([Text(rest_text)] if rest_text else []) + children[1:]
    return [Text(match.group(0))], rest


def _attrs(attrs: Attrs | None, extra_class: str = "") -> str:
    classes = ([extra_class] if extra_class else []) + (attrs.classes if attrs else [])
    parts = []
    if attrs and attrs.id:
        parts.append(f' id="{attr(attrs.id)}"')
    if classes:
        parts.append(f' class="{attr(" ".join(classes))}"')
    if attrs and attrs.lang:
        parts.append(lang_attrs(attrs.lang))
    if attrs and attrs.dir in ("rtl", "ltr"):
        parts.append(f' dir="{attrs.dir}"')
    return "".join(parts)


_LIST_TYPES = {"lower-alpha": "a", "upper-alpha": "A", "lower-roman": "i", "upper-roman": "I"}


def _block(block: Block, ctx: Context, out: list[str]) -> None:
    if isinstance(block, Paragraph):
        out.append(f"<p{_attrs(block.attrs)}>")
        _inlines(block.children, ctx, out)
        out.append("</p>\n")
    elif isinstance(block, SceneBreak):
        out.append(f'<hr class="scene-break" aria-label="{attr(ctx.scene_break_label)}"/>\n')
    elif isinstance(block, Heading):
        level = min(6, ctx.heading_base + block.level - 1)
        out.append(f"<h{level}{_attrs(block.attrs)}>")
        _inlines(block.children, ctx, out)
        out.append(f"</h{level}>\n")
    elif isinstance(block, BlockQuote):
        out.append(f"<blockquote{_attrs(block.attrs)}>\n")
        for child in block.children:
            _block(child, ctx, out)
        out.append("</blockquote>\n")
    elif isinstance(block, ListBlock):
        _list(block, ctx, out)
    elif isinstance(block, Preformatted):
        out.append(f"<pre>{esc(block.text)}</pre>\n")
    elif isinstance(block, LineBlock):
        _line_block(block, ctx, out)
    elif isinstance(block, Table):
        _table(block, ctx, out)
    elif isinstance(block, Figure):
        _figure(block, ctx, out)
    else:
        assert_never(block)


def _list(block: ListBlock, ctx: Context, out: list[str]) -> None:
    tag = "ol" if block.ordered else "ul"
    attributes = ""
    if block.ordered and block.style and block.style != "decimal":
        attributes += f' class="{block.style}" type="{_LIST_TYPES[block.style]}"'
    if block.ordered and block.start != 1:
        # The attribute for reading systems; the counter for WeasyPrint, which ignores it.
        attributes += f' start="{block.start}" style="counter-reset: list-item {block.start - 1}"'
    out.append(f"<{tag}{attributes}>\n")
    for item in block.items:
        out.append("<li>")
        # A list item of one paragraph is written without the <p>, as tight lists are.
        first = item[0] if len(item) == 1 else None
        if isinstance(first, Paragraph) and not first.attrs:
            _inlines(first.children, ctx, out)
        else:
            for child in item:
                _block(child, ctx, out)
        out.append("</li>\n")
    out.append(f"</{tag}>\n")


def _line_block(block: LineBlock, ctx: Context, out: list[str]) -> None:
    """Each line a span (set as a block with a hanging indent by the theme); the <br/>s are for
    reading systems without CSS, and the theme hides them."""
    out.append(f"<p{_attrs(block.attrs, 'line-block')}>")
    for index, line in enumerate(block.lines):
        if index:
            out.append("<br/>\n")
        out.append('<span class="line">')
        if line:
            _inlines(line, ctx, out)
        else:
            out.append("\u00a0")  # a blank line in a stanza keeps its height
        out.append("</span>")
    out.append("</p>\n")


_ALIGN_CLASSES = {"left": "align-left", "right": "align-right", "center": "align-center"}


def _table(table: Table, ctx: Context, out: list[str]) -> None:
    """A table that reflows: no fixed widths, cells that wrap; header rows in <thead> (repeated on
    every printed page), column alignment as classes. Its classes say what the themes need to
    know: a short table is kept on one page, a wide one may break words to fit the screen."""
    columns = _grid_columns(table)
    fit = table_fit(table, columns)
    out.append(f"<table{_attrs(table.attrs, ' '.join(['table', *fit.classes]))}>\n")
    if table.caption:
        out.append("<caption>")
        _inlines(table.caption, ctx, out)
        out.append("</caption>\n")
    for rows, group, cell_tag in ((table.head, "thead", "th"), (table.body, "tbody", "td")):
        if not rows:
            continue
        out.append(f"<{group}>\n")
        for row in rows:
            out.append("<tr>")
            for cell in row:
                align = table.aligns[columns[id(cell)]] if columns[id(cell)] < len(table.aligns) else ""
                attributes = ' scope="col"' if cell_tag == "th" else ""
                cell_classes = [_ALIGN_CLASSES[align]] if align in _ALIGN_CLASSES else []
                if id(cell) in fit.whole:
                    cell_classes.append("whole")
                if cell_classes:
                    attributes += f' class="{" ".join(cell_classes)}"'
                if cell.colspan > 1:
                    attributes += f' colspan="{cell.colspan}"'
                if cell.rowspan > 1:
                    attributes += f' rowspan="{cell.rowspan}"'
                out.append(f"<{cell_tag}{attributes}>")
                _cell(cell, ctx, out)
                out.append(f"</{cell_tag}>")
            out.append("</tr>\n")
        out.append(f"</{group}>\n")
    out.append("</table>\n")


def _grid_columns(table: Table) -> dict[int, int]:
    """The grid column each cell starts in, counting the cells that rows above span into."""
    columns: dict[int, int] = {}
    spanned: dict[int, int] = {}  # grid column → rows still covered by a cell from above
    for row in table.rows():
        column = 0
        for cell in row:
            while spanned.get(column, 0) > 0:
                column += 1
            columns[id(cell)] = column
            for covered in range(column, column + cell.colspan):
                spanned[covered] = cell.rowspan
            column += cell.colspan
        spanned = {c: left - 1 for c, left in spanned.items() if left > 1}
    return columns


def _cell(cell: TableCell, ctx: Context, out: list[str]) -> None:
    # A cell of one paragraph is written without the <p>, as tight lists are.
    first = cell.blocks[0] if len(cell.blocks) == 1 else None
    if isinstance(first, Paragraph) and not first.attrs:
        _inlines(breakable(first.children), ctx, out)
        return
    for child in cell.blocks:
        if isinstance(child, Paragraph):
            child = Paragraph(breakable(child.children), child.loc, child.attrs)
        _block(child, ctx, out)


def _figure(figure: Figure, ctx: Context, out: list[str]) -> None:
    out.append(f"<figure{_attrs(figure.attrs, 'figure')}>\n")
    _inlines([figure.image], ctx, out)
    if figure.caption:
        out.append("\n<figcaption>")
        _inlines(figure.caption, ctx, out)
        out.append("</figcaption>")
    out.append("\n</figure>\n")


# The markup around each kind of inline container (a Span's is built from its attributes).
_CONTAINER_TAGS: dict[type[Container], tuple[str, str]] = {
    Emph: ("<em>", "</em>"),
    Strong: ("<strong>", "</strong>"),
    SmallCaps: ('<span class="smallcaps">', "</span>"),
    Superscript: ("<sup>", "</sup>"),
    Subscript: ("<sub>", "</sub>"),
    Strikeout: ("<s>", "</s>"),
}


def _tags_of(node: Container) -> tuple[str, str]:
    """The markup around a container with attributes of its own: a span's, a link's."""
    if isinstance(node, Span):
        return f"<span{_attrs(node.attrs)}>", "</span>"
    if isinstance(node, Link):
        return f'<a href="{attr(node.href)}">', "</a>"
    raise TypeError(f"no markup for {type(node).__name__}")


def _inlines(inlines: list[Inline], ctx: Context | None, out: list[str]) -> None:
    for node in inlines:
        if isinstance(node, Text):
            out.append(esc(node.text))
        elif isinstance(node, Container):
            opening, closing = _CONTAINER_TAGS.get(type(node)) or _tags_of(node)
            out.append(opening)
            _inlines(node.children, ctx, out)
            out.append(closing)
        elif isinstance(node, Note):
            _note_call(node, ctx, out)
        elif isinstance(node, Code):
            out.append(f"<code>{esc(node.text)}</code>")
        elif isinstance(node, LineBreak):
            out.append("<br/>")
        elif isinstance(node, Image):
            if ctx is not None:
                out.append(f'<img src="{attr(ctx.image_src(node.src))}" alt="{attr(node.alt)}"/>')
            elif node.alt:
                out.append(esc(node.alt))
        else:
            assert_never(node)


# ---------------------------------------------------------------------------------------------
# Notes


def _note_call(note: Note, ctx: Context | None, out: list[str]) -> None:
    """Where a note was written: a numbered link to it, or (in print) the note itself, floated to
    the foot of the page. A note with no story around it keeps its words in brackets."""
    notes = ctx.notes if ctx is not None else None
    mark = notes.mark(note) if notes is not None else None
    if ctx is None or notes is None or mark is None:
        out.append('<span class="inline-note">[')
        out.append(esc(" ".join(block_text(b) for b in note.blocks)))
        out.append("]</span>")
        return
    if notes.floats(mark):
        # Inside a paragraph only inline markup may stand: the note's blocks are spans, set as
        # blocks by the print stylesheet, with everything in them rendered as anywhere else.
        out.append(f'<span class="footnote" id="{mark.id}" data-label="{attr(mark.label)}">')
        for block in note.blocks:
            _span_block(block, ctx, out)
        out.append("</span>")
        return
    notes.called(mark)
    out.append(
        f'<a class="noteref" href="{attr(notes.target(mark))}" id="{mark.ref_id}" epub:type="noteref" '
        f'role="doc-noteref">{esc(mark.label)}</a>'
    )


def _span_block(block: Block, ctx: Context, out: list[str]) -> None:
    """One block of a floated footnote as a span (paragraphs run on from the note's number)."""
    if isinstance(block, (Paragraph, Heading)):
        css_class = "footnote-p" if isinstance(block, Paragraph) else "footnote-p footnote-heading"
        out.append(f"<span{_attrs(block.attrs, css_class)}>")
        _inlines(block.children, ctx, out)
        out.append("</span>")
    elif isinstance(block, LineBlock):
        out.append(f"<span{_attrs(block.attrs, 'footnote-lines')}>")
        for line in block.lines:
            out.append('<span class="line">')
            if line:
                _inlines(line, ctx, out)
            else:
                out.append("\u00a0")
            out.append("</span>")
        out.append("</span>")
    elif isinstance(block, BlockQuote):
        out.append(f"<span{_attrs(block.attrs, 'footnote-quote')}>")
        for child in block.children:
            _span_block(child, ctx, out)
        out.append("</span>")
    elif isinstance(block, ListBlock):
        out.append('<span class="footnote-list">')
        for index, item in enumerate(block.items):
            marker = _list_marker(block, index)
            out.append(f'<span class="li"><span class="li-marker">{esc(marker)}</span> ')
            for child in item:
                _span_block(child, ctx, out)
            out.append("</span>")
        out.append("</span>")
    elif isinstance(block, Preformatted):
        out.append(f'<span class="footnote-pre">{esc(block.text)}</span>')
    elif isinstance(block, Table):
        _span_table(block, ctx, out)
    elif isinstance(block, Figure):
        out.append(f"<span{_attrs(block.attrs, 'footnote-figure')}>")
        _inlines([block.image], ctx, out)
        if block.caption:
            out.append('<span class="caption">')
            _inlines(block.caption, ctx, out)
            out.append("</span>")
        out.append("</span>")
    elif isinstance(block, SceneBreak):
        out.append(
            f'<span class="footnote-break" role="separator" aria-label="{attr(ctx.scene_break_label)}">* * *</span>'
        )
    else:
        assert_never(block)


def _span_table(table: Table, ctx: Context, out: list[str]) -> None:
    """A table in a floated footnote: rows and cells as spans the print stylesheet sets as a grid."""
    out.append(f"<span{_attrs(table.attrs, 'footnote-table')}>")
    if table.caption:
        out.append('<span class="caption">')
        _inlines(table.caption, ctx, out)
        out.append("</span>")
    for rows, css_class in ((table.head, "th"), (table.body, "td")):
        for row in rows:
            out.append('<span class="tr">')
            for cell in row:
                out.append(f'<span class="{css_class}">')
                for child in cell.blocks:
                    _span_block(child, ctx, out)
                out.append("</span>")
            out.append("</span>")
    out.append("</span>")


def _list_marker(block: ListBlock, index: int) -> str:
    """The number or bullet a list item shows (for lists written without <ol>, in a footnote)."""
    if not block.ordered:
        return "\u2022"
    number = block.start + index
    style = block.style or "decimal"
    if style.endswith("roman"):
        text = roman(number)
    elif style.endswith("alpha"):
        text = ""
        while number > 0:
            number, rest = divmod(number - 1, 26)
            text = chr(ord("a") + rest) + text
    else:
        text = str(number)
    return (text.upper() if style.startswith("upper") else text) + "."


def render_footnotes(ctx: Context) -> str:
    """The footnotes called in one document, set at its end, each an aside that pops up; a note
    called inside one of them is set after it (so until no call is left unanswered)."""
    if ctx.notes is None:
        return ""
    out: list[str] = []
    marks = ctx.notes.take_pending()
    while marks:
        for mark in marks:
            out.append(f'<aside id="{mark.id}" class="footnote" epub:type="footnote" role="doc-footnote">\n')
            _note_body(mark, ctx, out)
            out.append("</aside>\n")
        marks = ctx.notes.take_pending()
    if not out:
        return ""
    return '<div class="footnotes">\n' + "".join(out) + "</div>\n"


def render_note_list(marks: list[NoteMark], ctx: Context) -> str:
    """Notes set together (a story's endnotes, or a story's part of the book's Notes): endnotes by
    where they stand, whatever the author called them (the class keeps that). Footnotes and
    endnotes are numbered apart (1, 2… and i, ii…), so each kind is a list of its own."""
    out = []
    for kind in ("footnote", "endnote"):
        listed = [mark for mark in marks if mark.kind == kind]
        if not listed:
            continue
        roman_labels = listed[0].label != str(listed[0].number)
        out.append('<ol class="note-list"' + (' type="i"' if roman_labels else "") + ">\n")
        for mark in listed:
            out.append(f'<li id="{mark.id}" class="{mark.kind}" epub:type="endnote" value="{mark.number}">\n')
            _note_body(mark, ctx, out)
            out.append("</li>\n")
        out.append("</ol>\n")
    return "".join(out)


def _note_body(mark: NoteMark, ctx: Context, out: list[str]) -> None:
    """The note's blocks, the first opening with its number (“1.”, as at the foot of a printed
    page), which links back to the call; in print, a note set away from its call says its page."""
    back_href = ctx.notes.back(mark) if ctx.notes is not None else f"#{mark.ref_id}"
    back = (
        f'<a class="note-label" href="{attr(back_href)}" role="doc-backlink" '
        f'aria-label="{attr(ctx.back_label)} ({attr(mark.label)})">{esc(mark.label)}.</a> '
    )
    if ctx.page_label and ctx.notes is not None and ctx.notes.placement == "book" and mark.parent is None:
        # The number is the print stylesheet's: target-counter(), or data-page filled after layout.
        back += (
            f'<span class="note-page">(<a href="{attr(back_href)}" data-page="">'
            f"{esc(ctx.page_label)}\u00a0</a>)</span> "
        )
    blocks = mark.note.blocks
    first = blocks[0] if blocks else None
    if isinstance(first, Paragraph):
        out.append(f"<p{_attrs(first.attrs)}>{back}")
        _inlines(first.children, ctx, out)
        out.append("</p>\n")
        blocks = blocks[1:]
    else:
        out.append(f'<p class="note-label-line">{back}</p>\n')
    for block in blocks:
        _block(block, ctx, out)


__all__ = ["Context", "attr", "block_text", "esc", "lang_attrs", "plain_text", "render_blocks", "render_opening"]
