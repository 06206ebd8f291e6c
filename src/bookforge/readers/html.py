"""HTML manuscripts: an archive's "Download → HTML" file (preface, chapters, notes, afterword) or any
HTML page; active content is reported and removed (lxml_html_clean) before anything is read."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qs, urlsplit

import lxml.html
from lxml import etree
from lxml_html_clean import Cleaner

from ..diagnostics import Diagnostics
from ..errors import ManuscriptError
from ..links import image_src, is_safe_link
from ..model import (
    Attrs,
    Block,
    BlockQuote,
    Chapter,
    Code,
    Emph,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Loc,
    Note,
    Paragraph,
    Preformatted,
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
from .assemble import Break, ChapterStart, Item, assemble, take_header
from .decode import clean, decode
from .header import LIST_FIELDS, apply_front_matter, canonical_field, language_tag, split_front_matter, split_list
from .html_blocks import BLOCKS as _BLOCKS
from .html_blocks import block_holders, is_within, record_text
from .html_contents import drop_own_contents
from .html_images import image_sources, report_emptied
from .html_lists import nest_google_lists
from .html_notes import NOTE_TAG, extract_notes
from .html_pre import shield, unshield
from .inlines import is_blank, join_text, trim_inlines, verse_or_paragraph
from .ledger import Ledger
from .marks import is_break_mark

# Elements that run code or pull in other documents: reported, then removed with their content.
_ACTIVE = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base"}
_SPACES = re.compile(r"[ \t\n\r\f]+")  # HTML white space (a no-break space is not)
_DATA_URI = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,", re.IGNORECASE)
_DATA_SUFFIXES = {"png": "png", "jpeg": "jpg", "jpg": "jpg", "gif": "gif", "webp": "webp"}
_MAX_EMBEDDED = 20 * 1024 * 1024

_EMPH = {"em", "i", "cite", "dfn", "var", "u", "ins"}  # underline is italic's typewriter stand-in
_STRONG = {"strong", "b"}
_STRUCK = {"s", "strike", "del"}
_CODE = {"code", "kbd", "samp", "tt"}
_LIST_STYLES = {"1": "decimal", "a": "lower-alpha", "A": "upper-alpha", "i": "lower-roman", "I": "upper-roman"}
_CSS_LIST_STYLES = {
    "decimal": "decimal",
    "lower-alpha": "lower-alpha",
    "lower-latin": "lower-alpha",
    "upper-alpha": "upper-alpha",
    "upper-latin": "upper-alpha",
    "lower-roman": "lower-roman",
    "upper-roman": "upper-roman",
}
# The archive's own layout text, never the author's: hidden headings, the "please comment" message.
_ARCHIVE_CHROME = ("toc-heading", "landmark", "message", "endnote-link")
_ARCHIVE_PARTS = ("preface", "chapters", "afterword")  # the work's own, wherever the archive put them


def read(
    data: bytes, rel: str, diagnostics: Diagnostics, *, chapter_file: bool = False, ledger: Ledger | None = None
) -> Story:
    """Decode, sanitise and read an HTML manuscript's bytes (YAML front matter first, if any); the
    ledger notes the text of every block the page holds, minus the archive's own furniture."""
    ledger = ledger or Ledger(rel)
    text, shielded = shield(decode(data, rel, diagnostics))  # (<pre> keeps its runs of spaces)
    text = clean(text, rel, diagnostics)
    front_story = None
    if text.startswith("---"):  # a Jekyll or Eleventy export: YAML front matter, then the HTML
        front, key_lines, body, offset = split_front_matter(text, rel)
        if front is not None:
            # Its prose fields are Markdown, as a Markdown file's are: the Markdown reader (and
            # markdown-it) is loaded only for a page that has them.
            from .md import prose_reader

            front_story = Story(source=rel)
            apply_front_matter(
                front, key_lines, front_story, diagnostics, ledger, prose_reader(rel, diagnostics, ledger)
            )
            text = "\n" * offset + body  # keep line numbers the file's own
    root = _parse(text, rel)
    if shielded:
        unshield(root)
    authors = [
        split_list(meta.get("content", ""))
        for meta in root.iter("meta")
        if (meta.get("name") or "").lower() == "author"
    ]  # read before the cleaner drops <meta>
    nest_google_lists(root)  # (before the cleaner: their numbering styles are in the page's <style>)
    sources = image_sources(root)  # (to say which ones the cleaner empties)
    _sanitise(root, rel, diagnostics)
    for hidden in [e for e in root.iter() if isinstance(e.tag, str) and _has_class(e, "hidden")]:
        hidden.drop_tree()  # display: none — the author hid it from every reader of the page
    report_emptied({img: src for img, src in sources.items() if is_within(img, root)}, rel, diagnostics)
    reader = _Reader(rel, diagnostics, ledger)
    reader.holders = block_holders(root)
    reader.holding = {holder.getparent() for holder in reader.holders}
    if root.find(".//div[@id='preface']") is not None and root.find(".//div[@id='chapters']") is not None:
        story = reader.archive(root)
    else:
        story = reader.page(root, chapter_file)
        if not story.authors and authors:
            story.authors = authors[0]
    if front_story is not None:
        _merge_front(story, front_story)
    story.media.update(reader.media)
    return story


