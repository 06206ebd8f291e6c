"""Word manuscripts (.docx, opened with python-docx, the XML walked in reading order): emphasis,
strikethrough, headings and "Chapter" lines, lists, tables, footnotes and endnotes, text boxes,
symbols, images with their alt text and captions, scene breaks, passages in other languages and
right-to-left text, a leading Notes: paragraph, the title, subtitle and core properties; comments,
deletions, headers and footers left out."""

from __future__ import annotations

import io
import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import docx
from lxml import etree

from ..diagnostics import Diagnostics
from ..errors import ManuscriptError
from ..model import (
    Attrs,
    Block,
    BlockQuote,
    Emph,
    Figure,
    Heading,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Link,
    ListBlock,
    Loc,
    Note,
    Paragraph,
    SceneBreak,
    SmallCaps,
    Span,
    Story,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Table,
    TableCell,
    Text,
    plain_text,
)
from ..zipsafe import open_docx_bytes
from .assemble import Break, ChapterStart, Item, assemble, take_header
from .decode import scrub
from .docx_language import DIR, LANG, RTL, Languages, settle
from .docx_ledger import note_words
from .docx_media import book_picture
from .docx_numbering import ListLevel, Numbering
from .docx_properties import apply_properties
from .docx_xml import MC, R, Styles, W, between, is_on, is_toc_control, to_int, val
from .inlines import holds_object, is_blank, join_text, reads_as_verse, trim_inlines, verse_or_paragraph
from .ledger import Ledger
from .marks import is_break_mark
from .symbols import symbol_char

if TYPE_CHECKING:  # an XML element; lxml ships no types, so it is Any to the checker
    from lxml.etree import _Element

A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
A_GRAPHIC_DATA = "{http://schemas.openxmlformats.org/drawingml/2006/main}graphicData"
# The toggle properties of a run bookforge keeps, by tag (w:u is underline, italic but on links).
_TOGGLES = {
    W + "i": "emph",
    W + "b": "strong",
    W + "smallCaps": "smallcaps",
    W + "strike": "strike",
    W + "dstrike": "strike",
    W + "vanish": "hidden",
    W + "u": "underline",
}
# Nesting order of the formatting a run may carry: outermost first.
_ORDER = ("strong", "emph", "strike", "smallcaps", "sup", "sub")
_NODES = {
    "strong": Strong,
    "emph": Emph,
    "strike": Strikeout,
    "smallcaps": SmallCaps,
    "sup": Superscript,
    "sub": Subscript,
}
_QUOTE_STYLES = {"quote", "intense quote", "block text", "quotations"}
_VERSE_STYLES = {"poem", "verse", "poetry", "lyrics", "song", "address"}
# Containers whose runs are part of the paragraph's text (insertions, fields, content controls).
_TRANSPARENT = {W + name for name in ("ins", "moveTo", "smartTag", "sdt", "sdtContent", "customXml", "dir", "bdo")}
# Removed text and things that are not text: never in the book.
_SKIPPED = {W + name for name in ("del", "moveFrom", "pPr", "rPr")}
_SAFE_LINK = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)
_HYPERLINK_FIELD = re.compile(r'^\s*HYPERLINK\s+"?([^"\s]+)', re.IGNORECASE)
# Character styles that only say "this is a link" (Word's Hyperlink and FollowedHyperlink, LibreOffice's
# Internet Link and Visited Internet Link), by style name or id without spaces, in lower case.
_LINK_STYLES = {"hyperlink", "followedhyperlink", "internetlink", "visitedinternetlink"}
_INDENT_SLACK = 120  # twips: list items indented within this of each other are at the same depth


def read(
    data: bytes, rel: str, diagnostics: Diagnostics, *, chapter_file: bool = False, ledger: Ledger | None = None
) -> Story:
    """Read a .docx file's bytes into a Story; paragraph numbers stand for line numbers."""
    package = open_docx_bytes(data, rel)  # bounded inflation; Strict Open XML made Transitional
    try:
        document = docx.Document(io.BytesIO(package))
    except Exception as exc:  # noqa: BLE001 - python-docx, zipfile and lxml raise many kinds for a damaged or foreign file
        raise ManuscriptError(
            f"not a readable Word document ({exc.__class__.__name__})",
            path=rel,
            hint="open it in Word or LibreOffice and save it again as .docx",
        ) from None
    reader = _Reader(document, rel, diagnostics)
    story = Story(source=rel)
    items = take_header(reader.body(), story, diagnostics)
    if ledger is not None:
        note_words(document, reader, ledger)
    story.title = story.title or reader.title
    story.subtitle = story.subtitle or reader.subtitle
    assemble(items, story, diagnostics, chapter_file=chapter_file)
    apply_properties(document.core_properties, story, diagnostics)
    story.media = reader.media
    reader.report()
    return story


