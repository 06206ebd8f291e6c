"""What the shared rendering layer, the themes and the PDF backend must never do to a book: run a
table off the page or the screen, drop a subtitle, flatten a note's list into one line, lose a note
called in a note, number notes out of reading order, give two calls one anchor, strand a heading,
a part title, a table row or a note at a page's edge, or mix two typefaces in one sentence.

Each test builds a small book from tests/fixtures/shapes/render-* (or a model made here) and reads
the facts off the result: lxml on the EPUB, Chromium's layout at an e-reader's width, word boxes
from `pdftotext -bbox` and text per page from `pdftotext` on the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, build
from epubfacts import NS, Epub
from lxml import etree
from pdffacts import Pdf, contents_numbers

from bookforge.model import Book, Chapter, Note, Paragraph, Story, Text
from bookforge.render.documents import RenderOptions, render_book
from bookforge.render.labels import LABELS, labels_for

SHAPES = FIXTURES / "shapes"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
XHTML = "{http://www.w3.org/1999/xhtml}"


def project(folder: Path, *manuscripts: str, book: str = "") -> Path:
    """A book of the named shape files (and any book.toml lines), in its own folder."""
    (folder / "manuscripts").mkdir(parents=True)
    for name in manuscripts:
        shutil.copy(SHAPES / name, folder / "manuscripts" / name)
    (folder / "book.toml").write_text(f'[book]\ntitle = "Fidelity"\nlanguage = "en"\n{book}\n', encoding="utf-8")
    return folder


def built(folder: Path, fmt: str = "epub", name: str = "", **options) -> Path:
    """Build one format; `name` keeps the file apart from a later build of the same project."""
    results, _ = build(folder, (fmt,), **options)
    path = results[0].path
    return path.rename(path.with_name(f"{name}{path.suffix}")) if name else path


def story_document(epub: Epub):
    """The first story's opening document (the first in the spine that is not the book's own)."""
    href = next(h for h in epub.spine_hrefs() if h.startswith("text/") and h.split("/")[1].split(".")[0]
                not in ("cover", "titlepage", "imprint", "contents", "notes", "endnotes"))
    return href, epub.document(href)


def _page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def page_texts(path: Path) -> list[str]:
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
                           capture_output=True, text=True).stdout for n in range(1, _page_count(path) + 1)]


def page_words(path: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Every page's words as (text, xMin, yMin, xMax, yMax), in points from the top left."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append([(etree.fromstring(f"<w>{m.group(5)}</w>").text or "", *map(float, m.group(1, 2, 3, 4)))
                      for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                                           r"(.*?)</word>", page)])
    return pages


def page_width(path: Path) -> float:
    out = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True,
                         text=True).stdout
    return float(re.search(r'<page width="([\d.]+)"', out).group(1))


def page_holding(pages: list[str], text: str) -> int:
    found = [index for index, page in enumerate(pages) if text in re.sub(r"\s+", " ", page)]
    assert found, f"{text!r} is printed"
    return found[0]


def chromium_probe(page: Path, script: str, tmp_path: Path, width: int = 360) -> str:
    """Lay a document out in Chromium at an e-reader's width; `script` sets body[data-probe]."""
    html = page.with_suffix(".html")  # HTML, so Chromium runs the probe; the CSS is the EPUB's own
    probe = f"<script>window.addEventListener('load',function(){{{script}}});</script>"
    html.write_text(page.read_text(encoding="utf-8").replace("</head>", probe + "</head>", 1), encoding="utf-8")
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},640", "--virtual-time-budget=2000",
         "--dump-dom", html.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r'data-probe="([^"]*)"', result.stdout)
    assert found, f"Chromium gave no measurements: {result.stderr[-500:]}"
    return found.group(1)


# -- 1. a wide table fits the page and the screen -------------------------------------------------


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    folder = project(tmp_path_factory.mktemp("wide") / "book", "render-wide-table.md")
    return built(folder), built(folder, "pdf")


