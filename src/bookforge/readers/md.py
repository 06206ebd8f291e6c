"""Markdown manuscripts (CommonMark via markdown-it-py, with its table, strikethrough and task rules,
mdit-py-plugins' footnotes, definition lists, fenced divs, super- and subscripts, and bookforge's
rules for the writing apps' own syntax), with optional YAML front matter or a metadata block."""

from __future__ import annotations

import copy
import re
from urllib.parse import unquote

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from ..diagnostics import Diagnostics
from ..links import image_src, is_remote, is_safe_link
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
from .decode import clean, collapse_spaces, decode
from .header import ProseReader, apply_front_matter, language_tag, split_front_matter
from .inlines import join_text, trim_inlines
from .ledger import Ledger
from .md_block_syntax import markdown_block_syntax_plugin
from .md_notes import definition_line, unreached_notes
from .md_verse import line_block_indents, no_newlines, spaces_for_newlines, split_at_newlines, verse

_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


def read(
    data: bytes, rel: str, diagnostics: Diagnostics, *, chapter_file: bool = False, ledger: Ledger | None = None
) -> Story:
    """Decode and parse a Markdown manuscript file's bytes."""
    # Spaces are collapsed in the running text only: code blocks and grid tables keep their columns.
    text = clean(line_block_indents(decode(data, rel, diagnostics)), rel, diagnostics, spaces=False)
    return read_markdown(text, rel, diagnostics, chapter_file=chapter_file, ledger=ledger)


def read_markdown(
    text: str, rel: str, diagnostics: Diagnostics, *, chapter_file: bool = False, ledger: Ledger | None = None
) -> Story:
    """Parse Markdown text into a Story; `ledger` notes the text of every token it was given."""
    story = Story(source=rel)
    front, key_lines, body, offset = split_front_matter(text, rel)
    if front is not None:
        apply_front_matter(front, key_lines, story, diagnostics, ledger, prose_reader(rel, diagnostics, ledger))
    reader = _Reader(rel, offset, diagnostics, ledger=ledger, metadata_header=True)
    items = take_header(reader.stream(body), story, diagnostics)
    assemble(items, story, diagnostics, chapter_file=chapter_file)
    return story


# ---------------------------------------------------------------------------------------------
# Front matter's prose fields (summary, notes, end notes) are Markdown, read as the body is


def prose_reader(rel: str, diagnostics: Diagnostics, ledger: Ledger | None) -> ProseReader:
    """Read a front-matter key's values (a YAML list: a paragraph an item) as Markdown, every block at
    the key's line; the ledger notes their text after markup, as in the body. Front-matter prose is
    read nested: its headings and rules are blocks, never chapter starts or breaks."""

    def read(values: list[str], line: int) -> list[Block]:
        reader = _Reader(rel, 0, diagnostics, fixed_line=line, ledger=ledger)
        return [
            item for value in values for item in reader.stream(value) if not isinstance(item, (ChapterStart, Break))
        ]

    return read


# ---------------------------------------------------------------------------------------------
# Token stream → the skeleton's stream


