"""HTML manuscripts: an archive's "Download → HTML" file (preface, chapters, notes, afterword) or any
HTML page; active content is reported and removed (lxml_html_clean) before anything is read."""

from __future__ import annotations

import posixpath
import re

from ..diagnostics import Diagnostics
from ..errors import ManuscriptError
from ..model import (
    Attrs, Block, BlockQuote, Chapter, Code, Emph, Heading, Image, Inline, LineBreak, Link, ListBlock, Loc,
    Paragraph, Preformatted, SceneBreak, SmallCaps, Span, Story, Strong, Subscript, Superscript, Text,
)
from .decode import clean, decode
from .header import LIST_FIELDS, canonical_field, language_tag, split_list
from .structure import ChapterStart, assemble, is_blank, join_text, plain_text, take_header, trim_inlines
from .txt import is_break_mark

# Elements that run code or pull in other documents: reported, then removed with their content.
_ACTIVE = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base"}
_SAFE_LINK = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\n\r\f]+")  # HTML white space (a no-break space is not)

_EMPH = {"em", "i", "cite", "dfn", "var", "u", "ins"}  # underline is italic's typewriter stand-in
_STRONG = {"strong", "b"}
_CODE = {"code", "kbd", "samp", "tt"}
_CONTAINERS = {"div", "section", "article", "main", "body", "center", "header", "footer", "aside", "figure",
               "figcaption", "address", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "dl", "dd", "html",
               "details", "summary"}
_BLOCKS = _CONTAINERS | {"p", "blockquote", "ul", "ol", "li", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "dt"}


def read(data: bytes, rel: str, diagnostics: Diagnostics) -> Story:
    """Decode, sanitise and read an HTML manuscript's bytes."""
    text = clean(decode(data, rel, diagnostics), rel, diagnostics)
    root = _parse(text, rel)
    authors = [split_list(meta.get("content", "")) for meta in root.iter("meta")
               if (meta.get("name") or "").lower() == "author"]  # read before the cleaner drops <meta>
    _sanitise(root, rel, diagnostics)
    reader = _Reader(rel, diagnostics)
    if root.find(".//div[@id='preface']") is not None and root.find(".//div[@id='chapters']") is not None:
        return reader.archive(root)
    story = reader.page(root)
    if not story.authors and authors:
        story.authors = authors[0]
    return story


def _parse(text: str, rel: str):
    import lxml.html
    from lxml import etree

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses an encoding declaration in a str
    if not text.strip():
        return lxml.html.document_fromstring("<html><body></body></html>")
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ManuscriptError(f"not readable as HTML: {exc}", path=rel) from None