@pytest.mark.slow
def test_a_wide_table_stays_inside_the_text_block_in_print(wide):
    _, pdf = wide
    pages = page_words(pdf)
    index = next(i for i, words in enumerate(pages) if any(w[0] == "Vessel" for w in words))
    words = pages[index]
    # The justified prose above the table reaches the text block's right edge.
    table_top = min(w[2] for w in words if w[0] == "Vessel")
    right_edge = max(w[3] for w in words if w[4] < table_top)
    assert right_edge < page_width(pdf)
    over = [w[0] for w in words if w[3] > right_edge + 0.5]
    assert not over, f"table text runs past the text block: {over}"
    squashed = "".join(w[0] for w in words).replace("\u2010", "").replace("-", "")
    for long_word in ("https://registry.example.net/ledgers/1893/morwennaofporthcurnowentry",
                      "QR0000000000000000004417230981"):
        assert long_word.replace("-", "") in squashed.replace("-", ""), f"{long_word} is printed whole"


@pytest.mark.slow
def test_a_wide_table_fits_a_six_inch_screen(wide, tmp_path):
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (./dev test installs it)")
    epub = Epub(wide[0])
    epub.zip.extractall(tmp_path / "book")
    href, _ = story_document(epub)
    script = ("var w=document.documentElement.clientWidth,r=[];document.querySelectorAll('table').forEach("
              "function(t){r.push(Math.ceil(t.getBoundingClientRect().width))});"
              "document.body.setAttribute('data-probe',w+':'+r.join(',')+':'+document.documentElement.scrollWidth);")
    for width in (360, 400):
        screen, tables, scroll = chromium_probe(tmp_path / "book" / epub.base / href, script, tmp_path, width).split(":")
        assert tables and max(int(t) for t in tables.split(",")) <= int(screen), f"{tables} px on {screen} px"
        assert int(scroll) <= int(screen), "nothing runs off the side of the screen"


@pytest.mark.slow
def test_long_words_may_break_short_numbers_stay_whole(wide):
    _, root = story_document(Epub(wide[0]))
    table = root.xpath("//x:table", namespaces=NS)[0]
    assert "wide-table" in table.get("class").split() and "short-table" in table.get("class").split()
    literals = root.xpath("//x:td/x:span[contains(@class, 'literal')]/text()", namespaces=NS)
    assert any(text.startswith("https://registry.example.net/") for text in literals)
    assert "QR-0000000000000000004417230981" in literals, "a reference number breaks without a hyphen"
    words = root.xpath("//x:td/x:span[@class='long-word']/text()", namespaces=NS)
    assert "Kirkcudbrightshire" in words, "a long name may break (and be hyphenated)"
    whole = root.xpath("//x:td[contains(@class, 'whole')]/text()", namespaces=NS)
    assert "2,417" in whole and "61" in whole


# -- 2. a story's subtitle -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def makeup(tmp_path_factory):
    folder = project(tmp_path_factory.mktemp("makeup") / "book", "render-page-makeup.md")
    return built(folder), built(folder, "pdf")


@pytest.mark.slow
def test_a_story_subtitle_is_shown_under_its_title_not_in_the_contents(makeup):
    epub_path, pdf = makeup
    epub = Epub(epub_path)
    _, root = story_document(epub)
    header = root.xpath("//x:header[@class='story-opening']", namespaces=NS)[0]
    children = [(child.tag.replace(XHTML, ""), child.get("class"), "".join(child.itertext())) for child in header]
    assert children[:2] == [("h2", "story-title", "The Ferry at Hallow"),
                            ("p", "story-subtitle", "A story told in crossings")]
    assert header.xpath("x:p[@class='story-subtitle']/@role", namespaces=NS) == ["doc-subtitle"]
    assert "A story told in crossings" not in "".join(epub.nav().itertext()), "the contents lists titles only"
    pages = page_texts(pdf)
    opening = pages[page_holding(pages, "A story told in crossings")]
    lines = [line.strip() for line in opening.splitlines() if line.strip()]
    title = next(i for i, line in enumerate(lines) if line == "The Ferry at Hallow")
    assert lines[title + 1] == "A story told in crossings", "the subtitle stands under the title"