def _merge_front(story: Story, front: Story) -> None:
    """Front-matter fields come first; the page's own fill what they leave empty."""
    story.title = front.title or story.title
    story.subtitle = front.subtitle or story.subtitle
    story.authors = front.authors or story.authors
    story.language = front.language or story.language
    story.summary = front.summary + story.summary
    story.notes = front.notes + story.notes
    story.end_notes = story.end_notes + front.end_notes
    story.meta = {**story.meta, **front.meta}


def _parse(text: str, rel: str):
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses an encoding declaration in a str
    if not text.strip():
        return lxml.html.document_fromstring("<html><body></body></html>")
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ManuscriptError(f"not readable as HTML: {exc}", path=rel) from None


def _sanitise(root, rel: str, diagnostics: Diagnostics) -> None:
    """Report what would run or fetch (scripts, event handlers, javascript: links), then remove it."""
    _drop_invalid_attributes(root, rel, diagnostics)
    found: dict[str, list[int]] = {}
    meanings = _class_meanings(root)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        line = element.sourceline or 1
        if meanings and element.get("class"):
            added = {
                meaning
                for name in element.get("class", "").split()
                for key in (("", name), (tag, name))
                for meaning in meanings.get(key, ())
            }
            if added:
                element.set("class", " ".join([element.get("class", ""), *sorted(added)]))
        if tag in _ACTIVE:
            found.setdefault(f"<{tag}>", []).append(line)
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.setdefault(f"{name.lower()}=", []).append(line)
            elif name.lower() in ("href", "src", "action") and value.strip().lower().startswith(
                ("javascript:", "vbscript:")
            ):
                found.setdefault(f'{name.lower()}="javascript:…"', []).append(line)
        style = (element.get("style") or "").lower()
        # What inline styles mean is kept as classes the reader understands; the styles go.
        for needle, css_class in (
            ("small-caps", "smallcaps"),
            ("italic", "italic"),
            ("bold", "bold"),
            ("underline", "italic"),
            ("line-through", "struck"),
            ("center", "center"),
            ("text-align: right", "align-right"),
            ("text-align:right", "align-right"),
            ("display: none", "hidden"),
            ("display:none", "hidden"),
            ("float:", "floating"),
            ("position: absolute", "floating"),
            ("position:absolute", "floating"),
        ):
            if needle in style:
                element.set("class", f"{element.get('class', '')} {css_class}".strip())
        for css, name in _CSS_LIST_STYLES.items():
            if f"list-style-type: {css}" in style or f"list-style-type:{css}" in style:
                element.set("data-list-style", name)
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
        scripts=True,
        javascript=True,
        comments=True,
        style=True,
        inline_style=True,
        links=True,
        meta=True,
        page_structure=False,
        processing_instructions=True,
        embedded=True,
        frames=True,
        forms=True,
        annoying_tags=True,
        remove_unknown_tags=False,
        safe_attrs_only=True,
        safe_attrs=frozenset(
            {
                "href",
                "src",
                "alt",
                "lang",
                "class",
                "id",
                "align",
                "rel",
                "name",
                "content",
                "colspan",
                "rowspan",
                "start",
                "type",
                "title",
                "role",
                "epub:type",
                "data-list-style",
                "scope",
                "valign",
                "dir",
            }
        ),
    )(root)


# An XML name: what lxml (and the cleaner, which deletes attributes by name) can handle.
_XML_NAME = re.compile(r"^[A-Za-z_:\u00c0-\uffff][-A-Za-z0-9_.:\u00b7\u00c0-\uffff]*$")


def _drop_invalid_attributes(root, rel: str, diagnostics: Diagnostics) -> None:
    """Attributes whose names are no XML names (`{{foo}}` from a template nobody rendered, a web
    framework's `@click`): gone before the cleaner, which cannot delete some of them, and said (H004)."""
    lines: dict[str, int] = {}
    valid = _XML_NAME.match
    for element in root.iter(etree.Element):
        names = element.keys()
        if not names or all(map(valid, names)):
            continue
        items = element.items()
        element.attrib.clear()
        for name, value in items:
            if _XML_NAME.match(name):
                element.set(name, value)
            else:
                lines.setdefault(name, element.sourceline or 1)
    if lines:
        names = ", ".join(list(lines)[:5]) + (" …" if len(lines) > 5 else "")
        diagnostics.warn(
            "H004",
            f"attributes with names that are not names removed: {names}",
            path=rel,
            line=min(lines.values()),
            hint="names like {{…}} (a template nobody filled in), @click or *ngIf (a web "
            "framework's) are the page's machinery, not the text; the text around them is kept",
        )


