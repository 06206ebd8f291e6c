"""Model blocks and inlines to XHTML markup: fast string building with strict escaping."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..model import (
    Attrs, Block, BlockQuote, Code, Emph, Heading, Image, Inline, LineBreak, Link, ListBlock,
    Paragraph, Preformatted, SceneBreak, SmallCaps, Span, Strong, Subscript, Superscript, Text,
)

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
    if not blocks or type(blocks[0]) is not Paragraph or not blocks[0].children:
        return render_blocks(blocks, ctx)
    first = blocks[0]
    lead, rest = _split_lead_in(first.children)
    out = [f'<p{_attrs(first.attrs, "opening")}>']
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
    if type(head) is not Text:
        return [], children
    match = _LEAD_IN.match(head.text)
    if not match:
        return [], children
    rest_text = head.text[match.end():]
    rest = ([Text(rest_text)] if rest_text else []) + children[1:]
    return [Text(match.group(0))], rest


def render_inlines(inlines: list[Inline], ctx: Context | None = None) -> str:
    out: list[str] = []
    _inlines(inlines, ctx, out)
    return "".join(out)


def _attrs(attrs: Attrs | None, extra_class: str = "") -> str:
    classes = ([extra_class] if extra_class else []) + (attrs.classes if attrs else [])
    parts = []
    if attrs and attrs.id:
        parts.append(f' id="{attr(attrs.id)}"')
    if classes:
        parts.append(f' class="{attr(" ".join(classes))}"')
    if attrs and attrs.lang:
        parts.append(lang_attrs(attrs.lang))
    return "".join(parts)


def _block(block: Block, ctx: Context, out: list[str]) -> None:
    kind = type(block)
    if kind is Paragraph:
        out.append(f"<p{_attrs(block.attrs)}>")
        _inlines(block.children, ctx, out)
        out.append("</p>\n")
    elif kind is SceneBreak:
        out.append(f'<hr class="scene-break" aria-label="{attr(ctx.scene_break_label)}"/>\n')
    elif kind is Heading:
        level = min(6, ctx.heading_base + block.level - 1)
        out.append(f"<h{level}{_attrs(block.attrs)}>")
        _inlines(block.children, ctx, out)
        out.append(f"</h{level}>\n")
    elif kind is BlockQuote:
        out.append(f"<blockquote{_attrs(block.attrs)}>\n")
        for child in block.children:
            _block(child, ctx, out)
        out.append("</blockquote>\n")
    elif kind is ListBlock:
        tag = "ol" if block.ordered else "ul"
        out.append(f"<{tag}>\n")
        for item in block.items:
            out.append("<li>")
            # A list item of one paragraph is written without the <p>, as tight lists are.
            if len(item) == 1 and isinstance(item[0], Paragraph) and not item[0].attrs:
                _inlines(item[0].children, ctx, out)
            else:
                for child in item:
                    _block(child, ctx, out)
            out.append("</li>\n")
        out.append(f"</{tag}>\n")
    elif kind is Preformatted:
        out.append(f"<pre>{esc(block.text)}</pre>\n")
    else:  # pragma: no cover - the model is a closed set
        raise TypeError(f"cannot render {kind.__name__}")


def _inlines(inlines: list[Inline], ctx: Context | None, out: list[str]) -> None:
    for node in inlines:
        kind = type(node)
        if kind is Text:
            out.append(esc(node.text))
        elif kind is Emph:
            out.append("<em>")
            _inlines(node.children, ctx, out)
            out.append("</em>")
        elif kind is Strong:
            out.append("<strong>")
            _inlines(node.children, ctx, out)
            out.append("</strong>")
        elif kind is SmallCaps:
            out.append('<span class="smallcaps">')
            _inlines(node.children, ctx, out)
            out.append("</span>")
        elif kind is Superscript:
            out.append("<sup>")
            _inlines(node.children, ctx, out)
            out.append("</sup>")
        elif kind is Subscript:
            out.append("<sub>")
            _inlines(node.children, ctx, out)
            out.append("</sub>")
        elif kind is Span:
            out.append(f"<span{_attrs(node.attrs)}>")
            _inlines(node.children, ctx, out)
            out.append("</span>")
        elif kind is Code:
            out.append(f"<code>{esc(node.text)}</code>")
        elif kind is LineBreak:
            out.append("<br/>")
        elif kind is Link:
            out.append(f'<a href="{attr(node.href)}">')
            _inlines(node.children, ctx, out)
            out.append("</a>")
        elif kind is Image:
            if ctx is not None:
                out.append(f'<img src="{attr(ctx.image_src(node.src))}" alt="{attr(node.alt)}"/>')
            elif node.alt:
                out.append(esc(node.alt))
        else:  # pragma: no cover - the model is a closed set
            raise TypeError(f"cannot render {kind.__name__}")


def plain_text(inlines: list[Inline]) -> str:
    """The text of inlines without markup (titles, alt text, search)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append(" ")
        elif isinstance(node, Image):
            out.append(node.alt)
        elif hasattr(node, "children"):
            out.append(plain_text(node.children))
    return "".join(out)


def block_text(block: Block) -> str:
    """The text of a block without markup (word counts, checks)."""
    if isinstance(block, (Paragraph, Heading)):
        return plain_text(block.children)
    if isinstance(block, BlockQuote):
        return " ".join(block_text(child) for child in block.children)
    if isinstance(block, ListBlock):
        return " ".join(block_text(child) for item in block.items for child in item)
    if isinstance(block, Preformatted):
        return block.text
    return ""