# -- 3 and 4. notes with lists and verse; a note called in a note -----------------------------------


@pytest.fixture(scope="module")
def noted(tmp_path_factory):
    work = tmp_path_factory.mktemp("notes")
    document = project(work / "document", "render-footnote-blocks.md")
    # Another story first, so that the notes' calls are not on page 1.
    in_book = project(work / "book", "render-author-notes.md", "render-footnote-blocks.md", book='footnotes = "book"')
    return {"epub": built(document), "pdf": built(document, "pdf"), "book-epub": built(in_book),
            "book-pdf": built(in_book, "pdf", name="parts"),
            "book-pdf-one-pass": built(in_book, "pdf", name="one-pass", one_pass=True)}


@pytest.mark.slow
def test_a_footnote_keeps_its_list_verse_and_quote_in_print(noted):
    pages = page_texts(noted["pdf"])
    foot = pages[page_holding(pages, "Whale oil at first")]
    lines = [re.sub(r"\s+", " ", line).strip() for line in foot.splitlines() if line.strip()]
    assert "• rapeseed, which smoked" in lines and any(line.startswith("• paraffin, which smelled") for line in lines), \
        "each item of the note's list is a line of its own, with its bullet"
    for verse in ("One for the corner,", "one for the quay,", "one for the widow", "who waits up for me."):
        assert verse in lines, "each line of the verse in the note is a line"
    assert any(line.startswith("2. Of wet dogs and pennies") for line in lines), \
        "the note called inside the note's list is printed, numbered"


@pytest.mark.slow
def test_a_note_called_in_a_note_is_written_in_the_epub(noted):
    for name, expected in (("epub", 2), ("book-epub", 5)):
        epub = Epub(noted[name])
        calls = 0
        for href, root in epub.spine_documents():
            for call in root.xpath("//x:a[@epub:type='noteref']", namespaces=NS):
                target, _, fragment = call.get("href").partition("#")
                note_root = epub.document(f"text/{target}") if target else root
                note = note_root.xpath(f"//*[@id='{fragment}']", namespaces=NS)
                assert note, f"{name}: {call.get('href')} leads to its note"
                back = note[0].xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS)[0]
                back_target, _, back_fragment = back.partition("#")
                back_root = epub.document(f"text/{back_target}") if back_target else note_root
                assert back_root.xpath(f"//*[@id='{back_fragment}']", namespaces=NS), f"{name}: {back} leads back"
                calls += 1
        assert calls == expected
    _, root = story_document(Epub(noted["epub"]))
    inner = root.xpath("//x:aside[@epub:type='footnote']//x:li", namespaces=NS)
    assert [" ".join("".join(li.itertext()).split()) for li in inner] == ["rapeseed, which smoked",
                                                                          "paraffin, which smelled2"]


@pytest.mark.slow
def test_the_book_notes_give_the_page_of_each_call_in_print(noted):
    for name in ("book-pdf", "book-pdf-one-pass"):
        pages = page_texts(noted[name])
        notes_page = pages[page_holding(pages, "Whale oil at first")]
        flat = re.sub(r"\s+", " ", notes_page).partition("The Lamplighter’s Round")[2]
        refs = re.findall(r"(\d)\. \(page (\d+)\) (\w+)", flat)
        assert [(label, word) for label, _, word in refs] == [("1", "Whale")], name
        assert "2. Of wet dogs" in flat, "note 2 is called in note 1, in the Notes themselves: no page to give"
        # Note 1 is called on the story's opening page: the page the contents give for the story.
        opening = contents_numbers(Pdf(noted[name]))["The Lamplighter’s Round"]
        assert refs[0][1] == opening, f"{name}: note 1 is called on page {opening}, not {refs[0][1]}"


# -- 5. notes numbered in the order the book is read -------------------------------------------------