# What a stylesheet's class rules mean for the text (Google Docs and other exporters put italics,
# bold, strikethrough in classes, `.c3{font-style:italic}`): kept as classes the reader understands.
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS_SELECTOR = re.compile(r"^\s*([a-z0-9]*)\.([\w-]+)\s*$", re.IGNORECASE)
_CSS_MEANINGS = (
    (re.compile(r"font-style\s*:\s*(?:italic|oblique)"), "italic"),
    (re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)"), "bold"),
    (re.compile(r"text-decoration(?:-line)?\s*:[^;]*line-through"), "struck"),
    (re.compile(r"font-variant(?:-caps)?\s*:\s*small-caps"), "smallcaps"),
    (re.compile(r"vertical-align\s*:\s*super"), "raised"),
    (re.compile(r"vertical-align\s*:\s*sub"), "lowered"),
    (re.compile(r"display\s*:\s*none"), "hidden"),
)


def _class_meanings(root) -> dict[tuple[str, str], set[str]]:
    """(tag or "", class) → the meanings the page's <style> rules give it (`.c3`, `span.c3`; rules
    with descendants or other conditions are left alone)."""
    meanings: dict[tuple[str, str], set[str]] = {}
    for style in root.iter("style"):
        for selectors, body in _CSS_RULE.findall(style.text or ""):
            found = {meaning for pattern, meaning in _CSS_MEANINGS if pattern.search(body.lower())}
            if not found:
                continue
            for selector in selectors.split(","):
                match = _CLASS_SELECTOR.match(selector)
                if match:
                    meanings.setdefault((match.group(1).lower(), match.group(2)), set()).update(found)
    return meanings


