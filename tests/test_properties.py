"""Property tests: generated manuscripts and book.toml files build, or fail with a BookforgeError.

Two budgets (profiles, see conftest.py): `dev` for a plain `pytest` run, and `ci`, a larger fixed,
derandomised budget that `./dev test` (and so CI) uses.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import unicodedata
from pathlib import Path

import tomli_w
from conftest import build
from epubfacts import NS, Epub
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bookforge.diagnostics import Diagnostics
from bookforge.errors import BookforgeError, ConfigError
from bookforge.readers.decode import clean
from bookforge.readers.marks import chapter_title, is_break_mark
from bookforge.transforms.typography import educate_string

QUICK = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- text -----------------------------------------------------------------------------------------

# Characters with a meaning in some manuscript format. Plain words leave them out, so that the text
# that comes out can be compared with the text that went in; markup is generated on its own below,
# and the hostile-markup test throws every character at the readers.
MARKUP = set("*_`[]<>\\&#|~^:={}")
SCRIPTS = st.characters(
    categories=["Lu", "Ll", "Lo", "Lm", "Mn", "Nd", "Po", "Pd", "Ps", "Pe", "Pi", "Pf", "Sm", "Sc", "So", "Cc",
                "Cf"],
    # Tabs are whitespace (collapsed to a space between words: test_typography's junk table).
    exclude_characters="".join(MARKUP) + "\n\r\t",
)
EXAMPLES = st.sampled_from([
    "שלום", "مرحبا", "e\u0301", "n\u0303o", "🙂", "👩‍👩‍👧", "東京", "漢字かな", "Ærø", "İstanbul", "\u200f", "\u0007",
    "\u001b", "\ufeff", '"', "'", "--", "---", "...", "…", "—", "–", "’", "“", "”",
])
START = st.characters(categories=["Lu", "Ll", "Lo"]) | st.sampled_from(['"', "'", "“", "‘"])
WORD = st.builds(lambda first, rest: first + "".join(rest), START, st.lists(SCRIPTS | EXAMPLES, max_size=8))


def _paragraph_ok(text: str) -> bool:
    # A line that is only a break mark or a chapter heading is structure, not a paragraph.
    return bool(text.strip()) and not is_break_mark(text) and chapter_title(text) is None


@st.composite
def paragraphs(draw) -> list[tuple[str, bool]]:
    """A paragraph: runs of words, some emphasised, as (text, emphasised) pairs."""
    runs = draw(st.lists(st.tuples(st.lists(WORD, min_size=1, max_size=6).map(" ".join), st.booleans()),
                         min_size=1, max_size=5))
    return runs


def _plain(runs) -> str:
    return " ".join(text for text, _ in runs)


def _written(runs, fmt: str, wrap: int) -> str:
    words = []
    for text, emphasised in runs:
        if emphasised and text.strip("\"'“‘’”"):
            mark = "*" if fmt == "md" else "_"
            words.append(f"{mark}{text}{mark}")
        else:
            words.append(text)
    # Hard-wrap at `wrap` characters, as many editors save text. (A line much longer than a wrapped
    # one means one paragraph per line, a layout the txt reader recognises on purpose.)
    lines, line = [], ""
    for word in " ".join(words).split(" "):
        if line and len(line) + 1 + len(word) > wrap:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(lines + [line])


SEPARATORS = st.sampled_from(["\n\n", "\n\n", "\n\n", "\n\n\n", "\n\n\n\n", "\n\n* * *\n\n", "\n\n#\n\n"])


@st.composite
def manuscripts(draw):
    fmt = draw(st.sampled_from(["txt", "md"]))
    body = draw(st.lists(paragraphs(), min_size=1, max_size=8).filter(
        lambda ps: all(_paragraph_ok(_plain(p)) and _paragraph_ok(_written(p, "txt", 999)) for p in ps)))
    separators = draw(st.lists(SEPARATORS, min_size=len(body) - 1, max_size=len(body) - 1))
    # (Editors wrap at 60-80 columns; a Markdown paragraph of lines far shorter than its margin,
    # not filled to it, is verse, which md_verse keeps line by line on purpose.)
    wrap = draw(st.integers(min_value=50, max_value=100))
    notes = draw(st.none() | st.lists(WORD, min_size=1, max_size=6).map(" ".join))
    header = ""
    if notes is not None:
        header = f"---\nnotes: {json.dumps(notes)}\n---\n\n" if fmt == "md" else f"Notes: {notes}\n\n"
    if fmt == "md":
        separators = [s.replace("#", "* * *") for s in separators]
    text = _written(body[0], fmt, wrap)
    for separator, para in zip(separators, body[1:]):
        text += separator + _written(para, fmt, wrap)
    breaks = sum(1 for s in separators if s.count("\n") > 2 or "*" in s or "#" in s)
    line_end = draw(st.sampled_from(["\n", "\r\n"]))
    return fmt, (header + text + "\n").replace("\n", line_end), [_plain(p) for p in body], breaks


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _expected(paragraph: str) -> str:
    cleaned = unicodedata.normalize("NFC", _CONTROL.sub("", paragraph))
    # Invisible junk (zero-width characters in words, stray soft hyphens, BOMs) goes too;
    # test_typography covers what exactly.
    cleaned = clean(cleaned, "generated.txt", Diagnostics())
    return " ".join(educate_string(cleaned).split())


def _story_text(epub: Epub) -> tuple[list[str], int]:
    """The story's paragraphs (title, byline and notes left out) and its scene breaks."""
    texts, breaks = [], 0
    for href, root in epub.documents():
        for section in root.xpath("//x:section[contains(@class, 'story')][not(contains(@class, 'story-notes'))]",
                                  namespaces=NS):
            for p in section.xpath("./x:p | ./x:div/x:p", namespaces=NS):
                texts.append(" ".join("".join(p.itertext()).split()))
            breaks += len(section.xpath(".//x:hr[contains(@class, 'scene-break')]", namespaces=NS))
    return texts, breaks