@pytest.mark.parametrize("placement, order", [
    ("end", ["A harbour town", "The first lamp", "My thanks"]),  # the authors' notes at the back
    ("front", ["My thanks", "A harbour town", "The first lamp"]),  # the authors' notes before every story
])
def test_notes_are_numbered_in_reading_order_wherever_the_authors_notes_go(tmp_path, placement, order):
    epub = Epub(built(project(tmp_path / placement, "render-author-notes.md", book=f'notes = "{placement}"')))
    calls = []
    for _, root in epub.spine_documents():  # the spine is the reading order
        for call in root.xpath("//x:a[@epub:type='noteref']", namespaces=NS):
            calls.append((call.text, "".join(call.getparent().itertext())))
    assert [label for label, _ in calls] == ["1", "2", "3"], "the calls read 1, 2, 3 as the book is read"
    assert [text[:len(start)] for (_, text), start in zip(calls, order)] == order


# -- 6. a note object called twice --------------------------------------------------------------------


def _render(book: Book, notes_at: str = "document"):
    href = lambda document, fragment: f"{document}.xhtml" + (f"#{fragment}" if fragment else "")  # noqa: E731
    rendered = render_book(book, RenderOptions(notes_at=notes_at), href, lambda src: src)
    roots = {}
    for document in rendered.documents:
        roots[document.name] = etree.fromstring(
            f'<body xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">{document.body}'
            "</body>")
    return roots


def test_a_note_called_twice_never_gives_two_anchors_one_id():
    shared = Note([Paragraph([Text("The same note, met twice.")])])
    story = Story(title="Twice", id="twice", chapters=[Chapter(id="twice-1", blocks=[
        Paragraph([Text("Once."), shared, Text(" And again."), shared]),
    ])])
    for notes_at in ("document", "book"):
        roots = _render(Book(title="B", identifier="x", stories=[story]), notes_at)
        for name, root in roots.items():
            ids = root.xpath("//@id")
            assert len(ids) == len(set(ids)), f"{notes_at}/{name}: duplicate ids {sorted(ids)}"
        calls = roots["twice"].xpath("//x:a[@epub:type='noteref']", namespaces=NS)
        assert [call.text for call in calls] == ["1", "2"]
        notes = roots["twice" if notes_at == "document" else "endnotes"]
        for call in calls:
            fragment = call.get("href").partition("#")[2]
            assert notes.xpath(f"//*[@id='{fragment}']", namespaces=NS), f"{notes_at}: {fragment} is set"


# -- 7. note labels, the book's Notes, the author's notes ----------------------------------------------


def _mixed_book() -> Book:
    paragraph = Paragraph([Text("A footnote here."), Note([Paragraph([Text("The footnote.")])]),
                           Text(" An endnote there."), Note([Paragraph([Text("The endnote.")])], kind="endnote")])
    return Book(title="B", identifier="x", stories=[
        Story(title="Mixed", id="mixed", chapters=[Chapter(id="mixed-1", blocks=[paragraph])])])


def test_note_labels_end_with_a_full_stop_and_each_kind_is_its_own_list():
    story = _render(_mixed_book())["mixed"]
    labels = story.xpath("//x:a[@role='doc-backlink']/text()", namespaces=NS)
    assert labels == ["1.", "i."], "footnotes and endnotes read alike: “1.”, “i.”"
    book_notes = _render(_mixed_book(), "book")["endnotes"]
    lists = book_notes.xpath("//x:ol[contains(@class, 'note-list')]", namespaces=NS)
    assert [(ol.get("type"), [li.get("value") for li in ol]) for ol in lists] == [(None, ["1"]), ("i", ["1"])], \
        "footnotes 1, 2… and endnotes i, ii… are two lists, so no number is given twice in one"


def test_the_books_notes_and_the_authors_notes_have_different_words_in_every_language():
    for language in LABELS:
        labels = labels_for(language)
        authors = {labels[key] for key in ("story_notes", "end_notes", "chapter_end_notes", "author_notes",
                                           "authors_notes")}
        assert labels["notes"] not in authors, f"{language}: “{labels['notes']}” names two things"
        assert set(LABELS[language]) >= {"notes", "story_notes", "end_notes", "chapter_end_notes", "author_notes",
                                         "authors_notes", "page"}, f"{language} has its own words for them"


