"""How a table fits a six-inch screen and a printed page: the classes the themes key on, and which words may break."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from ..model import Attrs, Code, Container, Inline, Span, Table, Text, block_text

# A table of up to this many rows is kept on one page in print.
SHORT_TABLE_ROWS = 8
# A run of this many characters without a space (a URL, a reference number, a long compound) may
# break anywhere in a cell: nothing else lets a column be narrower than it.
LONG_WORD = 15
_LONG_WORD = re.compile(rf"\S{{{LONG_WORD},}}")
# A long word of letters (a compound, a place name) may be hyphenated where it breaks; anything
# else (a URL, a reference number: a "literal") must not be, or it would read differently.
_WORDLIKE = re.compile(r"[^\W\d_]+(?:[-\u2010\u2011'\u2019][^\W\d_]+)*[.,;:!?\u2019\u201d\")]*")
# Characters of a table's longest words, side by side, that a six-inch screen holds at a reading
# size; a table whose words need more is "wide": its cells may break any word (and it is smaller).
NARROW_SCREEN_CHARACTERS = 40
# A cell of one word this short (a number, "None", a short heading) is never broken, even in a
# wide table: "2,417" broken into "2," and "417" reads as two numbers.
WHOLE_WORD = 7


@dataclass
class TableFit:
    """What the themes are told about a table, as classes."""

    classes: list[str] = field(default_factory=list)  # "short-table" (kept on one page), "wide-table"
    whole: set[int] = field(default_factory=set)  # ids of the cells (of a wide table) never to break


def table_fit(table: Table, columns: dict[int, int]) -> TableFit:
    """How the table is to fit; `columns` maps each cell (by id) to the grid column it starts in."""
    texts = {id(cell): " ".join(block_text(block) for block in cell.blocks) for row in table.rows() for cell in row}
    fit = TableFit()
    if len(table.rows()) <= SHORT_TABLE_ROWS:
        fit.classes.append("short-table")
    if _words_width(table, columns, texts) > NARROW_SCREEN_CHARACTERS:
        fit.classes.append("wide-table")
        fit.whole = {cell for cell, text in texts.items() if 0 < len(text) <= WHOLE_WORD and " " not in text}
    return fit


def _words_width(table: Table, columns: dict[int, int], texts: dict[int, str]) -> int:
    """About how many characters wide the table is at its narrowest: each column's longest word
    (long words excepted: they break anywhere), and a little room between columns."""
    longest: dict[int, int] = {}
    for row in table.rows():
        for cell in row:
            if cell.colspan > 1:
                continue
            short = max((len(word) for word in texts[id(cell)].split() if len(word) < LONG_WORD), default=0)
            column = columns[id(cell)]
            longest[column] = max(longest.get(column, 0), short)
    return sum(longest.values()) + 2 * len(longest)


def breakable(inlines: list[Inline]) -> list[Inline]:
    """The inlines with each long word in a span that may break anywhere ("long-word", and
    "literal" when it is no word to hyphenate): a copy where needed. Notes are kept as they
    are, since they are numbered by identity."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text):
            out += _broken_text(node)
        elif isinstance(node, Code) and len(node.text) >= LONG_WORD:
            out.append(Span([node], Attrs(classes=["long-word", "literal"])))
        elif isinstance(node, Container):
            out.append(dataclasses.replace(node, children=breakable(node.children)))
        else:
            out.append(node)
    return out


def _broken_text(node: Text) -> list[Inline]:
    """A text run with each long word in its span; the run itself when it has none."""
    if len(node.text) < LONG_WORD or not _LONG_WORD.search(node.text):
        return [node]
    out: list[Inline] = []
    start = 0
    for match in _LONG_WORD.finditer(node.text):
        if match.start() > start:
            out.append(Text(node.text[start : match.start()]))
        word = match.group()
        classes = ["long-word"] if _WORDLIKE.fullmatch(word) else ["long-word", "literal"]
        out.append(Span([Text(word)], Attrs(classes=classes)))
        start = match.end()
    if start < len(node.text):
        out.append(Text(node.text[start:]))
    return out
