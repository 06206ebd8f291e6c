"""Markdown manuscripts (CommonMark via markdown-it-py, with its table and strikethrough rules and
mdit-py-plugins' footnotes), with optional YAML front matter."""

from __future__ import annotations

import copy
import posixpath
import re
from typing import Any

from ..diagnostics import Diagnostics
from ..errors import ManuscriptError
from ..model import (
    Attrs, Block, BlockQuote, Code, Emph, Figure, Image, Inline, LineBlock, LineBreak, Link, ListBlock, Loc, Note,
    Paragraph, Preformatted, SmallCaps, Span, Story, Strikeout, Strong, TableCell, Table, Text, plain_text,
)
from .assemble import Break, ChapterStart, Item, assemble, take_header
from .decode import clean, decode, scrub
from .header import apply_field, canonical_field, language_tag
from .inlines import PROSE_LINE, reads_as_verse
from .ledger import Ledger

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_SAFE_LINK = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


def read(data: bytes, rel: str, diagnostics: Diagnostics, *, chapter_file: bool = False,
         ledger: Ledger | None = None) -> Story:
    """Decode and parse a Markdown manuscript file's bytes."""
    text = clean(decode(data, rel, diagnostics), rel, diagnostics)
    return read_markdown(text, rel, diagnostics, chapter_file=chapter_file, ledger=ledger)


def read_markdown(text: str, rel: str, diagnostics: Diagnostics, *, chapter_file: bool = False,
                  ledger: Ledger | None = None) -> Story:
    """Parse Markdown text into a Story; `ledger` notes the text of every token it was given."""
    story = Story(source=rel)
    front, key_lines, body, offset = split_front_matter(text, rel)
    if front is not None:
        apply_front_matter(front, key_lines, story, diagnostics, ledger)
    reader = _Reader(rel, offset, diagnostics, ledger=ledger)
    items = take_header(reader.stream(body), story, diagnostics)
    assemble(items, story, diagnostics, chapter_file=chapter_file)
    return story


# ---------------------------------------------------------------------------------------------
# Front matter (shared with HTML files exported with YAML front matter)


def split_front_matter(text: str, rel: str) -> tuple[Any, dict[str, int], str, int]:
    """(parsed YAML or None, line of each top-level key, body text, lines before the body)."""
    if not re.match(r"^---[ \t]*\n", text):
        return None, {}, text, 0
    first_newline = text.index("\n") + 1
    end = _FRONT_MATTER_END.search(text, first_newline)
    if end is None:
        raise ManuscriptError(
            "YAML front matter is not closed", path=rel, line=1, hint="end it with a line of ---"
        )
    yaml_text = text[first_newline : end.start()]
    import yaml

    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ManuscriptError(
            f"YAML front matter: {problem}",
            path=rel,
            line=mark.line + 2 if mark else 1,
            column=mark.column + 1 if mark else None,
            hint="front matter is `key: value` lines between two lines of ---",
        ) from None
    body_start = text.find("\n", end.start())
    body_start = len(text) if body_start < 0 else body_start + 1
    if data is None:
        data = {}
    data = _scrubbed(data)
    if not isinstance(data, dict):
        raise ManuscriptError(
            "YAML front matter must be `key: value` lines", path=rel, line=2
        )
    key_lines = {}
    for number, line in enumerate(yaml_text.split("\n"), start=2):
        match = re.match(r"^([^\s:#][^:]*):", line)
        if match:
            key_lines.setdefault(match.group(1).strip().strip("'\""), number)
    return data, key_lines, text[body_start:], text.count("\n", 0, body_start)


