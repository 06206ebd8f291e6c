"""KEPUB markup for Kobo's reading system: sentences in koboSpan spans, the book-columns/book-inner
wrappers and Kobo's style hacks, added to a finished XHTML document without changing its text."""

from __future__ import annotations

import re

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
_X = f"{{{XHTML}}}"

# Kobo's own books carry this in every document's head: the wrapper divs must not add margins
# (Kobo paginates by them). The rest of Kobo's stock hacks fight publishers' CSS and are left out.
STYLE_HACKS = "div#book-inner { margin-top: 0; margin-bottom: 0; }"

_EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
# Text in these is left exactly as it is: code, and things that are not prose.
_UNTOUCHED = {f"{_X}{name}" for name in ("script", "style", "pre", "code", "svg", "math", "audio", "video")}
# Each of these starts a new "paragraph" number in the span ids (kobo.<paragraph>.<sentence>).
_BLOCKS = {
    f"{_X}{name}"
    for name in (
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dt",
        "dd",
        "blockquote",
        "figcaption",
        "caption",
        "td",
        "th",
        "div",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "nav",
        "body",
        "figure",
        "dl",
        "ol",
        "ul",
        "table",
    )
}

# ---------------------------------------------------------------------------------------------
# Sentences

# A sentence ends at . ! ? or … (and runs of them), then any closing quotes or brackets (French
# closers come after a narrow no-break space), then the space before the next sentence.
_END = re.compile(r"[.!?…‽]+(?:[\u00a0\u202f]?[\"'”’)\]]|[ \u00a0\u202f]?[»›])*[ \t\n\r\u00a0\u202f\u2009]+")
# The next sentence starts with a capital, a digit, an opening quote or bracket, a dialogue dash,
# or Spanish ¿ ¡. Lower case after the stop means the sentence goes on: “Stop!” she said.
_STARTER = re.compile(r"[\"'“‘«‹(\[¿¡—–\-]|\d|[^\W\d_]", re.UNICODE)
# Words after which a full stop does not end the sentence. Words that also end sentences in
# fiction ("the sun.", "said no.", "saw Ed.") are left out: a missed split costs less than a wrong one.
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "st",
        "mt",
        "prof",
        "rev",
        "revd",
        "fr",
        "sr",
        "jr",
        "gen",
        "col",
        "capt",
        "lt",
        "sgt",
        "cpl",
        "maj",
        "adm",
        "gov",
        "sen",
        "hon",
        "vs",
        "cf",
        "eg",
        "ie",
        "viz",
        "approx",
        "ca",
        "vol",
        "vols",
        "fig",
        "figs",
        "pp",
        "ch",
        "chap",
        "dept",
        "univ",
        "inc",
        "ltd",
        "corp",
        "jan",
        "feb",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "thu",
        "thur",
        "thurs",
        "fri",
        "mme",
        "mlle",
        "mm",
        "nr",
        "bzw",
        "sra",
        "srta",
    ]
)


def split_sentences(text: str) -> list[str]:
    """`text` cut after each sentence (the space after a sentence stays with it); the pieces
    joined give `text` back exactly."""
    pieces, start = [], 0
    for match in _END.finditer(text):
        end = match.end()
        if end >= len(text):
            break
        if not _starts_sentence(text, end) or _is_abbreviation(text, match.start()):
            continue
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return [piece for piece in pieces if piece]


def _starts_sentence(text: str, index: int) -> bool:
    char = text[index]
    if not _STARTER.match(char):
        return False
    if char.isalpha():
        return char.isupper() or not char.islower()  # capitals, and scripts without case
    return True