class _Reader:
    def __init__(self, rel: str, diagnostics: Diagnostics, ledger: Ledger) -> None:
        self.rel = rel
        self.diagnostics = diagnostics
        self.ledger = ledger
        self.note_ledger = Ledger(rel)  # the notes' words, added to the ledger after the text's
        self.notes: dict[str, Note] = {}  # placeholder id → the note found for it
        self.marks_only = False  # the work marks its scene breaks: blank paragraphs are spacing
        self.media: dict[str, bytes] = {}  # pictures embedded in the page, by the src they are given
        self.holders: set = set()  # inline elements that hold blocks (html_blocks.block_holders)
        self.holding: set = set()  # the elements those stand in (a paragraph with a frame in it)

    def loc(self, element) -> Loc:
        return Loc(self.rel, element.sourceline or 1)

    # -- the two shapes of file -------------------------------------------------------------

    def page(self, root, chapter_file: bool = False) -> Story:
        """Any HTML page: its body's text; <title>, author meta and lang give what they can."""
        story = Story(source=self.rel)
        story.language = _lang(root)
        body = root.find("body")
        body = body if body is not None else root
        drop_own_contents(body, self.rel, self.diagnostics)
        self._title_block(body, story)
        self.notes.update(extract_notes(body, self))
        record_text(body, self.ledger)
        self.ledger.extend(self.note_ledger)
        items = self.blocks(body, structure=True, voice=_voice_of(body.getparent()))
        items = take_header(items, story, self.diagnostics)
        assemble(items, story, self.diagnostics, chapter_file=chapter_file, marks_over_blanks=True)
        if not story.title:
            title = root.find(".//title")
            if title is not None and (title.text or "").strip():
                story.title = " ".join(title.text.split())
        return story

    def _title_block(self, body, story: Story) -> None:
        """Pandoc's title block (`header#title-block-header`: title, subtitle, authors, date), or the
        Title and Subtitle paragraphs a word processor's export opens with (Google Docs' `p.title`,
        Word's `p.MsoTitle`)."""
        header = body.find(".//header[@id='title-block-header']")
        if header is None:
            for element in list(body.iter("p", "h1")):
                classes = (element.get("class") or "").lower().split()
                text = " ".join(element.text_content().split())
                if not text:
                    continue
                if "title" in classes or "msotitle" in classes:
                    story.title = story.title or text
                elif "subtitle" in classes or "msosubtitle" in classes:
                    story.subtitle = story.subtitle or text
                else:
                    return  # the text has begun
                self.ledger.add(self.loc(element).line, text)
                element.drop_tree()
            return
        for element in header.iter("h1", "p"):
            text = " ".join(element.text_content().split())
            kind = (element.get("class") or "").split()
            if not text:
                continue
            self.ledger.add(self.loc(element).line, text)
            if "title" in kind:
                story.title = story.title or text
            elif "subtitle" in kind:
                story.subtitle = story.subtitle or text
            elif "author" in kind:
                story.authors.append(text)
            elif "date" in kind:
                story.meta["date"] = text
            else:
                story.notes.append(Paragraph([Text(text)], loc=self.loc(element)))
        header.drop_tree()

    def archive(self, root) -> Story:
        """A fan-fiction archive's download: preface (tags, title, byline, summary, notes, what the work
        translates or is inspired by, its series), chapters with their own summary, notes and end notes,
        and an afterword with the work's end notes."""
        story = Story(source=self.rel)
        for element in list(root.iter()):
            if (
                isinstance(element.tag, str)
                and any(_has_class(element, name) for name in _ARCHIVE_CHROME)
                and not any(element.find(f".//div[@id='{part}']") is not None for part in _ARCHIVE_PARTS)
            ):
                element.drop_tree()  # the archive's CSS hides these; they are its words, not the author's
        preface = root.find(".//div[@id='preface']")
        chapters_div = root.find(".//div[@id='chapters']")
        if preface is None or chapters_div is None:
            return self.page(root)  # (chrome that held the work's parts: read as any page)
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
        self._associations(meta if meta is not None else preface, story)
        self.notes.update(extract_notes(chapters_div, self))
        self._archive_ledger(root, chapters_div)
        self.marks_only = chapters_div.find(".//hr") is not None or any(
            is_break_mark(p.text_content()) for p in chapters_div.iter("p") if p.text_content().strip()
        )
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
            self._associations(afterword, story)
        return story

    def _archive_ledger(self, root, chapters_div) -> None:
        """What an archive download holds of the author's: the title, the names, the summaries and
        notes (blockquotes), the chapters' titles and text; not the archive's labels and stats."""
        preface = root.find(".//div[@id='preface']")
        for element in (preface.find(".//h1"), preface.find(".//div[@class='byline']")):
            if element is not None:
                self.ledger.add(self.loc(element).line, re.sub(r"^\s*by\s+", "", element.text_content()))
        for quote in preface.iter("blockquote"):
            if _has_class(quote, "userstuff") and not _inside(quote, "blockquote"):
                record_text(quote, self.ledger)
        for child in chapters_div:
            if not isinstance(child.tag, str):
                continue
            if _has_class(child, "meta"):
                for heading in child.iter("h2", "h3"):
                    self.ledger.add(self.loc(heading).line, heading.text_content())
                for quote in child.iter("blockquote"):
                    record_text(quote, self.ledger)
            else:
                record_text(child, self.ledger)
        afterword = root.find(".//div[@id='afterword']")
        for quote in afterword.iter("blockquote") if afterword is not None else ():
            if _has_class(quote, "userstuff") and not _inside(quote, "blockquote"):
                record_text(quote, self.ledger)
        self.ledger.extend(self.note_ledger)

    def _archive_chapters(self, container) -> list[Chapter]:
        chapters: list[Chapter] = []
        for child in container:
            if not isinstance(child.tag, str):
                continue
            if _has_class(child, "meta") and _has_class(child, "group"):
                title = child.find(".//h2")
                chapter = Chapter(
                    title=" ".join(title.text_content().split()) if title is not None else None, loc=self.loc(child)
                )
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
            if (
                element.tag == "p"
                and element.getparent() is not None
                and element.getparent().tag != "blockquote"
                and not _inside(element, "blockquote")
            ):
                label = " ".join(element.text_content().split()).lower()
            elif (
                element.tag == "blockquote" and _has_class(element, "userstuff") and not _inside(element, "blockquote")
            ):
                pairs.append((label, self.text_blocks(element)))
        return pairs

    def _associations(self, container, story: Story) -> None:
        """ "A translation of …", "Inspired by …", "Works inspired by this one": the author's words about
        the work's relations, kept as notes (they sit outside the labelled summary and notes)."""
        for element in container.iter("li", "p"):
            if _inside(element, "blockquote") or _inside(element, "dl"):
                continue
            text = " ".join(element.text_content().split())
            if re.match(
                r"^(?:a translation of|translation into|inspired by|works inspired by|"
                r"a podfic of|a remix of|part \d+ of)\b",
                text,
                re.IGNORECASE,
            ):
                story.notes.append(Paragraph(trim_inlines(self.inlines(element)), loc=self.loc(element)))

    def _tags(self, preface, story: Story) -> None:
        tags = preface.find(".//dl[@class='tags']")
        if tags is None:
            return
        label = None
        for element in tags:
            if element.tag == "dt":
                text = element.text_content().strip().rstrip(":")
                label = canonical_field(text)
                if label is None and text.lower().startswith("stats"):
                    label = "stats"
            elif element.tag == "dd" and label:
                values = [" ".join(a.text_content().split()) for a in element.iter("a")]
                text = " ".join(element.text_content().split())
                if label == "language":
                    story.language = language_tag(text) or story.language
                elif label == "series":  # "Part 2 of Lights Along the Coast", once per series
                    story.meta["series"] = [
                        " ".join(part.split())
                        for part in re.findall(r"Part\s+\d+\s+of\s+.+?(?=\s*Part\s+\d+\s+of\s|$)", text)
                    ] or [text]
                elif label in LIST_FIELDS:
                    story.meta[label] = values or split_list(text)
                elif label != "stats":
                    story.meta[label] = text

    def text_blocks(self, container) -> list[Block]:
        """A chapter's text: blocks, with scene breaks tidied (explicit marks win over blank
        paragraphs); headings inside stay headings."""
        items = self.blocks(container, structure=False, voice=_voice_of(container.getparent()))
        if self.marks_only or any(isinstance(item, Break) and item.explicit for item in items):
            items = [item for item in items if not (isinstance(item, Break) and not item.explicit)]
        out: list[Block] = []
        for item in items:
            if isinstance(item, Break):
                if out and not isinstance(out[-1], SceneBreak):
                    out.append(SceneBreak(loc=item.loc))
                continue
            if isinstance(item, ChapterStart):
                continue  # none: read without structure, headings are headings
            out.append(item)
        while out and isinstance(out[-1], SceneBreak):
            out.pop()
        return out

    # -- blocks ------------------------------------------------------------------------------

    def blocks(self, container, structure: bool, voice: Attrs | None = None) -> list[Item]:
        """The blocks in a container; with `structure`, headings come out as ChapterStarts. An inline
        element holding blocks (`<font><p>…</p></font>`, as old Word pages have it) is a container
        too; one floating beside the text (a LibreOffice frame) is a text box, after its paragraph."""
        out: list = []
        loose: list[Inline] = []  # text and inline elements directly in a container
        loose_loc = [self.loc(container)]
        boxes: list[Block] = []  # text boxes floating in the paragraph being gathered
        voice = _voice(container, voice)

        def flush() -> None:
            for paragraph in _split_at_double_breaks(loose):
                if paragraph:
                    out.append(
                        verse_or_paragraph(
                            self._paragraph(paragraph, loose_loc[0], voice), _is_verse_container(container)
                        )
                    )
            loose.clear()
            out.extend(boxes)
            boxes.clear()

        if container.text and container.text.strip():
            loose.extend(self.inlines_of_text(container.text))
        for child in container:
            if not isinstance(child.tag, str):
                if child.tail and (child.tail.strip() or loose):
                    loose.extend(self.inlines_of_text(child.tail))
                continue
            tag = child.tag.lower()
            if tag in _BLOCKS:
                flush()
                out.extend(self.block(child, tag, structure, voice))
                loose_loc[0] = self.loc(child)
            elif child in self.holders and _has_class(child, "floating"):
                box = self.text_blocks_in(child, voice)
                if box:  # a frame holding only a picture is the picture's frame: the figure alone
                    boxes.append(
                        box[0]
                        if len(box) == 1 and isinstance(box[0], Figure)
                        else BlockQuote(box, loc=self.loc(child), attrs=Attrs(classes=["text-box"]))
                    )
            elif child in self.holders:
                flush()
                out.extend(self._wrapped(self.blocks(child, structure, voice), child))
                loose_loc[0] = self.loc(child)
            else:
                if not loose:
                    loose_loc[0] = self.loc(child)
                loose.extend(self.inline(child))
            if child.tail and (child.tail.strip() or loose):
                loose.extend(self.inlines_of_text(child.tail))
        flush()
        return _captions(_blank_paragraphs_to_breaks(out))

    def block(self, element, tag: str, structure: bool, voice: Attrs | None) -> list:
        loc = self.loc(element)
        voice = _voice(element, voice)
        if _has_class(element, "hidden"):
            return []
        if tag == "p" or tag == "dt":
            if element in self.holding:
                return self.blocks(element, structure, voice)  # a frame or a list inside: blocks of its own
            inlines = trim_inlines(self.inlines(element))
            text = plain_text(inlines)
            if text.strip() and is_break_mark(text):
                return [Break(loc)]
            if tag == "dt":
                inlines = [Strong(inlines)] if inlines else []
            if len(inlines) == 1 and isinstance(inlines[0], Image):
                return [Figure(inlines[0], loc=loc)]  # a picture set on its own
            paragraph = self._paragraph(inlines, loc, voice)
            if not text.strip() and element.find(".//img") is not None and is_blank(paragraph):
                return []  # its picture could not be kept (said where): not a blank line between scenes
            return [verse_or_paragraph(paragraph, _is_verse_container(element))]
        if tag == "hr":
            return [Break(loc)]
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            title = " ".join(element.text_content().split())
            if not title:
                return []
            if structure:
                return [ChapterStart(title, int(tag[1]), loc)]
            return [Heading(max(1, int(tag[1]) - 1), [Text(title)], loc=loc)]
        if tag == "blockquote":
            return [BlockQuote(self.text_blocks_in(element, voice), loc=loc)]
        if tag in ("ul", "ol"):
            return [self._list(element, tag, voice, loc)]
        if tag == "pre":
            return [Preformatted(element.text_content().strip("\n"), loc=loc)]
        if tag == "table":
            return [self._table(element, voice, loc)]
        if tag == "figure":
            return self._figure(element, voice, loc)
        return self.blocks(element, structure, voice)

    def text_blocks_in(self, element, voice: Attrs | None) -> list[Block]:
        return _text_blocks(self.blocks(element, False, voice))

    def _wrapped(self, blocks: list, element) -> list:
        """Blocks read out of an inline element (`<i><p>…</p></i>`, `<a href><div>…</div></a>`): its
        meaning wraps each paragraph's text."""
        for block in blocks:
            if isinstance(block, Paragraph):
                block.children = self._wrap(element, block.children, with_voice=False)
        return blocks

    def _list(self, element, tag: str, voice: Attrs | None, loc: Loc) -> ListBlock:
        items = [self.text_blocks_in(li, voice) for li in element if isinstance(li.tag, str)]
        style = _LIST_STYLES.get((element.get("type") or "").strip(), "") or element.get("data-list-style", "")
        return ListBlock(
            [item for item in items if item],
            ordered=tag == "ol",
            loc=loc,
            start=_number(element.get("start"), 1),
            style="" if style == "decimal" else style,
        )

    def _table(self, element, voice: Attrs | None, loc: Loc) -> Table:
        table = Table(loc=loc)
        caption = element.find("caption")
        if caption is not None:
            table.caption = trim_inlines(self.inlines(caption))
        rows = [tr for tr in element.iter("tr") if _nearest(tr, "table") is element]
        for tr in rows:
            cells = [cell for cell in tr if isinstance(cell.tag, str) and cell.tag in ("td", "th")]
            row = [
                TableCell(self.text_blocks_in(cell, voice), _span(cell, "colspan"), _span(cell, "rowspan"))
                for cell in cells
            ]
            in_head = _inside(tr, "thead") or (not table.body and cells and all(c.tag == "th" for c in cells))
            (table.head if in_head and not table.body else table.body).append(row)
            if in_head and len(table.aligns) < len(cells):
                table.aligns = [_align(cell) for cell in cells]
        if not table.aligns and table.body:
            table.aligns = [_align(cell) for cell in rows[0] if isinstance(cell.tag, str)]
        if not any(table.aligns):
            table.aligns = []
        return table

    def _figure(self, element, voice: Attrs | None, loc: Loc) -> list[Item]:
        """One picture with its figcaption; whatever else the figure holds (a paragraph about the
        picture) is read as blocks after it."""
        images = [img for img in element.iter("img")]
        if len(images) != 1:
            return self.blocks(element, False, voice)
        caption_element = element.find("figcaption")
        caption = trim_inlines(self.inlines(caption_element)) if caption_element is not None else []
        image = self.inline(images[0])
        picture = image[0] if image else None
        for used in (images[0], caption_element):
            if used is not None:
                used.drop_tree()  # (its tail stays: text after the picture is the figure's too)
        rest: list[Item] = [block for block in self.text_blocks_in(element, voice) if not is_blank(block)]
        if not isinstance(picture, Image):  # a picture left out (an unreadable embedded one)
            return ([self._paragraph(caption, loc, voice)] if caption else []) + rest
        return [Figure(picture, caption, loc=loc), *rest]

    def _paragraph(self, inlines: list[Inline], loc: Loc, voice: Attrs | None) -> Paragraph:
        attrs = Attrs(lang=voice.lang, dir=voice.dir) if voice and (voice.lang or voice.dir) else None
        return Paragraph(trim_inlines(inlines), loc=loc, attrs=attrs)

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
        if tag == NOTE_TAG:
            note = self.notes.get(element.get("data-note", ""))
            return [note] if note is not None else []
        if _has_class(element, "hidden"):
            return []
        if tag == "br":
            return [LineBreak()]
        if tag == "img":
            return self._image(element)
        if tag in _CODE:
            return [Code(element.text_content())]
        if tag == "ruby":
            return self._ruby(element)
        if tag in _BLOCKS:  # a block inside an inline (bad HTML, or a cell's paragraph): its text
            return [Text(" "), *self.inlines(element), Text(" ")]
        return self._wrap(element, self.inlines(element))

    def _wrap(self, element, children: list[Inline], with_voice: bool = True) -> list[Inline]:
        """What an inline element means, around its children: a link, a quotation, emphasis…, a
        passage in another language or writing direction."""
        tag = element.tag.lower()
        classes = set((element.get("class") or "").split())
        if tag == "q":
            return [Text('"'), *children, Text('"')]
        if tag == "a":
            href = _real_address((element.get("href") or "").strip())
            return [Link(children, href)] if is_safe_link(href) else children
        # One element may mean several things (a class that is bold and italic): each wraps the next.
        kinds = [
            kind
            for kind, applies in (
                (Subscript, tag == "sub" or "lowered" in classes),
                (Superscript, tag == "sup" or "raised" in classes),
                (SmallCaps, "smallcaps" in classes or "small-caps" in classes),
                (Strikeout, tag in _STRUCK or "struck" in classes),
                (Emph, tag in _EMPH or "italic" in classes),
                (Strong, tag in _STRONG or "bold" in classes),
            )
            if applies
        ]
        nodes: list[Inline] = children
        for kind in kinds:
            nodes = [kind(nodes)]
        direction = _own_direction(element) if with_voice else None
        if with_voice and (element.get("lang") or direction):
            nodes = [Span(nodes, Attrs(lang=element.get("lang") or None, dir=direction))]
        return nodes

    def _ruby(self, element) -> list[Inline]:
        """East Asian ruby, as the Word reader has it: each base, then its reading in brackets
        (漢(かん)字(じ)); the page's own fallback brackets (<rp>) are not doubled."""
        out: list[Inline] = []
        base: list[Inline] = []
        if (element.text or "").strip():
            base += self.inlines_of_text(element.text)
        for child in element:
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if tag == "rt":
                reading = trim_inlines(self.inlines(child))
                out += base
                base = []
                if reading:
                    out += [Text("("), *reading, Text(")")]
            elif tag and tag != "rp":
                base += self.inline(child)  # <rb>, or a base in emphasis
            if (child.tail or "").strip():
                base += self.inlines_of_text(child.tail)
        return join_text(out + base)

    def _image(self, element) -> list[Inline]:
        src = (element.get("src") or "").strip()
        if src.startswith("data:"):
            src = self._embedded(src, element)
        if not src:
            return []
        if element.get("alt") is None:
            self.diagnostics.warn(
                "H002",
                "image without alternative text",
                path=self.rel,
                line=self.loc(element).line,
                hint='describe the picture in the <img> tag: alt="…" (alt="" marks a picture that is only decoration)',
            )
        return [Image(src=image_src(self.rel, src) if src not in self.media else src, alt=element.get("alt") or "")]

    def note_blocks(self, elements) -> list[Block]:
        """A note's own blocks (html_notes hands over the elements the note is made of: a container,
        or its paragraphs, lists and quotes), in the language and direction of where they stand."""
        blocks: list[Block] = []
        for element in elements:
            voice = _voice_of(element.getparent())
            found: list[Block]
            if element.tag == "p":
                found = [self._paragraph(self.inlines(element), self.loc(element), _voice(element, voice))]
            elif element.tag in _BLOCKS:
                found = _text_blocks(self.block(element, element.tag, False, voice))
            else:
                found = self.text_blocks_in(element, voice)
            blocks += [b for b in found if not is_blank(b)]
        first = blocks[0] if blocks else None
        if isinstance(first, Paragraph) and first.children and isinstance(first.children[0], Text):
            # The space (often a no-break one) the tool put between the note's number and its text.
            first.children[0] = Text(first.children[0].text.lstrip())
        return blocks

    def _embedded(self, uri: str, element) -> str:
        """A picture inside the page (a data: URI, as LibreOffice and pandoc embed them): kept as the
        story's own image. Anything that is not a base64 PNG, JPEG, GIF or WebP picture is left out
        and said (M005); an SVG one never gets here, as the sanitiser empties it (an SVG can carry
        scripts) and html_images says so."""
        match = _DATA_URI.match(uri)
        data = b""
        if match:
            try:
                data = base64.b64decode(uri[match.end() :], validate=False)
            except (binascii.Error, ValueError):
                data = b""
        if match is None or not data or len(data) > _MAX_EMBEDDED:
            self.diagnostics.warn(
                "M005",
                "an embedded picture that is not a readable PNG, JPEG, GIF or WebP image (or over 20 MB) left out",
                path=self.rel,
                line=self.loc(element).line,
                hint="save the picture as a file beside the page and link it",
            )
            return ""
        src = f"{self.rel}/embedded-{len(self.media) + 1}.{_DATA_SUFFIXES[match.group(1).lower()]}"
        self.media[src] = data
        return src


