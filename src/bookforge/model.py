"""The chapter model: Book → Story → Chapter → Block → Inline, plain dataclasses that round-trip as JSON."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeAlias


class Loc(NamedTuple):
    """Where a node came from: a project-relative path and a 1-based line.

    A named tuple rather than a dataclass: there is one per paragraph, and tuples are built in C.
    """

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"

    @classmethod
    def parse(cls, text: str) -> Loc:
        path, _, line = text.rpartition(":")
        return cls(path, int(line))


@dataclass
class Attrs:
    """The escape hatch (as in pandoc): an id, classes, a language and a writing direction, so new
    meanings need no new node."""

    id: str | None = None
    classes: list[str] = field(default_factory=list)
    lang: str | None = None  # BCP 47 tag when the passage is in another language than its story
    dir: str | None = None  # "rtl" or "ltr" when the author set it (Arabic, Hebrew in a left-to-right book)


# ---------------------------------------------------------------------------------------------
# Inlines


@dataclass
class Text:
    """A run of characters. Serialised as a bare JSON string."""

    text: str


@dataclass
class Container:
    """An inline that holds inlines (emphasis, a span, a link…): what reaches the text inside any
    of them, the walk, plain_text and the renderers, asks for this one class."""

    children: list[Inline] = field(default_factory=list)


@dataclass
class Emph(Container):
    """Emphasis, usually set in italic."""


@dataclass
class Strong(Container):
    """Strong importance, usually bold."""


@dataclass
class SmallCaps(Container):
    """Text set in small capitals."""


@dataclass
class Superscript(Container):
    """Raised text (ordinals, footnote marks the author typed)."""


@dataclass
class Subscript(Container):
    """Lowered text."""


@dataclass
class Span(Container):
    """A generic inline container, e.g. a phrase in another language (attrs.lang)."""

    attrs: Attrs | None = None


@dataclass
class Code:
    """Literal text in a monospaced face; typography never touches it."""

    text: str = ""


@dataclass
class Link(Container):
    """A hyperlink; only http(s) and mailto targets survive the readers."""

    href: str = ""


@dataclass
class Image:
    """An image inside the project; src is project-relative."""

    src: str = ""
    alt: str = ""


@dataclass
class Strikeout(Container):
    """Struck-through text: still part of the text ("~~Salmon~~ Sold out"), shown crossed out."""


@dataclass
class LineBreak:
    """A forced line break inside a paragraph (verse, letters, signs)."""


@dataclass
class Note:
    """A footnote or endnote: the call sits where the note was written, its blocks are the note.

    Rendering moves the blocks away from the call: to the foot of the page, the end of the
    document, the end of the story or a Notes section at the back. Numbering is the renderer's.
    """

    blocks: list[Block] = field(default_factory=list)
    kind: str = "footnote"  # "footnote" or "endnote", as the author chose


# The containers (Emph, Strong, SmallCaps, Superscript, Subscript, Span, Link, Strikeout) are
# Inlines through their Container base: code that reaches into any of them asks for that one class.
Inline: TypeAlias = Text | Container | Code | Image | LineBreak | Note

# ---------------------------------------------------------------------------------------------
# Blocks


@dataclass
class Paragraph:
    """A paragraph of prose."""

    children: list[Inline] = field(default_factory=list)
    loc: Loc | None = None
    attrs: Attrs | None = None


@dataclass
class Heading:
    """A heading inside a chapter (chapter titles live on Chapter.title); level 1 is the highest."""

    level: int = 1
    children: list[Inline] = field(default_factory=list)
    loc: Loc | None = None
    attrs: Attrs | None = None


@dataclass
class SceneBreak:
    """A break between scenes; never dropped, rendered as a visible, nameable separator."""

    loc: Loc | None = None


@dataclass
class BlockQuote:
    """Quoted or set-off material: letters, epigraphs, song lyrics."""

    children: list[Block] = field(default_factory=list)
    loc: Loc | None = None
    attrs: Attrs | None = None


# Numbering styles of ordered lists (CSS list-style-type names).
LIST_STYLES = ("decimal", "lower-alpha", "upper-alpha", "lower-roman", "upper-roman")


@dataclass
class ListBlock:
    """A bulleted or numbered list; each item is a list of blocks (a nested list is one of them)."""

    items: list[list[Block]] = field(default_factory=list)
    ordered: bool = False
    loc: Loc | None = None
    start: int = 1  # the first item's number (ordered lists)
    style: str = ""  # one of LIST_STYLES for ordered lists; "" is decimal


@dataclass
class LineBlock:
    """Lines whose breaks are the author's: verse, song lyrics, addresses, text messages."""

    lines: list[list[Inline]] = field(default_factory=list)
    loc: Loc | None = None
    attrs: Attrs | None = None


