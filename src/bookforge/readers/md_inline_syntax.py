"""markdown-it inline rules for the writing apps' syntax no plugin reads: CriticMarkup, Obsidian's
`%%comments%%`, `==highlights==`, `[[wiki links]]` and `![[embeds]]`, pandoc's `{width=50%}`.

Each rule makes tokens the Markdown reader already knows, or a few of its own:
- `comment` (left out: the author's notes to self, a CriticMarkup deletion),
- `mark_open`/`mark_close` (a highlight), `critic_ins_open`/`critic_ins_close` (an insertion,
  kept as plain text: changes are accepted, as the Word reader accepts tracked changes),
- `unread` (syntax bookforge recognises but cannot carry: shown as typed, and warned about).
"""

from __future__ import annotations

import re
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token

# CriticMarkup: opener → closer. Substitution is `{~~old~>new~~}`.
_CRITIC = {"{++": "++}", "{--": "--}", "{~~": "~~}", "{==": "==}", "{>>": "<<}"}
_WIKI = re.compile(r"(!?)\[\[([^\[\]\n]+)\]\]")
_IMAGE_FILE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|avif|bmp|tiff?)$", re.IGNORECASE)
_SIZE = re.compile(r"^\s*\d+(?:\s*x\s*\d+)?\s*$")  # `![[map.png|300]]`, `|300x200`: a size, not alt text
# Pandoc's attributes after an image, a link or code: `{width=50%}`, `{#id .class}`.
_ATTRIBUTES = re.compile(r"\{\s*(?:[#.][\w-]|[\w-]+=)[^{}\n]*\}")
_ATTRIBUTED = ("image", "link_close", "code_inline")


def markdown_inline_syntax_plugin(md: MarkdownIt) -> None:
    """Add the rules (after code spans, so nothing inside backticks is touched)."""
    md.inline.ruler.before("strikethrough", "critic_markup", _critic_markup)
    md.inline.ruler.before("strikethrough", "obsidian_comment", _obsidian_comment)
    md.inline.ruler.before("strikethrough", "pandoc_attributes", _pandoc_attributes)
    md.inline.ruler.before("emphasis", "mark", _mark)
    md.inline.ruler2.after("strikethrough", "mark", _mark_pairs)
    md.inline.ruler.before("link", "wiki_link", _wiki_link)


def _closer(state: StateInline, closer: str, start: int) -> int:
    """Where `closer` is in the paragraph from `start`, or -1. A closer looked for in vain is
    remembered, so a paragraph of many unclosed openers costs one search, not one per opener
    (benchmarks/tricks.py's md-closer-cache row: 0.64× the time on such a paragraph).

    The memory lives on the state object itself: markdown-it makes one per run of inline text,
    while its `env` is shared by the whole document."""
    unclosed = state.__dict__.setdefault("bookforge_unclosed", {})
    key = (closer, state.posMax)  # a link's text is searched only to its end
    if unclosed.get(key, state.posMax + 1) <= start:
        return -1
    found = state.src.find(closer, start, state.posMax)
    if found < 0:
        unclosed[key] = min(start, unclosed.get(key, start))
    return found