class _Reader:
    def __init__(
        self,
        rel: str,
        offset: int,
        diagnostics: Diagnostics,
        fixed_line: int | None = None,
        ledger: Ledger | None = None,
        metadata_header: bool = False,
    ):
        self.rel = rel
        self.ledger = ledger
        self.offset = offset
        self.diagnostics = diagnostics
        self.fixed_line = fixed_line  # front-matter prose: every block points at its key's line
        self.metadata_header = metadata_header  # the body: a leading `Title: …` block is its header
        self.note_starts: dict[int, tuple[list, int]] = {}  # footnote id → (its tokens, where its blocks start)
        self.notes: dict[int, list[Block]] = {}  # footnote id → its blocks, built when first called
        self.building: set[int] = set()  # notes being built (a note that calls itself is refused)
        self.note_line: int | None = None  # an inline note's blocks have no line: its call's
        self.quote_depth = 0  # inside a blockquote, a paragraph of short lines is verse
        self.verse_depth = 0  # inside a `::: poem` div, every paragraph is verse
        self.verse_attrs: Attrs | None = None  # that div's classes
        self.warned: set[str] = set()  # syntax kept as typed is said once a file

    def parse(self, text: str):
        env: dict = {"metadata_header": self.metadata_header}
        tokens = _parser(_syntax_used(text)).parse(text, env)
        self._unused_notes(env, text)
        return tokens

    def _unused_notes(self, env: dict, text: str) -> None:
        for label, index in env.get("footnotes", {}).get("refs", {}).items():
            if index == -1:  # a definition nothing calls: the plugin drops it
                name = label.lstrip(":")
                self.diagnostics.warn(
                    "M010",
                    f"footnote [^{name}] is never called; its text is left out",
                    path=self.rel,
                    line=definition_line(name, text, self.offset),
                    hint=f"put [^{name}] in the text where the note belongs",
                )

    def loc(self, token) -> Loc:
        if self.fixed_line is not None:
            return Loc(self.rel, self.fixed_line)
        if token.map:
            return Loc(self.rel, token.map[0] + 1 + self.offset)
        return Loc(self.rel, self.note_line or 1 + self.offset)

    def stream(self, text: str) -> list[Item]:
        """Top-level items; two or more blank lines between blocks are a (blank-run) scene break."""
        tokens = self.parse(text)
        end = next((i for i, t in enumerate(tokens) if t.type == "footnote_block_open"), len(tokens))
        unreached = self._unreached_notes(tokens, end, text)
        if self.ledger is not None:
            self._note_text(tokens, unreached)
        self._read_notes(tokens, end)
        items: list[Item] = []
        lines = text.split("\n")
        index = 0
        nested = self.fixed_line is not None  # front-matter prose: its headings are no chapters
        while index < end:
            token = tokens[index]
            item, index = self._block(tokens, index, nested)
            if not item:
                continue
            first = item[0] if isinstance(item, list) else item
            if (
                isinstance(first, (Paragraph, LineBlock))
                and token.map
                and items
                and not nested
                and not isinstance(items[-1], (ChapterStart, Break))
            ):
                # Counted in the text, so a comment or a div's fence between is no blank line.
                blank = _blank_lines_before(lines, token.map[0])
                if blank >= 2:
                    items.append(Break(Loc(self.rel, token.map[0] + 1 + self.offset - blank), explicit=False))
            items += item if isinstance(item, list) else [item]
        return _table_captions(items)

    def _unreached_notes(self, tokens, end: int, text: str) -> set[int]:
        """Notes the text never leads to (called only from themselves, or from notes nothing
        calls): left out, and said (M010), as a note nothing calls is."""
        unreached = unreached_notes(tokens, end)
        for token in tokens[end:]:
            if token.type == "footnote_open" and token.meta["id"] in unreached and token.meta.get("label"):
                name = token.meta["label"]
                self.diagnostics.warn(
                    "M010",
                    f"footnote [^{name}] is called only from notes the text never calls; its text is left out",
                    path=self.rel,
                    line=definition_line(name, text, self.offset),
                    hint=f"put [^{name}] in the text where the note belongs",
                )
        return unreached

    def _note_text(self, tokens, unreached: set[int]) -> None:
        """The ledger: the text of every inline token (after markup) and every code block; what is
        left out on purpose (comments, a CriticMarkup deletion, a note nothing leads to) is not noted."""
        ledger = self.ledger
        if ledger is None:
            return
        line = self.fixed_line or 1 + self.offset
        skipping = False
        for token in tokens:
            if token.type == "footnote_open":
                skipping = token.meta["id"] in unreached
            if skipping:
                continue
            if token.map and self.fixed_line is None:
                line = token.map[0] + 1 + self.offset
            if token.type == "inline":
                children = token.children or []
                if len(children) == 1:
                    ledger.add(line, children[0].content)
                else:
                    ledger.add(
                        line,
                        "".join(
                            " "
                            if child.type == "softbreak"
                            else ""
                            if child.content.startswith("<!--") and child.type == "html_inline"
                            else child.content
                            for child in children
                        ),
                    )
            elif token.type in ("fence", "code_block", "grid_table"):
                ledger.add(line, token.content)
            elif token.type == "html_block":  # comments are left out on purpose, like Word's
                ledger.add(line, _COMMENT.sub("", token.content))

    def _read_notes(self, tokens, start: int) -> None:
        """Where each note's blocks are; they are read when the note is first called, so a note
        called only from another note (which the plugin puts after it) is read in time."""
        self.note_starts, self.notes, self.building = {}, {}, set()
        for index in range(start, len(tokens)):
            if tokens[index].type == "footnote_open":
                self.note_starts[tokens[index].meta["id"]] = (tokens, index + 1)

    def _note(self, note_id: int, block_token) -> list[Block] | None:
        """A note's blocks (read once); None when the note is being read: it calls itself."""
        if note_id in self.notes:
            return self.notes[note_id]
        if note_id in self.building or note_id not in self.note_starts:
            return None if note_id in self.building else []
        tokens, start = self.note_starts[note_id]
        self.building.add(note_id)
        outer = self.quote_depth, self.verse_depth, self.note_line
        self.note_line = self.loc(block_token).line
        self.quote_depth = self.verse_depth = 0  # a note called in a quotation is not in it
        try:
            blocks, _ = self._blocks_until(tokens, start, "footnote_close")
        finally:
            self.quote_depth, self.verse_depth, self.note_line = outer
            self.building.discard(note_id)
        self.notes[note_id] = blocks
        return blocks

    def _blocks_until(self, tokens, index: int, close: str) -> tuple[list[Block], int]:
        blocks: list[Block] = []
        while index < len(tokens) and tokens[index].type != close:
            item, index = self._block(tokens, index, nested=True)
            if isinstance(item, list):
                blocks += item
            elif item is not None:
                blocks.append(item)
        return blocks, index + 1

    def _block(self, tokens, index: int, nested: bool = False):
        """(the item or items a block's tokens make, or None; the index after them). `nested`: in
        a quotation, a list, a note or front-matter prose, where a heading starts no chapter."""
        token = tokens[index]
        kind = token.type
        if kind == "paragraph_open":
            inline = tokens[index + 1]
            return self._paragraph(inline, token), index + 3
        if kind == "heading_open":
            inline = tokens[index + 1]
            inlines = self.inlines(inline.children or [], token)
            level = int(token.tag[1])
            if nested:  # its emphasis, links and notes kept
                spaces_for_newlines(inlines)
                return Heading(level=level, children=inlines, loc=self.loc(token)), index + 3
            return ChapterStart(plain_text(inlines).replace("\n", " ").strip(), level, self.loc(token)), index + 3
        if kind == "hr":
            return (SceneBreak(loc=self.loc(token)) if nested else Break(self.loc(token), explicit=True)), index + 1
        if kind == "blockquote_open":
            self.quote_depth += 1
            children, index = self._blocks_until(tokens, index + 1, "blockquote_close")
            self.quote_depth -= 1
            callout = (token.meta or {}).get("callout")
            attrs = Attrs(classes=["callout", f"callout-{callout}"]) if callout else None
            return BlockQuote(children, loc=self.loc(token), attrs=attrs), index
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self._list(tokens, index)
        if kind == "table_open":
            return self._table(tokens, index)
        if kind == "dl_open":
            return self._definitions(tokens, index)
        if kind == "container_div_open":
            return self._div(tokens, index)
        if kind in ("code_block", "fence"):
            return Preformatted(token.content.rstrip("\n"), loc=self.loc(token)), index + 1
        if kind == "grid_table":  # kept as typed, in a fixed face: never typographed into dashes
            self._unread(
                "a pandoc grid table",
                token,
                hint="convert it to a pipe table (| a | b |), which bookforge reads as a table",
                once=False,
            )
            return Preformatted(token.content.rstrip("\n"), loc=self.loc(token)), index + 1
        if kind == "html_block":  # raw HTML: shown as text, escaped; a comment is left out
            text = _COMMENT.sub("", token.content).strip()
            if text:
                self._unread("raw HTML", token, hint=_HTML_HINT)
            return (Paragraph([Text(text)], loc=self.loc(token)) if text else None), index + 1
        return None, index + 1  # closing tokens, a `%%` comment block

    def _paragraph(self, inline, token) -> Block | None:
        loc = self.loc(token)
        children = inline.children or []
        content = inline.content
        attrs = Attrs(classes=["callout-title"]) if (token.meta or {}).get("callout_title") else None
        if (
            "\n" in content
            and content.startswith("|")
            and all(line.startswith("| ") or line == "|" for line in content.split("\n"))
        ):
            return self._line_block(children, token)  # pandoc's `| ` line block: verse, addresses
        if len(children) == 1 and children[0].type == "text" and not (self.quote_depth or self.verse_depth):
            return Paragraph([Text(collapse_spaces(children[0].content))], loc=loc, attrs=attrs)  # most paragraphs
        inlines = self.inlines(children, token)
        images = [node for node in inlines if isinstance(node, Image)]
        if len(images) == 1 and all(
            isinstance(n, Image) or (isinstance(n, Text) and not n.text.strip()) for n in inlines
        ):
            image_token = next(t for t in children if t.type == "image")
            title = str(image_token.attrs.get("title", "") or "")
            return Figure(images[0], [Text(title)] if title.strip() else [], loc=loc)
        if not plain_text(inlines).strip() and not any(isinstance(n, (Image, Note)) for n in inlines):
            return None  # nothing but a comment
        paragraph = Paragraph(inlines, loc=loc, attrs=attrs)
        if self.verse_depth:
            return no_newlines(LineBlock(split_at_newlines(paragraph.children), loc=loc, attrs=self.verse_attrs))
        return verse(paragraph, quoted=bool(self.quote_depth), source=content)

    def _line_block(self, children, token) -> LineBlock:
        lines: list[list] = [[]]
        for child in children:
            if child.type in ("softbreak", "hardbreak"):
                lines.append([])
            else:
                lines[-1].append(child)
        out = []
        for line in lines:
            if line and line[0].type == "text":
                first = copy.copy(line[0])
                text = re.sub(r"^\| ?", "", first.content)
                # The line's own indentation is kept, as pandoc keeps it: as no-break spaces.
                stripped = text.lstrip(" ")
                first.content = "\u00a0" * (len(text) - len(stripped)) + stripped
                line = [first, *line[1:]]
            out.append(self.inlines(line, token))
        return no_newlines(LineBlock(out, loc=self.loc(token)))

    def _list(self, tokens, index: int):
        token = tokens[index]
        close = token.type.replace("_open", "_close")
        items, position = [], index + 1
        while tokens[position].type != close:
            if tokens[position].type == "list_item_open":
                checked = (tokens[position].meta or {}).get("checked")
                blocks, position = self._blocks_until(tokens, position + 1, "list_item_close")
                if checked is not None:  # a task: its box, ticked or not, before its text
                    _prefix(blocks, "☑ " if checked else "☐ ", self.loc(token))
                items.append(blocks)
            else:
                position += 1
        ordered = token.type.startswith("ordered")
        start = int(token.attrs.get("start", 1)) if ordered else 1
        style = (token.meta or {}).get("style", "") if ordered else ""
        return ListBlock(items, ordered=ordered, loc=self.loc(token), start=start, style=style), position + 1

    def _definitions(self, tokens, index: int):
        """A definition list: each term a paragraph marked "term", its definitions' paragraphs
        marked "definition" (the theme sets them as a glossary)."""
        blocks: list[Block] = []
        index += 1
        while tokens[index].type != "dl_close":
            token = tokens[index]
            if token.type == "dt_open":
                inline = tokens[index + 1]
                inlines = self.inlines(inline.children or [], token)
                spaces_for_newlines(inlines)
                blocks.append(Paragraph(inlines, loc=self.loc(token), attrs=Attrs(classes=["term"])))
                index += 3
            elif token.type == "dd_open":
                definition, index = self._blocks_until(tokens, index + 1, "dd_close")
                for block in definition:
                    if isinstance(block, (Paragraph, LineBlock)):
                        block.attrs = Attrs(classes=["definition", *(block.attrs.classes if block.attrs else [])])
                blocks += definition
            else:
                index += 1
        return blocks, index + 1

    def _div(self, tokens, index: int):
        """A pandoc fenced div (`::: {.poem}`): a poem's, verse's or lyrics' paragraphs keep their
        lines; any other div is its blocks."""
        classes = _div_classes(tokens[index].info)
        if not _VERSE_CLASSES & set(classes):
            return None, index + 1  # its blocks follow, read as if the fences were not there
        self.verse_depth += 1
        outer, self.verse_attrs = self.verse_attrs, Attrs(classes=classes)
        try:
            blocks, index = self._blocks_until(tokens, index + 1, "container_div_close")
        finally:
            self.verse_depth -= 1
            self.verse_attrs = outer
        return blocks, index

    def _table(self, tokens, index: int):
        loc = self.loc(tokens[index])
        head: list[list[TableCell]] = []
        body: list[list[TableCell]] = []
        aligns: list[str] = []
        target = body
        row: list[TableCell] | None = None
        index += 1
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "thead_open":
                target = head
            elif token.type == "tbody_open":
                target = body
            elif token.type == "tr_open":
                row = []
                target.append(row)
            elif token.type in ("th_open", "td_open"):
                style = str(token.attrs.get("style", "") or "")
                align = _ALIGN.search(style)
                if target is head:
                    aligns.append(align.group(1) if align else "")
                inline = tokens[index + 1]
                inlines = self.inlines(inline.children or [], inline)
                assert row is not None
                row.append(TableCell([no_newlines(Paragraph(inlines, loc=loc))] if inlines else []))
                index += 2
            index += 1
        return Table(head, body, aligns, loc=loc), index + 1

    def inlines(self, children, block_token) -> list[Inline]:
        stack: list[list[Inline]] = [[]]
        containers: list[Container | None] = []

        def open_container(node: Container | None) -> None:
            if node is not None:
                stack[-1].append(node)
                stack.append(node.children)
            containers.append(node)

        commented = False
        for token in children:
            kind = token.type
            if kind == "text":
                _append_text(stack[-1], token.content)
            elif kind == "html_inline":  # shown as text, escaped; a comment is left out
                if token.content.startswith("<!--"):
                    commented = True
                else:
                    self._unread("raw HTML", block_token, hint=_HTML_HINT)
                    _append_text(stack[-1], token.content)
            elif kind == "softbreak":
                _append_text(stack[-1], "\n")  # a space, except in verse (md_verse)
            elif kind == "hardbreak":
                stack[-1].append(LineBreak())
            elif kind == "code_inline":
                stack[-1].append(Code(token.content))
            elif kind in _CONTAINERS:
                open_container(_CONTAINERS[kind]())
            elif kind == "mark_open":  # ==highlight==, {==highlight==}
                open_container(Span(attrs=Attrs(classes=["highlight"])))
            elif kind == "critic_ins_open":  # {++insertion++}: accepted, plain text
                open_container(None)
            elif kind == "link_open":
                href = str(token.attrs.get("href", ""))
                if is_safe_link(href):
                    open_container(Link(href=href))
                else:
                    if re.match(r"^\s*(?:javascript|vbscript|data):", href, re.IGNORECASE):
                        self._warn_link(href, block_token)
                    open_container(None)  # keep the link text, drop the target
            elif kind == "span_open":
                lang = language_tag(str(token.attrs.get("lang", ""))) if token.attrs.get("lang") else None
                classes = str(token.attrs.get("class", "")).split()
                small_caps = SmallCaps() if "smallcaps" in classes or "small-caps" in classes else None
                node: Container | None = small_caps
                if lang:
                    node = Span([small_caps] if small_caps else [], Attrs(lang=lang))
                if node is not None:
                    stack[-1].append(node)
                    stack.append(small_caps.children if small_caps is not None else node.children)
                containers.append(node)
            elif kind.endswith("_open"):  # markup bookforge has no node for: its text is kept
                open_container(None)
            elif kind.endswith("_close"):
                if containers and containers.pop() is not None:
                    stack.pop()
            elif kind == "image":
                src = str(token.attrs.get("src", ""))
                if not is_remote(src):  # markdown-it percent-encodes a destination: the file's own name
                    src = unquote(src)  # <map 100%.png> came as map%20100%25.png
                stack[-1].append(Image(src=image_src(self.rel, src), alt=token.content))
            elif kind == "footnote_ref":
                blocks = self._note(token.meta["id"], block_token)
                if blocks is None:
                    self._warn_cycle(token, block_token)
                    continue
                # A note called twice is printed twice, each with its own number (as pandoc does).
                stack[-1].append(Note(copy.deepcopy(blocks) if token.meta.get("subId") else blocks))
            elif kind == "unread":  # recognised, not carried: shown as typed, and said
                self._unread(token.meta["what"], block_token, hint=token.meta.get("hint"))
                _append_text(stack[-1], token.content)
            elif kind == "comment":  # %%…%%, {>>…<<}, {--…--}: the author's, left out on purpose
                commented = True
        # The spaces a comment stood between are one, and none is left at the edges.
        return trim_inlines(stack[0]) if commented else stack[0]

    def _unread(self, what: str, token, hint: str | None, once: bool = True) -> None:
        """Syntax bookforge recognises but does not carry: kept as typed, and said (once a file)."""
        if once and what in self.warned:
            return
        self.warned.add(what)
        self.diagnostics.warn("M011", f"{what} was kept as typed", path=self.rel, line=self.loc(token).line, hint=hint)

    def _warn_cycle(self, ref, token) -> None:
        label = ref.meta.get("label")
        name = f"[^{label}]" if label else "an inline note"
        self.diagnostics.warn(
            "M012",
            f"footnote {name} is called from inside itself; that call is left out",
            path=self.rel,
            line=self.loc(token).line,
            hint="a note cannot hold itself: call it from the text instead",
        )

    def _warn_link(self, href: str, token) -> None:
        self.diagnostics.warn(
            "M005",
            f"link to '{href[:40]}' removed (only http, https and mailto links are kept)",
            path=self.rel,
            line=self.loc(token).line,
        )