@dataclass
class _ListItem:
    """A numbered or bulleted paragraph, before lists are built from runs of them."""

    level: ListLevel
    blocks: list[Block] = field(default_factory=list)


class _Reader:
    def __init__(self, document, rel: str, diagnostics: Diagnostics) -> None:
        self.document = document
        # The part being read: the document, or a notes part while a note is read. Pictures and
        # links are relationship ids, and each part has relationships of its own.
        self.part = document.part
        self.rel = rel
        self.diagnostics = diagnostics
        self.styles = Styles(document.styles.element)
        self.numbering = Numbering(document, self.styles)
        self.languages = Languages(self.styles)
        self.title = ""
        self.subtitle = ""
        self.media: dict[str, bytes] = {}  # image src → bytes (the images live in the document)
        self.left_out: dict[str, int] = {}  # what was left out → first paragraph number
        self.number = 0  # paragraph counter: a .docx file's "line" numbers
        self._style_cache: dict[str, dict] = {}
        self._notes: dict[str, dict[str, _Element]] = {}  # "footnotes"/"endnotes" → id → element
        self._note_parts: dict[str, _Element] = {}  # "footnotes"/"endnotes" → the part holding them
        self._open_notes: set[tuple[str, str]] = set()  # the notes being read (a note may call a note)
        self._counters: dict[tuple[str, int], int] = {}  # (list, level) → last number used
        self._later_titles: list[ChapterStart] = []  # Title paragraphs after the first: parts of the story
        self._paragraph_style_id: str | None = None  # the style of the paragraph whose runs are read
        self._fields: list[list] = []  # the paragraph's open fields: [instruction, link target or None]
        self._pictures: dict[str, str] = {}  # picture part → its src in the book

    def report(self) -> None:
        for what, number in self.left_out.items():
            self.diagnostics.warn(
                "D001",
                f"{what} left out",
                path=self.rel,
                line=number,
                hint="the line number of a .docx file is its paragraph number",
            )

    # -- blocks ----------------------------------------------------------------------------------

    def body(self) -> list[Item]:
        """The document's text as the skeleton's stream; runs of empty paragraphs are scene breaks.
        A Title paragraph after the first opens a part of the story ("Part Two"): a chapter at the
        level of the document's chapter headings, so it reaches the contents (one directly followed
        by a chapter heading is a title page of its own)."""
        items = self.blocks(self.document.element.body, top=True)
        if self._later_titles:
            later = {id(start) for start in self._later_titles}
            level = min(
                (item.level for item in items if isinstance(item, ChapterStart) and id(item) not in later), default=1
            )
            items = [item._replace(level=level) if id(item) in later else item for item in items]
        return items

    def blocks(self, container, top: bool = False, fixed: Loc | None = None) -> list:
        """Blocks (and, at the top, chapter starts and breaks) of a body, cell, text box or note.
        Every paragraph read counts as a line, except a note's, which point at their call (`fixed`)."""
        raw: list = []
        prefix: list[Inline] = []  # a drop cap, or a paragraph whose mark was deleted: joins the next
        blanks = 0
        for element in self._children(container):
            if element.tag == W + "tbl":
                raw.append(self.table(element, fixed or Loc(self.rel, self.number + 1)))
                blanks = 0
                continue
            if fixed is None:
                self.number += 1
            here = fixed or Loc(self.rel, self.number)
            item, boxes, carry = self.paragraph(element, here, prefix)
            prefix = carry
            if item is not None and is_blank(item) and not boxes:
                blanks += 1
                continue
            if blanks >= 2 and raw and top:
                raw.append(Break(Loc(self.rel, here.line - blanks), explicit=False))
            blanks = 0
            if item is not None and not is_blank(item):
                raw.append(item)
            for box in boxes:  # a box holding only a figure is the figure's frame: the figure alone
                raw.append(
                    box[0]
                    if len(box) == 1 and isinstance(box[0], Figure)
                    else BlockQuote(box, loc=here, attrs=Attrs(classes=["text-box"]))
                )
        if prefix:
            raw.append(Paragraph(trim_inlines(prefix), loc=fixed or Loc(self.rel, self.number)))
        blocks = self._with_lists(self._with_captions(_with_quotes(raw)), top)
        if top:
            return blocks
        # Inside a cell, a text box or a note, a heading is a heading and a break a break.
        return [
            Heading(item.level, [Text(item.title)], loc=item.loc)
            if isinstance(item, ChapterStart)
            else SceneBreak(loc=item.loc)
            if isinstance(item, Break)
            else item
            for item in blocks
        ]

    def _children(self, container):
        """Paragraphs and tables in reading order, through content controls and custom XML; Word's
        own table of contents is left out (the book makes its own), and said."""
        for child in container:
            tag = child.tag
            if tag == W + "p" and self.is_toc(child):
                self.left_out.setdefault(
                    "the document's own table of contents (the book makes its own)", self.number + 1
                )
            elif tag in (W + "p", W + "tbl"):
                yield child
            elif tag == W + "sdt" and is_toc_control(child):
                self.left_out.setdefault(
                    "the document's own table of contents (the book makes its own)", self.number + 1
                )
            elif tag in (W + "sdt", W + "sdtContent", W + "customXml"):
                content = child.find(W + "sdtContent") if tag == W + "sdt" else child
                if content is not None:  # the schema lets a content control have no content
                    yield from self._children(content)
            elif tag == W + "altChunk":
                self.left_out.setdefault(
                    "an embedded document (altChunk); open the file in Word and save it "
                    "again to make it part of the text",
                    self.number + 1,
                )
            elif tag == MC + "AlternateContent":
                choice = child.find(MC + "Choice")
                if choice is not None:
                    yield from self._children(choice)

    def paragraph(self, p, loc: Loc, prefix: list[Inline]):
        """(item, text boxes, carry): the paragraph's item; the text boxes anchored in it, as block
        lists; and inlines to join to the next paragraph (a drop cap, a deleted paragraph mark)."""
        style_id = val(p.find(f"{W}pPr/{W}pStyle"))
        name, outline = self._paragraph_style(style_id)
        caption = self._is_caption(style_id)
        own_outline = val(p.find(f"{W}pPr/{W}outlineLvl"))
        if own_outline is not None and own_outline.isdigit():
            outline = int(own_outline)
        pieces: list[tuple[str | Inline, frozenset[str]]] = []
        boxes: list[list[Block]] = []
        # A paragraph's own style and fields (a text box's paragraphs are read inside it).
        outer = self._paragraph_style_id, self._fields
        self._paragraph_style_id, self._fields = style_id, []
        self._walk(p, pieces, loc, boxes)
        self._paragraph_style_id, self._fields = outer
        pieces, lang, direction = settle(pieces, self.languages.paragraph_direction(p, style_id))
        frame = p.find(f"{W}pPr/{W}framePr")
        if frame is not None and (frame.get(W + "dropCap") or "none") in ("drop", "margin"):
            # Word's drop cap: the letter in its own framed paragraph, lowered to sit in the text
            # (w:position): it joins the paragraph it opens, the lowering is the frame's, not the text's.
            letter = _nest([(value, marks - {"sub", "sup"}) for value, marks in pieces], _ORDER)
            return None, boxes, join_text(prefix + letter)
        inlines = _nest(pieces, _ORDER)
        if prefix:
            inlines = join_text(prefix + inlines)
        if p.find(f"{W}pPr/{W}rPr/{W}del") is not None:
            return None, boxes, inlines  # the paragraph mark is a tracked deletion: accepted, it joins
        inlines = trim_inlines(inlines)
        text = plain_text(inlines).strip()
        if name == "title" and text:
            if not self.title:
                self.title = text
                return None, boxes, []
            start = ChapterStart(" ".join(text.split()), 1, loc)  # its level is settled in body()
            self._later_titles.append(start)
            return start, boxes, []
        if name == "subtitle" and text:
            if not self.subtitle:
                self.subtitle = text
                return None, boxes, []
            return Heading(2, inlines, loc=loc), boxes, []
        if outline is not None and outline < 9 and text:
            label = " ".join(self.numbering.heading_label(p).split())
            title = " ".join(text.split())
            if label and not title.startswith(label):
                title = f"{label} {title}" if label[-1:].isalnum() else f"{label.rstrip()} {title}"
            return ChapterStart(title, outline + 1, loc), boxes, []
        centred = val(p.find(f"{W}pPr/{W}jc")) == "center"
        if (
            text
            and not holds_object(inlines)
            and (is_break_mark(text) or (centred and len(text) <= 5 and not any(c.isalnum() for c in text)))
        ):
            return Break(loc), boxes, []
        figure = _figure(inlines, loc, caption)
        if figure is not None:
            return figure, boxes, []
        attrs = Attrs(classes=["caption"] if caption else [], lang=lang, dir=direction)
        paragraph = Paragraph(inlines, loc=loc, attrs=attrs if caption or lang or direction else None)
        level = self.numbering.of(p)
        if level is not None and text:
            return _ListItem(level, [paragraph]), boxes, []
        block = verse_or_paragraph(paragraph, forced=name in _VERSE_STYLES)
        if name in _QUOTE_STYLES and text:
            return BlockQuote([block], loc=loc, attrs=_QUOTED), boxes, []
        return block, boxes, []

    def _is_caption(self, style_id: str | None) -> bool:
        """A Caption paragraph, or one in a style based on it (LibreOffice's Table, Figure, Illustration)."""
        return any((style.name_val or "").lower() == "caption" for style in self.styles.chain(style_id))

    def is_toc(self, p) -> bool:
        """A line of Word's generated table of contents (styles "toc 1" to "toc 9")."""
        name, _ = self._paragraph_style(val(p.find(f"{W}pPr/{W}pStyle")))
        return bool(re.fullmatch(r"toc \d", name))

    def _paragraph_style(self, style_id: str | None) -> tuple[str, int | None]:
        """(lower-case style name, outline level or None), following basedOn for the level."""
        if not style_id:
            return "", None
        style = self.styles.get(style_id)
        if style is None:
            return "", None
        name = (style.name_val or "").lower()
        heading = re.match(r"heading (\d)$", name)
        if heading:
            return name, int(heading.group(1)) - 1
        for current in self.styles.chain(style_id):
            value = val(current.find(f"{W}pPr/{W}outlineLvl"))
            if value is not None and value.isdigit():
                return name, int(value)
        return name, None

    # -- tables ----------------------------------------------------------------------------------

    def table(self, tbl, loc: Loc) -> Table:
        """w:tbl → Table: merged cells (gridSpan, vMerge) as spans, leading w:tblHeader rows (or a
        first row set all in bold) as the head, a column's common alignment as its alignment."""
        table = Table(loc=loc)
        above: dict[int, TableCell] = {}  # grid column → the cell a vertical merge continues
        aligns: dict[int, set[str | None]] = {}
        for index, tr in enumerate(_through_controls(tbl, W + "tr")):
            row: list[TableCell] = []
            column = to_int(val(tr.find(f"{W}trPr/{W}gridBefore")), 0)
            for tc in _through_controls(tr, W + "tc"):
                span = max(1, to_int(val(tc.find(f"{W}tcPr/{W}gridSpan")), 1))
                merge = tc.find(f"{W}tcPr/{W}vMerge")
                if merge is not None and val(merge) in (None, "continue") and column in above:
                    above[column].rowspan += 1
                    column += span
                    continue
                cell = TableCell(self.blocks(tc), colspan=span)
                if merge is not None:
                    above[column] = cell
                else:
                    above.pop(column, None)
                jc = {val(p.find(f"{W}pPr/{W}jc")) for p in tc.iter(W + "p") if "".join(p.itertext()).strip()}
                aligns.setdefault(column, set()).update(jc)
                row.append(cell)
                column += span
            header = tr.find(f"{W}trPr/{W}tblHeader")
            if not table.body and (is_on(header) or (index == 0 and _all_bold(tr))):
                table.head.append(row)
            else:
                table.body.append(row)
        if len(table.head) == len(table.head + table.body):  # a one-row "table" has no head
            table.body, table.head = table.head, []
        width = max((sum(c.colspan for c in r) for r in table.rows()), default=0)
        names = {"right": "right", "end": "right", "center": "center"}
        table.aligns = [
            names.get(next(iter(aligns.get(i, ()))) or "", "") if len(aligns.get(i, ())) == 1 else ""
            for i in range(width)
        ]
        if not any(table.aligns):
            table.aligns = []
        return table

    # -- lists and captions ----------------------------------------------------------------------

    def _with_lists(self, raw: list, top: bool) -> list:
        """Runs of list items → nested ListBlocks, nested by indentation (Word nests List Bullet 2
        under List Bullet by indenting it, with a list of its own); numbering continues across
        interruptions."""
        out: list = []
        stack: list[tuple[ListBlock, ListLevel]] = []
        for item in raw:
            if not isinstance(item, _ListItem):
                stack = []
                out.append(item)
                continue
            level = item.level
            while stack and stack[-1][1].indent > level.indent + _INDENT_SLACK:
                stack.pop()
            same_depth = bool(stack) and abs(stack[-1][1].indent - level.indent) <= _INDENT_SLACK
            if same_depth and stack[-1][1].ordered != level.ordered:
                stack.pop()  # another kind of list at the same depth: a sibling list
                same_depth = False
            if same_depth:
                stack[-1][0].items.append(item.blocks)
            else:
                block = ListBlock(
                    [item.blocks],
                    ordered=level.ordered,
                    loc=item.blocks[0].loc,
                    start=self._counters.get((level.num_id, level.level), level.start - 1) + 1,
                    style="" if level.style == "decimal" or not level.ordered else level.style,
                )
                if stack and stack[-1][0].items:
                    stack[-1][0].items[-1].append(block)
                else:
                    out.append(block)
                stack.append((block, level))
            key = (level.num_id, level.level)
            self._counters[key] = self._counters.get(key, level.start - 1) + 1
            for deeper in [k for k in self._counters if k[0] == level.num_id and k[1] > level.level]:
                del self._counters[deeper]  # a new item restarts the levels below it
        return out

    @staticmethod
    def _with_captions(raw: list) -> list:
        """A Caption-styled paragraph right after a figure, or right before or after a table, is its
        caption."""
        out: list = []
        for item in raw:
            caption = isinstance(item, Paragraph) and item.attrs is not None and "caption" in item.attrs.classes
            previous = out[-1] if out else None
            if caption and isinstance(previous, (Figure, Table)) and not previous.caption:
                previous.caption = item.children
                continue
            if (
                isinstance(item, Table)
                and not item.caption
                and isinstance(previous, Paragraph)
                and previous.attrs is not None
                and "caption" in previous.attrs.classes
            ):
                item.caption = out.pop().children
            out.append(item)
        for item in out:
            if isinstance(item, Paragraph) and item.attrs is not None and item.attrs.classes == ["caption"]:
                item.attrs.classes = []  # a caption with nothing to caption is a paragraph
                if not item.attrs.lang and not item.attrs.dir:
                    item.attrs = None
        return out

    # -- runs ------------------------------------------------------------------------------------

    def _walk(self, element, pieces: list, loc: Loc, boxes: list, link: str | None = None) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == W + "r":
                self._run(child, pieces, loc, boxes, link)
            elif tag == W + "hyperlink":
                self._walk(child, pieces, loc, boxes, self._link_target(child))
            elif tag == W + "fldSimple":
                self._walk(child, pieces, loc, boxes, link or _field_link(child.get(W + "instr") or ""))
            elif tag in _TRANSPARENT:
                self._walk(child, pieces, loc, boxes, link)
            elif tag == MC + "AlternateContent":
                choice = child.find(MC + "Choice")
                self._walk(choice if choice is not None else [], pieces, loc, boxes, link)
            elif tag in (M + "oMath", M + "oMathPara"):  # an equation: its text, in reading order
                pieces.append(("".join(t.text or "" for t in child.iter(M + "t")), frozenset()))

    def _link_target(self, hyperlink) -> str | None:
        rid = hyperlink.get(R + "id")
        if not rid:
            return None
        relationship = self.part.rels.get(rid)
        target = getattr(relationship, "target_ref", None) if relationship is not None else None
        return target if target and _SAFE_LINK.match(target) else None

    def _run(self, run, pieces: list, loc: Loc, boxes: list, link: str | None) -> None:
        if self._fields and not link:
            link = next((target for _, target in reversed(self._fields) if target), None)
        rpr = run.find(W + "rPr")
        if self._hidden(rpr):  # the author hid it from the page
            for child in run.iter(W + "fldChar", W + "instrText"):
                self._field(child)  # (a hidden field mark still opens or closes its field)
            return
        formatting = self._run_marks(rpr)
        # Underline is a typewriter's italic, except on a link (inside w:hyperlink, or in a link's
        # character style): there it is only how a link looks.
        if formatting.get("underline") and not link and not formatting.get("link style"):
            formatting["emph"] = True
        marks = frozenset(name for name, on in formatting.items() if on and name in _NODES)
        content = list(_run_content(run))
        text = "".join(child.text or "" for child in content if child.tag == W + "t")
        marks |= self.languages.run_marks(rpr, text, self._paragraph_style_id)
        if link:
            marks = marks | {f"link:{link}"}
        for child in content:
            tag = child.tag
            if tag == W + "t":
                if child.text:
                    pieces.append((scrub(child.text), marks))
            elif tag in (W + "tab", W + "ptab"):
                pieces.append((" ", marks))
            elif tag in (W + "br", W + "cr"):
                if child.get(W + "type") not in ("page", "column"):
                    pieces.append((LineBreak(), marks))
            elif tag == W + "noBreakHyphen":
                pieces.append(("\u2011", marks))
            elif tag in (W + "fldChar", W + "instrText"):
                self._field(child)
            elif tag == W + "sym":
                self._symbol(child, pieces, marks, loc)
            elif tag == W + "ruby":  # East Asian ruby: the base text, its reading in brackets after it
                self._walk(
                    child.find(W + "rubyBase") if child.find(W + "rubyBase") is not None else [],
                    pieces,
                    loc,
                    boxes,
                    link,
                )
                reading: list = []
                self._walk(child.find(W + "rt") if child.find(W + "rt") is not None else [], reading, loc, boxes, link)
                if reading:
                    pieces += [("(", marks), *reading, (")", marks)]
            elif tag in (W + "drawing", W + "pict"):
                self._drawing(child, pieces, marks, loc, boxes)
            elif tag == W + "object":
                self.left_out.setdefault("an embedded object (a chart, an equation or an OLE object)", loc.line)
            elif tag in (W + "footnoteReference", W + "endnoteReference"):
                kind = "footnotes" if tag == W + "footnoteReference" else "endnotes"
                # The call's raised number is the renderer's to draw: no formatting around a note.
                note = self._note(kind, child.get(W + "id"), loc)
                if note is not None:
                    pieces.append((note, frozenset(m for m in marks if m.startswith("link:"))))

    def _field(self, element) -> None:
        """Word's fields (w:fldChar begin, instruction, separate, result, end): the result of a
        HYPERLINK field (a pasted link, an older document's) is a link, as a w:hyperlink is."""
        if element.tag == W + "instrText":
            if self._fields:
                self._fields[-1][0] += element.text or ""
            return
        kind = element.get(W + "fldCharType")
        if kind == "begin":
            self._fields.append(["", None])
        elif kind == "separate" and self._fields:
            self._fields[-1][1] = _field_link(self._fields[-1][0])
        elif kind == "end" and self._fields:
            self._fields.pop()

    def _symbol(self, sym, pieces: list, marks: frozenset, loc: Loc) -> None:
        """Insert → Symbol: a code in a symbol font's own encoding, mapped to Unicode."""
        font, code = sym.get(W + "font"), sym.get(W + "char") or ""
        char = symbol_char(font, code)
        if char:
            pieces.append((char, marks))
            return
        self.diagnostics.warn(
            "D003",
            f"symbol {code} of the font '{font}' has no Unicode equivalent; left out",
            path=self.rel,
            line=loc.line,
            hint="insert the character from a Unicode font (Insert → Symbol → a normal font)",
        )

    def _drawing(self, drawing, pieces: list, marks: frozenset, loc: Loc, boxes: list) -> None:
        """Pictures become images (alt text from the drawing's description); text boxes are read
        in reading order, after the paragraph they are anchored in."""
        for content in _text_boxes(drawing):
            boxes.append(self.blocks(content))
        for graphic in drawing.iter(A_GRAPHIC_DATA):
            kind = graphic.get("uri") or ""
            if "chart" in kind or "diagram" in kind:  # its text lives in parts of its own
                self.left_out.setdefault("a chart or SmartArt diagram", loc.line)
        for blip, description in _pictures(drawing):
            src = self._picture(blip, description, loc)
            if src is None:
                continue
            if not description:
                self.diagnostics.warn(
                    "D002",
                    "image without alternative text",
                    path=self.rel,
                    line=loc.line,
                    hint="in Word: right-click the picture → Edit Alt Text, and describe it",
                )
            pieces.append((Image(src=src, alt=description), marks))

    def _picture(self, rid: str | None, description: str, loc: Loc) -> str | None:
        """The src of a picture of the part being read, its bytes kept in the story's media; None
        (and said) for a picture linked outside the document or in a format no book can hold."""
        part = self.part.related_parts.get(rid) if rid else None
        if part is None:
            self.left_out.setdefault("an image linked outside the document", loc.line)
            return None
        partname = str(part.partname)
        if partname not in self._pictures:
            kept = book_picture(posixpath.basename(partname), part.blob)
            if isinstance(kept, str):
                # Windows metafiles have no renderer outside Windows and Office. The picture's alt
                # text is not set in the text instead: a description would read as the author's
                # prose; the warning names the picture so the author can replace it.
                named = f"“{description}”" if description else posixpath.basename(partname)
                self.diagnostics.warn(
                    "D001",
                    f"picture {named} left out: {kept}",
                    path=self.rel,
                    line=loc.line,
                    hint="in Word: right-click the picture → Save as Picture → PNG, then insert that PNG "
                    "in its place (the line number of a .docx file is its paragraph number)",
                )
                return None
            name, data = kept
            stem, suffix = posixpath.splitext(name)
            src, number = f"{self.rel}/{name}", 1
            while self.media.get(src, data) != data:  # a converted TIFF named like a PNG beside it
                number += 1
                src = f"{self.rel}/{stem}-{number}{suffix}"
            self.media[src] = data
            self._pictures[partname] = src
        return self._pictures[partname]

    def _note(self, kind: str, note_id: str | None, loc: Loc) -> Note | None:
        """The note a reference calls, read with the relationships of the part that holds it; None
        for a call inside the note it calls (it would repeat forever)."""
        key = (kind, note_id or "")
        if key in self._open_notes:
            self.left_out.setdefault("a note's call inside that same note", loc.line)
            return None
        element = self.notes_of(kind).get(note_id or "")
        blocks: list = []
        if element is not None:
            outer, self.part = self.part, self._note_parts[kind]
            self._open_notes.add(key)
            blocks = [b for b in self.blocks(element, fixed=loc) if not is_blank(b)]
            self._open_notes.discard(key)
            self.part = outer
        return Note(blocks, kind="footnote" if kind == "footnotes" else "endnote")

    def notes_of(self, kind: str) -> dict:
        """The footnotes or endnotes ("footnotes"/"endnotes") by id: Word's separators left out."""
        if kind not in self._notes:
            found: dict[str, _Element] = {}
            for relationship in self.document.part.rels.values():
                if relationship.reltype.endswith("/" + kind) and not relationship.is_external:
                    parser = etree.XMLParser(resolve_entities=False, no_network=True)
                    part = relationship.target_part
                    try:
                        root = etree.fromstring(part.blob, parser)
                    except etree.XMLSyntaxError:
                        raise ManuscriptError(
                            f"the {kind} part is damaged ({str(part.partname).lstrip('/')} is not well-formed XML)",
                            path=self.rel,
                            hint="open it in Word or LibreOffice and save it again as .docx",
                        ) from None
                    tag = W + kind[:-1]
                    found = {
                        note.get(W + "id"): note for note in root.iter(tag) if note.get(W + "type") in (None, "normal")
                    }
                    self._note_parts[kind] = part
            self._notes[kind] = found
        return self._notes[kind]

    def hidden(self, run) -> bool:
        """Hidden text (w:vanish on the run, else in its character style): never in the book. The
        one test both the reader and its ledger use."""
        return self._hidden(run.find(W + "rPr"))

    def _hidden(self, rpr) -> bool:
        if rpr is None:
            return False
        vanish = rpr.find(W + "vanish")
        if vanish is not None:
            return is_on(vanish)
        style_id = val(rpr.find(W + "rStyle"))
        return bool(style_id and self._character_style(style_id).get("hidden"))

    def _run_marks(self, rpr) -> dict[str, bool]:
        """A run's formatting (from its w:rPr): its character style's, then its own."""
        if rpr is None:
            return {}
        own = _formatting(rpr)
        style_id = own.pop("style", None)
        if not style_id:
            return own
        marks = dict(self._character_style(style_id))
        marks.update(own)
        return marks

    def _character_style(self, style_id: str) -> dict[str, bool]:
        if style_id in self._style_cache:
            return self._style_cache[style_id]
        marks: dict[str, bool] = {}
        for style in reversed(self.styles.chain(style_id)):
            name = (style.name_val or "").lower()
            if name in ("emphasis", "subtle emphasis", "intense emphasis", "book title"):
                marks["emph"] = True
            if name in ("strong", "intense emphasis"):
                marks["strong"] = True
            if {name.replace(" ", ""), (style.styleId or "").lower()} & _LINK_STYLES:
                marks["link style"] = True
            rpr = style.find(W + "rPr")
            if rpr is not None:
                marks.update(_formatting(rpr))
        marks.pop("style", None)
        self._style_cache[style_id] = marks
        return marks


