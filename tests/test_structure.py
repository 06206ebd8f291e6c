"""Notes, tables, lists, strikethrough, line blocks and figures, from every producer that has them
(tests/fixtures/structure: Markdown, python-docx on Word's template, LibreOffice's own .docx, an
archive download, pandoc's HTML, LibreOffice's HTML, plain text), through the model to the EPUB,
the KEPUB and the PDF."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess

import pytest
from conftest import FIXTURES, build, check_golden, run_cli
from epubfacts import NS, Epub
from pdffacts import Pdf

STORIES = {
    "markdown": "01-the-night-kitchen.md",
    "docx-word": "02-the-tide-clerk.docx",
    "docx-libreoffice": "03-the-glasshouse-inventory.docx",
    "html-archive": "04-the-bellringers-almanac.html",
    "html-pandoc": "05-minutes-of-the-lantern-society.html",
    "html-libreoffice": "06-the-lending-library-of-small-weather.html",
    "txt": "07-letters-to-the-ferryman.txt",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("structure") / "structure"
    shutil.copytree(FIXTURES / "structure", folder, ignore=shutil.ignore_patterns("build"))
    return folder


@pytest.fixture(scope="module")
def inspected(project):
    result = run_cli("inspect", cwd=project)
    assert result.returncode == 0, result.stderr
    return {key: next(s for s in json.loads(result.stdout)["stories"] if s["source"].endswith(name))
            for key, name in STORIES.items()}


def nodes(data, kind: str) -> list[dict]:
    """Every model node of a kind, anywhere in a story's JSON."""
    found = []
    if isinstance(data, dict):
        if data.get("type") == kind:
            found.append(data)
        for value in data.values():
            found += nodes(value, kind)
    elif isinstance(data, list):
        for value in data:
            found += nodes(value, kind)
    return found


def text(data) -> str:
    return json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("reader", STORIES)
def test_each_reader_matches_its_golden_model(inspected, reader, update_golden):
    check_golden(f"inspect-structure-{reader}", inspected[reader], update_golden)


# -- the model, reader by reader ------------------------------------------------------------------

NOTES = {  # reader → (footnotes, endnotes)
    "markdown": (3, 0), "docx-word": (2, 2), "docx-libreoffice": (2, 2), "html-archive": (4, 0),
    "html-pandoc": (2, 0), "html-libreoffice": (2, 1), "txt": (3, 0),
}


@pytest.mark.parametrize("reader", STORIES)
def test_notes_are_notes_with_their_own_blocks(inspected, reader):
    notes = nodes(inspected[reader], "Note")
    kinds = [note.get("kind", "footnote") for note in notes]
    assert (kinds.count("footnote"), kinds.count("endnote")) == NOTES[reader]
    for note in notes:
        assert note["blocks"], "a note keeps its text"
        assert not re.match(r"^\W*\d", text(note["blocks"][0].get("children", [""])[:1])[2:]), \
            "the number typed before the note's text is gone"
    if reader in ("markdown", "docx-word", "html-pandoc"):
        assert any(len(note["blocks"]) > 1 for note in notes), "a note of two paragraphs stays two"
    assert "[^" not in text(inspected[reader]), "no Markdown footnote syntax is left as text"


@pytest.mark.parametrize("reader", [r for r in STORIES if r != "txt"])
def test_tables_have_head_rows_cells_and_alignment(inspected, reader):
    tables = nodes(inspected[reader], "Table")
    assert tables, "the table is a table"
    assert all(table.get("head") for table in tables), "header rows are header rows"
    assert any("right" in table.get("aligns", []) for table in tables) or reader == "html-libreoffice"
    if reader in ("markdown", "docx-word", "docx-libreoffice", "html-archive"):
        long_one = max(tables, key=lambda t: len(t.get("body", [])))
        assert len(long_one["body"]) >= 40, "the long table is whole"
    assert "| --" not in text(inspected[reader]) and "| –" not in text(inspected[reader])
    if reader != "markdown":  # pipe tables have no merged cells
        spans = [(c.get("colspan", 1), c.get("rowspan", 1)) for t in tables for row in t.get("head", []) + t.get("body", [])
                 for c in row]
        assert any(col > 1 for col, _ in spans) and any(row > 1 for _, row in spans), "merged cells keep their spans"