_CAPTION = re.compile(r"^\s*(?:Table)?:\s+")


def _table_captions(items: list[Item]) -> list[Item]:
    """Pandoc's table caption: a paragraph starting `Table:` (or `:`) right before or after a table."""
    out: list[Item] = []
    for item in items:
        label = _caption_label(item)
        previous = out[-1] if out else None
        if label and isinstance(item, Paragraph) and isinstance(previous, Table) and not previous.caption:
            previous.caption = _without_prefix(item.children, label)
            continue
        if isinstance(item, Table) and not item.caption and isinstance(previous, Paragraph):
            previous_label = _caption_label(previous)
            if previous_label:
                out.pop()
                item.caption = _without_prefix(previous.children, previous_label)
        out.append(item)
    return out


def _caption_label(item: Item) -> int:
    """The length of a `Table: ` label opening a paragraph, or 0."""
    if not isinstance(item, Paragraph) or not item.children or not isinstance(item.children[0], Text):
        return 0
    match = _CAPTION.match(item.children[0].text)
    return match.end() if match else 0


def _without_prefix(inlines: list[Inline], length: int) -> list[Inline]:
    first = inlines[0]
    rest = first.text[length:] if isinstance(first, Text) else ""
    return ([Text(rest)] if rest else []) + inlines[1:]


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_HTML_HINT = (
    "write it in Markdown (*emphasis*, a backslash at a line's end for a line break): raw HTML is "
    "shown as text, never as markup"
)
_CONTAINERS: dict[str, type[Container]] = {
    "em_open": Emph,
    "strong_open": Strong,
    "s_open": Strikeout,
    "sup_open": Superscript,
    "sub_open": Subscript,
}
_VERSE_CLASSES = {"verse", "poem", "poetry", "lyrics", "song"}
_PARSERS: dict[tuple[bool, ...], object] = {}
# A definition line (`: the meaning`, `~ the meaning`) of a definition list.
_DEFINITION = re.compile(r"\n {0,3}[:~][ \t]")


