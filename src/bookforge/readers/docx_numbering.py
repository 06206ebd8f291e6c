"""Word list numbering (numbering.xml): which paragraphs are list items, at what level, of what kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..names import roman
from .docx_xml import Styles, W, to_int, val

if TYPE_CHECKING:  # an XML element; lxml ships no types, so it is Any to the checker
    from lxml.etree import _Element

# Word's number formats → the model's list styles (anything else is counted in decimal).
_FORMATS = {
    "decimal": "decimal",
    "decimalZero": "decimal",
    "lowerLetter": "lower-alpha",
    "upperLetter": "upper-alpha",
    "lowerRoman": "lower-roman",
    "upperRoman": "upper-roman",
}
# The largest counters written in letters ("zz…z", 30 of them) and in Roman numerals (mmmcmxcix);
# beyond them, and below 1, a counter is written in digits: a crafted w:start of two billion must
# not become a label of 77 million letters.
_MAX_LETTERS = 26 * 30
_MAX_ROMAN = 3999


@dataclass(frozen=True)
class ListLevel:
    """What one level of one Word list looks like."""

    num_id: str
    level: int  # 0 for the outermost
    ordered: bool
    style: str  # a model list style ("decimal", "lower-alpha"…) for ordered levels
    start: int
    indent: int  # left indentation in twips: Word's List Bullet 2 is nested by it, not by level


class Numbering:
    """Resolves a paragraph's numbering (its own w:numPr or its style's) to a ListLevel."""

    def __init__(self, document, styles: Styles) -> None:
        try:
            self.root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):  # a document without lists
            self.root = None
        self.styles = styles
        self._abstract = {}
        self._nums = {}
        self._heading_counts: dict[str, dict[int, int]] = {}
        if self.root is not None:
            self._abstract = {a.get(W + "abstractNumId"): a for a in self.root.findall(W + "abstractNum")}
            self._nums = {n.get(W + "numId"): n for n in self.root.findall(W + "num")}

    def of(self, p) -> ListLevel | None:
        """The list level a paragraph belongs to, or None."""
        if self.root is None:
            return None
        num_id, level = _num_pr(p.find(f"{W}pPr/{W}numPr"))
        if num_id is None:
            style_id = val(p.find(f"{W}pPr/{W}pStyle"))
            num_id, style_level = self._style_numbering(style_id)
            level = level if level is not None else style_level
            if level is None and num_id:  # the level is the one that names this style
                level = self._level_of_style(num_id, style_id)
        if not num_id or num_id == "0" or num_id not in self._nums:
            return None
        found = self._level(num_id, level or 0)
        own = _indent(p.find(f"{W}pPr/{W}ind"))
        if own is None:
            own = found.indent if found.indent >= 0 else self._style_indent(val(p.find(f"{W}pPr/{W}pStyle")))
        return ListLevel(
            found.num_id,
            found.level,
            found.ordered,
            found.style,
            found.start,
            own if own is not None and own >= 0 else 720 * (found.level + 1),
        )

    def _style_indent(self, style_id: str | None) -> int | None:
        for style in self.styles.chain(style_id):
            indent = _indent(style.find(f"{W}pPr/{W}ind"))
            if indent is not None:
                return indent
        return None

    def heading_label(self, p) -> str:
        """The number Word or LibreOffice prints before a numbered heading ("Chapter 3: ", "2.1 "),
        counted as they count it; "" for a heading without numbering."""
        level = self.of(p)
        if level is None:
            return ""
        definitions = self._definitions(level.num_id)
        counts = self._heading_counts.setdefault(level.num_id, {})
        for deeper in [k for k in counts if k > level.level]:
            del counts[deeper]
        counts[level.level] = counts.get(level.level, level.start - 1) + 1
        definition = definitions.get(level.level)
        pattern = val(definition.find(W + "lvlText")) if definition is not None else None
        if not pattern:
            return ""

        def number(match: re.Match) -> str:
            index = int(match.group(1)) - 1
            found = definitions.get(index)
            fmt = val(found.find(W + "numFmt")) if found is not None else "decimal"
            start = to_int(val(found.find(W + "start")) if found is not None else None, 1)
            return _formatted(counts.get(index, start), fmt or "decimal")

        return re.sub(r"%(\d)", number, pattern)

    def _definitions(self, num_id: str) -> dict[int, _Element]:
        """Level → w:lvl of a list (the abstract definition, with the list's overrides)."""
        num = self._nums[num_id]
        abstract = self._abstract.get(val(num.find(W + "abstractNumId")))
        defined = abstract.findall(W + "lvl") if abstract is not None else []
        levels = {to_int(lvl.get(W + "ilvl"), 0): lvl for lvl in defined}
        for override in num.findall(W + "lvlOverride"):
            if override.find(W + "lvl") is not None:
                levels[to_int(override.get(W + "ilvl"), 0)] = override.find(W + "lvl")
        return levels

    def _level_of_style(self, num_id: str, style_id: str | None) -> int | None:
        for index, lvl in self._definitions(num_id).items():
            if style_id and val(lvl.find(W + "pStyle")) == style_id:
                return index
        return None

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        for style in self.styles.chain(style_id):
            num_id, level = _num_pr(style.find(f"{W}pPr/{W}numPr"))
            if num_id is not None:
                return num_id, level
        return None, None

    def _level(self, num_id: str, level: int) -> ListLevel:
        num = self._nums[num_id]
        abstract = self._abstract.get(val(num.find(W + "abstractNumId")))
        definition = None
        if abstract is not None:
            link = val(abstract.find(W + "numStyleLink"))
            if link:  # the list's levels are defined by a numbering style's own list
                linked_num, _ = self._style_numbering(link)
                if linked_num and linked_num in self._nums and linked_num != num_id:
                    linked = self._abstract.get(val(self._nums[linked_num].find(W + "abstractNumId")))
                    abstract = linked if linked is not None else abstract
            definition = next((lvl for lvl in abstract.findall(W + "lvl") if lvl.get(W + "ilvl") == str(level)), None)
        start = to_int(val(definition.find(W + "start")) if definition is not None else None, 1)
        override = next((o for o in num.findall(W + "lvlOverride") if o.get(W + "ilvl") == str(level)), None)
        if override is not None:
            start = to_int(val(override.find(W + "startOverride")), start)
            definition = override.find(W + "lvl") if override.find(W + "lvl") is not None else definition
        number_format = val(definition.find(W + "numFmt")) if definition is not None else "bullet"
        ordered = number_format not in (None, "bullet", "none")
        indent = _indent(definition.find(f"{W}pPr/{W}ind")) if definition is not None else None
        return ListLevel(
            num_id,
            level,
            ordered,
            _FORMATS.get(number_format or "", "decimal"),
            start,
            indent if indent is not None else -1,
        )


def _formatted(number: int, fmt: str) -> str:
    """A counter as Word shows it in a number format."""
    if fmt == "none":
        return ""
    if fmt in ("lowerRoman", "upperRoman") and 1 <= number <= _MAX_ROMAN:
        text = roman(number)
        return text if fmt == "lowerRoman" else text.upper()
    if fmt in ("lowerLetter", "upperLetter") and 1 <= number <= _MAX_LETTERS:
        letter = chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt == "decimalZero":
        return f"{number:02d}"
    return str(number)


def _num_pr(num_pr) -> tuple[str | None, int | None]:
    if num_pr is None:
        return None, None
    num_id = val(num_pr.find(W + "numId"))
    level = val(num_pr.find(W + "ilvl"))
    return num_id, to_int(level, 0) if level is not None else None


def _indent(ind) -> int | None:
    """The left indentation of a w:ind (Transitional `left`, Strict `start`), in twips."""
    if ind is None:
        return None
    value = ind.get(W + "left") or ind.get(W + "start")
    return to_int(value, 0) if value is not None else None