@dataclass
class TableCell:
    """One cell of a table: blocks, and how many columns and rows it spans."""

    blocks: list[Block] = field(default_factory=list)
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Table:
    """Rows of cells; header rows first (repeated on every page in print), then the body rows."""

    head: list[list[TableCell]] = field(default_factory=list)
    body: list[list[TableCell]] = field(default_factory=list)
    aligns: list[str] = field(default_factory=list)  # per column: "left", "right", "center" or ""
    caption: list[Inline] = field(default_factory=list)
    loc: Loc | None = None
    attrs: Attrs | None = None

    def rows(self) -> list[list[TableCell]]:
        return self.head + self.body


@dataclass
class Figure:
    """An image set on its own, with its alternative text (on the image) and an optional caption."""

    image: Image = field(default_factory=Image)
    caption: list[Inline] = field(default_factory=list)
    loc: Loc | None = None
    attrs: Attrs | None = None


@dataclass
class Preformatted:
    """Text whose line breaks and spaces matter (code, ASCII art); typography never touches it."""

    text: str = ""
    loc: Loc | None = None


Block: TypeAlias = Paragraph | Heading | SceneBreak | BlockQuote | ListBlock | Preformatted | LineBlock | Table | Figure

# ---------------------------------------------------------------------------------------------
# Structure


@dataclass
class Chapter:
    """A run of blocks; a one-chapter story has one chapter without a title."""

    title: str | None = None
    blocks: list[Block] = field(default_factory=list)
    summary: list[Block] = field(default_factory=list)  # chapter summary (archive exports)
    notes: list[Block] = field(default_factory=list)  # shown before the chapter's text
    end_notes: list[Block] = field(default_factory=list)  # shown after the chapter's text
    loc: Loc | None = None
    id: str = ""  # unique in the book; set by transforms.ids


@dataclass
class Story:
    """One work of the anthology, with its own title, authors and notes."""

    title: str = ""
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    file_as: dict[str, str] = field(default_factory=dict)  # author → sort name ("Jason Seeley" → "Seeley, Jason")
    summary: list[Block] = field(default_factory=list)  # a short blurb shown at the opening
    notes: list[Block] = field(default_factory=list)  # author's notes: front matter of the story
    end_notes: list[Block] = field(default_factory=list)  # afterword, shown after the text
    meta: dict[str, Any] = field(default_factory=dict)  # other header fields: rating, fandom, tags…
    language: str | None = None  # BCP 47; None means the book's language
    chapters: list[Chapter] = field(default_factory=list)
    source: str = ""  # project-relative path of the manuscript
    id: str = ""  # unique in the book; set by transforms.ids
    # Images that live inside the manuscript (a Word document's media), by the src their Image
    # nodes use. Bytes are no JSON: `inspect` shows the srcs, and equality ignores the bytes.
    media: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False, metadata={"json": False})

    def blocks(self) -> Iterator[Block]:
        """Every block of the story's text, chapter after chapter."""
        for chapter in self.chapters:
            yield from chapter.blocks

    def block_lists(self) -> list[list[Block]]:
        """Every top-level run of blocks, in reading order: the story's front matter, each
        chapter's summary, notes, text and end notes, the story's end notes."""
        lists = [self.summary, self.notes]
        for chapter in self.chapters:
            lists += [chapter.summary, chapter.notes, chapter.blocks, chapter.end_notes]
        lists.append(self.end_notes)
        return lists


@dataclass
class Book:
    """The whole anthology: its metadata and its stories in reading order."""

    title: str = ""
    subtitle: str | None = None
    editors: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)  # book-level authors (single-author collections)
    language: str = "en"
    identifier: str = ""
    publisher: str | None = None
    rights: str | None = None
    date: str | None = None  # publication date, ISO 8601
    description: str | None = None
    cover: str | bool | None = None  # project-relative path of the cover image; False: none; None: generated
    stories: list[Story] = field(default_factory=list)

    def story_authors(self) -> list[str]:
        """Every distinct story author, in order of first appearance."""
        seen: dict[str, None] = {}
        for story in self.stories:
            for author in story.authors:
                seen.setdefault(author, None)
        return list(seen)


# ---------------------------------------------------------------------------------------------
# JSON round-trip (pandoc's `native` habit: readers and backends are tested apart)

_NODE_TYPES = {
    cls.__name__: cls
    for cls in (
        Attrs,
        Text,
        Emph,
        Strong,
        SmallCaps,
        Superscript,
        Subscript,
        Span,
        Code,
        Link,
        Image,
        Strikeout,
        LineBreak,
        Note,
        Paragraph,
        Heading,
        SceneBreak,
        BlockQuote,
        ListBlock,
        Preformatted,
        LineBlock,
        TableCell,
        Table,
        Figure,
        Chapter,
        Story,
        Book,
    )
}