def _has_class(element, name: str) -> bool:
    return isinstance(element.tag, str) and name in (element.get("class") or "").split()


def _inside(element, tag: str, element_id: str | None = None) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == tag and (element_id is None or parent.get("id") == element_id):
            return True
        parent = parent.getparent()
    return False


def _nearest(element, tag: str):
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _span(cell, name: str) -> int:
    return max(1, min(_number(cell.get(name), 1), 1000))


def _number(value: str | None, default: int) -> int:
    """An attribute's whole number (`start="3"`, `colspan="2"`); anything else (`"²"`, `"abc"`) is
    the default, as browsers have it."""
    value = (value or "").strip()
    if not value.lstrip("-").isdecimal():  # (isdigit would let "²" through, which int refuses)
        return default
    try:
        return int(value)
    except ValueError:
        return default


def _text_blocks(items: list) -> list[Block]:
    """A reader's stream inside a quote, cell, list item or note: a heading there is no chapter,
    a break a scene break."""
    blocks: list[Block] = []
    for item in items:
        if isinstance(item, ChapterStart):
            continue
        blocks.append(SceneBreak(loc=item.loc) if isinstance(item, Break) else item)
    return blocks


_DIRECTIONS = ("rtl", "ltr")


def _voice(element, inherited: Attrs | None) -> Attrs | None:
    """The language and writing direction of what an element holds: its own `lang` and `dir`, else
    those it stands in. A direction is kept once right-to-left text is involved (an `ltr` inside an
    `rtl` passage is said too); a page that is left to right throughout needs none."""
    lang = element.get("lang") or (inherited.lang if inherited else None)
    direction = inherited.dir if inherited else None
    own = (element.get("dir") or "").strip().lower()
    if own == "rtl" or own == "ltr" and direction is not None:
        direction = own
    if inherited is not None and lang == inherited.lang and direction == inherited.dir:
        return inherited
    return Attrs(lang=lang, dir=direction) if lang or direction else None


