"""Typography as a model transform: curly quotes, apostrophes, dashes, ellipses, fine spaces."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..model import (
    Block, BlockQuote, Book, Code, Heading, Image, Inline, LineBreak, ListBlock, Paragraph, Story, Text,
)

HAIR_SPACE = "\u200a"
NO_BREAK_SPACE = "\u00a0"


@dataclass(frozen=True)
class QuoteStyle:
    """The quotation marks a language uses, outer (double) and inner (single)."""

    open_double: str = "“"
    close_double: str = "”"
    open_single: str = "‘"
    close_single: str = "’"


QUOTE_STYLES: dict[str, QuoteStyle] = {
    "en": QuoteStyle(),
}

# Words that begin with an apostrophe standing for dropped letters (’em, ’tis, rock ’n’ roll).
ELISIONS = frozenset(
    """em tis twas twere twill twould til cause cos coz cuz bout n nuff kay scuse spose sup
    ello ow ave alf appen ome ere im er is er tain twixt gainst neath round specially
    fraid member gin""".split()
)

# Characters after which a quotation mark opens rather than closes.
_OPENERS = frozenset(" \t\n\u00a0\u2009\u200a\u202f([{<“‘«‹„‚/")
_DASHES = frozenset("—–-")
_WORD = re.compile(r"[^\W\d_]+")
# No leading \b: a literal first character lets the regex engine skip ahead; the word boundary is
# checked in the replacement instead.
_HONORIFIC = re.compile(r"(?:Mr|Mrs|Ms|Mx|Dr|St|Prof|Capt|Lt|Sgt|Col|Gen|Rev|Hon|Fr|Sr|Jr)\. (?=[A-Z])")
# Patterns start with a literal or a small class so the regex engine can skip ahead through long
# texts; conditions on what comes before are checked in the replacement functions.
_SPACES_BEFORE_DASH = re.compile(r"[ \t]+(?=--)")
_DOUBLE_DASH = re.compile(r"-{2,3}[ \t]*")
_SPACED_HYPHEN = re.compile(r"[ \t]+-[ \t]+(?=[^\W\d_“‘\"'])")
_ELLIPSIS = re.compile(r"\.(?: ?\.){2}")
_PRIMES = re.compile(r"(\d+)'(\d+)\"")
# Nested quotation marks that touch (“‘ or ’”) get a hair space between them, as printers set them.
_QUOTE_PAIR = re.compile(r"[“”«»„](?=[‘’‹›‚])|[‘’‹›‚](?=[“”«»„])")
_STRAIGHT_QUOTE = re.compile("[\"']")
# A straight single quote not between two letters: it may open or close a quotation.
_EDGE_APOSTROPHE = re.compile(r"'(?![^\W\d_])|(?<![^\W\d_])'")


def quote_style(language: str) -> QuoteStyle:
    """The quote style for a BCP 47 tag, by primary subtag; English when unknown."""
    return QUOTE_STYLES.get(language.split("-")[0].lower(), QUOTE_STYLES["en"])


def apply_typography(book: Book) -> None:
    """Educate every text in the book in place, each story by its own language."""
    educate_book_fields(book)
    for story in book.stories:
        educate_story(story, quote_style(story.language or book.language))


def educate_book_fields(book: Book) -> None:
    """The book's own texts: title, subtitle, description, names."""
    style = quote_style(book.language)
    book.title = educate_string(book.title, style)
    if book.subtitle:
        book.subtitle = educate_string(book.subtitle, style)
    if book.description:
        book.description = educate_string(book.description, style)
    book.editors = [educate_string(name, style) for name in book.editors]
    book.authors = [educate_string(name, style) for name in book.authors]


def educate_story(story: Story, style: QuoteStyle) -> None:
    story.title = educate_string(story.title, style)
    story.authors = [educate_string(name, style) for name in story.authors]
    for blocks in (story.summary, story.notes, story.end_notes):
        educate_blocks(blocks, style)
    for chapter in story.chapters:
        if chapter.title:
            chapter.title = educate_string(chapter.title, style)
        for blocks in (chapter.summary, chapter.notes, chapter.blocks, chapter.end_notes):
            educate_blocks(blocks, style)