@pytest.mark.parametrize("reader", STORIES)
def test_lists_keep_their_kind_start_style_and_nesting(inspected, reader):
    lists = nodes(inspected[reader], "ListBlock")
    ordered = [item for item in lists if item.get("ordered")]
    assert any(not item.get("ordered") for item in lists), "a bulleted list"
    assert any(item.get("start") == 3 for item in ordered), "a numbered list that starts at 3"
    if reader != "txt":  # plain text is tested on its own shape (test_shapes)
        assert {"lower-alpha", "lower-roman"} <= {item.get("style") for item in ordered}
    if reader != "txt":  # plain text has no nesting bookforge could be sure of
        assert any(nodes(item["items"], "ListBlock") for item in lists), "a nested list"


@pytest.mark.parametrize("reader", [r for r in STORIES if r != "txt"])
def test_strikethrough_is_kept(inspected, reader):
    struck = nodes(inspected[reader], "Strikeout")
    assert struck
    assert "~~" not in text(inspected[reader])


@pytest.mark.parametrize("reader", ["markdown", "docx-word", "docx-libreoffice", "html-archive", "txt"])
def test_verse_keeps_its_lines(inspected, reader):
    blocks = nodes(inspected[reader], "LineBlock")
    assert blocks and any(len(block["lines"]) >= 3 for block in blocks)


@pytest.mark.parametrize("reader", ["markdown", "docx-word", "docx-libreoffice", "html-archive", "html-pandoc",
                                    "html-libreoffice"])
def test_figures_keep_their_image_alt_text_and_caption(inspected, reader):
    figures = nodes(inspected[reader], "Figure")
    assert figures
    described = [f for f in figures if f["image"].get("alt")]
    assert described, "the alt text stays with the image"
    if reader != "html-libreoffice":
        assert any(f.get("caption") for f in figures), "a caption"


def test_word_text_boxes_symbols_subtitle_and_later_title(inspected):
    story = inspected["docx-word"]
    assert story["subtitle"] == "A story in columns and weather"
    boxes = [q for q in nodes(story, "BlockQuote") if "text-box" in text(q.get("attrs", {}))]
    assert boxes and "NOTICE TO MARINERS" in text(boxes[0])
    assert "α" in text(story) and "✓" in text(story), "Symbol and Wingdings characters are Unicode"
    assert "Part Two: Low Water" in [chapter.get("title") for chapter in story["chapters"]], \
        "a second Title paragraph opens a part of the story, in the contents"
    libre = inspected["docx-libreoffice"]
    assert [q for q in nodes(libre, "BlockQuote") if "text-box" in text(q.get("attrs", {}))], "a frame is a text box"


def test_plain_text_quotations_and_verse(inspected):
    story = inspected["txt"]
    quotes = nodes(story, "BlockQuote")
    assert any(nodes(q, "LineBlock") for q in quotes), "an indented poem keeps its lines"
    letter = next(q for q in quotes if "Dear Mr Fane" in text(q))
    paragraphs = [text_of([p]) for p in letter["children"] if p["type"] == "Paragraph"]
    assert paragraphs[0] == "Dear Mr Fane,", "the salutation, on its own line above, is part of the letter"
    assert paragraphs[1].startswith("You will not remember me") and paragraphs[1].endswith("either."), \
        "the letter's hard-wrapped lines are one paragraph"


# -- the books ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def books(project):
    results, diagnostics = build(project, ("epub", "kepub", "pdf"))
    return {r.format: r.path for r in results}, diagnostics


@pytest.mark.slow
def test_the_build_says_only_what_it_should(books):
    _, diagnostics = books
    codes = sorted(set(diagnostics.codes()))
    assert "F001" not in codes
    assert set(codes) <= {"D002", "M006", "P001", "P004"}, codes  # an image without alt text, a break before a heading, a glyph


