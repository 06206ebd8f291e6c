"""Markdown manuscripts (CommonMark via markdown-it-py) with optional YAML front matter."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostics
from ..errors import ManuscriptError
from ..model import (
    Attrs, Block, BlockQuote, Chapter, Code, Emph, Heading, Image, Inline, LineBreak, Link, ListBlock, Loc,
    Paragraph, Preformatted, SceneBreak, SmallCaps, Span, Story, Strong, Text,
)
from .decode import clean, decode, scrub
from .header import LIST_FIELDS, PROSE_FIELDS, canonical_field, language_tag, split_list

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_SAFE_LINK = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def read(data: bytes, rel: str, diagnostics: Diagnostics) -> Story:
    """Decode and parse a Markdown manuscript file's bytes."""
    return read_markdown(clean(decode(data, rel, diagnostics), rel, diagnostics), rel, diagnostics)


def read_markdown(text: str, rel: str, diagnostics: Diagnostics) -> Story:
    """Parse Markdown text into a Story."""
    story = Story(source=rel)
    front, key_lines, body, offset = _split_front_matter(text, rel)
    if front is not None:
        _apply_front_matter(front, key_lines, story, rel, diagnostics)
    reader = _Reader(rel, offset, diagnostics)
    items = reader.top_level(reader.parse(body))
    _assemble(items, story, rel)
    return story


# ---------------------------------------------------------------------------------------------
# Front matter


def _split_front_matter(text: str, rel: str) -> tuple[Any, dict[str, int], str, int]:
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


def _apply_front_matter(data: dict, key_lines: dict[str, int], story: Story, rel: str, diagnostics) -> None:
    for key, value in data.items():
        loc = Loc(rel, key_lines.get(str(key), 2))
        canonical = canonical_field(str(key))
        if value is None:
            continue
        if canonical is None:
            story.meta[str(key)] = value if isinstance(value, (str, list)) else str(value)
        elif canonical == "title":
            story.title = str(value).strip()
        elif canonical == "authors":
            story.authors = _as_list(value)
        elif canonical in PROSE_FIELDS:
            reader = _Reader(rel, 0, diagnostics, fixed_line=loc.line)
            tops = reader.top_level(reader.parse(str(value)))
            blocks = [t.item for t in tops if not isinstance(t.item, _HeadingItem)]
            getattr(story, canonical).extend(blocks)
        elif canonical == "language":
            tag = language_tag(str(value))
            if tag:
                story.language = tag
            else:
                diagnostics.warn(
                    "M007",
                    f"'{value}' is not a language bookforge knows; the book's language is used",
                    path=rel,
                    line=loc.line,
                    hint='write a language tag such as "en", "fr" or "de"',
                )
        elif canonical in LIST_FIELDS:
            story.meta[canonical] = _as_list(value)
        else:
            story.meta[canonical] = str(value)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return split_list(str(value))


# ---------------------------------------------------------------------------------------------
# Token stream → blocks


@dataclass
class _HeadingItem:
    level: int
    text: str
    loc: Loc


@dataclass
class _Top:
    item: Any  # a Block or a _HeadingItem
    start: int  # first source line (0-based, body-relative)
    end: int  # one past the last source line


