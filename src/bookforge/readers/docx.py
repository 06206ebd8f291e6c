"""Word manuscripts (.docx, opened with python-docx, the XML walked in reading order): emphasis,
strikethrough, headings and "Chapter" lines, lists, tables, footnotes and endnotes, text boxes,
symbols, images with their alt text and captions, scene breaks, a leading Notes: paragraph, the
title, subtitle and core properties; comments, deletions, headers and footers left out."""

from __future__ import annotations

import io
import posixpath
import re
from dataclasses import dataclass, field

from ..diagnostics import Diagnostics
from ..errors import ManuscriptError
from ..model import (
    Attrs, Block, BlockQuote, Emph, Figure, Heading, Image, Inline, LineBlock, LineBreak, Link, ListBlock, Loc, Note,
    Paragraph, SceneBreak, SmallCaps, Story, Strikeout, Strong, Subscript, Superscript, Table, TableCell, Text,
    plain_text,
)
from .assemble import Break, ChapterStart, Item, assemble, take_header
from .decode import scrub
from .docx_numbering import ListLevel, Numbering
from .docx_properties import apply_properties
from .inlines import is_blank, join_text, reads_as_verse, trim_inlines, verse_or_paragraph
from .ledger import Ledger
from .marks import is_break_mark
from .symbols import symbol_char

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
A_GRAPHIC_DATA = "{http://schemas.openxmlformats.org/drawingml/2006/main}graphicData"
_OFF = {"0", "false", "off", "none"}
# Nesting order of the formatting a run may carry: outermost first.
_ORDER = ("strong", "emph", "strike", "smallcaps", "sup", "sub")
_NODES = {"strong": Strong, "emph": Emph, "strike": Strikeout, "smallcaps": SmallCaps, "sup": Superscript,
          "sub": Subscript}
_QUOTE_STYLES = {"quote", "intense quote", "block text", "quotations"}
_VERSE_STYLES = {"poem", "verse", "poetry", "lyrics", "song", "address"}
# Containers whose runs are part of the paragraph's text (insertions, fields, content controls).
_TRANSPARENT = {W + name for name in ("ins", "moveTo", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml",
                                      "dir", "bdo")}
# Removed text and things that are not text: never in the book.
_SKIPPED = {W + name for name in ("del", "moveFrom", "pPr", "rPr")}
_SAFE_LINK = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)
_INDENT_SLACK = 120  # twips: list items indented within this of each other are at the same depth


def read(data: bytes, rel: str, diagnostics: Diagnostics, *, chapter_file: bool = False,
         ledger: Ledger | None = None) -> Story:
    """Read a .docx file's bytes into a Story; paragraph numbers stand for line numbers."""
    import docx

    from .zipsafe import open_docx_bytes

    package = open_docx_bytes(data, rel)  # bounded inflation; Strict Open XML made Transitional
    try:
        document = docx.Document(io.BytesIO(package))
    except Exception as exc:  # python-docx, zipfile and lxml errors of a damaged or foreign file
        raise ManuscriptError(f"not a readable Word document ({exc.__class__.__name__})", path=rel,
                              hint="open it in Word or LibreOffice and save it again as .docx") from None
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


def note_words(document, reader: _Reader, ledger: Ledger) -> None:
    """The ledger: every w:t, w:sym and w:tab of every paragraph (in the body, its tables and text
    boxes, and the notes it calls), outside deletions, hidden text and Word's fallback copies;
    numbered as the reader numbers paragraphs. Comments, headers and footers are not the text."""
    number = 0
    notes: list[tuple[int, object]] = []  # read after the body, as the notes part comes after it
    for p in document.element.body.iter(W + "p"):
        if _excluded(p, document.element.body):
            continue
        if reader._is_toc(p) or any(a.tag == W + "sdt" and _is_toc_control(a) for a in p.iterancestors()):
            continue  # Word's own table of contents: left out on purpose (D001 says so)
        number += 1
        ledger.add(number, _paragraph_words(p))
        for reference in p.iter(W + "footnoteReference", W + "endnoteReference"):
            if not _excluded(reference, p):
                kind = "footnotes" if reference.tag == W + "footnoteReference" else "endnotes"
                notes.append((number, reader._notes_of(kind).get(reference.get(W + "id") or "")))
    for number, note in notes:
        for inner in note.iter(W + "p") if note is not None else ():
            ledger.add(number, _paragraph_words(inner))