def _syntax_used(text: str) -> tuple[bool, ...]:
    """Which of the rarer syntaxes a file could use, told by characters it must then hold: a
    parser that leaves out the others reads a plain story faster (markdown-it tries every rule at
    every line of every paragraph), and reads it just the same."""
    return (
        "]{" in text,  # attribute spans: `[passage]{lang=fr}`
        ":::" in text,  # fenced divs
        _DEFINITION.search("\n" + text) is not None,  # definition lists
        # `^super^`, `~sub~`: a caret not opening a footnote call `[^1]`, a tilde not in a `~~` pair
        text.count("^") > text.count("[^") or text.count("~") > 2 * text.count("~~"),
        "{" in text or "%%" in text or "==" in text or "[[" in text,  # the writing apps' inline syntax
        "%%" in text or "\n+" in text or text.startswith("+"),  # `%%` comment blocks, grid tables
    )


def _parser(used: tuple[bool, ...]):
    """One markdown-it parser per set of syntax used, built once: CommonMark with pipe tables,
    strikethrough, task lists and footnotes, and where a file may use them attribute spans, fenced
    divs, definition lists, `^super^`/`~sub~` and the writing apps' syntax (md_inline_syntax,
    md_block_syntax)."""
    if used not in _PARSERS:
        # The optional syntaxes' plugins are imported only by a file that uses them (below).
        spans, divs, definitions, scripts, inline_syntax, block_syntax = used
        # Raw HTML is recognised (so that comments, the author's notes to self, can be left out, as
        # Word comments are) and otherwise shown as the text it is: never passed through.
        md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False, "tasklists": True})
        md.enable(["table", "strikethrough"]).use(footnote_plugin)
        if definitions:
            from mdit_py_plugins.deflist import deflist_plugin

            md.use(deflist_plugin)
        if scripts:
            from mdit_py_plugins.subscript import sub_plugin
            from mdit_py_plugins.superscript import superscript_plugin

            md.use(superscript_plugin).use(sub_plugin)
        if divs:
            from mdit_py_plugins.container import container_plugin

            md.use(container_plugin, "div", validate=lambda params, *_: bool(params.strip()))
        if inline_syntax:
            from .md_inline_syntax import markdown_inline_syntax_plugin

            md.use(markdown_inline_syntax_plugin)
        md.use(markdown_block_syntax_plugin, blocks=block_syntax)
        if spans:
            from mdit_py_plugins.attrs import attrs_plugin

            md.use(attrs_plugin, after=("span_close",), spans=True)
        _PARSERS[used] = md
    return _PARSERS[used]


def _blank_lines_before(lines: list[str], start: int) -> int:
    count = 0
    while start - count - 1 >= 0 and not lines[start - count - 1].strip():
        count += 1
    return count


def _div_classes(info: str) -> list[str]:
    """`{.poem .stanza}` → [poem, stanza]; pandoc's bare `::: verse` → [verse]."""
    info = info.strip()
    if info.startswith("{"):
        return re.findall(r"(?<![\w-])\.([\w-]+)", info)
    return info.split()[:1]


def _prefix(blocks: list[Block], text: str, loc: Loc) -> None:
    """Put text before a list item's first words (a task's box)."""
    first = blocks[0] if blocks else None
    if isinstance(first, Paragraph):
        first.children[:] = join_text([Text(text), *first.children])
    elif isinstance(first, LineBlock) and first.lines:
        first.lines[0][:] = join_text([Text(text), *first.lines[0]])
    else:
        blocks.insert(0, Paragraph([Text(text.strip())], loc=loc))


def _append_text(nodes: list[Inline], text: str) -> None:
    text = collapse_spaces(text)
    if nodes and isinstance(nodes[-1], Text):
        nodes[-1].text += text
    elif text:
        nodes.append(Text(text))