def test_a_chapters_end_note_is_labelled():
    chapters = [Chapter(title=f"Chapter {n}", id=f"s-{n}", blocks=[Paragraph([Text("Text.")])],
                        end_notes=[Paragraph([Text(f"Thanks, chapter {n}.")])]) for n in (1, 2)]
    roots = _render(Book(title="B", identifier="x", stories=[Story(title="S", id="s", chapters=chapters)]))
    for name in ("s", "s-2"):
        end = roots[name].xpath("//x:div[@class='chapter-end-notes']", namespaces=NS)[0]
        assert end.xpath("string(x:p[1][@class='block-label'])", namespaces=NS) == "Author’s Note"


# -- 8. page make-up -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_heading_that_ends_a_chapter_opens_its_own_page(makeup):
    epub_path, pdf = makeup
    _, root = story_document(Epub(epub_path))
    part = root.xpath("//x:*[contains(@class, 'part-title')]", namespaces=NS)
    assert ["".join(h.itertext()) for h in part] == ["Interlude: The Flood Year"]
    pages = page_texts(pdf)
    alone = pages[page_holding(pages, "Interlude: The Flood Year")]
    body = [line.strip() for line in alone.splitlines() if line.strip()][1:-1]  # running head and folio aside
    assert body == ["Interlude: The Flood Year"], "the part title stands on a page of its own"
    assert "Chapter Two" in pages[page_holding(pages, "Interlude: The Flood Year") + 1]


@pytest.mark.slow
def test_after_a_one_line_opening_the_next_paragraph_starts_under_the_drop_cap(makeup):
    _, pdf = makeup
    pages = page_words(pdf)
    words = next(w for w in pages if any(word[0] == "Except" for word in w))
    left = min(w[1] for w in words if w[0] in ("ferryman", "man", "unless", "the"))  # lines of the text block
    except_x = next(w[1] for w in words if w[0] == "Except")
    assert except_x - left < 16, "the paragraph is indented, not set beside the letter"


@pytest.mark.slow
def test_an_opening_pushed_to_the_next_page_keeps_its_drop_cap(tmp_path):
    """Stories whose author's notes grow a little longer each time, so that in some the opening
    paragraph no longer fits under them and moves to the next page: WeasyPrint made the drop cap
    a second time there and stopped the build with an assertion."""
    folder = project(tmp_path / "book")
    words = "the keeper wrote the entries the way the lamp was trimmed slowly and with care".split()
    for n in range(12):
        notes = " ".join(words[i % len(words)] for i in range(150 + 22 * n)).capitalize()
        (folder / "manuscripts" / f"{n:02d}.md").write_text(
            f"---\ntitle: Keeper {n}\nauthor: A. Keeper\n---\n\nNotes: {notes}.\n\n"
            "Day one. The fog came in at four and did not leave.\n\nDay two. Nothing.\n")
    pages = [re.sub(r"\s+", " ", page) for page in page_texts(built(folder, "pdf", jobs=1))]
    openings = [page for page in pages if "ay one. The fog came in at four" in page]
    assert len(openings) == 12
    assert any("Author’s Note" not in page for page in openings), "some opening moved to the page after its notes"


@pytest.mark.slow
def test_raised_and_lowered_text_does_not_spread_the_lines(makeup):
    _, pdf = makeup
    words = next(w for w in page_words(pdf) if any(word[0] == "letter" for word in w))
    start = next(w for w in words if w[0] == "He" and w[1] > 0)
    lines: dict[float, float] = {}
    for word in words:
        if word[2] >= start[2] - 1 and word[0] not in ("th", "st", "2"):  # the script's own boxes aside
            lines.setdefault(round(word[4]), word[4])
    baselines = sorted(lines.values())[:5]
    gaps = [b - a for a, b in zip(baselines, baselines[1:])]
    assert max(gaps) - min(gaps) < 0.6, f"every line of the paragraph is as far from the next: {gaps}"