def _is_toc_control(sdt) -> bool:
    """A content control holding Word's table of contents (docPartGallery "Table of Contents")."""
    gallery = sdt.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
    return gallery is not None and "contents" in (_val(gallery) or "").lower()


def _excluded(element, top) -> bool:
    """Inside a deletion, a moved-from range or an mc:Fallback (the copy of an mc:Choice)."""
    for ancestor in element.iterancestors():
        if ancestor is top:
            return False
        if ancestor.tag in (W + "del", W + "moveFrom", MC + "Fallback"):
            return True
    return False


def _paragraph_words(p) -> str:
    """A paragraph's own text (a text box's paragraphs inside it are their own entries)."""
    pieces = []
    for node in p.iter(W + "t", W + "sym", W + "tab"):
        owner = next((a for a in node.iterancestors(W + "p")), None)
        if owner is not p or _excluded(node, p) or _hidden(node) or _between(node, p, (W + "rt",)):
            continue  # (a ruby's reading is its base's annotation, set after it: not counted)
        if node.tag == W + "t":
            pieces.append(node.text or "")
        elif node.tag == W + "sym":
            pieces.append(symbol_char(node.get(W + "font"), node.get(W + "char") or "") or "")
        else:
            pieces.append(" ")
    return "".join(pieces)


def _hidden(node) -> bool:
    run = node.getparent()
    vanish = run.find(f"{W}rPr/{W}vanish") if run is not None else None
    return vanish is not None and (_val(vanish) or "true").lower() not in _OFF