def _scrubbed(value: Any) -> Any:
    """YAML escapes can spell characters no book may hold (\\u0000, lone surrogates): drop them."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    if isinstance(value, dict):
        return {_scrubbed(k): _scrubbed(v) for k, v in value.items()}
    return value


def apply_front_matter(data: dict, key_lines: dict[str, int], story: Story, diagnostics: Diagnostics,
                       ledger: Ledger | None = None) -> None:
    """Every front-matter key onto the story; keys bookforge does not use are named (M007)."""
    rel = story.source
    unknown: list[str] = []
    for key, value in data.items():
        loc = Loc(rel, key_lines.get(str(key), 2))
        canonical = canonical_field(str(key))
        if value is None:
            continue
        if ledger is not None and canonical != "language":
            ledger.add(loc.line, " ".join(map(str, value)) if isinstance(value, list) else str(value))
        if canonical is None:
            unknown.append(str(key))
            story.meta[str(key)] = value if isinstance(value, (str, list)) else str(value)
            continue
        blocks = None
        if canonical in ("summary", "notes", "end_notes"):
            reader = _Reader(rel, 0, diagnostics, fixed_line=loc.line)
            blocks = [item for item in reader.stream(str(value)) if not isinstance(item, (ChapterStart, Break))]
        apply_field(story, canonical, value, loc=loc, diagnostics=diagnostics, blocks=blocks)
    if unknown:
        diagnostics.warn(
            "M007", "front-matter key" + ("s " if len(unknown) > 1 else " ") + ", ".join(unknown)
            + " not used by bookforge", path=rel, line=key_lines.get(unknown[0], 2),
            hint="bookforge reads title, author, summary, notes, end notes, language, rating, warnings, "
                 "fandom, relationships, characters, tags and series",
        )


# ---------------------------------------------------------------------------------------------
# Token stream → the skeleton's stream


class _Reader:
    def __init__(self, rel: str, offset: int, diagnostics: Diagnostics, fixed_line: int | None = None,
                 ledger: Ledger | None = None):
        self.rel = rel
        self.ledger = ledger
        self.offset = offset
        self.diagnostics = diagnostics
        self.fixed_line = fixed_line  # front-matter prose: every block points at its key's line
        self.notes: dict[int, list[Block]] = {}  # footnote id → its blocks
        self.quote_depth = 0  # inside a blockquote, a paragraph of short lines is verse

    def parse(self, text: str):
        # `[passage]{lang=fr}`, `[Name]{.smallcaps}`: attribute spans, as in pandoc, only when used.
        env: dict = {}
        tokens = _parser("]{" in text).parse(text, env)
        self._unused_notes(env, text)
        return tokens

    def _unused_notes(self, env: dict, text: str) -> None:
        for label, index in env.get("footnotes", {}).get("refs", {}).items():
            if index == -1:  # a definition nothing calls: the plugin drops it
                name = label.lstrip(":")
                match = re.search(r"^ {0,3}\[\^" + re.escape(name) + r"\]:", text, re.MULTILINE)
                line = text.count("\n", 0, match.start()) + 1 + self.offset if match else None
                self.diagnostics.warn(
                    "M010", f"footnote [^{name}] is never called; its text is left out", path=self.rel, line=line,
                    hint=f"put [^{name}] in the text where the note belongs",
                )

    def loc(self, token) -> Loc:
        if self.fixed_line is not None:
            return Loc(self.rel, self.fixed_line)
        line = token.map[0] + 1 + self.offset if token.map else 1 + self.offset
        return Loc(self.rel, line)

    def stream(self, text: str) -> list[Item]:
        """Top-level items; two or more blank lines between blocks are a (blank-run) scene break."""
        tokens = self.parse(text)
        if self.ledger is not None:
            self._note_text(tokens)
        end = next((i for i, t in enumerate(tokens) if t.type == "footnote_block_open"), len(tokens))
        self._read_notes(tokens, end)
        items: list[Item] = []
        previous_end, index = None, 0
        while index < end:
            token = tokens[index]
            item, index = self._block(tokens, index)
            if item is None:
                continue
            start, stop = token.map if token.map else (0, 0)
            if (previous_end is not None and start - previous_end >= 2 and isinstance(item, Paragraph)
                    and items and not isinstance(items[-1], (ChapterStart, Break))):
                items.append(Break(Loc(self.rel, item.loc.line - (start - previous_end)), explicit=False))
            previous_end = stop
            items.append(item)
        return _table_captions(items)

    def _note_text(self, tokens) -> None:
        """The ledger: the text of every inline token (after markup) and every code block."""
        line = 1 + self.offset
        for token in tokens:
            if token.map:
                line = token.map[0] + 1 + self.offset
            if token.type == "inline":
                children = token.children or ()
                if len(children) == 1:
                    self.ledger.add(line, children[0].content)
                else:
                    self.ledger.add(line, "".join(
                        " " if child.type == "softbreak" else "" if child.content.startswith("<!--")
                        and child.type == "html_inline" else child.content for child in children))
            elif token.type in ("fence", "code_block"):
                self.ledger.add(line, token.content)
            elif token.type == "html_block":  # comments are left out on purpose, like Word's
                self.ledger.add(line, _COMMENT.sub("", token.content))

    def _read_notes(self, tokens, start: int) -> None:
        index = start
        while index < len(tokens):
            token = tokens[index]
            if token.type == "footnote_open":
                blocks, index = self._blocks_until(tokens, index + 1, "footnote_close")
                self.notes[token.meta["id"]] = blocks
            else:
                index += 1

    def _blocks_until(self, tokens, index: int, close: str) -> tuple[list[Block], int]:
        blocks = []
        while index < len(tokens) and tokens[index].type != close:
            item, index = self._block(tokens, index)
            if isinstance(item, ChapterStart):  # a heading nested in a quote, list or note
                item = _heading_block(item)
            if isinstance(item, Break):
                item = _break_block(item)
            if item is not None:
                blocks.append(item)
        return blocks, index + 1

    def _block(self, tokens, index: int):
        token = tokens[index]
        kind = token.type
        if kind == "paragraph_open":
            inline = tokens[index + 1]
            return self._paragraph(inline, token), index + 3
        if kind == "heading_open":
            inline = tokens[index + 1]
            text = plain_text(self.inlines(inline.children or [], token)).strip()
            return ChapterStart(text, int(token.tag[1]), self.loc(token)), index + 3
        if kind == "hr":
            return Break(self.loc(token), explicit=True), index + 1
        if kind == "blockquote_open":
            self.quote_depth += 1
            children, index = self._blocks_until(tokens, index + 1, "blockquote_close")
            self.quote_depth -= 1
            return BlockQuote(children, loc=self.loc(token)), index
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self._list(tokens, index)
        if kind == "table_open":
            return self._table(tokens, index)
        if kind in ("code_block", "fence"):
            return Preformatted(token.content.rstrip("\n"), loc=self.loc(token)), index + 1
        if kind == "html_block":  # raw HTML: shown as text, escaped; a comment is left out
            text = _COMMENT.sub("", token.content).strip()
            return (Paragraph([Text(text)], loc=self.loc(token)) if text else None), index + 1
        return None, index + 1

    def _paragraph(self, inline, token) -> Block:
        loc = self.loc(token)
        children = inline.children or []
        content = inline.content
        if "\n" in content and content.startswith("|") and all(
                line.startswith("| ") or line == "|" for line in content.split("\n")):
            return self._line_block(children, token)  # pandoc's `| ` line block: verse, addresses
        if len(children) == 1 and children[0].type == "text" and not self.quote_depth:
            return Paragraph([Text(children[0].content)], loc=loc)  # most paragraphs: one run of text
        inlines = self.inlines(children, token)
        images = [node for node in inlines if isinstance(node, Image)]
        if len(images) == 1 and all(isinstance(n, Image) or (isinstance(n, Text) and not n.text.strip())
                                    for n in inlines):
            image_token = next(t for t in children if t.type == "image")
            title = str(image_token.attrs.get("title", "") or "")
            return Figure(images[0], [Text(title)] if title.strip() else [], loc=loc)
        paragraph = Paragraph(inlines, loc=loc)
        return _verse(paragraph) if self.quote_depth else _no_newlines(paragraph)

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
                first.content = re.sub(r"^\| ?", "", first.content)
                line = [first, *line[1:]]
            out.append(self.inlines(line, token))
        return _no_newlines(LineBlock(out, loc=self.loc(token)))

    def _list(self, tokens, index: int):
        token = tokens[index]
        close = token.type.replace("_open", "_close")
        items, position = [], index + 1
        while tokens[position].type != close:
            if tokens[position].type == "list_item_open":
                blocks, position = self._blocks_until(tokens, position + 1, "list_item_close")
                items.append(blocks)
            else:
                position += 1
        ordered = token.type.startswith("ordered")
        start = int(token.attrs.get("start", 1)) if ordered else 1
        return ListBlock(items, ordered=ordered, loc=self.loc(token), start=start), position + 1

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
                row.append(TableCell([_no_newlines(Paragraph(inlines, loc=loc))] if inlines else []))
                index += 2
            index += 1
        return Table(head, body, aligns, loc=loc), index + 1

    def inlines(self, children, block_token) -> list[Inline]:
        stack: list[list[Inline]] = [[]]
        containers: list[Inline | None] = []
        for token in children:
            kind = token.type
            if kind == "text":
                _append_text(stack[-1], token.content)
            elif kind == "html_inline":  # shown as text, escaped; a comment is left out
                if not token.content.startswith("<!--"):
                    _append_text(stack[-1], token.content)
            elif kind == "softbreak":
                _append_text(stack[-1], "\n")  # a space, except in a quotation's verse (_verse)
            elif kind == "hardbreak":
                stack[-1].append(LineBreak())
            elif kind == "code_inline":
                stack[-1].append(Code(token.content))
            elif kind in ("em_open", "strong_open", "s_open"):
                node = {"em_open": Emph, "strong_open": Strong, "s_open": Strikeout}[kind]()
                stack[-1].append(node)
                containers.append(node)
                stack.append(node.children)
            elif kind == "link_open":
                href = str(token.attrs.get("href", ""))
                if _SAFE_LINK.match(href):
                    node = Link(href=href)
                    stack[-1].append(node)
                    containers.append(node)
                    stack.append(node.children)
                else:
                    if re.match(r"^\s*(?:javascript|vbscript|data):", href, re.IGNORECASE):
                        self._warn_link(href, block_token)
                    containers.append(None)  # keep the link text, drop the target
            elif kind == "span_open":
                lang = language_tag(str(token.attrs.get("lang", ""))) if token.attrs.get("lang") else None
                classes = str(token.attrs.get("class", "")).split()
                node = None
                if "smallcaps" in classes or "small-caps" in classes:
                    node = SmallCaps()
                if lang:
                    node = Span([node] if node else [], Attrs(lang=lang))
                if node is not None:
                    stack[-1].append(node)
                    stack.append(node.children[0].children if isinstance(node, Span) and node.children else node.children)
                containers.append(node)
            elif kind in ("em_close", "strong_close", "link_close", "span_close", "s_close"):
                if containers.pop() is not None:
                    stack.pop()
            elif kind == "image":
                src = str(token.attrs.get("src", ""))
                stack[-1].append(Image(src=self._image_src(src), alt=token.content))
            elif kind == "footnote_ref":
                blocks = self.notes.get(token.meta["id"], [])
                # A note called twice is printed twice, each with its own number (as pandoc does).
                stack[-1].append(Note(copy.deepcopy(blocks) if token.meta.get("subId") else blocks))
        return stack[0]

    def _image_src(self, src: str) -> str:
        """Image paths become project-relative; remote addresses are kept for the check to refuse."""
        if _REMOTE.match(src) or src.startswith("/"):
            return src
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(self.rel), src))
        return joined

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
        if label and isinstance(previous, Table) and not previous.caption:
            previous.caption = _without_prefix(item.children, label)
            continue
        if isinstance(item, Table) and not item.caption and previous is not None and _caption_label(previous):
            out.pop()
            item.caption = _without_prefix(previous.children, _caption_label(previous))
        out.append(item)
    return out


def _caption_label(item) -> int:
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
_PARSERS: dict[bool, object] = {}


def _parser(attribute_spans: bool):
    """One markdown-it parser per kind, built once: CommonMark with raw HTML off (so it is shown as
    text, never passed through), pipe tables, strikethrough and footnotes."""
    if attribute_spans not in _PARSERS:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.footnote import footnote_plugin

        # Raw HTML is recognised (so that comments, the author's notes to self, can be left out, as
        # Word comments are) and otherwise shown as the text it is: never passed through.
        md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
        md.enable(["table", "strikethrough"]).use(footnote_plugin)
        if attribute_spans:
            from mdit_py_plugins.attrs import attrs_plugin

            md.use(attrs_plugin, after=("span_close",), spans=True)
        _PARSERS[attribute_spans] = md
    return _PARSERS[attribute_spans]


def _append_text(nodes: list[Inline], text: str) -> None:
    if nodes and isinstance(nodes[-1], Text):
        nodes[-1].text += text
    elif text:
        nodes.append(Text(text))


def _no_newlines(block):
    """Soft line breaks are spaces (outside a quotation's verse)."""
    for run in ([block.children] if isinstance(block, Paragraph) else block.lines):
        _spaces_for_newlines(run)
    return block


def _spaces_for_newlines(inlines: list[Inline]) -> None:
    for index, node in enumerate(inlines):
        if isinstance(node, Text) and "\n" in node.text:
            inlines[index] = Text(node.text.replace("\n", " "))
        elif hasattr(node, "children"):
            _spaces_for_newlines(node.children)


def _verse(block: Paragraph) -> Block:
    """A quotation's paragraph of short lines is verse (lyrics, a poem): its lines are kept."""
    lines = plain_text(block.children).split("\n")
    if len(lines) < 2 or (len(lines) > 2 and not reads_as_verse(lines)) or (
            len(lines) == 2 and len(lines[0].strip()) >= PROSE_LINE):
        return _no_newlines(block)
    return _no_newlines(LineBlock(_split_at_newlines(block.children), loc=block.loc, attrs=block.attrs))


def _split_at_newlines(inlines: list[Inline]) -> list[list[Inline]]:
    lines: list[list[Inline]] = [[]]
    for node in inlines:
        if isinstance(node, Text) and "\n" in node.text:
            parts = node.text.split("\n")
            for number, part in enumerate(parts):
                if number:
                    lines.append([])
                if part:
                    lines[-1].append(Text(part))
        elif isinstance(node, LineBreak):
            lines.append([])
        else:
            lines[-1].append(node)
    return lines


def _heading_block(start: ChapterStart):
    from ..model import Heading

    return Heading(level=start.level, children=[Text(start.title)], loc=start.loc)


def _break_block(item: Break):
    from ..model import SceneBreak

    return SceneBreak(loc=item.loc)