def _project(folder: Path, name: str, data: bytes, toml: str = '[book]\ntitle = "Prop"\nauthors = ["A"]\n') -> Path:
    (folder / "manuscripts").mkdir(parents=True, exist_ok=True)
    (folder / "book.toml").write_text(toml, encoding="utf-8")
    (folder / "manuscripts" / name).write_bytes(data)
    return folder


@QUICK
@given(manuscripts())
def test_generated_manuscripts_keep_every_word_and_every_break(case):
    fmt, text, plain_paragraphs, breaks = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = _project(Path(tmp), f"story.{fmt}", text.encode("utf-8"))
        build(folder)
        epub = Epub(folder / "build" / "prop.epub")
        for _ in epub.documents():  # every XHTML file parses (the iteration parses each)
            pass
        found, found_breaks = _story_text(epub)
        expected = [_expected(p) for p in plain_paragraphs]
        expected = [p for p in expected if p]  # a paragraph of control characters is nothing
        assert found == expected
        assert found_breaks == breaks


HOSTILE = st.lists(st.characters(codec="utf-8") | st.sampled_from([
    "<script>", "</p>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "![i](http://e.com/i.png)",
    "&amp;", "&#0;", "&#xD800;", "\\", "*", "**", "_", "`", "```", "---", "\n", "\n\n", "\n\n\n", "# ", "> ",
    "- ", "1. ", "Title: ", "Notes: ", "Author: ", "Chapter 1\n", "* * *", "|a|b|\n|-|-|\n", "[^1]", "<!--",
    "\x00", "\ud800", "\u202e", "\r", "<svg onload=x>", "<a href='javascript:x'>", "~~", "$$",
]), max_size=200).map("".join)


@QUICK
@given(fmt=st.sampled_from(["txt", "md", "markdown"]), text=HOSTILE,
       encoding=st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]))
def test_any_text_builds_or_fails_with_a_bookforge_error(fmt, text, encoding):
    data = text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    with tempfile.TemporaryDirectory() as tmp:
        folder = _project(Path(tmp), f"story.{fmt}", data)
        try:
            build(folder)
        except BookforgeError as error:
            assert error.message and error.exit_code in (3, 4, 5, 6)
            event(f"refused: exit code {error.exit_code}")
            return
        event("built")
        epub = Epub(folder / "build" / "prop.epub")
        for _, root in epub.documents():
            assert not root.xpath("//x:script | //@*[starts-with(name(), 'on')]", namespaces=NS)
            assert not [v for v in root.xpath("//@href") if v.lower().lstrip().startswith("javascript")]
            assert not [v for v in root.xpath("//@src") if v.lower().lstrip().startswith(("javascript", "http"))]


