"""Manuscript lint for `bookforge check`: likely mistakes an author would want pointed out."""

from __future__ import annotations

import difflib
import re

from .diagnostics import Diagnostic
from .model import Book, Paragraph, SceneBreak, Story, plain_text
from .readers.header import FIELD_ALIASES, HEADER_LINE
from .readers.marks import is_break_mark, is_part_title

LONG_PARAGRAPH = 1500

_MOJIBAKE = re.compile("â€[™œ\u009d“”˜žŸ¦¢–—]|Ã[\u00a0-\u00bf]|Â[\u00a0-\u00bf]")
_ENTITY = re.compile(r"&(?:amp;)*(?:#\d{2,6}|#x[0-9a-fA-F]{2,5}|[a-zA-Z]{2,8});")
_OPENING_QUOTES = "“‘«„‚‹"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = {
    "en": _words("the and of to a in that it was he she you for on with as his her at but not they had have"),
    "fr": _words("le la les et des une un est que qui dans pas pour sur avec il elle je vous nous ne au du"),
    "de": _words("der die das und ist nicht ein eine ich sie er es zu mit den dem auf sich auch wie war"),
    "es": _words("el la los las y de que en un una es no por con para su se lo como pero más"),
    "it": _words("il la le e di che un una è non per con si lo come ma gli del della sono"),
}

_LANGUAGE_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian"}


def _finding(code: str, message: str, path: str | None, line: int | None, hint: str) -> Diagnostic:
    return Diagnostic.of(code, message, path=path, line=line, hint=hint)


def lint_book(book: Book, sources: dict[str, str], typography: bool) -> list[Diagnostic]:
    """Lint every story: `sources` maps a story's source path to its manuscript text."""
    findings: list[Diagnostic] = []
    for story in book.stories:
        findings += _story(story, book, typography)
        text = sources.get(story.source)
        if text is not None:
            findings += _source(story.source, text)
    # A manuscript listed twice is one file: say each thing about it once.
    return sorted(dict.fromkeys(findings), key=lambda f: (f.path or "", f.line or 0, f.code))


def _story(story: Story, book: Book, typography: bool) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if not story.authors and not book.authors:
        found.append(
            _finding(
                "L007",
                f"“{story.title}” has no author",
                story.source,
                1,
                'add `Author:` to the manuscript, or author = "…" to its [[story]] entry',
            )
        )
    straight_reported = False
    for index, chapter in enumerate(story.chapters):
        part_page = is_part_title(chapter.title or "") and index + 1 < len(story.chapters)
        if chapter.title and not chapter.blocks and not part_page:  # ("Part Two" alone: a part's title page)
            line = chapter.loc.line if chapter.loc else None
            found.append(
                _finding(
                    "L004",
                    f"chapter “{chapter.title}” has no text",
                    _path(chapter, story),
                    line,
                    "remove the heading, or check that the chapter's text is in the file",
                )
            )
        blocks = chapter.blocks
        for index, block in enumerate(blocks):
            if not isinstance(block, Paragraph):
                if isinstance(block, SceneBreak):
                    found += _break_in_dialogue(blocks, index, story)
                continue
            text = plain_text(block.children)
            line = block.loc.line if block.loc else None
            path = _path(block, story)
            words = len(text.split())
            if words > LONG_PARAGRAPH:
                found.append(
                    _finding(
                        "L005",
                        f"a paragraph of {words:,} words",
                        path,
                        line,
                        "a missing blank line between paragraphs is the usual cause",
                    )
                )
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            next_text = plain_text(following.children) if isinstance(following, Paragraph) else ""
            problem = _unbalanced(text, next_text, typography)
            if problem:
                found.append(_finding("L001", problem, path, line, "check for a missing or extra quotation mark"))
            if not typography and not straight_reported and re.search(r"[\"']", text):
                straight_reported = True
                found.append(
                    _finding(
                        "L002",
                        "straight quotes are left as typed (typography = false)",
                        path,
                        line,
                        "set typography = true in book.toml for curly quotes",
                    )
                )
            own = story.language or book.language
            other = _other_language(text, own)
            if other:
                found.append(
                    _finding(
                        "L008",
                        f"this paragraph looks like {_LANGUAGE_NAMES[other]}, not "
                        f"{_LANGUAGE_NAMES.get(own.split('-')[0].lower(), own)}",
                        path,
                        line,
                        f'mark the passage\'s language (language = "{other}" for a whole story)',
                    )
                )
    return found


def _path(node, story: Story) -> str:
    """The file a node came from: in a story folder, the chapter's own file, not the folder."""
    return node.loc.path if getattr(node, "loc", None) is not None else story.source