def _is_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at `stop` closes an abbreviation (Mr., e.g., U.S.) or an initial."""
    if text[stop] != "." or text[stop : stop + 2] == "..":
        return False
    before = re.search(r"(\S+)$", text[max(0, stop - 24) : stop])  # a bounded look back: linear in long paragraphs
    if not before:
        return False
    token = before.group(1).lstrip("\"'“‘«‹([")
    if len(token) == 1 and token.isalpha() and token.isupper():
        return True  # J. R. R. Tolkien
    if "." in token:  # e.g. i.e. U.S.: short letter groups joined by stops
        groups = token.split(".")
        return all(group.isalpha() and len(group) <= 3 for group in groups)
    return token.lower() in ABBREVIATIONS


# ---------------------------------------------------------------------------------------------
# Documents


def kepubify(xhtml: bytes) -> bytes:
    """One XHTML document as Kobo wants it; the visible text is unchanged."""
    root = etree.fromstring(xhtml)
    head = root.find(f"{_X}head")
    body = root.find(f"{_X}body")
    if body is None or head is None:
        return xhtml
    style = etree.SubElement(head, f"{_X}style", {"type": "text/css", "class": "kobostylehacks"})
    style.text = STYLE_HACKS
    style.tail = "\n"
    _Spans().element(body)
    _wrap_body(body)
    return b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + etree.tostring(root, encoding="utf-8") + b"\n"


def _wrap_body(body) -> None:
    """body > div#book-columns > div#book-inner > (what body held): Kobo lays out columns on them."""
    columns = etree.Element(f"{_X}div", {"id": "book-columns"})
    inner = etree.SubElement(columns, f"{_X}div", {"id": "book-inner"})
    inner.text, body.text = body.text, None  # no white space added: the text stays exactly the same
    for child in list(body):
        inner.append(child)  # moves it, with its tail
    body.append(columns)


class _Spans:
    """Wraps every sentence of every text node in <span class="koboSpan" id="kobo.P.S">: P counts
    the blocks (paragraphs, headings, list items…), S the sentences within one."""

    def __init__(self) -> None:
        self.paragraph = 0
        self.sentence = 0
        self.block = None

    def element(self, element) -> None:
        if element.tag in _UNTOUCHED or not isinstance(element.tag, str):
            return
        if element.get(_EPUB_TYPE) == "noteref":
            return  # a note's call stays a bare link: Kobo pops the note up from it
        block = element if element.tag in _BLOCKS else None
        if element.text and element.text.strip():
            spans = self._spans(element.text, block if block is not None else _block_of(element))
            element.text = None
            for index, span in enumerate(spans):
                element.insert(index, span)
        for child in [c for c in element if c.get("class") != "koboSpan"]:
            if child.tag == f"{_X}img":
                child = self._image(child)  # the span that now holds it: its tail is the text after
            else:
                self.element(child)
            if child.tail and child.tail.strip():
                spans = self._spans(child.tail, block if block is not None else _block_of(element))
                child.tail = None
                parent = child.getparent()
                position = parent.index(child)
                for offset, span in enumerate(spans, start=1):
                    parent.insert(position + offset, span)

    def _spans(self, text: str, block) -> list:
        if block is not self.block:
            self.block = block
            self.paragraph += 1
            self.sentence = 0
        spans = []
        for piece in split_sentences(text):
            self.sentence += 1
            span = etree.Element(f"{_X}span", {"class": "koboSpan", "id": f"kobo.{self.paragraph}.{self.sentence}"})
            span.text = piece
            spans.append(span)
        return spans

    def _image(self, image):
        """An image is a paragraph of its own, in one span (Kobo's own books do this)."""
        self.paragraph += 1
        self.sentence = 1
        self.block = image
        parent = image.getparent()
        span = etree.Element(f"{_X}span", {"class": "koboSpan", "id": f"kobo.{self.paragraph}.1"})
        span.tail, image.tail = image.tail, None
        parent.replace(image, span)
        span.append(image)
        self.block = None  # text after the image starts a new paragraph number
        return span


def _block_of(element):
    """The nearest block element holding `element` (itself included)."""
    while element is not None and element.tag not in _BLOCKS:
        element = element.getparent()
    return element