def educate_blocks(blocks: list[Block], style: QuoteStyle) -> None:
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            educate_inlines(block.children, style)
        elif isinstance(block, BlockQuote):
            educate_blocks(block.children, style)
        elif isinstance(block, ListBlock):
            for item in block.items:
                educate_blocks(item, style)


def educate_string(text: str, style: QuoteStyle | None = None) -> str:
    """Educate a lone string (a title, a name)."""
    node = Text(text)
    educate_inlines([node], style or QuoteStyle())
    return node.text


def educate_inlines(inlines: list[Inline], style: QuoteStyle) -> None:
    """Educate one paragraph's inlines; quotes are decided across inline boundaries."""
    if len(inlines) == 1 and type(inlines[0]) is Text:  # most paragraphs: one run of text
        run = inlines[0]
        original = run.text
        run.text = _finish(educate_quotes(_replace_sequences(original), style), _may_nest(original))
        return
    runs: list[Text | None] = []  # None marks a boundary that reads as a space (break, image)
    _collect(inlines, runs)
    texts = [run for run in runs if run is not None]
    if not texts:
        return
    originals = [run.text for run in texts]
    for run in texts:
        run.text = _replace_sequences(run.text)
    _dash_spaces_across_runs(runs, originals)
    # Decide quotes on the whole paragraph, then hand the characters back run by run (1:1).
    joined = "".join(" " if run is None else run.text for run in runs)
    educated = educate_quotes(joined, style)
    position = 0
    for run in runs:
        if run is None:
            position += 1
            continue
        run.text = educated[position : position + len(run.text)]
        position += len(run.text)
    for index, run in enumerate(texts):
        text = _finish(run.text, True)
        following = texts[index + 1].text if index + 1 < len(texts) else ""
        if text and following and _QUOTE_PAIR.match(text[-1] + following[0]):
            text += HAIR_SPACE
        run.text = text


def _ends_in_dash(text: str) -> bool:
    """Does the last dash that `--`/`---` makes in this text reach its end (spaces and all)?"""
    last = None
    for last in _DOUBLE_DASH.finditer(text):
        pass
    return last is not None and last.end() == len(text)


def _dash_spaces_across_runs(runs: list[Text | None], originals: list[str]) -> None:
    """`--` takes no spaces around it, even when the spaces sit in the next or previous run

    (`*he said--* and`): as if the paragraph were one run of text.
    """
    index = 0
    for left, right in zip(runs, runs[1:]):
        if left is None or right is None:
            index += left is not None
            continue
        before, after = originals[index], originals[index + 1]
        if "--" in before and _ends_in_dash(before):
            right.text = right.text.lstrip(" \t")
        elif after.startswith("--"):
            left.text = left.text.rstrip(" \t")
        index += 1


_DOUBLE_MARKS = "\"“”«»„"
# A quotation mark followed by another (found with a lookahead, so pairs may overlap). One
# character class, not an alternation of pairs: the regex engine then skips ahead by class,
# which makes this check several times faster on long paragraphs.
_MARK_PAIR = re.compile("[\"“”«»„\'‘’‹›‚](?=[\"“”«»„\'‘’‹›‚])")


def _may_nest(text: str) -> bool:
    """Can nested quotation marks touch in this text? (a double and a single one side by side)"""
    for match in _MARK_PAIR.finditer(text):
        index = match.start()
        if (text[index] in _DOUBLE_MARKS) != (text[index + 1] in _DOUBLE_MARKS):
            return True
    return False


def _finish(text: str, may_nest: bool) -> str:
    """Fine spaces: a hair space between nested quotes that touch, no-break after Mr. and Dr."""
    if may_nest and _QUOTE_PAIR.search(text):
        text = _QUOTE_PAIR.sub("\\g<0>" + HAIR_SPACE, text)
    if ". " in text:
        text = _HONORIFIC.sub(_no_break_after_honorific, text)
    return text