def _critic_markup(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if state.src[start] != "{":
        return False
    opener = state.src[start : start + 3]
    closer = _CRITIC.get(opener)
    if closer is None:
        return False
    end = _closer(state, closer, start + 3)
    if end < 0:
        return False
    if not silent:
        if opener in ("{--", "{>>"):  # a deletion, a comment: left out
            _comment(state, state.src[start : end + 3])
        else:
            kept = start + 3
            if opener == "{~~":  # a substitution: the new text
                arrow = state.src.find("~>", start + 3, end)
                kept = arrow + 2 if arrow >= 0 else start + 3
                if arrow >= 0:
                    _comment(state, state.src[start:kept])
            kind = "mark" if opener == "{==" else "critic_ins"
            state.push(f"{kind}_open", "", 1)
            _tokenize(state, kept, end)
            state.push(f"{kind}_close", "", -1)
    state.pos = end + 3
    return True


def _obsidian_comment(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if not state.src.startswith("%%", start):
        return False
    end = _closer(state, "%%", start + 2)
    if end < 0:
        return False
    if not silent:
        _comment(state, state.src[start : end + 2])
    state.pos = end + 2
    return True


def _comment(state: StateInline, text: str) -> None:
    token = state.push("comment", "", 0)
    token.meta = {"text": text}  # its text stays out of `content`, which the word ledger reads


def _tokenize(state: StateInline, start: int, end: int) -> None:
    """Parse the markup between start and end into tokens, in place (as a link's text is)."""
    old_max = state.posMax
    state.pos, state.posMax = start, end
    state.md.inline.tokenize(state)
    state.posMax = old_max


def _wiki_link(state: StateInline, silent: bool) -> bool:
    """`[[Page]]` → "Page", `[[Page|shown]]` → "shown", `[[Page#Part]]` → "Page > Part";
    `![[picture.png]]` is the image (its `|300` a size, anything else its alt text)."""
    match = _WIKI.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        embed, inside = match.group(1), match.group(2)
        target, _, shown = inside.partition("|")
        target, shown = target.strip(), shown.strip()
        if embed and _IMAGE_FILE.search(target):
            token = state.push("image", "img", 0)
            alt = "" if _SIZE.match(shown) else shown
            token.attrs = {"src": target, "alt": ""}
            token.content = alt
            token.children = []
        elif embed:  # another note, a PDF, a heading of one: nothing a book can hold
            token = state.push("unread", "", 0)
            token.content = match.group(0)
            token.meta = {"what": "an Obsidian embed of another note", "hint": "paste the text it shows instead"}
        else:
            token = state.push("text", "", 0)
            token.content = shown or _page_title(target)
    state.pos = match.end()
    return True


def _page_title(target: str) -> str:
    page, _, part = target.partition("#")
    if not part or part.startswith("^"):  # `#^block-id`: a paragraph's address, no words of its own
        return page.strip() or target
    return f"{page.strip()} > {part.strip()}" if page.strip() else part.strip()


def _pandoc_attributes(state: StateInline, silent: bool) -> bool:
    """`{width=50%}` right after an image (a link, code): layout, not words; left out."""
    if state.src[state.pos] != "{" or state.pending or not state.tokens or state.tokens[-1].type not in _ATTRIBUTED:
        return False
    match = _ATTRIBUTES.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        state.tokens[-1].meta = {**(state.tokens[-1].meta or {}), "attributes": match.group(0)}
    state.pos = match.end()
    return True


# `==highlight==`: markdown-it-mark's rule (strikethrough's, with `=`), so it pairs as emphasis does.


def _mark(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if silent or state.src[start] != "=":
        return False
    scanned = state.scanDelims(start, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        token = state.push("text", "", 0)
        token.content = "="
        length -= 1
    for _ in range(0, length, 2):
        token = state.push("text", "", 0)
        token.content = "=="
        if scanned.can_open or scanned.can_close:
            state.delimiters.append(
                Delimiter(
                    marker=0x3D,
                    length=0,
                    token=len(state.tokens) - 1,
                    end=-1,
                    open=scanned.can_open,
                    close=scanned.can_close,
                )
            )
    state.pos += scanned.length
    return True


def _mark_pairs(state: StateInline) -> None:
    _pair_marks(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _pair_marks(state, meta["delimiters"])


def _as_mark(token: Token, kind: str, nesting: Literal[1, -1]) -> None:
    """A `==` delimiter turned into the opening or closing of a highlight."""
    token.type, token.tag, token.nesting, token.markup, token.content = kind, "mark", nesting, "==", ""


def _pair_marks(state: StateInline, delimiters: list[Delimiter]) -> None:
    lone: list[int] = []
    for start in delimiters:
        if start.marker != 0x3D or start.end == -1:
            continue
        end = delimiters[start.end]
        _as_mark(state.tokens[start.token], "mark_open", 1)
        _as_mark(state.tokens[end.token], "mark_close", -1)
        before = state.tokens[end.token - 1]
        if before.type == "text" and before.content == "=":
            lone.append(end.token - 1)
    # An odd run (`===`) leaves one `=` before the closer: it belongs after it.
    while lone:
        index = lone.pop()
        after = index + 1
        while after < len(state.tokens) and state.tokens[after].type == "mark_close":
            after += 1
        after -= 1
        if index != after:
            state.tokens[index], state.tokens[after] = state.tokens[after], state.tokens[index]
