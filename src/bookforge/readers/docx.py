"""Word manuscripts (.docx, read with python-docx): emphasis, headings and "Chapter" lines as chapters,
scene breaks, a leading Notes:/Summary: paragraph, core properties; comments and deletions left out."""

from __future__ import annotations

import io
import re

from ..diagnostics import Diagnostics
from ..errors import ManuscriptError
from ..model import (
    BlockQuote, Emph, Inline, LineBreak, Link, Loc, Paragraph, SceneBreak, SmallCaps, Story, Strong,
    Subscript, Superscript, Text,
)
from .decode import clean
from .header import split_list
from .structure import ChapterStart, assemble, is_blank, join_text, plain_text, take_header, trim_inlines
from .txt import is_break_mark

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_OFF = {"0", "false", "off", "none"}
# Nesting order of the formatting a run may carry: outermost first.
_ORDER = ("strong", "emph", "smallcaps", "sup", "sub")
_QUOTE_STYLES = {"quote", "intense quote", "block text", "quotations"}
# Containers whose runs are part of the paragraph's text (insertions, fields, content controls).
_TRANSPARENT = {W + name for name in ("ins", "moveTo", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml", "dir", "bdo")}
# Removed text and things that are not text: never in the book.
_SKIPPED = {W + name for name in ("del", "moveFrom", "pPr", "rPr")}
_SAFE_LINK = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)


def read(data: bytes, rel: str, diagnostics: Diagnostics) -> Story:
    """Read a .docx file's bytes into a Story; paragraph numbers stand for line numbers."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise ManuscriptError(
            f"not a readable Word document ({exc.__class__.__name__})", path=rel,
            hint="open it in Word or LibreOffice and save it again as .docx",
        ) from None
    except Exception as exc:  # zipfile and lxml errors of a damaged file
        raise ManuscriptError(f"not a readable Word document: {exc}", path=rel,
                              hint="open it in Word or LibreOffice and save it again as .docx") from None
    reader = _Reader(document, rel, diagnostics)
    story = Story(source=rel)
    items = reader.items()
    items = take_header(items, story, rel, diagnostics)
    if reader.title and not story.title:
        story.title = reader.title
    assemble(items, story, rel)
    core = document.core_properties
    if not story.title and (core.title or "").strip():
        story.title = core.title.strip()
    if not story.authors and (core.author or "").strip():
        story.authors = split_list(core.author)
    reader.report()
    return story


class _Reader:
    def __init__(self, document, rel: str, diagnostics: Diagnostics) -> None:
        self.document = document
        self.rel = rel
        self.diagnostics = diagnostics
        self.styles = document.styles.element
        self.title = ""
        self.left_out: dict[str, int] = {}  # what was left out → first paragraph number
        self._style_cache: dict[str, dict] = {}

    def report(self) -> None:
        for what, number in self.left_out.items():
            self.diagnostics.warn("D001", f"{what} left out", path=self.rel, line=number,
                                  hint="the line number of a .docx file is its paragraph number")

    def items(self) -> list:
        """Blocks and chapter starts, paragraph by paragraph; runs of empty paragraphs are scene breaks."""
        out: list = []
        blanks = 0
        body = self.document.element.body
        for number, p in enumerate(body.iter(W + "p"), start=1):
            if _inside_text_box(p):
                continue
            loc = Loc(self.rel, number)
            if _mark_deleted(p) and not _visible_text(p):
                continue  # a paragraph deleted with tracked changes
            item = self.paragraph(p, loc)
            if item is None:
                continue
            if is_blank(item):
                blanks += 1
                continue
            if blanks >= 2 and out:
                out.append(SceneBreak(loc=Loc(self.rel, number - blanks)))
            blanks = 0
            out.append(item)
        return out

    def paragraph(self, p, loc: Loc):
        style_id = _val(p.find(f"{W}pPr/{W}pStyle"))
        name, outline = self._paragraph_style(style_id)
        own_outline = _val(p.find(f"{W}pPr/{W}outlineLvl"))
        if own_outline is not None and own_outline.isdigit():
            outline = int(own_outline)
        pieces: list[tuple[object, frozenset]] = []
        self._walk(p, pieces, loc)
        inlines = trim_inlines(_nest(pieces, _ORDER))
        text = plain_text(inlines).strip()
        if name == "title":
            self.title = self.title or text
            return None
        if name == "subtitle":
            return None
        if outline is not None and outline < 9 and text:
            return ChapterStart(" ".join(text.split()), outline + 1, loc)
        centred = _val(p.find(f"{W}pPr/{W}jc")) == "center"
        if text and (is_break_mark(text) or (centred and len(text) <= 5 and not any(c.isalnum() for c in text))):
            return SceneBreak(loc=loc)
        paragraph = Paragraph(inlines, loc=loc)
        if name in _QUOTE_STYLES and text:
            return BlockQuote([paragraph], loc=loc)
        return paragraph

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

    def _walk(self, element, pieces: list, loc: Loc, link: str | None = None) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == W + "r":
                self._run(child, pieces, loc, link)
            elif tag == W + "hyperlink":
                target = self._link_target(child)
                self._walk(child, pieces, loc, target)
            elif tag in _TRANSPARENT:
                self._walk(child, pieces, loc, link)

    def _link_target(self, hyperlink) -> str | None:
        rid = hyperlink.get(R_ID)
        if not rid:
            return None
        relationship = self.document.part.rels.get(rid)
        target = getattr(relationship, "target_ref", None) if relationship is not None else None
        return target if target and _SAFE_LINK.match(target) else None

    def _run(self, run, pieces: list, loc: Loc, link: str | None) -> None:
        marks = self._run_marks(run)
        if link:
            marks = marks | {f"link:{link}"}
        for child in run:
            tag = child.tag
            if tag == W + "t":
                if child.text:
                    pieces.append((clean(child.text, self.rel, Diagnostics()), marks))
            elif tag == W + "tab":
                pieces.append((" ", marks))
            elif tag in (W + "br", W + "cr"):
                if child.get(W + "type") not in ("page", "column"):
                    pieces.append((LineBreak(), marks))
            elif tag == W + "noBreakHyphen":
                pieces.append(("\u2011", marks))
            elif tag in (W + "drawing", W + "pict", W + "object"):
                self.left_out.setdefault("an image or drawing in the Word document", loc.line)
            elif tag == W + "footnoteReference":
                self.left_out.setdefault("a footnote", loc.line)
            elif tag == W + "endnoteReference":
                self.left_out.setdefault("an endnote", loc.line)

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


def _formatting(rpr) -> dict[str, bool]:
    """The run properties bookforge keeps: italic (and underline), bold, small caps, raised, lowered."""
    marks: dict[str, bool] = {}
    for tag, name in (("i", "emph"), ("b", "strong"), ("smallCaps", "smallcaps")):
        element = rpr.find(W + tag)
        if element is not None:
            marks[name] = (element.get(W + "val") or "true").lower() not in _OFF
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


def _inside_text_box(p) -> bool:
    parent = p.getparent()
    while parent is not None:
        if parent.tag in (W + "txbxContent", W + "del"):
            return True
        parent = parent.getparent()
    return False


def _mark_deleted(p) -> bool:
    return p.find(f"{W}pPr/{W}rPr/{W}del") is not None


def _visible_text(p) -> bool:
    pieces: list = []
    for t in p.iter(W + "t"):
        ancestor, deleted = t.getparent(), False
        while ancestor is not None and ancestor is not p:
            if ancestor.tag in (W + "del", W + "moveFrom"):
                deleted = True
                break
            ancestor = ancestor.getparent()
        if not deleted and (t.text or "").strip():
            pieces.append(t.text)
    return bool(pieces)


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
        out = []
        for value, _ in pieces:
            out.append(value if isinstance(value, LineBreak) else Text(value))
        return join_text(out)
    mark, rest = order[0], order[1:]
    out = []
    for on, group in _groups(pieces, lambda marks: mark in marks):
        children = _nest(group, rest)
        if on and children:
            out.append({"strong": Strong, "emph": Emph, "smallcaps": SmallCaps, "sup": Superscript,
                        "sub": Subscript}[mark](children))
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
