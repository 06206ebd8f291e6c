"""The language and writing direction of Word text (w:lang, w:rtl, w:bidi): a passage in another
language than the document's is marked with it, right-to-left text keeps its direction."""

from __future__ import annotations

import re
import unicodedata

from ..model import Inline
from .docx_xml import Styles, W, is_on

# The marks a run's pieces carry into the reader's nesting: "lang:fr-FR", "dir:rtl".
LANG = "lang:"
DIR = "dir:"
RTL = DIR + "rtl"
_SCRIPTS = ("val", "eastAsia", "bidi")  # the w:lang attributes: a run's own, East Asian, complex-script
_RSTYLE, _LANG = W + "rStyle", W + "lang"
_TOGGLES = {W + "rtl": "rtl", W + "cs": "cs"}

_LETTER = re.compile(r"[^\W\d_]")
# Letters of the scripts whose language is a run's complex-script one (w:lang/@w:bidi: Hebrew,
# Arabic, Syriac, Thaana, the Indic scripts, Thai, Lao) and its East Asian one (@w:eastAsia: Hangul,
# kana, CJK ideographs, full-width forms); every other letter takes the run's own (@w:val).
_COMPLEX = re.compile("[\u0590-\u08ff\u0900-\u0eff\ufb1d-\ufdff\ufe70-\ufeff]")
_EAST_ASIAN = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fff\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\uff21-\uff3a"
    "\uff41-\uff5a\uff66-\uffdc\U00020000-\U0003ffff]"
)


def has_letters(value: object) -> bool:
    """Text in some language (spaces, digits and punctuation are in every one)."""
    return isinstance(value, str) and _LETTER.search(value) is not None


def _script(text: str) -> str | None:
    """Which w:lang attribute names the language of most of the text's letters; None: no letters."""
    letters = "".join(_LETTER.findall(text))
    if not letters:
        return None
    if letters.isascii():
        return "val"
    complex_script, east_asian = len(_COMPLEX.findall(letters)), len(_EAST_ASIAN.findall(letters))
    counts = {"bidi": complex_script, "eastAsia": east_asian, "val": len(letters) - complex_script - east_asian}
    return max(counts, key=counts.__getitem__)


def primary(tag: str | None) -> str:
    """The primary language subtag, in lower case ("en" of "en-GB")."""
    return re.split(r"[-_]", tag or "")[0].lower()


class Languages:
    """The document's own language, and each run's language and direction against it."""

    def __init__(self, styles: Styles) -> None:
        self.styles = styles
        default = styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
        self.defaults = {name: default.get(W + name) for name in _SCRIPTS} if default is not None else {}
        normal = next(
            (
                s
                for s in styles.element.findall(W + "style")
                if s.get(W + "type") == "paragraph" and (s.get(W + "default") or "").lower() in ("1", "true", "on")
            ),
            None,
        )
        self.normal_style = normal.get(W + "styleId") if normal is not None else None
        self._inherited: dict[tuple, dict] = {}
        self._primary: dict[str | None, str] = {}
        self._directions: dict[str | None, str | None] = {}
        # The document's language: its default paragraph style's (Normal), else the defaults'. A
        # document that names none has no "other" language: nothing is marked.
        normal_props = [rpr for style in styles.chain(self.normal_style) if (rpr := style.find(W + "rPr")) is not None]
        self.main = primary(_attribute(normal_props, "val") or self.defaults.get("val"))

    def paragraph_direction(self, p, style_id: str | None) -> str | None:
        """ "rtl" for a right-to-left paragraph (w:bidi, its own or its style's)."""
        own = p.find(f"{W}pPr/{W}bidi")
        if own is not None:
            return "rtl" if is_on(own) else None
        if style_id not in self._directions:
            found = next(
                (
                    bidi
                    for style in self.styles.chain(style_id or self.normal_style)
                    if (bidi := style.find(f"{W}pPr/{W}bidi")) is not None
                ),
                None,
            )
            self._directions[style_id] = "rtl" if is_on(found) else None
        return self._directions[style_id]

    def run_marks(self, rpr, text: str, paragraph_style: str | None) -> frozenset[str]:
        """The marks of a run's language, where it is not the document's, and of its direction
        (from the run's w:rPr and its text)."""
        toggles: dict[str, bool] = {}  # the run's own rtl and cs
        langs: dict[str, str] = {}  # the run's own languages, by script
        character_style = None
        if rpr is not None:
            for child in rpr:
                tag = child.tag
                if tag == _RSTYLE:
                    character_style = child.get(W + "val")
                elif tag in _TOGGLES:
                    toggles[_TOGGLES[tag]] = is_on(child)
                elif tag == _LANG:
                    langs.update((name, child.get(W + name)) for name in _SCRIPTS if child.get(W + name))
        props = self._properties(character_style, paragraph_style)
        rtl = toggles.get("rtl", props["rtl"])
        if rtl or toggles.get("cs", props["cs"]):
            script = "bidi"
        else:  # (a run of spaces or punctuation takes its own language, as Word spells it)
            script = "val" if text.isascii() else _script(text) or "val"
        if not toggles and not langs:  # the usual run: its styles say it all
            return props["marks"][script]
        return self._marks(langs.get(script) or props[script], rtl)

    def _marks(self, lang: str | None, rtl: bool) -> frozenset[str]:
        marks = {RTL} if rtl else set()
        if lang and self.main and self._primary_of(lang) != self.main:
            marks.add(LANG + lang)
        return frozenset(marks)

    def _properties(self, character_style: str | None, paragraph_style: str | None) -> dict:
        """What a run inherits from its character style, its paragraph style and the document's
        defaults: its direction (rtl), complex-script flag (cs) and three languages."""
        key = (character_style, paragraph_style or self.normal_style)
        if key not in self._inherited:
            props = [
                rpr
                for style in self.styles.chain(key[0]) + self.styles.chain(key[1])
                if (rpr := style.find(W + "rPr")) is not None
            ]
            inherited: dict = {name: _toggle(props, name) for name in ("rtl", "cs")}
            inherited.update((name, _attribute(props, name) or self.defaults.get(name)) for name in _SCRIPTS)
            self._inherited[key] = inherited
            inherited["marks"] = {name: self._marks(inherited[name], inherited["rtl"]) for name in _SCRIPTS}
        return self._inherited[key]

    def _primary_of(self, tag: str | None) -> str:
        if tag not in self._primary:
            self._primary[tag] = primary(tag)
        return self._primary[tag]