@pytest.mark.slow
def test_a_short_table_is_never_split_across_pages(tmp_path):
    """Twenty-four short tables, each after a longer paragraph than the one before, so that some
    would fall across a page break: each is on one page."""
    words = "the tide came in over the flats and the clerk wrote it down in the ledger as he always did".split()
    lines = ["---", "title: The Tide Tables", "author: Wil Pask", "---", ""]
    for table in range(24):
        lines += [" ".join(words[i % len(words)] for i in range(20 + 5 * table)).capitalize() + ".", "",
                  f"| Day | Tide {table} | Height |", "|---|---|---:|"]
        lines += [f"| D{table}r{row} | {row + 1}:{10 + row * 7} | {row + 2}.{row} |" for row in range(5)] + [""]
    folder = project(tmp_path / "book")
    (folder / "manuscripts" / "tables.md").write_text("\n".join(lines), encoding="utf-8")
    pages = page_texts(built(folder, "pdf"))
    spread: dict[int, set[int]] = {}
    for index, page in enumerate(pages):
        for match in re.finditer(r"D(\d+)r\d", page):
            spread.setdefault(int(match.group(1)), set()).add(index)
    assert len(spread) == 24
    assert all(len(where) == 1 for where in spread.values()), {t: sorted(p) for t, p in spread.items() if len(p) > 1}


@pytest.mark.slow
def test_a_list_item_is_never_alone_at_the_foot_or_head_of_a_page(tmp_path):
    """Twenty-four lists of four items, each after a longer paragraph than the one before: where
    a list crosses a page, at least two of its items are on each side."""
    words = "the tide came in over the flats and the clerk wrote it down in the ledger as he always did".split()
    lines = ["---", "title: The Tide Lists", "author: Wil Pask", "---", ""]
    for number in range(24):
        lines += [" ".join(words[i % len(words)] for i in range(20 + 5 * number)).capitalize() + ".", ""]
        lines += [f"- item L{number}i{item} of the list" for item in range(4)] + [""]
    folder = project(tmp_path / "book")
    (folder / "manuscripts" / "lists.md").write_text("\n".join(lines), encoding="utf-8")
    items: dict[int, dict[int, int]] = {}
    for index, page in enumerate(page_texts(built(folder, "pdf"))):
        for match in re.finditer(r"L(\d+)i\d", page):
            per_page = items.setdefault(int(match.group(1)), {})
            per_page[index] = per_page.get(index, 0) + 1
    assert len(items) == 24
    alone = {number: pages for number, pages in items.items() if len(pages) > 1 and min(pages.values()) < 2}
    assert not alone, f"a list item alone on a page (list: page → items): {alone}"


@pytest.fixture(scope="module")
def almanac_pdf(tmp_path_factory):
    """The structure book's archive download, whose chapter ends with the author's note."""
    folder = tmp_path_factory.mktemp("almanac") / "book"
    (folder / "manuscripts").mkdir(parents=True)
    shutil.copy(FIXTURES / "structure" / "manuscripts" / "04-the-bellringers-almanac.html", folder / "manuscripts")
    shutil.copytree(FIXTURES / "structure" / "images", folder / "images")
    (folder / "book.toml").write_text('[book]\ntitle = "Almanac"\nlanguage = "en"\n', encoding="utf-8")
    return built(folder, "pdf")