def _voice_of(element) -> Attrs | None:
    """The voice an element stands in, from the page's root down (the <html> element's language is
    the story's, so only its direction counts)."""
    chain = []
    while element is not None and isinstance(element.tag, str) and element.tag != "html":
        chain.append(element)
        element = element.getparent()
    rtl = element is not None and (element.get("dir") or "").strip().lower() == "rtl"
    voice = Attrs(dir="rtl") if rtl else None
    for node in reversed(chain):
        voice = _voice(node, voice)
    return voice


def _own_direction(element) -> str | None:
    """An inline element's `dir` when it turns the text's direction (Hebrew inside English)."""
    own = (element.get("dir") or "").strip().lower()
    if own not in _DIRECTIONS:
        return None
    parent = element.getparent()
    while parent is not None and (parent.get("dir") or "").strip().lower() not in _DIRECTIONS:
        parent = parent.getparent()
    around = (parent.get("dir") or "").strip().lower() if parent is not None else "ltr"
    return own if own != around else None


_GOOGLE_REDIRECT = re.compile(r"^https?://(?:www\.)?google\.[a-z.]+/url\?", re.IGNORECASE)


def _real_address(href: str) -> str:
    """Google Docs sends every link through its redirect (`https://www.google.com/url?q=REAL&sa=…`):
    the book links to the real address."""
    if not _GOOGLE_REDIRECT.match(href):
        return href
    query = parse_qs(urlsplit(href).query)
    real = (query.get("q") or query.get("url") or [""])[0].strip()
    return real if is_safe_link(real) else href