def _toggle(props: list, name: str) -> bool:
    """The nearest setting of a toggle property (w:rtl, w:cs) along run properties."""
    return is_on(next((element for rpr in props if (element := rpr.find(W + name)) is not None), None))


def _attribute(props: list, name: str) -> str | None:
    """The nearest w:lang attribute of that name along run properties."""
    for rpr in props:
        lang = rpr.find(W + "lang")
        if lang is not None and lang.get(W + name):
            return lang.get(W + name)
    return None


def settle(pieces: list[tuple[str | Inline, frozenset[str]]], paragraph_dir: str | None):
    """A paragraph's pieces with their language marks made whole: spaces, digits and punctuation
    belong to the passage around them (an opening bracket to what follows, a closing one to what
    precedes); a paragraph all in one language (or direction) carries it itself. Returns (pieces,
    the paragraph's language, the paragraph's direction)."""
    if not any(mark.startswith((LANG, DIR)) for _, marks in pieces for mark in marks):
        return pieces, None, paragraph_dir  # the usual paragraph: all in the document's language

    def marks_of(marks: frozenset) -> frozenset:
        # An rtl run in an rtl paragraph says nothing new.
        return frozenset(m for m in marks if m.startswith((LANG, DIR))) - ({RTL} if paragraph_dir else set())

    own = [marks_of(marks) for _, marks in pieces]
    keys = [key if has_letters(value) else None for key, (value, _) in zip(own, pieces)]  # only words have a language
    bare = [(value, marks - marks_of(marks) - {RTL}) for value, marks in pieces]
    worded = {key for key in keys if key is not None}
    if not any(worded):
        return bare, None, paragraph_dir
    if len(worded) == 1:  # one language (or direction) throughout: the paragraph's own
        whole = worded.pop()
        lang = next((m[len(LANG) :] for m in whole if m.startswith(LANG)), None)
        return bare, lang, paragraph_dir or ("rtl" if RTL in whole else None)
    before: list = []  # the nearest worded key before each piece
    last = None
    for key in keys:
        before.append(last)
        last = key if key is not None else last
    settled = []
    after = None
    for index in range(len(pieces) - 1, -1, -1):
        key = keys[index]
        if key is None:
            key = _between(pieces[index][0], own[index], before[index], after)
        else:
            after = key
        value, marks = bare[index]
        settled.append((value, marks | key))
    settled.reverse()
    return settled, None, paragraph_dir


def _between(value: object, own: frozenset, before: frozenset | None, after: frozenset | None) -> frozenset:
    """The passage a piece without words belongs to, between the worded pieces before and after it."""
    if own and own in (before, after):
        return own  # its run is in the language of a neighbour: it is with that neighbour
    if before is not None and before == after:
        return before
    text = value.strip() if isinstance(value, str) else ""
    if text and before is not None and unicodedata.category(text[0]) in ("Pe", "Pf"):
        return before  # a closing bracket or quotation mark closes what precedes it
    if text and after is not None and unicodedata.category(text[-1]) in ("Ps", "Pi"):
        return after
    return frozenset()