class _Reader:
    def __init__(self, document, rel: str, diagnostics: Diagnostics) -> None:
        self.document = document
        self.rel = rel
        self.diagnostics = diagnostics
        self.styles = document.styles.element
        self.numbering = Numbering(document)
        self.title = ""
        self.subtitle = ""
        self.media: dict[str, bytes] = {}  # image src → bytes (the images live in the document)
        self.left_out: dict[str, int] = {}  # what was left out → first paragraph number
        self.number = 0  # paragraph counter: a .docx file's "line" numbers
        self._style_cache: dict[str, dict] = {}
        self._notes: dict[str, dict[str, object]] = {}  # "footnotes"/"endnotes" → id → element
        self._counters: dict[tuple[str, int], int] = {}  # (list, level) → last number used

    def report(self) -> None:
        for what, number in self.left_out.items():
            self.diagnostics.warn("D001", f"{what} left out", path=self.rel, line=number,
                                  hint="the line number of a .docx file is its paragraph number")

    # -- blocks ----------------------------------------------------------------------------------

    def body(self) -> list[Item]:
        """The document's text as the skeleton's stream; runs of empty paragraphs are scene breaks."""
        return self.blocks(self.document.element.body, top=True)

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
                raw.append(box[0] if len(box) == 1 and isinstance(box[0], Figure)
                           else BlockQuote(box, loc=here, attrs=Attrs(classes=["text-box"])))
        if prefix:
            raw.append(Paragraph(trim_inlines(prefix), loc=fixed or Loc(self.rel, self.number)))
        blocks = self._with_lists(self._with_captions(_with_quotes(raw)), top)
        if top:
            return blocks
        # Inside a cell, a text box or a note, a heading is a heading and a break a break.
        return [Heading(item.level, [Text(item.title)], loc=item.loc) if isinstance(item, ChapterStart)
                else SceneBreak(loc=item.loc) if isinstance(item, Break) else item for item in blocks]

    def _children(self, container):
        """Paragraphs and tables in reading order, through content controls and custom XML; Word's
        own table of contents is left out (the book makes its own), and said."""
        for child in container:
            tag = child.tag
            if tag == W + "p" and self._is_toc(child):
                self.left_out.setdefault("the document's own table of contents (the book makes its own)",
                                         self.number + 1)
            elif tag in (W + "p", W + "tbl"):
                yield child
            elif tag == W + "sdt" and _is_toc_control(child):
                self.left_out.setdefault("the document's own table of contents (the book makes its own)",
                                         self.number + 1)
            elif tag in (W + "sdt", W + "sdtContent", W + "customXml"):
                yield from self._children(child.find(W + "sdtContent") if tag == W + "sdt" else child)
            elif tag == W + "altChunk":
                self.left_out.setdefault("an embedded document (altChunk); open the file in Word and save it "
                                         "again to make it part of the text", self.number + 1)
            elif tag == MC + "AlternateContent":
                choice = child.find(MC + "Choice")
                if choice is not None:
                    yield from self._children(choice)

    def paragraph(self, p, loc: Loc, prefix: list[Inline]):
        """(item, text boxes, carry): the paragraph's item; the text boxes anchored in it, as block
        lists; and inlines to join to the next paragraph (a drop cap, a deleted paragraph mark)."""
        style_id = _val(p.find(f"{W}pPr/{W}pStyle"))
        name, outline = self._paragraph_style(style_id)
        caption = self._is_caption(style_id)
        own_outline = _val(p.find(f"{W}pPr/{W}outlineLvl"))
        if own_outline is not None and own_outline.isdigit():
            outline = int(own_outline)
        pieces: list[tuple[object, frozenset]] = []
        boxes: list[list[Block]] = []
        self._walk(p, pieces, loc, boxes)
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
            return Heading(1, inlines, loc=loc), boxes, []
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
        centred = _val(p.find(f"{W}pPr/{W}jc")) == "center"
        if text and not _holds_objects(inlines) and (
                is_break_mark(text) or (centred and len(text) <= 5 and not any(c.isalnum() for c in text))):
            return Break(loc), boxes, []
        figure = _figure(inlines, loc, caption)
        if figure is not None:
            return figure, boxes, []
        paragraph = Paragraph(inlines, loc=loc, attrs=Attrs(classes=["caption"]) if caption else None)
        level = self.numbering.of(p)
        if level is not None and text:
            return _ListItem(level, [paragraph]), boxes, []
        block = verse_or_paragraph(paragraph, forced=name in _VERSE_STYLES)
        if name in _QUOTE_STYLES and text:
            return BlockQuote([block], loc=loc, attrs=_QUOTED), boxes, []
        return block, boxes, []

    def _is_caption(self, style_id: str | None) -> bool:
        """A Caption paragraph, or one in a style based on it (LibreOffice's Table, Figure, Illustration)."""
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.styles.get_by_id(style_id)
            if style is None:
                return False
            if (style.name_val or "").lower() == "caption":
                return True
            style_id = style.basedOn_val
        return False

    def _is_toc(self, p) -> bool:
        """A line of Word's generated table of contents (styles "toc 1" to "toc 9")."""
        name, _ = self._paragraph_style(_val(p.find(f"{W}pPr/{W}pStyle")))
        return bool(re.fullmatch(r"toc \d", name))

    def _paragraph_style(self, style_id: str | None) -> tuple[str, int | None]:
        """(lower-case style name, outline level or None), following basedOn for the level."""
        if not style_id:
            return "", None
        style = self.styles.get_by_id(style_id)
        if style is None:
            return "", None
        name = (style.name_val or "").lower()
        level = None
        heading = re.match(r"heading (\d)$", name)
        if heading:
            level = int(heading.group(1)) - 1
        current, seen = style, set()
        while level is None and current is not None and current.styleId not in seen:
            seen.add(current.styleId)
            value = _val(current.find(f"{W}pPr/{W}outlineLvl"))
            if value is not None and value.isdigit():
                level = int(value)
            based = current.basedOn_val
            current = self.styles.get_by_id(based) if based else None
        return name, level

    # -- tables ----------------------------------------------------------------------------------

    def table(self, tbl, loc: Loc) -> Table:
        """w:tbl → Table: merged cells (gridSpan, vMerge) as spans, leading w:tblHeader rows (or a
        first row set all in bold) as the head, a column's common alignment as its alignment."""
        table = Table(loc=loc)
        above: dict[int, TableCell] = {}  # grid column → the cell a vertical merge continues
        aligns: dict[int, set[str]] = {}
        for index, tr in enumerate(tr for tr in tbl if tr.tag == W + "tr"):
            row: list[TableCell] = []
            column = _int(_val(tr.find(f"{W}trPr/{W}gridBefore")), 0)
            for tc in (tc for tc in tr if tc.tag == W + "tc"):
                span = max(1, _int(_val(tc.find(f"{W}tcPr/{W}gridSpan")), 1))
                merge = tc.find(f"{W}tcPr/{W}vMerge")
                if merge is not None and _val(merge) in (None, "continue") and column in above:
                    above[column].rowspan += 1
                    column += span
                    continue
                cell = TableCell(self.blocks(tc), colspan=span)
                if merge is not None:
                    above[column] = cell
                else:
                    above.pop(column, None)
                jc = {_val(p.find(f"{W}pPr/{W}jc")) for p in tc.iter(W + "p") if "".join(p.itertext()).strip()}
                aligns.setdefault(column, set()).update(jc)
                row.append(cell)
                column += span
            header = tr.find(f"{W}trPr/{W}tblHeader")
            if not table.body and ((header is not None and _val(header) not in _OFF)
                                   or (index == 0 and _all_bold(tr))):
                table.head.append(row)
            else:
                table.body.append(row)
        if len(table.head) == len(table.head + table.body):  # a one-row "table" has no head
            table.body, table.head = table.head, []
        width = max((sum(c.colspan for c in r) for r in table.rows()), default=0)
        names = {"right": "right", "end": "right", "center": "center"}
        table.aligns = [names.get(next(iter(aligns.get(i, ()))) or "", "") if len(aligns.get(i, ())) == 1 else ""
                        for i in range(width)]
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
                block = ListBlock([item.blocks], ordered=level.ordered, loc=item.blocks[0].loc,
                                  start=self._counters.get((level.num_id, level.level), level.start - 1) + 1,
                                  style="" if level.style == "decimal" or not level.ordered else level.style)
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
            if isinstance(item, Table) and not item.caption and isinstance(previous, Paragraph) and \
                    previous.attrs is not None and "caption" in previous.attrs.classes:
                item.caption = out.pop().children
            out.append(item)
        for item in out:
            if isinstance(item, Paragraph) and item.attrs is not None and item.attrs.classes == ["caption"]:
                item.attrs = None  # a caption with nothing to caption is a paragraph
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
        relationship = self.document.part.rels.get(rid)
        target = getattr(relationship, "target_ref", None) if relationship is not None else None
        return target if target and _SAFE_LINK.match(target) else None

    def _run(self, run, pieces: list, loc: Loc, boxes: list, link: str | None) -> None:
        marks = self._run_marks(run)
        if "hidden" in marks:
            return  # hidden text (w:vanish): the author hid it from the page
        if link:
            marks = marks | {f"link:{link}"}
        for child in _run_content(run):
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
            elif tag == W + "sym":
                self._symbol(child, pieces, marks, loc)
            elif tag == W + "ruby":  # East Asian ruby: the base text, its reading in brackets after it
                self._walk(child.find(W + "rubyBase") if child.find(W + "rubyBase") is not None else [],
                           pieces, loc, boxes, link)
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
                pieces.append((self._note(kind, child.get(W + "id"), loc), frozenset(m for m in marks if m.startswith("link:"))))

    def _symbol(self, sym, pieces: list, marks: frozenset, loc: Loc) -> None:
        """Insert → Symbol: a code in a symbol font's own encoding, mapped to Unicode."""
        font, code = sym.get(W + "font"), sym.get(W + "char") or ""
        char = symbol_char(font, code)
        if char:
            pieces.append((char, marks))
            return
        self.diagnostics.warn(
            "D003", f"symbol {code} of the font '{font}' has no Unicode equivalent; left out", path=self.rel,
            line=loc.line, hint="insert the character from a Unicode font (Insert → Symbol → a normal font)",
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
            src = self._media(blip)
            if src is None:
                self.left_out.setdefault("an image linked outside the document", loc.line)
                continue
            if not description:
                self.diagnostics.warn(
                    "D002", "image without alternative text", path=self.rel, line=loc.line,
                    hint="in Word: right-click the picture → Edit Alt Text, and describe it",
                )
            pieces.append((Image(src=src, alt=description), marks))

    def _media(self, rid: str | None) -> str | None:
        part = self.document.part.related_parts.get(rid) if rid else None
        if part is None:
            return None
        src = f"{self.rel}/{posixpath.basename(str(part.partname))}"
        self.media.setdefault(src, part.blob)
        return src

    def _note(self, kind: str, note_id: str | None, loc: Loc) -> Note:
        element = self._notes_of(kind).get(note_id or "")
        blocks = [b for b in self.blocks(element, fixed=loc) if not is_blank(b)] if element is not None else []
        return Note(blocks, kind="footnote" if kind == "footnotes" else "endnote")

    def _notes_of(self, kind: str) -> dict:
        if kind not in self._notes:
            from lxml import etree

            found: dict[str, object] = {}
            for relationship in self.document.part.rels.values():
                if relationship.reltype.endswith("/" + kind) and not relationship.is_external:
                    parser = etree.XMLParser(resolve_entities=False, no_network=True)
                    root = etree.fromstring(relationship.target_part.blob, parser)
                    tag = W + kind[:-1]
                    found = {note.get(W + "id"): note for note in root.iter(tag)
                             if note.get(W + "type") in (None, "normal")}
            self._notes[kind] = found
        return self._notes[kind]

    def _run_marks(self, run) -> frozenset:
        marks: dict[str, bool] = {}
        rpr = run.find(W + "rPr")
        style_id = _val(rpr.find(W + "rStyle")) if rpr is not None else None
        if style_id:
            marks.update(self._character_style(style_id))
        if rpr is not None:
            marks.update(_formatting(rpr))
        return frozenset(name for name, on in marks.items() if on)

    def _character_style(self, style_id: str) -> dict[str, bool]:
        if style_id in self._style_cache:
            return self._style_cache[style_id]
        chain, current, seen = [], self.styles.get_by_id(style_id), set()
        while current is not None and current.styleId not in seen:
            seen.add(current.styleId)
            chain.append(current)
            based = current.basedOn_val
            current = self.styles.get_by_id(based) if based else None
        marks: dict[str, bool] = {}
        for style in reversed(chain):
            name = (style.name_val or "").lower()
            if name in ("emphasis", "subtle emphasis", "intense emphasis", "book title"):
                marks["emph"] = True
            if name in ("strong", "intense emphasis"):
                marks["strong"] = True
            rpr = style.find(W + "rPr")
            if rpr is not None:
                marks.update(_formatting(rpr))
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
            if len(lines) == len(item.children) and not any(
                    isinstance(n, LineBreak) for line in lines for n in line.children) and reads_as_verse(
                    [plain_text(line.children) for line in lines]):
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


def _formatting(rpr) -> dict[str, bool]:
    """The run properties bookforge keeps: italic (and underline), bold, strikethrough, small caps,
    raised, lowered; hidden text is noted so the run can be left out."""
    marks: dict[str, bool] = {}
    for tag, name in (("i", "emph"), ("b", "strong"), ("smallCaps", "smallcaps"), ("strike", "strike"),
                      ("dstrike", "strike"), ("vanish", "hidden")):
        element = rpr.find(W + tag)
        if element is not None:
            on = (element.get(W + "val") or "true").lower() not in _OFF
            marks[name] = marks.get(name, False) or on if tag == "dstrike" else on
    underline = rpr.find(W + "u")
    if underline is not None and (underline.get(W + "val") or "single").lower() not in _OFF:
        marks["emph"] = True  # underline is a typewriter's italic
    position = _val(rpr.find(W + "vertAlign"))
    if position is not None:
        marks["sup"] = position == "superscript"
        marks["sub"] = position == "subscript"
    raised = _val(rpr.find(W + "position"))  # LibreOffice raises and shrinks instead
    if raised and re.fullmatch(r"-?\d+", raised) and int(raised) != 0:
        marks["sup" if int(raised) > 0 else "sub"] = True
    return marks


def _val(element) -> str | None:
    return element.get(W + "val") if element is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _text_boxes(drawing) -> list:
    """The text boxes in a drawing, outermost only (a box's own boxes are read with it)."""
    # A box inside another box is read with it; the VML copy of a box (mc:Fallback) never.
    return [content for content in drawing.iter(W + "txbxContent")
            if not _between(content, drawing, (W + "txbxContent", MC + "Fallback"))]


def _pictures(drawing) -> list[tuple[str | None, str]]:
    """(relationship id, description) of each picture in a drawing (DrawingML or VML)."""
    found = []
    for blip in drawing.iter(A_BLIP, V_IMAGEDATA):
        if _between(blip, drawing, (W + "txbxContent", MC + "Fallback")):
            continue  # a picture in a text box is read with the box; a fallback copy never
        rid = blip.get(R + "embed") or blip.get(R + "id")
        description = ""
        for ancestor in blip.iterancestors():
            docpr = ancestor.find(WP_DOCPR)
            if docpr is not None:
                description = (docpr.get("descr") or docpr.get("title") or "").strip()
                break
            if ancestor.tag in (W + "drawing", W + "pict"):
                description = (ancestor.find(".//{urn:schemas-microsoft-com:vml}shape") is not None and
                               (ancestor.find(".//{urn:schemas-microsoft-com:vml}shape").get("alt") or "").strip()) or ""
                break
        found.append((rid, description))
    return found


def _between(element, top, tags: tuple[str, ...]) -> bool:
    """Is there an element with one of these tags between `element` and `top`?"""
    for ancestor in element.iterancestors():
        if ancestor is top:
            return False
        if ancestor.tag in tags:
            return True
    return False


def _holds_objects(inlines: list[Inline]) -> bool:
    return any(isinstance(n, (Image, Note)) or _holds_objects(getattr(n, "children", [])) for n in inlines)


def _figure(inlines: list[Inline], loc: Loc, caption_style: bool) -> Figure | None:
    """A paragraph holding one picture and nothing else is a figure; so is a caption paragraph that
    opens with its picture (LibreOffice's captioned frame: picture, line break, "Figure 1: …")."""
    if len(inlines) == 1 and isinstance(inlines[0], Image):
        return Figure(inlines[0], loc=loc)
    if caption_style and inlines and isinstance(inlines[0], Image) and not _holds_objects(inlines[1:]):
        caption = trim_inlines(inlines[1:])
        return Figure(inlines[0], caption, loc=loc)
    return None


def _all_bold(tr) -> bool:
    runs = [r for r in tr.iter(W + "r") if "".join(t.text or "" for t in r.iter(W + "t")).strip()]
    return bool(runs) and all(
        r.find(f"{W}rPr/{W}b") is not None and (_val(r.find(f"{W}rPr/{W}b")) or "true") not in _OFF for r in runs)


def _nest(pieces: list[tuple[object, frozenset]], order: tuple[str, ...]) -> list[Inline]:
    """Runs with their marks → nested inlines; neighbours that share a mark share its node."""
    if any(mark.startswith("link:") for _, marks in pieces for mark in marks):
        out: list[Inline] = []
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


def _groups(pieces, key):
    groups: list = []
    for value, marks in pieces:
        k = key(marks)
        if groups and groups[-1][0] == k:
            groups[-1][1].append((value, marks))
        else:
            groups.append((k, [(value, marks)]))
    return groups