@pytest.mark.slow
def test_epub_notes_pop_up_from_their_calls(books):
    epub = Epub(books[0]["epub"])
    calls = asides = listed = 0
    for href, root in epub.spine_documents():
        for call in root.xpath("//x:a[@epub:type='noteref']", namespaces=NS):
            calls += 1
            assert call.get("role") == "doc-noteref"
            target_doc, _, fragment = call.get("href").partition("#")
            target = epub.document(posixpath.join(posixpath.dirname(href), target_doc)) if target_doc else root
            note = target.xpath(f"//*[@id='{fragment}']", namespaces=NS)
            assert note, f"{href}: {call.get('href')} leads to its note"
            assert note[0].get("{http://www.idpf.org/2007/ops}type") in ("footnote", "endnote")
            back = note[0].xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS)[0]
            assert back.endswith("#" + call.get("id")), "the note links back to its call"
        asides += len(root.xpath("//x:aside[@epub:type='footnote'][@role='doc-footnote']", namespaces=NS))
        listed += len(root.xpath("//x:section[@role='doc-endnotes']//x:li[@epub:type='endnote']", namespaces=NS))
    assert calls == sum(f + e for f, e in NOTES.values())
    assert asides == sum(f for f, _ in NOTES.values()) and listed == sum(e for _, e in NOTES.values())


@pytest.mark.slow
def test_epub_tables_lists_strikes_verse_and_figures(books):
    epub = Epub(books[0]["epub"])
    docs = dict(epub.spine_documents())
    everything = "".join(re.sub(r"\s+", " ", "".join(root.itertext())) for root in docs.values())
    assert "Today’s Special: Salmon" in everything
    def count(xpath):
        return sum(len(root.xpath(xpath, namespaces=NS)) for root in docs.values())
    assert count("//x:table/x:thead/x:tr/x:th[@scope='col']") > 0
    assert count("//x:td[@rowspan]") > 0 and count("//x:*[self::x:td or self::x:th][@colspan]") > 0
    assert count("//x:td[@class='align-right']") > 0
    assert count("//x:ol[@start='3']") > 0 and count("//x:ol[@type='a']") > 0 and count("//x:ol[@type='i']") > 0
    assert count("//x:li//x:ul | //x:li//x:ol") > 0
    assert count("//x:s") >= 8
    assert count("//x:p[@class='line-block']/x:span[@class='line']") > 0
    assert count("//x:figure/x:img[@alt!='']") > 0 and count("//x:figure/x:figcaption") > 0
    assert count("//x:table/x:caption") > 0


@pytest.mark.slow
def test_kepub_keeps_every_structure_and_never_spans_a_note_call(books):
    epub, kepub = Epub(books[0]["epub"]), Epub(books[0]["kepub"])
    for href, root in kepub.spine_documents():
        assert not root.xpath("//x:a[@epub:type='noteref']//x:span[@class='koboSpan']", namespaces=NS), href
        before = epub.document(href)
        for xpath in ("//x:a[@epub:type='noteref']", "//x:aside", "//x:table", "//x:s", "//x:figure", "//x:ol"):
            assert len(root.xpath(xpath, namespaces=NS)) == len(before.xpath(xpath, namespaces=NS)), (href, xpath)
        assert "".join(root.find("x:body", NS).itertext()) == "".join(before.find("x:body", NS).itertext())