_QUOTED = Attrs(classes=["quote-style"])  # marks a reader-made quotation until _with_quotes merges it


def _with_quotes(raw: list) -> list:
    """Paragraphs in a quotation style, one after another, are one quotation; a run of short ones
    (a poem typed a line per paragraph) is verse, kept line by line."""
    out: list = []
    for item in raw:
        if isinstance(item, BlockQuote) and item.attrs is _QUOTED:
            previous = out[-1] if out else None
            if isinstance(previous, BlockQuote) and previous.attrs is _QUOTED:
                previous.children += item.children
                continue
        out.append(item)
    for index, item in enumerate(out):
        if isinstance(item, BlockQuote) and item.attrs is _QUOTED:
            item.attrs = None
            lines = [child for child in item.children if isinstance(child, Paragraph)]
            if (
                len(lines) == len(item.children)
                and not any(isinstance(n, LineBreak) for line in lines for n in line.children)
                and reads_as_verse([plain_text(line.children) for line in lines])
            ):
                item.children = [LineBlock([line.children for line in lines], loc=item.loc)]
    return out


def _run_content(run):
    """A run's children, with an mc:AlternateContent read as its mc:Choice (Word's own markup; the
    mc:Fallback is the same content for older readers)."""
    for child in run:
        if child.tag == MC + "AlternateContent":
            choice = child.find(MC + "Choice")
            if choice is not None:
                yield from choice
        else:
            yield child