def _sanitise(root, rel: str, diagnostics: Diagnostics) -> None:
    """Report what would run or fetch (scripts, event handlers, javascript: links), then remove it."""
    from lxml_html_clean import Cleaner

    found: dict[str, list[int]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        line = element.sourceline or 1
        if tag in _ACTIVE:
            found.setdefault(f"<{tag}>", []).append(line)
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.setdefault(f"{name.lower()}=", []).append(line)
            elif name.lower() in ("href", "src", "action") and value.strip().lower().startswith(("javascript:", "vbscript:")):
                found.setdefault(f"{name.lower()}=\"javascript:…\"", []).append(line)
        style = (element.get("style") or "").lower()
        # What inline styles mean is kept as classes the reader understands; the styles go.
        for needle, css_class in (("small-caps", "smallcaps"), ("italic", "italic"), ("bold", "bold"),
                                  ("underline", "italic"), ("center", "center")):
            if needle in style:
                element.set("class", f"{element.get('class', '')} {css_class}".strip())
    for what, lines in found.items():
        shown = ", ".join(map(str, sorted(set(lines))[:5]))
        diagnostics.warn(
            "H001",
            f"removed {what} (line{'s' if len(set(lines)) > 1 else ''} {shown}): a book runs no code",
            path=rel,
            line=min(lines),
            hint="nothing in the HTML is run or fetched; the text around it is kept",
        )
    Cleaner(
        scripts=True, javascript=True, comments=True, style=True, inline_style=True, links=True, meta=True,
        page_structure=False, processing_instructions=True, embedded=True, frames=True, forms=True,
        annoying_tags=True, remove_unknown_tags=False, safe_attrs_only=True,
        safe_attrs=frozenset({"href", "src", "alt", "lang", "class", "id", "align", "rel", "name", "content"}),
    )(root)


class _Reader:
    def __init__(self, rel: str, diagnostics: Diagnostics) -> None:
        self.rel = rel
        self.diagnostics = diagnostics

    def loc(self, element) -> Loc:
        return Loc(self.rel, element.sourceline or 1)

    # -- the two shapes of file -------------------------------------------------------------

    def page(self, root) -> Story:
        """Any HTML page: its body's text; <title>, author meta and lang give what they can."""
        story = Story(source=self.rel)
        story.language = _lang(root)
        body = root.find("body")
        items = self.blocks(body if body is not None else root, structure=True)
        items = take_header(items, story, self.rel, self.diagnostics)
        assemble(items, story, self.rel)
        if not story.title:
            title = root.find(".//title")
            if title is not None and (title.text or "").strip():
                story.title = " ".join(title.text.split())
        return story

    def archive(self, root) -> Story:
        """A fan-fiction archive's download: preface (tags, title, byline, summary, notes), chapters
        with their own summary, notes and end notes, and an afterword with the work's end notes."""
        story = Story(source=self.rel)
        preface = root.find(".//div[@id='preface']")
        heading = preface.find(".//h1")
        if heading is not None:
            story.title = " ".join(heading.text_content().split())
        byline = preface.find(".//div[@class='byline']")
        if byline is not None:
            names = [" ".join(a.text_content().split()) for a in byline.iter("a")]
            story.authors = [n for n in names if n] or split_list(re.sub(r"^\s*by\s+", "", byline.text_content()))
        self._tags(preface, story)
        meta = preface.find(".//div[@class='meta']")
        for label, blocks in self._labelled(meta if meta is not None else preface):
            if "summary" in label:
                story.summary += blocks
            elif "note" in label:
                story.notes += blocks
        chapters_div = root.find(".//div[@id='chapters']")
        groups = [child for child in chapters_div if _has_class(child, "meta")]
        if not groups:  # a one-chapter work: the text sits in one userstuff div
            story.chapters = [Chapter(blocks=self.text_blocks(chapters_div), loc=self.loc(chapters_div))]
        else:
            story.chapters = self._archive_chapters(chapters_div)
        afterword = root.find(".//div[@id='afterword']")
        if afterword is not None:
            end = afterword.find(".//div[@id='endnotes']")
            if end is not None:
                for _, blocks in self._labelled(end):
                    story.end_notes += blocks
        return story

    def _archive_chapters(self, container) -> list[Chapter]:
        chapters: list[Chapter] = []
        for child in container:
            if not isinstance(child.tag, str):
                continue
            if _has_class(child, "meta") and _has_class(child, "group"):
                title = child.find(".//h2")
                chapter = Chapter(title=" ".join(title.text_content().split()) if title is not None else None,
                                  loc=self.loc(child))
                chapters.append(chapter)
                for label, blocks in self._labelled(child):
                    (chapter.summary if "summary" in label else chapter.notes).extend(blocks)
            elif _has_class(child, "meta") and chapters:  # a chapter's end notes
                for _, blocks in self._labelled(child):
                    chapters[-1].end_notes.extend(blocks)
            elif _has_class(child, "userstuff"):
                if not chapters:
                    chapters.append(Chapter(loc=self.loc(child)))
                chapters[-1].blocks.extend(self.text_blocks(child))
        return chapters

    def _labelled(self, container) -> list[tuple[str, list[Block]]]:
        """(label, blocks) for each `<p>Label</p><blockquote class="userstuff">…` pair."""
        pairs, label = [], ""
        for element in container.iter("p", "blockquote"):
            if element.tag == "p" and element.getparent() is not None and element.getparent().tag != "blockquote" \
                    and not _inside(element, "blockquote"):
                label = " ".join(element.text_content().split()).lower()
            elif element.tag == "blockquote" and _has_class(element, "userstuff") and not _inside(element, "blockquote"):
                pairs.append((label, self.text_blocks(element)))
        return pairs

    def _tags(self, preface, story: Story) -> None:
        tags = preface.find(".//dl[@class='tags']")
        if tags is None:
            return
        label = None
        for element in tags:
            if element.tag == "dt":
                label = canonical_field(element.text_content().strip().rstrip(":"))
                if label is None and element.text_content().strip().lower().startswith("stats"):
                    label = "stats"
            elif element.tag == "dd" and label:
                values = [" ".join(a.text_content().split()) for a in element.iter("a")]
                text = " ".join(element.text_content().split())
                if label == "language":
                    story.language = language_tag(text) or story.language
                elif label in LIST_FIELDS:
                    story.meta[label] = values or split_list(text)
                elif label != "stats":
                    story.meta[label] = text

    def text_blocks(self, container) -> list[Block]:
        """A story's text: blocks, with scene breaks tidied; headings inside stay headings."""
        items = self.blocks(container, structure=False)
        out: list[Block] = []
        for item in items:
            if isinstance(item, SceneBreak) and (not out or isinstance(out[-1], SceneBreak)):
                continue
            out.append(item)
        while out and isinstance(out[-1], SceneBreak):
            out.pop()
        return out

    # -- blocks ------------------------------------------------------------------------------

    def blocks(self, container, structure: bool, lang: str | None = None) -> list:
        """The blocks in a container; with `structure`, headings come out as ChapterStarts."""
        out: list = []
        loose: list[Inline] = []  # text and inline elements directly in a container
        loose_loc = [self.loc(container)]

        def flush() -> None:
            for paragraph in _split_at_double_breaks(loose):
                if paragraph:
                    out.append(self._paragraph(paragraph, loose_loc[0], lang))
            loose.clear()

        own_lang = container.get("lang") or lang
        if container.text and container.text.strip():
            loose.extend(self.inlines_of_text(container.text))
        for child in container:
            if not isinstance(child.tag, str):
                if child.tail and child.tail.strip():
                    loose.extend(self.inlines_of_text(child.tail))
                continue
            tag = child.tag.lower()
            if tag in _BLOCKS:
                flush()
                out.extend(self.block(child, tag, structure, own_lang))
                loose_loc[0] = self.loc(child)
            else:
                if not loose:
                    loose_loc[0] = self.loc(child)
                loose.extend(self.inline(child))
            if child.tail and child.tail.strip():
                loose.extend(self.inlines_of_text(child.tail))
        flush()
        return _empty_paragraphs_to_breaks(out)

    def block(self, element, tag: str, structure: bool, lang: str | None) -> list:
        loc = self.loc(element)
        own_lang = element.get("lang") or lang
        if tag == "p" or tag == "dt":
            inlines = trim_inlines(self.inlines(element))
            text = plain_text(inlines)
            if text.strip() and is_break_mark(text):
                return [SceneBreak(loc=loc)]
            if tag == "dt":
                inlines = [Strong(inlines)] if inlines else []
            return [self._paragraph(inlines, loc, own_lang)]
        if tag == "hr":
            return [SceneBreak(loc=loc)]
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            title = " ".join(element.text_content().split())
            if not title:
                return []
            if structure:
                return [ChapterStart(title, int(tag[1]), loc)]
            return [Heading(max(1, int(tag[1]) - 1), [Text(title)], loc=loc)]
        if tag == "blockquote":
            return [BlockQuote(self.text_blocks_in(element, own_lang), loc=loc)]
        if tag in ("ul", "ol"):
            items = [self.text_blocks_in(li, own_lang) for li in element if isinstance(li.tag, str)]
            return [ListBlock([item for item in items if item], ordered=tag == "ol", loc=loc)]
        if tag == "pre":
            return [Preformatted(element.text_content().strip("\n"), loc=loc)]
        return self.blocks(element, structure, own_lang)

    def text_blocks_in(self, element, lang: str | None) -> list[Block]:
        return [b for b in self.blocks(element, False, lang) if not isinstance(b, ChapterStart)]

    def _paragraph(self, inlines: list[Inline], loc: Loc, lang: str | None) -> Paragraph:
        return Paragraph(trim_inlines(inlines), loc=loc, attrs=Attrs(lang=lang) if lang else None)

    # -- inlines -----------------------------------------------------------------------------

    def inlines_of_text(self, text: str) -> list[Inline]:
        return [Text(_SPACES.sub(" ", text))] if text else []

    def inlines(self, element) -> list[Inline]:
        out: list[Inline] = []
        if element.text:
            out += self.inlines_of_text(element.text)
        for child in element:
            if isinstance(child.tag, str):
                out += self.inline(child)
            if child.tail:
                out += self.inlines_of_text(child.tail)
        return join_text(out)

    def inline(self, element) -> list[Inline]:
        tag = element.tag.lower()
        classes = set((element.get("class") or "").split())
        if tag == "br":
            return [LineBreak()]
        if tag == "img":
            src = (element.get("src") or "").strip()
            if not src or src.startswith("data:"):
                return []
            return [Image(src=self._image_src(src), alt=element.get("alt") or "")]
        if tag in _CODE:
            return [Code(element.text_content())]
        children = self.inlines(element)
        if tag == "q":
            return [Text('"'), *children, Text('"')]
        if tag == "a":
            href = (element.get("href") or "").strip()
            return [Link(children, href)] if _SAFE_LINK.match(href) else children
        if tag in _EMPH or "italic" in classes:
            node: Inline = Emph(children)
        elif tag in _STRONG or "bold" in classes:
            node = Strong(children)
        elif tag == "sup":
            node = Superscript(children)
        elif tag == "sub":
            node = Subscript(children)
        elif "smallcaps" in classes or "small-caps" in classes:
            node = SmallCaps(children)
        elif element.get("lang"):
            node = Span(children, Attrs(lang=element.get("lang")))
        else:
            return children
        if element.get("lang") and not isinstance(node, Span):
            node = Span([node], Attrs(lang=element.get("lang")))
        return [node]

    def _image_src(self, src: str) -> str:
        """Project-relative; remote addresses are kept for the image check to refuse (M005)."""
        if _REMOTE.match(src) or src.startswith("/"):
            return src
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.rel), src))


def _has_class(element, name: str) -> bool:
    return isinstance(element.tag, str) and name in (element.get("class") or "").split()


def _inside(element, tag: str) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def _lang(root) -> str | None:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    return language_tag(lang) if lang else None


def _split_at_double_breaks(inlines: list[Inline]) -> list[list[Inline]]:
    """Text laid out with `<br><br>` between paragraphs (some archives): one paragraph each."""
    paragraphs, current, breaks = [], [], 0
    for node in inlines:
        if isinstance(node, LineBreak):
            breaks += 1
            continue
        if isinstance(node, Text) and not node.text.strip() and breaks:
            continue
        if breaks >= 2:
            paragraphs.append(trim_inlines(current))
            current = []
        elif breaks == 1:
            current.append(LineBreak())
        breaks = 0
        current.append(node)
    paragraphs.append(trim_inlines(current))
    return [p for p in paragraphs if p]


def _empty_paragraphs_to_breaks(items: list) -> list:
    """An empty paragraph between paragraphs is how archive authors mark a new scene."""
    out: list = []
    for item in items:
        if is_blank(item):
            if out and not isinstance(out[-1], SceneBreak):
                out.append(SceneBreak(loc=item.loc))
            continue
        out.append(item)
    return out