# --- book.toml ------------------------------------------------------------------------------------

SCALARS = (st.text(max_size=20) | st.integers() | st.floats(allow_nan=False) | st.booleans()
           | st.dates() | st.datetimes() | st.times())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                            max_size=3), max_leaves=8)
NEAR_VALID = {
    "title": st.text(max_size=30), "subtitle": st.text(max_size=10), "language": st.sampled_from(["en", "fr", "x", "de-CH", ""]),
    "date": st.sampled_from(["2026", "2026-01", "2026-13-40", "soon"]) | st.dates(), "notes": st.sampled_from(
        ["story", "front", "end", "middle"]), "theme": st.sampled_from(["classic", "nope", "../x"]),
    "typography": st.booleans() | st.integers(), "editors": st.lists(st.text(max_size=8), max_size=2),
    "authors": st.lists(st.text(max_size=8), max_size=2) | st.text(max_size=8), "cover": st.sampled_from(
        ["cover.png", "../outside.png", "/etc/passwd"]),
}
PDF = {"trim": st.sampled_from(["6x9in", "a5", "b-format", "5x", "0x0in", "6 x 9 in", "999x999mm"]),
       "bleed": st.sampled_from(["0", "0.125in", "-1mm", "3mm", "lots"]),
       "margins": st.sampled_from(["auto", "1in", "x"]) | st.dictionaries(st.sampled_from(["top", "inner", "bad"]),
                                                                         st.sampled_from(["1in", "2cm", "no"])),
       "marks": st.lists(st.sampled_from(["crop", "cross", "bleed"]), max_size=2),
       "font-size": st.sampled_from(["11pt", "10", "huge"]), "drop-caps": st.booleans() | st.text(max_size=3),
       "variant": st.sampled_from(["", "pdf/a-3u", "pdf/x-9"])}


def _table(known: dict):
    return st.fixed_dictionaries({}, optional={**known, **{"unknwon": VALUES}}) | st.dictionaries(
        st.text(max_size=10), VALUES, max_size=4)


TOML_DOCUMENTS = st.fixed_dictionaries({}, optional={
    "book": _table(NEAR_VALID),
    "story": st.lists(st.fixed_dictionaries({}, optional={"file": st.sampled_from(
        ["manuscripts/a.txt", "manuscripts/missing.txt", "../../etc/passwd", "manuscripts"]) | st.text(max_size=8),
        "title": st.text(max_size=8), "author": st.text(max_size=8), "language": st.text(max_size=4),
        "authors": VALUES}), max_size=3) | VALUES,
    "pdf": _table(PDF) | VALUES,
    "build": st.fixed_dictionaries({}, optional={"formats": st.lists(st.sampled_from(["epub", "pdf", "mobi"]),
                                                                     max_size=2), "output": st.text(max_size=6)}),
    "extra": VALUES,
})


def _loads_or_config_error(text: str) -> None:
    from bookforge.config import Config, load_config

    try:
        config = load_config(text)
    except ConfigError as error:
        assert error.message and error.path == "book.toml"
        return
    assert isinstance(config, Config)
    assert isinstance(config.title, str) and isinstance(config.typography, bool)
    assert all(isinstance(name, str) for name in config.editors + config.authors)
    assert config.notes in ("story", "front", "end") and set(config.build.formats) <= {"epub", "pdf"}


@QUICK
@given(TOML_DOCUMENTS)
def test_generated_book_toml_is_a_config_or_a_config_error(document):
    try:
        text = tomli_w.dumps(document)
    except (TypeError, ValueError):  # a value TOML cannot hold (tomli_w refuses); nothing to test
        event("not TOML")
        return
    _loads_or_config_error(text)
    # And the whole build: a valid config builds, or the error is one of bookforge's.
    with tempfile.TemporaryDirectory() as tmp:
        folder = _project(Path(tmp), "a.txt", b"Text.", toml=text)
        try:
            build(folder)
            event("built")
        except BookforgeError as error:
            assert error.message
            event(f"refused: {type(error).__name__}")


@QUICK
@given(st.lists(st.characters(codec="utf-8") | st.sampled_from(['[book]\n', 'title = "', '"\n', "[[story]]\n", "=",
                                                                "'''", "[pdf]\n", "trim = ", "\n"]),
                max_size=100).map("".join))