def _align(cell) -> str:
    align = (cell.get("align") or "").lower()
    classes = cell.get("class") or ""
    if align in ("left", "right", "center"):
        return align
    if "align-right" in classes:
        return "right"
    if "center" in classes.split():
        return "center"
    return ""


def _is_verse_container(element) -> bool:
    """A paragraph in a poem, verse or lyrics container (or marked so itself) keeps its lines."""
    node = element
    while node is not None and isinstance(node.tag, str):
        classes = (node.get("class") or "").lower()
        if any(word in classes for word in ("poem", "verse", "poetry", "lyrics", "stanza", "line-block")):
            return True
        node = node.getparent()
    return False


def _lang(root) -> str | None:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    return language_tag(lang) if lang else None


def _split_at_double_breaks(inlines: list[Inline]) -> list[list[Inline]]:
    """Text laid out with `<br><br>` between paragraphs (some archives): one paragraph each."""
    paragraphs: list[list[Inline]] = []
    current: list[Inline] = []
    breaks = 0
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


_TABLE_CAPTION = re.compile(r"^\s*(?:Table|Tab\.)\s*[\dIVXivx]*\s*[:.]\s+\S", re.IGNORECASE)
_FIGURE_CAPTION = re.compile(r"^\s*(?:Figure|Fig\.|Illustration|Plate)\s*[\dIVXivx]*\s*[:.]\s+\S", re.IGNORECASE)