@pytest.mark.slow
def test_pdf_footnotes_sit_on_the_page_of_their_call(books, inspected):
    pdf = Pdf(books[0]["pdf"])
    pages = [_flat(page) for page in _page_texts(books[0]["pdf"])]
    checked = 0
    for story in inspected.values():
        for paragraph in nodes(story, "Paragraph"):
            children = paragraph.get("children", [])
            for index, child in enumerate(children):
                if not (isinstance(child, dict) and child.get("type") == "Note" and child.get("kind", "footnote") == "footnote"):
                    continue
                before = "".join(c for c in children[:index] if isinstance(c, str))
                call_word = _flat(before).split()[-1:]  # the word the call is attached to
                note_words = _flat(text_of(child["blocks"])).split()[:6]
                holding = [i for i, page in enumerate(pages) if " ".join(note_words) in page]
                assert holding, f"the note {' '.join(note_words)!r} is printed"
                assert all(call_word[0] in pages[i] for i in holding), \
                    f"the note {' '.join(note_words)!r} is on the page of its call ({call_word})"
                checked += 1
    assert checked >= 12
    assert len(pdf.reader.pages) % 2 == 0


@pytest.mark.slow
def test_pdf_long_tables_repeat_their_header_row(books):
    pages = _page_texts(books[0]["pdf"])
    headers = {"Grandsire": ("No.", "Tower", "Method", "Changes"), "Weekday": ("Day", "Weekday", "High water")}
    for marker, header in headers.items():
        holding = [page for page in pages if marker in page and re.search(r"\b4[0-5]\b", page)]
        spread = [page for page in pages if marker in page]
        assert len(spread) >= 2, f"the {marker} table crosses a page"
        for page in spread:
            assert all(word in page for word in header), f"every page of the {marker} table repeats its header"
        assert holding


@pytest.mark.slow
def test_pdf_outline_is_stories_and_chapters_only(books, inspected):
    outline = [title for _, title, _ in Pdf(books[0]["pdf"]).outline()]
    expected = ["Contents"]
    for story in inspected.values():
        expected.append(story["title"])
        if len(story["chapters"]) > 1:
            expected += [c["title"] for c in story["chapters"] if c.get("title")]
    assert outline == expected


@pytest.mark.slow
def test_tables_fit_a_six_inch_screen(books, tmp_path):
    """Every table of the EPUB, laid out by Chromium at a 6-inch e-reader's width, is no wider
    than the screen (wrapping cells, no fixed widths)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed (./dev test installs it)")
    epub = Epub(books[0]["epub"])
    out = tmp_path / "book"
    epub.zip.extractall(out)
    probe = ("<script>window.addEventListener('load',function(){var w=document.documentElement.clientWidth,"
             "r=[];document.querySelectorAll('table').forEach(function(t){r.push(Math.ceil(t.getBoundingClientRect().width))});"
             "document.body.setAttribute('data-widths',w+':'+r.join(','));});</script>")
    measured = 0
    for href in epub.spine_hrefs():
        path = out / epub.base / href
        source = path.read_text(encoding="utf-8")
        if "<table" not in source:
            continue
        page = path.with_suffix(".html")  # HTML, so Chromium runs the probe; the CSS is the EPUB's own
        page.write_text(source.replace("</head>", probe + "</head>", 1), encoding="utf-8")
        result = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=360,640", "--virtual-time-budget=2000",
             "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
        found = re.search(r'data-widths="(\d+):([\d,]*)"', result.stdout)
        assert found, f"{href}: Chromium gave no measurements: {result.stderr[-500:]}"
        screen = int(found.group(1))
        widths = [int(w) for w in found.group(2).split(",") if w]
        assert widths and max(widths) <= screen, f"{href}: a table is {max(widths)} px on a {screen} px screen"
        measured += len(widths)
    assert measured >= 10


def text_of(blocks) -> str:
    out = []
    for block in blocks:
        for child in block.get("children", []):
            out.append(child if isinstance(child, str) else text_of([child]))
    return " ".join(out)


def _page_texts(path) -> list[str]:
    pages = []
    count = len(Pdf(path).reader.pages)
    for number in range(1, count + 1):
        result = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(path), "-"],
                                capture_output=True, text=True)
        pages.append(result.stdout)
    return pages


def _flat(value: str) -> str:
    """Text as words: hyphenation at line ends undone, quotes and punctuation gone, lower case."""
    value = re.sub(r"[\u2010-]\n", "", value)
    return " ".join(re.findall(r"[^\W_]+", value.casefold()))