def test_any_book_toml_text_is_a_config_or_a_config_error(text):
    _loads_or_config_error(text)


NAME = st.lists(START | st.characters(categories=["Lu", "Ll", "Lo", "Mn", "Nd", "Zs", "Po"]), min_size=1,
                max_size=20).map("".join).filter(lambda s: s.strip())
VALID_DOCUMENTS = st.fixed_dictionaries(
    {"book": st.fixed_dictionaries({"title": NAME}, optional={
        "subtitle": NAME, "editors": st.lists(NAME, max_size=2), "authors": st.lists(NAME, max_size=2),
        "language": st.sampled_from(["en", "fr", "de", "es", "en-GB", "he", "ja"]),
        "date": st.sampled_from(["2026", "2026-01", "2026-02-28"]) | st.dates(min_value=dt.date(1980, 1, 2)),
        "notes": st.sampled_from(["story", "front", "end"]), "typography": st.booleans(),
        "publisher": NAME, "rights": NAME, "description": NAME,
    })},
    optional={
        "story": st.lists(st.fixed_dictionaries({"file": st.just("manuscripts/a.txt")}, optional={
            "title": NAME, "author": NAME, "language": st.sampled_from(["en", "fr", "ar"])}), min_size=1, max_size=2),
        "pdf": st.fixed_dictionaries({}, optional={
            "trim": st.sampled_from(["6x9in", "a5", "b-format", "5x8in", "140x210mm"]),
            "bleed": st.sampled_from(["0", "0.125in", "3mm"]), "marks": st.lists(st.sampled_from(["crop", "cross"]),
                                                                                 unique=True),
            "drop-caps": st.booleans(), "font-size": st.sampled_from(["10pt", "11pt", "12.5pt"])}),
        "build": st.fixed_dictionaries({"formats": st.lists(st.sampled_from(["epub", "pdf"]), min_size=1,
                                                            unique=True)}),
    },
)


@QUICK
@given(VALID_DOCUMENTS)
def test_a_valid_book_toml_always_builds(document):
    from bookforge.config import load_config

    text = tomli_w.dumps(document)
    config = load_config(text)
    assert config.title.strip()
    with tempfile.TemporaryDirectory() as tmp:
        folder = _project(Path(tmp), "a.txt", b"Some text, \"quoted\".", toml=text)
        build(folder)  # must not raise
        epub = Epub(next((folder / "build").glob("*.epub")))
        for _ in epub.documents():
            pass


# --- Word documents: every generated word reaches the EPUB, in order ----------------------------------

# python-docx on Word's template, with Word's own markup for notes and text boxes (the fixture
# generator's helpers: tests/fixtures/structure/make_fixtures.py).
_WORD_FIXTURES = Path(__file__).parent / "fixtures" / "structure"
# Words that would make a one-word paragraph a heading ("prologue", "chapter one"): structure, not text.
_HEADING_WORDS = {"chapter", "part", "book", "prologue", "epilogue", "interlude", "afterword", "foreword",
                  "preface", "introduction"}
DOCX_WORD = st.from_regex(r"[a-zà-öø-ÿ]{2,9}", fullmatch=True).filter(lambda w: w not in _HEADING_WORDS)
DOCX_WORDS = st.lists(DOCX_WORD, min_size=1, max_size=7).map(" ".join)
MARKS = st.sets(st.sampled_from(["i", "b", "strike"]))
DOCX_BLOCKS = st.one_of(
    st.tuples(st.just("para"), st.lists(st.tuples(DOCX_WORDS, MARKS), min_size=1, max_size=4)),
    st.tuples(st.just("tracked"), DOCX_WORDS, DOCX_WORDS, DOCX_WORDS),
    st.tuples(st.just("list"), st.sampled_from(["ListBullet", "ListNumber"]), st.lists(DOCX_WORDS, min_size=1, max_size=4)),
    st.tuples(st.just("table"), st.integers(1, 3), st.lists(DOCX_WORDS, min_size=2, max_size=9), st.booleans()),
    st.tuples(st.just("textbox"), st.lists(DOCX_WORDS, min_size=1, max_size=3)),
    st.tuples(st.just("footnote"), DOCX_WORDS, st.lists(DOCX_WORDS, min_size=1, max_size=2), DOCX_WORDS),
)