def _captions(items: list) -> list:
    """ "Table 1: …" right before or after a table, "Figure 1: …" right after a figure (how word
    processors export captions to HTML): the caption."""
    out: list = []
    for item in items:
        previous = out[-1] if out else None
        words = plain_text(item.children) if isinstance(item, Paragraph) else ""
        if (
            isinstance(previous, Table)
            and not previous.caption
            and _TABLE_CAPTION.match(words)
            or isinstance(previous, Figure)
            and not previous.caption
            and _FIGURE_CAPTION.match(words)
        ):
            previous.caption = _unwrapped(item.children)
            continue
        if (
            isinstance(item, Table)
            and not item.caption
            and isinstance(previous, Paragraph)
            and _TABLE_CAPTION.match(plain_text(previous.children))
        ):
            item.caption = _unwrapped(out.pop().children)
        out.append(item)
    return out


def _unwrapped(inlines: list[Inline]) -> list[Inline]:
    """A caption set all in italic or bold by its exporter: the caption's own style sets it."""
    if len(inlines) == 1 and isinstance(inlines[0], (Emph, Strong)):
        return inlines[0].children
    return inlines


def _blank_paragraphs_to_breaks(items: list) -> list:
    """An empty paragraph between paragraphs is how archive authors mark a new scene — unless the
    file marks its scenes explicitly (the assembler and text_blocks decide that)."""
    out: list = []
    for item in items:
        if is_blank(item):
            if out and not isinstance(out[-1], Break):
                out.append(Break(item.loc, explicit=False))
            continue
        out.append(item)
    return out
