"""What the back cover says: [cover] back-text, else back-text-file, else [book] description."""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from ..errors import BuildError
from ..model import Book
from ..project import CONFIG_NAME, Project, resolve_inside
from ..render.xhtml import esc
from ..transforms.typography import educate_string, quote_style

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class BackText:
    """The back cover's paragraphs as HTML (inline markup only) and as plain text (for cutting)."""

    html: tuple[str, ...]
    plain: tuple[str, ...]
    source: str | None  # the file or book.toml key it came from, for messages


def back_text(project: Project, book: Book) -> BackText:
    """The paragraphs of the back cover's text (none when nothing says anything)."""
    cover = project.config.cover_print
    typography = project.config.typography
    if cover.back_text:
        return _paragraphs(cover.back_text, markdown=False, source=CONFIG_NAME, book=book, educate=typography)
    if cover.back_text_file:
        line = cover.line_of.get("back-text-file")
        path = resolve_inside(project.root, cover.back_text_file, "back-text-file", line=line)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise BuildError(
                f"[cover] back-text-file: {cover.back_text_file} does not exist",
                path=CONFIG_NAME,
                line=line,
                hint="name a Markdown or plain-text file in the project",
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise BuildError(
                f"[cover] back-text-file: cannot read {cover.back_text_file}: {reason}",
                path=CONFIG_NAME,
                line=line,
                hint="save it as UTF-8 text",
            ) from None
        markdown = path.suffix.lower() in (".md", ".markdown")
        return _paragraphs(text, markdown=markdown, source=project.rel(path), book=book, educate=typography)
    if book.description:  # already educated with the book's other fields
        return _paragraphs(book.description, markdown=False, source=CONFIG_NAME, book=book, educate=False)
    return BackText((), (), None)


def _paragraphs(text: str, *, markdown: bool, source: str, book: Book, educate: bool) -> BackText:
    style = quote_style(book.language, "auto")
    html, plain = [], []
    for chunk in _BLANK_LINE.split(text.replace("\r\n", "\n").strip()):
        words = " ".join(chunk.split())
        if not words:
            continue
        if educate:
            words = educate_string(words, style)
        if markdown:
            rendered = _markdown_inline(words)
            html.append(rendered)
            plain.append(_text_of(rendered))
        else:
            html.append(esc(words))
            plain.append(words)
    return BackText(tuple(html), tuple(plain), source)


def _markdown_inline(text: str) -> str:
    """Emphasis, strong and code from Markdown; no raw HTML, no images; a link is its text (a
    printed cover has nothing to click)."""
    parser = MarkdownIt("commonmark", {"html": False}).disable(["image"])
    return _LINK_TAG.sub("", parser.renderInline(text)).strip()


_TAG = re.compile(r"<[^>]*>")
_LINK_TAG = re.compile(r"</?a\b[^>]*>")


def _text_of(html: str) -> str:
    return html_module.unescape(_TAG.sub("", html))