def _break_in_dialogue(blocks, index: int, story: Story) -> list[Diagnostic]:
    """Two blank lines between a line of dialogue and its answer: a scene break nobody meant."""
    before = blocks[index - 1] if index > 0 else None
    after = blocks[index + 1] if index + 1 < len(blocks) else None
    if not (isinstance(before, Paragraph) and isinstance(after, Paragraph)):
        return []
    text_before = plain_text(before.children).rstrip()
    text_after = plain_text(after.children).lstrip()
    ends_speech = text_before[-1:] in "”\"’'»" or text_before[-2:-1] in "”\"’'»"
    starts_speech = text_after[:1] in _OPENING_QUOTES + "\"'"
    if not (ends_speech and starts_speech):
        return []
    line = blocks[index].loc.line if blocks[index].loc else None
    question = "?" in text_before[-3:]
    what = "a question and its answer" if question else "two lines of dialogue"
    return [
        _finding(
            "L003",
            f"scene break between {what}",
            _path(blocks[index], story),
            line,
            "if this is one scene, remove one of the blank lines",
        )
    ]


def _unbalanced(text: str, next_text: str, typography: bool) -> str | None:
    if typography:
        opens, closes = text.count("“"), text.count("”")
        if closes > opens:
            return f"{_marks(closes, 'closing')} but {_marks(opens, 'opening')}"
        # A quotation may run on into the next paragraph, which then opens with a quotation mark.
        if opens > closes and not next_text.startswith("“"):
            return f"{_marks(opens, 'opening')} but {_marks(closes, 'closing')}"
        return None
    if text.count('"') % 2 and not next_text.startswith('"'):
        return "an odd number of double quotation marks"
    return None


def _marks(count: int, kind: str) -> str:
    if count == 0:
        return f"no {kind} one"
    return f"{count} {kind} quotation mark{'s' if count != 1 else ''}"


def _other_language(text: str, language: str) -> str | None:
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 12:
        return None
    own = language.split("-")[0].lower()
    shares = {code: sum(w in stop for w in words) / len(words) for code, stop in _STOPWORDS.items()}
    best = max(shares, key=lambda code: shares[code])
    if best != own and shares[best] >= 0.2 and shares[best] > 2 * shares.get(own, 0):
        return best
    return None


def _source(rel: str, text: str) -> list[Diagnostic]:
    """Lint the manuscript text itself (what the model no longer shows)."""
    found: list[Diagnostic] = []
    lines = text.split("\n")
    # A header-like first lines whose key is not one bookforge knows, but nearly is: `Note:`, `Sumary:`.
    for number, line in enumerate(lines[:30], start=1):
        if not line.strip():
            continue
        match = HEADER_LINE.match(line)
        if not match:
            break
        key = " ".join(match.group(1).lower().split())
        if key in FIELD_ALIASES:
            continue
        close = difflib.get_close_matches(key, list(FIELD_ALIASES), n=1, cutoff=0.75)
        if close:
            found.append(
                _finding(
                    "L006",
                    f"'{match.group(1).strip()}:' is not a header key; it is read as text",
                    rel,
                    number,
                    f"did you mean '{close[0].title()}:'?",
                )
            )
        break
    found += _empty_scenes(rel, lines)
    for match in _MOJIBAKE.finditer(text):
        number = text.count("\n", 0, match.start()) + 1
        found.append(
            _finding(
                "L009",
                f"'{match.group(0)}' looks like a character saved in the wrong encoding",
                rel,
                number,
                "e.g. â€™ is ’ and Ã© is é; fix them in the manuscript",
            )
        )
        break
    for match in _ENTITY.finditer(text):
        number = text.count("\n", 0, match.start()) + 1
        found.append(
            _finding(
                "L010",
                f"'{match.group(0)}' is an HTML entity, printed as typed",
                rel,
                number,
                "type the character itself (’ for &rsquo;, & for &amp;)",
            )
        )
        break
    return found


def _empty_scenes(rel: str, lines: list[str]) -> list[Diagnostic]:
    """A break mark whose previous non-blank line is a break mark too: the scene between is empty.

    The readers keep one break there (nothing is lost), so only the manuscript text shows it.
    """
    found: list[Diagnostic] = []
    previous_was_mark = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        mark = is_break_mark(line)
        if mark and previous_was_mark:
            found.append(
                _finding(
                    "L011",
                    "an empty scene: this scene break follows another one",
                    rel,
                    number,
                    "remove one of the two break marks",
                )
            )
        previous_was_mark = mark
    return found