@pytest.mark.slow
def test_a_contents_entry_is_never_parted_from_its_author(tmp_path):
    """Thirty stories, some with titles of two lines: the contents run over pages, and every
    title is on the page of its author."""
    folder = project(tmp_path / "book")
    names = ["Ada Brennick", "Oskar Lind", "Mirela Sand", "Petra Okafor", "Tamsin Vell", "Jonah Arkwright"]
    for n in range(30):
        title = "The " + "Long " * (n % 4) + f"Night Number {n + 1}" + (
            " and the Lantern That Would Not Stay Lit in the Rain" if n % 5 == 2 else "")
        (folder / "manuscripts" / f"{n:02d}.md").write_text(
            f"---\ntitle: {title}\nauthor: {names[n % 6]}\n---\n\nOne short paragraph of story {n + 1}.\n")
    pages = [re.sub(r"\s+", " ", page) for page in page_texts(built(folder, "pdf"))]
    contents = [page for page in pages if " . . . " in page]  # the dot leaders
    checked = 0
    for n in range(30):
        number = f"Night Number {n + 1}"
        page = next(page for page in contents if re.search(re.escape(number) + r"\b", page))
        entry = page[page.index(number):]
        assert re.match(re.escape(number) + r"[\w ]*? (\. )+\.? ?\d+ " + names[n % 6], entry), \
            f"{number} is followed by its author, {names[n % 6]}, on its page of the contents"
        checked += 1
    assert checked == 30


@pytest.mark.slow
def test_a_chapters_end_note_is_labelled_and_stays_with_the_end_of_its_text(almanac_pdf):
    pages = [re.sub(r"\s+", " ", page) for page in page_texts(almanac_pdf)]
    page = pages[page_holding(pages, "The rope really did snap one Easter")]
    assert "Author’s Note The rope really did snap" in page, "the note says what it is"
    assert "somebody deciding not to say something" in page, "the note is on the page where its chapter ends"


# -- 9. one typeface for a CJK passage -------------------------------------------------------------------


@pytest.mark.slow
def test_a_japanese_sentence_in_an_english_story_is_set_in_one_family(tmp_path):
    listed = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True).stdout \
        if shutil.which("fc-list") else ""
    if "Noto Serif CJK" not in listed or "Noto Sans CJK" not in listed:
        pytest.skip("needs both Noto Serif CJK and Noto Sans CJK installed (fonts-noto-cjk, fonts-noto-cjk-extra)")
    pdf = built(project(tmp_path / "book", "render-cjk.md"), "pdf")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    cjk = sorted({row.split()[0].split("+")[-1] for row in fonts.splitlines()[2:] if "CJK" in row})
    assert cjk == ["NotoSerifCJKjp-Regular"], f"kanji and kana in the serif face of the serif theme: {cjk}"


# -- 10. the Markdown reader's new classes are styled -----------------------------------------------------


@pytest.mark.slow
def test_definition_lists_callouts_and_highlights_are_styled_in_the_epub(makeup, tmp_path):
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (./dev test installs it)")
    epub = Epub(makeup[0])
    epub.zip.extractall(tmp_path / "book")
    href, _ = story_document(epub)
    script = ("function s(q,p){var e=document.querySelector(q);return e?getComputedStyle(e)[p]:'none';}"
              "document.body.setAttribute('data-probe',[s('p.term','fontWeight'),s('p.definition','marginLeft'),"
              "s('blockquote.callout','borderLeftStyle'),s('span.highlight','backgroundColor'),"
              "s('p.callout-title','fontVariantCaps')].join('|'));")
    weight, indent, border, background, caps = chromium_probe(tmp_path / "book" / epub.base / href, script,
                                                              tmp_path, 400).split("|")
    assert int(weight) >= 600, "a term is bold"
    assert float(indent.removesuffix("px")) > 0, "a definition is indented under its term"
    assert border == "solid", "a callout has a rule down its side"
    assert background not in ("rgba(0, 0, 0, 0)", "transparent", "none"), "a highlight is highlighted"
    assert caps == "small-caps", "a callout's title is in small capitals"


# -- every book above is a valid EPUB ---------------------------------------------------------------------


@pytest.mark.slow
def test_the_books_pass_epubcheck(wide, makeup, noted, tmp_path):
    from bookforge.validate.epubcheck import run_epubcheck

    books = [wide[0], makeup[0], noted["epub"], noted["book-epub"]]
    for placement in ("front", "end"):
        books.append(built(project(tmp_path / placement, "render-author-notes.md", "render-footnote-blocks.md",
                                   book=f'notes = "{placement}"\nfootnotes = "book"')))
    for report in run_epubcheck(books):
        assert report.clean, report.summary()
