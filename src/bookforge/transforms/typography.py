"""Typography as a model transform: curly quotes, apostrophes, dashes, ellipses, fine spaces."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from ..model import (
    Block,
    Book,
    Container,
    Heading,
    Image,
    Inline,
    LineBlock,
    LineBreak,
    Note,
    Paragraph,
    Story,
    Text,
    block_inlines,
    walk,
)

HAIR_SPACE = "\u200a"
NO_BREAK_SPACE = "\u00a0"


NARROW_NO_BREAK_SPACE = "\u202f"


@dataclass(frozen=True)
class QuoteStyle:
    """How a language sets quotations and dashes.

    `open_double`/`close_double` are the outer marks (what a straight " becomes), the singles
    the inner ones (what a straight ' becomes when it is not an apostrophe, which is always ’).
    """

    key: str = "en"  # the entry in QUOTE_STYLES
    open_double: str = "“"
    close_double: str = "”"
    open_single: str = "‘"
    close_single: str = "’"
    dash: str = "closed"  # "closed": word—word; "spaced-en": word – word; "spaced-em": word — word
    french_spacing: str = ""  # "fr": fine spaces inside « » and before ; ! ? and :; "fr-CA": « » and :


QUOTE_STYLES: dict[str, QuoteStyle] = {
    style.key: style
    for style in (
        QuoteStyle(),
        QuoteStyle("en-british", "‘", "’", "“", "”"),
        QuoteStyle("fr", "«", "»", "“", "”", "spaced-en", "fr"),
        QuoteStyle("fr-ca", "«", "»", "“", "”", "spaced-en", "fr-CA"),
        QuoteStyle("de", "„", "“", "‚", "‘", "spaced-en"),
        QuoteStyle("de-ch", "«", "»", "‹", "›", "spaced-en"),  # Swiss German: guillemets, no spaces
        QuoteStyle("es", "«", "»", "“", "”", "closed"),
        QuoteStyle("it", "«", "»", "“", "”", "spaced-en"),
        QuoteStyle("nl", "„", "”", "‚", "’", "spaced-en"),
        QuoteStyle("sv", "”", "”", "’", "’", "spaced-en"),
        QuoteStyle("pl", "„", "”", "«", "»", "spaced-en"),
        QuoteStyle("ru", "«", "»", "„", "“", "spaced-em"),
    )
}
QUOTE_SETTINGS = ("auto", "british")  # [book] quotes: "british" sets English with ‘ ’ outside

# Words that begin with an apostrophe standing for dropped letters (’em, ’tis, rock ’n’ roll).
ELISIONS = frozenset(
    [
        "em",
        "tis",
        "twas",
        "twere",
        "twill",
        "twould",
        "til",
        "cause",
        "cos",
        "coz",
        "cuz",
        "bout",
        "n",
        "nuff",
        "kay",
        "scuse",
        "spose",
        "sup",
        "ello",
        "ow",
        "ave",
        "alf",
        "appen",
        "ome",
        "ere",
        "im",
        "er",
        "is",
        "er",
        "tain",
        "twixt",
        "gainst",
        "neath",
        "round",
        "specially",
        "fraid",
        "member",
        "gin",
    ]
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


def quote_style(language: str, quotes: str = "auto") -> QuoteStyle:
    """The style for a BCP 47 tag: by language and region (fr-CA), else by language; else English."""
    tag = language.lower()
    primary = tag.split("-")[0]
    if primary == "en" and quotes == "british":
        return QUOTE_STYLES["en-british"]
    region = "-".join(tag.split("-")[:2])
    return QUOTE_STYLES.get(region) or QUOTE_STYLES.get(primary) or QUOTE_STYLES["en"]


def educate_book_fields(book: Book, quotes: str = "auto") -> None:
    """The book's own texts: title, subtitle, description, names."""
    style = quote_style(book.language, quotes)
    book.title = educate_string(book.title, style)
    if book.subtitle:
        book.subtitle = educate_string(book.subtitle, style)
    if book.description:
        book.description = educate_string(book.description, style)
    book.editors = [educate_string(name, style) for name in book.editors]
    book.authors = [educate_string(name, style) for name in book.authors]


def educate_story(story: Story, style: QuoteStyle) -> None:
    """Educate a story in place: its one-run paragraphs together, in one pass over their joined text."""
    story.title = educate_string(story.title, style)
    story.authors = [educate_string(name, style) for name in story.authors]
    for key, value in story.meta.items():  # tags and ratings are printed in the preface
        if isinstance(value, str):
            story.meta[key] = educate_string(value, style)
        elif isinstance(value, list):
            story.meta[key] = [educate_string(v, style) if isinstance(v, str) else v for v in value]
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
        return
    for node, text in zip(plain, educate_joined(joined, style).split(_SEPARATOR)):
        node.text = text


def educate_blocks(blocks: list[Block], style: QuoteStyle, plain: list[Text] | None = None) -> None:
    """Educate every paragraph, line, cell and caption, and the notes called in them; with `plain`,
    one-run paragraphs are left there for educate_joined."""
    for node in walk(blocks):
        if isinstance(node, (Paragraph, Heading)):
            children = node.children
            if plain is not None and len(children) == 1 and type(children[0]) is Text:
                plain.append(children[0])
            else:
                educate_inlines(children, style)
        elif isinstance(node, LineBlock):
            # A verse's quotation may open on one line and close on another: one run, lines apart.
            joined: list[Inline] = []
            for line in node.lines:
                joined += [*line, LineBreak()]
            educate_inlines(joined, style)
        elif isinstance(node, Note):
            pass  # its blocks come next in the walk
        else:
            for run in block_inlines(node):
                educate_inlines(run, style)


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
    replaced = _replace_sequences(joined, style)
    quoted = _bulk_quotes(replaced, style)
    if '"' in quoted or "'" in quoted:
        parts, originals = quoted.split(_SEPARATOR), replaced.split(_SEPARATOR)
        for index, part in enumerate(parts):
            if '"' in part or "'" in part:
                parts[index] = _resolve_rest(originals[index], part, style)
        quoted = _SEPARATOR.join(parts)
    return _finish(_pair_singles(quoted, style), style)


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
        run.text = _finish(educate_quotes(_replace_sequences(original, style), style), style)
        return
    runs: list[Text | None] = []  # None marks a boundary that reads as a space (break, image)
    _collect(inlines, runs)
    texts = [run for run in runs if run is not None]
    if not texts:
        return
    originals = [run.text for run in texts]
    for index, run in enumerate(texts):
        run.text = _replace_sequences(run.text, style, first=index == 0)
    if style.dash == "closed":
        _dash_spaces_across_runs(runs, originals)
    # Decide quotes on the whole paragraph, then hand the characters back run by run (1:1).
    joined = "".join(" " if run is None else run.text for run in runs)
    educated = educate_quotes(joined, style)
    position = 0
    for piece in runs:
        if piece is None:
            position += 1
            continue
        piece.text = educated[position : position + len(piece.text)]
        position += len(piece.text)
    for index, run in enumerate(texts):
        text = _finish(run.text, style)
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
    for left, right in itertools.pairwise(runs):
        if left is None or right is None:
            index += left is not None
            continue
        before, after = originals[index], originals[index + 1]
        if "--" in before and _ends_in_dash(before):
            right.text = right.text.lstrip(" \t")
        elif after.startswith("--"):
            left.text = left.text.rstrip(" \t")
        index += 1


def _finish(text: str, style: QuoteStyle) -> str:
    """Fine spaces: French spacing, a hair space between nested quotes that touch, no-break
    after Mr. and Dr.

    Education keeps every quotation mark's place and kind (double or single), so touching
    pairs are found on the educated text alone.
    """
    if style.french_spacing:
        text = _french_spaces(text, style.french_spacing)
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
    """The text runs of a paragraph in order, None where a break or an image reads as a space."""
    for node in inlines:
        if isinstance(node, Text):
            runs.append(node)
        elif isinstance(node, (LineBreak, Image)):
            runs.append(None)
        elif isinstance(node, Container):  # not a note: its call is invisible to the sentence around it
            _collect(node.children, runs)


def _replace_sequences(text: str, style: QuoteStyle, first: bool = True) -> str:
    """Dashes, ellipses, ranges and primes: replacements that change the length of the text.

    `first`: the text begins a paragraph (a dash there introduces speech in French or Russian).
    """
    if "--" in text:
        if style.dash == "closed":  # no spaces before a double dash, and none after the dash it makes
            pieces = text.split("--")
            text = "--".join([piece.rstrip(" \t") for piece in pieces[:-1]] + pieces[-1:])
            text = _DOUBLE_DASH.sub("—", text)
        else:
            text = _SPACED_DOUBLE_DASH.sub(lambda match: _spaced_dash(match, style, first), text)
    if " -" in text or "\t-" in text:
        text = _spaced_hyphens(text, style)
    if "-" in text:
        text = _RANGE_HYPHEN.sub(_range_dash, text)
    if ".." in text or ". ." in text:
        text = _ELLIPSIS.sub("…", text)
    if "'" in text and '"' in text:
        text = _PRIMES.sub("′\\1″", text)
    return text


_SPACED_DOUBLE_DASH = re.compile(r"[ \t]*---?[ \t]*")
_RANGE_HYPHEN = re.compile(r"-(?<=\d-)(?=\d)")  # literal first: the engine skips to each hyphen
_CLOSING_AFTER_DASH = frozenset("”»’›.,;:!?)]…\x00\n")


def _spaced_dash(match: re.Match, style: QuoteStyle, first: bool) -> str:
    """`--` where the language spaces its dashes: a no-break space before (a line never starts
    with the dash), a space after; at a paragraph's start, the dash that introduces speech."""
    text, start, end = match.string, match.start(), match.end()
    dash = _DASH_GLYPH[style.dash]
    if (start == 0 and first) or (start and text[start - 1] in "\x00\n"):
        return "—" + NO_BREAK_SPACE
    if start and text[start - 1] in "“‘«‹„‚(":
        return dash + NO_BREAK_SPACE
    if (
        end == len(text)
        or text[end] in _CLOSING_AFTER_DASH
        or (
            text[end] in "\"'" and not text[end + 1 : end + 2].isalnum()  # a straight quote that closes
        )
    ):
        return NO_BREAK_SPACE + dash
    return NO_BREAK_SPACE + dash + " "


def _range_dash(match: re.Match) -> str:
    """1990-1995 → 1990–1995, pages 10-12 → 10–12; dates, phone numbers and codes keep hyphens."""
    text, index = match.string, match.start()
    start = index
    while start and text[start - 1].isdigit():
        start -= 1
    end = index + 1
    while end < len(text) and text[end].isdigit():
        end += 1
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if before and (before in "-–/.:,+#" or before.isalpha()):
        return "-"  # 2026-11-21, 1-800-555, 4.5-6, B12-3
    if after and (after in "-/" or after.isalpha() or (after in ".,:" and text[end + 1 : end + 2].isdigit())):
        return "-"
    return "–"


def _french_spaces(text: str, variant: str) -> str:
    """Fine no-break spaces inside « » and before ; ! ? (France), no-break space before :."""
    if "«" in text:
        text = _FR_AFTER_OPENING.sub("«" + NARROW_NO_BREAK_SPACE, text)
    if "»" in text:
        text = _FR_BEFORE_CLOSING.sub(NARROW_NO_BREAK_SPACE + "»", text)
    if variant == "fr":
        text = _FR_BEFORE_HIGH.sub(lambda m: NARROW_NO_BREAK_SPACE + m.group(1), text)
    if ":" in text:
        text = _FR_BEFORE_COLON.sub(NO_BREAK_SPACE + ":", text)
    return text


_FR_SPACES = "[ \u00a0\u202f\u2009]*"
_FR_AFTER_OPENING = re.compile("«" + _FR_SPACES + "(?![\x00])")
_FR_BEFORE_CLOSING = re.compile("(?<![\\s\x00])" + _FR_SPACES + "»")
_FR_BEFORE_HIGH = re.compile("(?<![\\s\x00«(\\[])" + _FR_SPACES + "([;!?]+)")
_FR_BEFORE_COLON = re.compile("(?<![\\s\x00«\\d(\\[])" + _FR_SPACES + ":(?![\\d/])")


def _pair_singles(text: str, style: QuoteStyle) -> str:
    """Where the inner closing mark is not the apostrophe (German ‚…‘): the ’ that ends a word
    after an opened inner quotation closes it (education wrote ’, which English would want)."""
    if style.close_single == "’" or style.open_single not in text:
        return text
    out = list(text)
    pending = False
    for index, char in enumerate(text):
        if char == style.open_single:
            pending = True
        elif char == style.close_single or char == _SEPARATOR:
            pending = False
        elif char == "’" and pending:
            after = text[index + 1] if index + 1 < len(text) else ""
            if not after.isalpha():  # geht’s keeps its apostrophe
                out[index] = style.close_single
                pending = False
    return "".join(out)


_DASH_GLYPH = {"closed": "—", "spaced-en": "–", "spaced-em": "—"}


def _spaced_hyphens(text: str, style: QuoteStyle) -> str:
    """'well - odd' → 'well—odd', after a letter (or a letter and punctuation), not after digits."""
    pieces, done = [], 0
    for match in _HYPHEN_BETWEEN_SPACES.finditer(text):
        start = match.start()
        while start > done and text[start - 1] in " \t":  # the spaces before the hyphen go too
            start -= 1
        before = text[start - 1] if start else ""
        if before in ",;:!?.…\"'”’»" and start > 1:
            before = text[start - 2]
        if before.isalpha():
            dash = _DASH_GLYPH[style.dash]
            pieces += [text[done:start], dash if style.dash == "closed" else f"{NO_BREAK_SPACE}{dash} "]
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
            return _pair_singles(text, style)
        if not _EDGE_APOSTROPHE.search(text):  # only don't, Iruka's…: every one is an apostrophe
            return _pair_singles(text.replace("'", "’"), style)
    quoted = _bulk_quotes(text, style)
    if '"' in quoted or "'" in quoted:
        quoted = _resolve_rest(text, quoted, style)
    return _pair_singles(quoted, style)


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