def _word_document(blocks, path: Path) -> tuple[list[str], list[str]]:
    """Write the document; return (the words of the text in reading order, the notes' words)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", _WORD_FIXTURES / "make_fixtures.py")
    fx = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fx)
    from docx import Document

    document = Document()
    fx.add_word_styles(document)
    notes = fx.Notes(document, "footnote")
    text: list[str] = []
    noted: list[str] = []
    for number, block in enumerate(blocks):
        kind = block[0]
        if kind == "para":
            fx.append(document, fx.paragraph(*[fx.run(words + " ", i="i" in marks, b="b" in marks,
                                                      strike="strike" in marks) for words, marks in block[1]]))
            text += [word for words, _ in block[1] for word in words.split()]
        elif kind == "tracked":  # kept, inserted, deleted: the deleted words are not the text
            kept, inserted, deleted = block[1:]
            author = 'w:author="Editor" w:date="2026-05-01T10:00:00Z"'
            fx.append(document, fx.paragraph(
                fx.run(kept + " "), f'<w:ins w:id="{900 + number}" {author}>{fx.run(inserted + " ")}</w:ins>',
                f'<w:del w:id="{950 + number}" {author}><w:r><w:delText xml:space="preserve">{deleted} </w:delText></w:r></w:del>'))
            text += kept.split() + inserted.split()
        elif kind == "list":
            for item in block[2]:
                document.add_paragraph(item, style="List Bullet" if block[1] == "ListBullet" else "List Number")
                text += item.split()
        elif kind == "table":
            cells, merge = block[2], block[3]
            columns = min(block[1], len(cells))
            rows = max(1, len(cells) // columns)
            table = document.add_table(rows=rows, cols=columns)
            for index, words in enumerate(cells[:rows * columns]):
                table.cell(index // columns, index % columns).text = words
            read = [cells[i] for i in range(rows * columns)]
            if merge and columns > 1:  # a merged cell holds both cells' text, as Word does it
                table.cell(0, 0).merge(table.cell(0, 1))
            text += [word for words in read for word in words.split()]
        elif kind == "textbox":
            paragraphs = [fx.paragraph(fx.run(words)) for words in block[1]]
            fx.append(document, fx.paragraph(fx.run("anchor "), fx.textbox_run(paragraphs, docpr_id=number + 1,
                                                                               name=f"Box {number}", spid=1025 + number)))
            text += ["anchor"] + [word for words in block[1] for word in words.split()]
        else:
            before, note, after = block[1:]
            fx.append(document, fx.paragraph(fx.run(before), notes.reference(*[[fx.run(p)] for p in note]),
                                             fx.run(" " + after)))
            text += before.split() + after.split()
            noted += [word for p in note for word in p.split()]
    fx.save(document, path, notes)
    return text, noted


def _subsequence(wanted: list[str], words: list[str]) -> bool:
    found = iter(words)
    return all(word in found for word in wanted)


@settings(QUICK, max_examples=40)  # a Word document built and read each time: a fixed, smaller budget
@given(st.lists(DOCX_BLOCKS, min_size=1, max_size=8))
def test_generated_word_documents_keep_every_word_in_order(blocks):
    with tempfile.TemporaryDirectory() as tmp:
        folder = _project(Path(tmp), "story.docx", b"")
        text, noted = _word_document(blocks, folder / "manuscripts" / "story.docx")
        _, diagnostics = build(folder)
        assert "F001" not in diagnostics.codes(), [d.format() for d in diagnostics.items]
        epub = Epub(folder / "build" / "prop.epub")
        main: list[str] = []
        notes: list[str] = []
        for _, root in epub.spine_documents():
            body = root.find("x:body", NS)
            for aside in body.xpath(".//x:aside[@epub:type='footnote']", namespaces=NS):
                notes += " ".join(aside.itertext()).split()
                aside.getparent().remove(aside)
            main += " ".join(body.itertext()).split()
        strip = lambda words: [w.strip(".,;:!?“”‘’\"'()").casefold() for w in words]  # noqa: E731
        assert _subsequence(strip(text), strip(main)), "every word of the text, in order"
        assert _subsequence(strip(noted), strip(notes)), "every word of the notes, in order"