def _no_break_after_honorific(match: re.Match) -> str:
    start = match.start()
    if start and match.string[start - 1].isalnum():  # "Mr." inside a word is not an honorific
        return match.group(0)
    return match.group(0)[:-1] + NO_BREAK_SPACE


def _collect(inlines: list[Inline], runs: list[Text | None]) -> None:
    for node in inlines:
        if isinstance(node, Text):
            runs.append(node)
        elif isinstance(node, (LineBreak, Image)):
            runs.append(None)
        elif isinstance(node, Code):
            continue
        elif hasattr(node, "children"):
            _collect(node.children, runs)


def _replace_sequences(text: str) -> str:
    """Dashes, ellipses and primes: replacements that change the length of the text."""
    if "--" in text:
        text = _DOUBLE_DASH.sub("—", _SPACES_BEFORE_DASH.sub("", text))
    if " -" in text:
        text = _SPACED_HYPHEN.sub(_spaced_hyphen, text)
    if ".." in text or ". ." in text:
        text = _ELLIPSIS.sub("…", text)
    if "'" in text and '"' in text:
        text = _PRIMES.sub(r"\1′\2″", text)
    return text


def _spaced_hyphen(match: re.Match) -> str:
    """'well - odd' → 'well—odd', after a letter (or a letter and punctuation), not after digits."""
    text, start = match.string, match.start()
    before = text[start - 1] if start else ""
    if before in ",;:!?.…" and start > 1:
        before = text[start - 2]
    return "—" if before.isalpha() else match.group(0)


def educate_quotes(text: str, style: QuoteStyle) -> str:
    """Replace straight quotes with curly ones; the result has exactly the input's length."""
    if '"' not in text:
        if "'" not in text:
            return text
        if not _EDGE_APOSTROPHE.search(text):  # only don't, Iruka's…: every one is an apostrophe
            return text.replace("'", "’")
    closers = _single_closer_positions(text) if "'" in text else []
    out = list(text)
    for match in _STRAIGHT_QUOTE.finditer(text):
        index = match.start()
        if text[index] == '"':
            out[index] = _double(text, index, style)
        else:
            out[index] = _single(text, index, style, closers)
    return "".join(out)


def _neighbours(text: str, index: int) -> tuple[str, str]:
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return before, after


def _double(text: str, index: int, style: QuoteStyle) -> str:
    before, after = _neighbours(text, index)
    if before == "" or before in _OPENERS:
        if before != "" and (after == "" or after.isspace()):
            return style.close_double  # a stray quote after a space closes
        return style.open_double
    if before in _DASHES:
        return style.open_double if after and (after.isalnum() or after in "'‘…") else style.close_double
    return style.close_double


def _single(text: str, index: int, style: QuoteStyle, closers: list[int]) -> str:
    before, after = _neighbours(text, index)
    if before and before.isalnum():
        return "’"  # don't, Naruto's, boys', or a closing inner quote: the same glyph in English
    if before == "" or before in _OPENERS or before in _DASHES or before == '"':
        if after == "" or after.isspace():
            return "’"
        if after.isdigit():
            return "’"  # ’80s, ’99
        word = _WORD.match(text, index + 1)
        if word and word.group(0).lower() in ELISIONS:
            return "’"
        # An opening quote needs a closing one later in the paragraph; otherwise it is an apostrophe.
        position = bisect.bisect_right(closers, index)
        return style.open_single if position < len(closers) else "’"
    return style.close_single


def _single_closer_positions(text: str) -> list[int]:
    """Positions of straight single quotes that could close a quotation (sorted)."""
    positions = []
    for match in re.finditer("'", text):
        index = match.start()
        before, after = _neighbours(text, index)
        if before and not before.isspace() and not (after and after.isalnum()):
            positions.append(index)
    return positions