def _formatting(rpr) -> dict:
    """The run properties bookforge keeps: italic, underline (read as italic but on links), bold,
    strikethrough (single or double), small caps, raised, lowered; hidden text is noted so the run
    can be left out, and the character style ("style") so its formatting can be added."""
    marks: dict = {}
    for element in rpr:  # (one pass: each lookup of an element costs as much as the pass)
        tag = element.tag
        name = _TOGGLES.get(tag)
        if name == "strike":
            marks[name] = marks.get(name, False) or is_on(element)  # w:strike or w:dstrike
        elif name:
            marks[name] = is_on(element, "single" if tag == W + "u" else "true")
        elif tag == W + "rStyle":
            marks["style"] = val(element)
        elif tag == W + "vertAlign":
            position = val(element)
            marks["sup"] = position == "superscript"
            marks["sub"] = position == "subscript"
        elif tag == W + "position":  # LibreOffice raises and shrinks instead
            raised = val(element)
            if raised and re.fullmatch(r"-?\d+", raised) and int(raised) != 0:
                marks["sup" if int(raised) > 0 else "sub"] = True
    return marks


def _text_boxes(drawing) -> list:
    """The text boxes in a drawing, outermost only (a box's own boxes are read with it)."""
    # A box inside another box is read with it; the VML copy of a box (mc:Fallback) never.
    return [
        content
        for content in drawing.iter(W + "txbxContent")
        if not between(content, drawing, (W + "txbxContent", MC + "Fallback"))
    ]