class _Reader:
    def __init__(self, rel: str, offset: int, diagnostics: Diagnostics, fixed_line: int | None = None):
        self.rel = rel
        self.offset = offset
        self.diagnostics = diagnostics
        self.fixed_line = fixed_line  # front-matter prose: every block points at its key's line
        self.quote_depth = 0  # inside a blockquote, line ends are kept (verse, letters, lyrics)

    def parse(self, text: str):
        from markdown_it import MarkdownIt

        # "html": False makes raw HTML plain text, so the renderer escapes it: never passed through.
        md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        if "]{" in text:  # `[passage]{lang=fr}`, `[Name]{.smallcaps}`: attribute spans, as in pandoc
            from mdit_py_plugins.attrs import attrs_plugin

            md.use(attrs_plugin, after=("span_close",), spans=True)
        return md.parse(text)

    def loc(self, token) -> Loc:
        if self.fixed_line is not None:
            return Loc(self.rel, self.fixed_line)
        line = token.map[0] + 1 + self.offset if token.map else 1 + self.offset
        return Loc(self.rel, line)

    def top_level(self, tokens) -> list[_Top]:
        """Top-level items with their source line spans (for blank-line scene breaks)."""
        items, index = [], 0
        while index < len(tokens):
            token = tokens[index]
            item, index = self._block(tokens, index)
            if item is not None:
                start, end = token.map if token.map else (0, 0)
                items.append(_Top(item, start, end))
        return items

    def _blocks_until(self, tokens, index: int, close: str) -> tuple[list[Block], int]:
        blocks = []
        while index < len(tokens) and tokens[index].type != close:
            item, index = self._block(tokens, index)
            if isinstance(item, _HeadingItem):  # a heading nested in a quote or list
                item = Heading(level=item.level, children=[Text(item.text)], loc=item.loc)
            if item is not None:
                blocks.append(item)
        return blocks, index + 1

    def _block(self, tokens, index: int):
        token = tokens[index]
        kind = token.type
        if kind == "paragraph_open":
            inline = tokens[index + 1]
            return Paragraph(self.inlines(inline.children or [], token), loc=self.loc(token)), index + 3
        if kind == "heading_open":
            inline = tokens[index + 1]
            text = _plain(self.inlines(inline.children or [], token)).strip()
            return _HeadingItem(int(token.tag[1]), text, self.loc(token)), index + 3
        if kind == "hr":
            return SceneBreak(loc=self.loc(token)), index + 1
        if kind == "blockquote_open":
            self.quote_depth += 1
            children, index = self._blocks_until(tokens, index + 1, "blockquote_close")
            self.quote_depth -= 1
            return BlockQuote(children, loc=self.loc(token)), index
        if kind in ("bullet_list_open", "ordered_list_open"):
            close = kind.replace("_open", "_close")
            items, position = [], index + 1
            while tokens[position].type != close:
                if tokens[position].type == "list_item_open":
                    blocks, position = self._blocks_until(tokens, position + 1, "list_item_close")
                    items.append(blocks)
                else:
                    position += 1
            return ListBlock(items, ordered=kind.startswith("ordered"), loc=self.loc(token)), position + 1
        if kind in ("code_block", "fence"):
            return Preformatted(token.content.rstrip("\n"), loc=self.loc(token)), index + 1
        if kind == "html_block":  # not produced with html off; kept as escaped text to be safe
            return Paragraph([Text(token.content.strip())], loc=self.loc(token)), index + 1
        return None, index + 1

    def inlines(self, children, block_token) -> list[Inline]:
        stack: list[list[Inline]] = [[]]
        containers: list[Inline | None] = []
        for token in children:
            kind = token.type
            if kind == "text" or kind == "html_inline":
                _append_text(stack[-1], token.content)
            elif kind == "softbreak":
                if self.quote_depth:
                    stack[-1].append(LineBreak())
                else:
                    _append_text(stack[-1], " ")
            elif kind == "hardbreak":
                stack[-1].append(LineBreak())
            elif kind == "code_inline":
                stack[-1].append(Code(token.content))
            elif kind in ("em_open", "strong_open"):
                node = Emph() if kind == "em_open" else Strong()
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
            elif kind in ("em_close", "strong_close", "link_close", "span_close"):
                if containers.pop() is not None:
                    stack.pop()
            elif kind == "image":
                src = str(token.attrs.get("src", ""))
                stack[-1].append(Image(src=self._image_src(src), alt=token.content))
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


def _append_text(nodes: list[Inline], text: str) -> None:
    if nodes and isinstance(nodes[-1], Text):
        nodes[-1].text += text
    elif text:
        nodes.append(Text(text))


def _plain(nodes: list[Inline]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Code):
            out.append(node.text)
        elif hasattr(node, "children"):
            out.append(_plain(node.children))
    return "".join(out)


def _assemble(items: list[_Top], story: Story, rel: str) -> None:
    headings = [t.item for t in items if isinstance(t.item, _HeadingItem)]
    # A lone top-level heading opening the file is the story's title, not a chapter.
    if headings and items and isinstance(items[0].item, _HeadingItem):
        top = min(h.level for h in headings)
        first = items[0].item
        if first.level == top and sum(1 for h in headings if h.level == top) == 1:
            if not story.title:
                story.title = first.text
                items = items[1:]
            elif story.title.casefold() == first.text.casefold():
                items = items[1:]
            headings = [t.item for t in items if isinstance(t.item, _HeadingItem)]
    chapter_level = min((h.level for h in headings), default=1)

    chapter = Chapter(loc=Loc(rel, 1))
    chapters = [chapter]
    previous: _Top | None = None
    for top in items:
        item = top.item
        # Two or more blank lines between blocks are a scene break, as in plain text.
        if (
            previous is not None
            and top.start - previous.end >= 2
            and isinstance(item, Paragraph)
            and isinstance(previous.item, (Paragraph, BlockQuote, ListBlock, Preformatted))
        ):
            chapter.blocks.append(SceneBreak(loc=Loc(rel, item.loc.line - (top.start - previous.end))))
        previous = top
        if isinstance(item, _HeadingItem):
            if item.level == chapter_level:
                if chapter.blocks or chapter.title is not None:
                    chapter = Chapter(loc=item.loc)
                    chapters.append(chapter)
                chapter.title = item.text
                chapter.loc = item.loc
            else:
                chapter.blocks.append(
                    Heading(level=item.level - chapter_level, children=[Text(item.text)], loc=item.loc)
                )
            continue
        if isinstance(item, SceneBreak) and chapter.blocks and isinstance(chapter.blocks[-1], SceneBreak):
            continue
        chapter.blocks.append(item)
    for chapter in chapters:
        while chapter.blocks and isinstance(chapter.blocks[0], SceneBreak):
            chapter.blocks.pop(0)
        while chapter.blocks and isinstance(chapter.blocks[-1], SceneBreak):
            chapter.blocks.pop()
    story.chapters = [c for c in chapters if c.blocks or c.title is not None]