def to_json(value: Any) -> Any:
    """Turn a model value into plain JSON data; empty fields are left out, Text becomes a string."""
    if isinstance(value, Text):
        return value.text
    if isinstance(value, Loc):
        return str(value)
    if dataclasses.is_dataclass(value):
        data: dict[str, Any] = {"type": type(value).__name__}
        for f in dataclasses.fields(value):
            if not f.metadata.get("json", True):
                continue
            item = getattr(value, f.name)
            if item is None or item == [] or item == {} or item == "":
                continue
            data[f.name] = to_json(item)
        return data
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def from_json(data: Any, *, field_name: str = "") -> Any:
    """Rebuild model values from the output of `to_json`."""
    if isinstance(data, str):
        if field_name == "loc":
            return Loc.parse(data)
        return Text(data) if field_name in _INLINE_LIST_FIELDS else data
    if isinstance(data, list):
        return [from_json(v, field_name=field_name) for v in data]
    if isinstance(data, dict) and "type" in data and data["type"] in _NODE_TYPES:
        cls = _NODE_TYPES[data["type"]]
        kwargs = {k: from_json(v, field_name=k) for k, v in data.items() if k != "type"}
        return cls(**kwargs)
    if isinstance(data, dict):
        return {k: from_json(v) for k, v in data.items()}
    return data


# Fields whose bare strings are Text nodes (everything else keeps strings as strings).
_INLINE_LIST_FIELDS = {"children", "lines", "caption"}


# ---------------------------------------------------------------------------------------------
# Walking the tree (one walk for typography, images, notes, checks and text extraction)


def child_blocks(block: Block) -> list[list[Block]]:
    """The runs of blocks directly inside a block (a quote's, each list item's, each cell's)."""
    if isinstance(block, BlockQuote):
        return [block.children]
    elif isinstance(block, ListBlock):
        return block.items
    elif isinstance(block, Table):
        return [cell.blocks for row in block.rows() for cell in row]
    return []


def block_inlines(block: Block) -> list[list[Inline]]:
    """The runs of inlines directly in a block (a paragraph's, each line's, a caption)."""
    if isinstance(block, (Paragraph, Heading)):
        return [block.children]
    elif isinstance(block, LineBlock):
        return block.lines
    elif isinstance(block, Table):
        return [block.caption] if block.caption else []
    elif isinstance(block, Figure):
        return [[block.image], block.caption]
    return []


def notes_in(inlines: list[Inline]) -> list[Note]:
    """The notes called in a run of inlines, in order (a note inside emphasis included)."""
    found: list[Note] = []
    for node in inlines:
        if isinstance(node, Note):
            found.append(node)
        elif isinstance(node, Container):
            found += notes_in(node.children)
    return found


def walk(blocks: list[Block]) -> Iterator[Block | Note]:
    """Every block in reading order, depth first, and every note where it is called: a block, then
    each note called in its text followed by the note's own walk, then the blocks inside it.

    The walk reads a block's inlines and blocks only after handing the block over, so a visitor
    may change them (educate its text, drop an image) and the walk goes on with what it left."""
    for block in blocks:
        yield block
        if type(block) is Paragraph:  # most blocks of a book: a paragraph holds no blocks
            children = block.children
            if len(children) == 1 and type(children[0]) is Text:
                continue  # one run of text (the usual paragraph): no note either
            runs = [children]
        else:
            runs = block_inlines(block)
        for run in runs:
            for note in notes_in(run):
                yield note
                yield from walk(note.blocks)
        if type(block) is not Paragraph:
            for inner in child_blocks(block):
                yield from walk(inner)


def notes_called_in(blocks: list[Block]) -> list[Note]:
    """The notes called in a run of blocks, in reading order (a note's own notes after it)."""
    return [node for node in walk(blocks) if isinstance(node, Note)]


def plain_text(inlines: list[Inline]) -> str:
    """The text of inlines without markup (titles, alt text, search); notes are not part of it."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append(" ")
        elif isinstance(node, Image):
            out.append(node.alt)
        elif isinstance(node, Container):
            out.append(plain_text(node.children))
    return "".join(out)


def block_text(block: Block) -> str:
    """The text of a block and the blocks inside it, without markup (word counts, checks)."""
    if isinstance(block, (Paragraph, Heading)):
        return plain_text(block.children)
    elif isinstance(block, Preformatted):
        return block.text
    parts = [plain_text(run) for run in block_inlines(block) if run]
    parts += [block_text(child) for run in child_blocks(block) for child in run]
    return " ".join(part for part in parts if part)