def _pictures(drawing) -> list[tuple[str | None, str]]:
    """(relationship id, description) of each picture in a drawing (DrawingML or VML)."""
    found = []
    for blip in drawing.iter(A_BLIP, V_IMAGEDATA):
        if between(blip, drawing, (W + "txbxContent", MC + "Fallback")):
            continue  # a picture in a text box is read with the box; a fallback copy never
        rid = blip.get(R + "embed") or blip.get(R + "id")
        description = ""
        for ancestor in blip.iterancestors():
            docpr = ancestor.find(WP_DOCPR)
            if docpr is not None:
                description = (docpr.get("descr") or docpr.get("title") or "").strip()
                break
            if ancestor.tag in (W + "drawing", W + "pict"):
                shape = ancestor.find(".//{urn:schemas-microsoft-com:vml}shape")
                description = (shape.get("alt") or "").strip() if shape is not None else ""
                break
        found.append((rid, description))
    return found


def _field_link(instruction: str) -> str | None:
    """The target of a HYPERLINK field's instruction (` HYPERLINK "https://…" `), if a book may keep it."""
    match = _HYPERLINK_FIELD.match(instruction)
    return match.group(1) if match and _SAFE_LINK.match(match.group(1)) else None


def _through_controls(parent, tag: str):
    """The children with that tag, also those inside content controls (a repeating section's rows
    are each a w:sdt) and custom XML elements."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _through_controls(content, tag)
        elif child.tag == W + "customXml":
            yield from _through_controls(child, tag)


def _figure(inlines: list[Inline], loc: Loc, caption_style: bool) -> Figure | None:
    """A paragraph holding one picture and nothing else is a figure; so is a caption paragraph that
    opens with its picture (LibreOffice's captioned frame: picture, line break, "Figure 1: …")."""
    if len(inlines) == 1 and isinstance(inlines[0], Image):
        return Figure(inlines[0], loc=loc)
    if caption_style and inlines and isinstance(inlines[0], Image) and not holds_object(inlines[1:]):
        caption = trim_inlines(inlines[1:])
        return Figure(inlines[0], caption, loc=loc)
    return None


def _all_bold(tr) -> bool:
    runs = [r for r in tr.iter(W + "r") if "".join(t.text or "" for t in r.iter(W + "t")).strip()]
    return bool(runs) and all(is_on(r.find(f"{W}rPr/{W}b")) for r in runs)


def _nest(pieces: list[tuple[str | Inline, frozenset[str]]], order: tuple[str, ...]) -> list[Inline]:
    """Runs with their marks → nested inlines: a passage in another language or direction outermost,
    then a link, then the formatting of `order`; neighbours that share a mark share its node."""
    if not any(marks for _, marks in pieces):  # plain text: nothing to nest
        return join_text([value if not isinstance(value, str) else Text(value) for value, _ in pieces])
    if any(mark.startswith((LANG, DIR)) for _, marks in pieces for mark in marks):
        out: list[Inline] = []
        for passage, group in _groups(pieces, _passage):
            inner = _nest([(value, marks - passage) for value, marks in group], order)
            if passage and inner:
                lang = next((mark[len(LANG) :] for mark in passage if mark.startswith(LANG)), None)
                out.append(Span(inner, Attrs(lang=lang, dir="rtl" if RTL in passage else None)))
            else:
                out.extend(inner)
        return join_text(out)
    if any(mark.startswith("link:") for _, marks in pieces for mark in marks):
        out = []
        for link, group in _groups(pieces, lambda marks: next((m for m in marks if m.startswith("link:")), None)):
            if link:
                out.append(Link(_nest([(value, marks - {link}) for value, marks in group], order), link[5:]))
            else:
                out.extend(_nest(group, order))
        return join_text(out)
    if not order:
        return join_text([value if not isinstance(value, str) else Text(value) for value, _ in pieces])
    mark, rest = order[0], order[1:]
    out = []
    for on, group in _groups(pieces, lambda marks: mark in marks):
        children = _nest(group, rest)
        if on and children:
            out.append(_NODES[mark](children))
        else:
            out.extend(children)
    return join_text(out)


def _passage(marks: frozenset) -> frozenset:
    """The marks of a piece's language and direction."""
    return frozenset(mark for mark in marks if mark.startswith((LANG, DIR)))


def _groups(pieces, key):
    groups: list = []
    for value, marks in pieces:
        k = key(marks)
        if groups and groups[-1][0] == k:
            groups[-1][1].append((value, marks))
        else:
            groups.append((k, [(value, marks)]))
    return groups
