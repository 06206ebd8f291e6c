"""Typography as a model transform: curly quotes, apostrophes, dashes, ellipses, fine spaces."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import (
    Block, BlockQuote, Book, Code, Heading, Image, Inline, LineBreak, ListBlock, Paragraph, Story, Text,
)

if TYPE_CHECKING:
    from .typography_worker import TypographyWorker

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
# Every pattern here starts with a literal character, and conditions on what comes before it are
# lookbehinds after it: the regex engine then skips through a story's text to that character
# instead of trying the pattern at every position (educate_joined runs them over whole stories).
_HONORIFIC_END = re.compile(  # the ". " after Mr, Mrs, Dr… (not inside a word), before a capital
    r"\.(?:(?<=(?<![^\W_])(?:Mr|Ms|Mx|Dr|St|Lt|Fr|Sr|Jr)\.)|(?<=(?<![^\W_])(?:Mrs|Col|Gen|Rev|Hon|Sgt)\.)"
    r"|(?<=(?<![^\W_])(?:Prof|Capt)\.)) (?=[A-Z])"
)
_DOUBLE_DASH = re.compile(r"---?[ \t]*")  # not -{2,3}: a repeat first hides the literal from the engine
_HYPHEN_BETWEEN_SPACES = re.compile(r"-(?<=[ \t]-)[ \t]+(?=[^\W\d_“‘\"'])")
_ELLIPSIS = re.compile(r"\.(?: ?\.){2}")
_PRIMES = re.compile(r"'(?<=\d')(\d+)\"")  # 5'10" (the digits before are left where they are)
# Nested quotation marks that touch (“‘ or ’”) get a hair space between them, as printers set them.
_QUOTE_PAIR = re.compile(r"[“”«»„](?=[‘’‹›‚])|[‘’‹›‚](?=[“”«»„])")
_SINGLE_MARKS = "‘’‹›‚"
# The same pairs found from their double mark, a class first (an alternation first makes the
# engine try every position): this one runs over whole stories.
_DOUBLE_TOUCHING_SINGLE = re.compile(r"[“”«»„](?:(?=[‘’‹›‚])|(?<=[‘’‹›‚][“”«»„]))")
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


def educate_story(story: Story, style: QuoteStyle, worker: TypographyWorker | None = None):
    """Educate a story in place. With a worker, its one-run paragraphs are educated there and the
    returned function, called later, puts them back; without, everything is done on return."""
    story.title = educate_string(story.title, style)
    story.authors = [educate_string(name, style) for name in story.authors]
    plain: list[Text] = []  # paragraphs that are one run of text, educated together at the end
    for blocks in (story.summary, story.notes, story.end_notes):
        educate_blocks(blocks, style, plain)
    for chapter in story.chapters:
        if chapter.title:
            chapter.title = educate_string(chapter.title, style)
        for blocks in (chapter.summary, chapter.notes, chapter.blocks, chapter.end_notes):
            educate_blocks(blocks, style, plain)
    joined = _SEPARATOR.join([node.text for node in plain])
    if plain and joined.count(_SEPARATOR) != len(plain) - 1:  # a paragraph holds the separator itself
        for node in plain:
            educate_inlines([node], style)
        return lambda: None
    ticket = worker.submit(joined, style) if worker is not None and plain else None

    def finish() -> None:
        educated = worker.result(ticket) if ticket is not None else None
        if educated is None:  # no worker, or it failed: here, then
            educated = educate_joined(joined, style)
        for node, text in zip(plain, educated.split(_SEPARATOR)):
            node.text = text

    if ticket is None:
        finish()
    return finish


def educate_blocks(blocks: list[Block], style: QuoteStyle, plain: list[Text] | None = None) -> None:
    """Educate every paragraph; with `plain`, one-run paragraphs are left there for educate_joined."""
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            children = block.children
            if plain is not None and len(children) == 1 and type(children[0]) is Text:
                plain.append(children[0])
            else:
                educate_inlines(children, style)
        elif isinstance(block, BlockQuote):
            educate_blocks(block.children, style, plain)
        elif isinstance(block, ListBlock):
            for item in block.items:
                educate_blocks(item, style, plain)


# Joins paragraphs for educate_joined. Cleaning removes control characters from manuscripts, and
# no pattern here matches or looks through it, so each paragraph reads as if it stood alone.
_SEPARATOR = "\x00"


def educate_joined(joined: str, style: QuoteStyle) -> str:
    """Educate one-run paragraphs joined by _SEPARATOR, exactly as one by one.

    A regex call costs about a microsecond before it reads a character, and a paragraph needs a
    dozen of them; joined, a story's paragraphs need a dozen in all. Only paragraphs whose quotes
    the bulk patterns leave undecided are looked at one by one.
    """
    if not joined:
        return joined
    replaced = _replace_sequences(joined)
    quoted = _bulk_quotes(replaced, style)
    if '"' in quoted or "'" in quoted:
        parts, originals = quoted.split(_SEPARATOR), replaced.split(_SEPARATOR)
        for index, part in enumerate(parts):
            if '"' in part or "'" in part:
                parts[index] = _resolve_rest(originals[index], part, style)
        quoted = _SEPARATOR.join(parts)
    return _finish(quoted)


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
        run.text = _finish(educate_quotes(_replace_sequences(original), style))
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
        text = _finish(run.text)
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


def _finish(text: str) -> str:
    """Fine spaces: a hair space between nested quotes that touch, no-break after Mr. and Dr.

    Education keeps every quotation mark's place and kind (double or single), so touching
    pairs are found on the educated text alone.
    """
    text = _DOUBLE_TOUCHING_SINGLE.sub(_hair_spaced, text)
    if ". " in text:
        text = _HONORIFIC_END.sub("." + NO_BREAK_SPACE, text)
    return text


def _hair_spaced(match: re.Match) -> str:
    """A double quotation mark with a hair space on each side where a single one touches it."""
    text, index = match.string, match.start()
    before = HAIR_SPACE if index and text[index - 1] in _SINGLE_MARKS else ""
    after = HAIR_SPACE if index + 1 < len(text) and text[index + 1] in _SINGLE_MARKS else ""
    return before + text[index] + after


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
    if "--" in text:  # no spaces before a double dash, and none after the dash it makes
        pieces = text.split("--")
        text = "--".join([piece.rstrip(" \t") for piece in pieces[:-1]] + pieces[-1:])
        text = _DOUBLE_DASH.sub("—", text)
    if " -" in text or "\t-" in text:
        text = _spaced_hyphens(text)
    if ".." in text or ". ." in text:
        text = _ELLIPSIS.sub("…", text)
    if "'" in text and '"' in text:
        text = _PRIMES.sub("′\\1″", text)
    return text


def _spaced_hyphens(text: str) -> str:
    """'well - odd' → 'well—odd', after a letter (or a letter and punctuation), not after digits."""
    pieces, done = [], 0
    for match in _HYPHEN_BETWEEN_SPACES.finditer(text):
        start = match.start()
        while start > done and text[start - 1] in " \t":  # the spaces before the hyphen go too
            start -= 1
        before = text[start - 1] if start else ""
        if before in ",;:!?.…" and start > 1:
            before = text[start - 2]
        if before.isalpha():
            pieces += [text[done:start], "—"]
            done = match.end()
    return "".join(pieces) + text[done:] if pieces else text


# The common quotation marks, decided by the regex engine in bulk. Each pattern looks only at
# characters that no replacement changes (letters, digits, spaces, closing punctuation), so they
# may run one after another and still decide exactly as _double and _single would on the
# original text; what they leave goes through those functions. Each starts with its quote
# character (the conditions are lookbehinds after it), so the engine can skip ahead to it.
_APOSTROPHE_AFTER_LETTER = re.compile(r"'(?<=[^\W_]')")  # don't, Naruto's, boys' (isalnum before)
_DOUBLE_AT_PARAGRAPH_START = re.compile('"(?<=\x00")')  # see educate_joined
_DOUBLE_OPENING_WORD = re.compile('"(?<=[ \t\n\u00a0]")(?=[^\\W_])')
_DOUBLE_AFTER_WORD = re.compile('"(?<=[\\w.,!?;:…]")(?<!_")')
_STRAIGHT_QUOTE = re.compile("[\"']")


def educate_quotes(text: str, style: QuoteStyle) -> str:
    """Replace straight quotes with curly ones; the result has exactly the input's length."""
    if '"' not in text:
        if "'" not in text:
            return text
        if not _EDGE_APOSTROPHE.search(text):  # only don't, Iruka's…: every one is an apostrophe
            return text.replace("'", "’")
    quoted = _bulk_quotes(text, style)
    if '"' not in quoted and "'" not in quoted:
        return quoted
    return _resolve_rest(text, quoted, style)


def _bulk_quotes(text: str, style: QuoteStyle) -> str:
    """The quotes whose reading is plain from their neighbours; the others are left straight."""
    if "'" in text:
        text = _APOSTROPHE_AFTER_LETTER.sub("’", text)
    if '"' in text:
        if text[0] == '"':
            text = style.open_double + text[1:]
        if _SEPARATOR in text:
            text = _DOUBLE_AT_PARAGRAPH_START.sub(style.open_double, text)
        text = _DOUBLE_OPENING_WORD.sub(style.open_double, text)
        text = _DOUBLE_AFTER_WORD.sub(style.close_double, text)
    return text


def _resolve_rest(original: str, text: str, style: QuoteStyle) -> str:
    """Decide the quotes _bulk_quotes left in `text`, each by its neighbours in `original`."""
    closers = _single_closer_positions(original) if "'" in original else []
    out = list(text)
    for match in _STRAIGHT_QUOTE.finditer(text):
        index = match.start()
        if text[index] == '"':
            out[index] = _double(original, index, style)
        else:
            out[index] = _single(original, index, style, closers)
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
