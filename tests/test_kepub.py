"""KEPUB for Kobo: sentence splitting, koboSpan ids, the wrapper divs and style hacks, the text
unchanged document by document, and the `kepub` and `azw3` commands (calibre when installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import pytest
from conftest import FIXTURES, REPO, build, run_cli
from epubfacts import NS, Epub
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from bookforge.transforms.kobo import split_sentences

SENTENCES = [
    # (text, the pieces it is cut into)
    ("The end.", ["The end."]),
    ("It rained. Then it stopped.", ["It rained. ", "Then it stopped."]),
    ("“Stop!” she cried. “Wait for me.” He did not.", ["“Stop!” she cried. ", "“Wait for me.” ", "He did not."]),
    ("“Hello,” he said. “How are you?” “Fine.”", ["“Hello,” he said. ", "“How are you?” ", "“Fine.”"]),
    ('"Why?" she asked. "Because."', ['"Why?" she asked. ', '"Because."']),
    ("I waited… Nothing came.", ["I waited… ", "Nothing came."]),
    ("And then… she left.", ["And then… she left."]),
    ("Careful... it's hot. Really.", ["Careful... it's hot. ", "Really."]),
    ("Mr. Smith met Dr. Jones at St. Ives. They talked.", ["Mr. Smith met Dr. Jones at St. Ives. ", "They talked."]),
    ("Mrs. Okafor and Prof. Lind were late. So was I.", ["Mrs. Okafor and Prof. Lind were late. ", "So was I."]),
    ("J. R. R. Tolkien wrote it. We read it.", ["J. R. R. Tolkien wrote it. ", "We read it."]),
    ("Bring fruit, e.g. apples. Thanks.", ["Bring fruit, e.g. apples. ", "Thanks."]),
    ("U.S. troops came. Then rain.", ["U.S. troops came. ", "Then rain."]),
    ("She looked at the sun. It was hot.", ["She looked at the sun. ", "It was hot."]),
    ("It cost 3.50 dollars. Cheap.", ["It cost 3.50 dollars. ", "Cheap."]),
    ("Chapter 2. 1999 was a bad year.", ["Chapter 2. ", "1999 was a bad year."]),
    ("What?! No way.", ["What?! ", "No way."]),
    ("He left. — She stayed.", ["He left. ", "— She stayed."]),
    ("He left.\u00a0She stayed.", ["He left.\u00a0", "She stayed."]),
    ("« Quoi\u202f?\u202f» dit-il. « Rien\u202f!\u202f» Elle partit.",
     ["« Quoi\u202f?\u202f» dit-il. ", "« Rien\u202f!\u202f» ", "Elle partit."]),
    ("¿Qué? ¡Nada! Bueno.", ["¿Qué? ", "¡Nada! ", "Bueno."]),
    ("„Warum?“ fragte sie. Niemand antwortete.", ["„Warum?“ fragte sie. ", "Niemand antwortete."]),
    ("Он ушёл. Она осталась.", ["Он ушёл. ", "Она осталась."]),
    ("Trailing space. ", ["Trailing space. "]),
    ("  ", ["  "]),
]


@pytest.mark.parametrize("text, pieces", SENTENCES)
def test_sentences_are_split_where_a_reader_would(text, pieces):
    assert split_sentences(text) == pieces


@given(st.text(alphabet=st.sampled_from(list("aZ .!?…\"“”’'«»\u202f\u00a0—,:-J0\n")), max_size=80))
def test_splitting_never_loses_or_adds_a_character(text):
    pieces = split_sentences(text)
    assert "".join(pieces) == text
    assert all(pieces)


# ---------------------------------------------------------------------------------------------
# The KEPUB against the EPUB of the same book


def pair(folder):
    results, _ = build(folder, ("epub", "kepub"))
    return Epub(results[0].path), Epub(results[1].path)


@pytest.fixture(scope="module")
def sample_pair(tmp_path_factory):
    """The sample anthology as EPUB and KEPUB, built from a copy of the repository's project."""
    folder = tmp_path_factory.mktemp("sample") / "lamplight"
    folder.mkdir()
    shutil.copytree(REPO / "manuscripts", folder / "manuscripts")
    shutil.copy(REPO / "book.toml", folder / "book.toml")
    return pair(folder)


@pytest.fixture(scope="module")
def formats_pair(tmp_path_factory):
    """Every manuscript format, with small caps, superscripts, lists and a French story."""
    folder = tmp_path_factory.mktemp("formats") / "formats"
    shutil.copytree(FIXTURES / "formats", folder)
    return pair(folder)


@pytest.fixture(params=["sample_pair", "formats_pair"])
def any_pair(request):
    return request.getfixturevalue(request.param)


def body_text(root) -> str:
    return "".join(root.find("x:body", NS).itertext())


def test_kepub_is_named_for_kobo_and_has_the_same_files(sample_pair):
    epub, kepub = sample_pair
    assert kepub.path.name == "lamplight.kepub.epub"
    assert sorted(zipfile.ZipFile(epub.path).namelist()) == sorted(zipfile.ZipFile(kepub.path).namelist())
    assert epub.read("content.opf") == kepub.read("content.opf")
    assert epub.read("text/contents.xhtml") == kepub.read("text/contents.xhtml"), "the navigation document is left alone"


def test_the_visible_text_of_every_document_is_unchanged(any_pair):
    epub, kepub = any_pair
    before = dict(epub.documents())
    after = dict(kepub.documents())
    assert before.keys() == after.keys()
    for href in before:
        assert body_text(after[href]) == body_text(before[href]), href
        assert etree.tostring(after[href].find("x:head/x:title", NS)) == etree.tostring(before[href].find("x:head/x:title", NS))


def test_every_sentence_is_in_a_kobo_span_inside_the_kobo_wrappers(any_pair):
    _, kepub = any_pair
    for href, root in kepub.documents():
        if href == "text/contents.xhtml":
            continue
        body = root.find("x:body", NS)
        assert [child.get("id") for child in body] == ["book-columns"], href
        assert [child.get("id") for child in body[0]] == ["book-inner"], href
        hacks = root.xpath("//x:head/x:style[@class='kobostylehacks']/text()", namespaces=NS)
        assert hacks == ["div#book-inner { margin-top: 0; margin-bottom: 0; }"], href
        ids = root.xpath("//x:span[@class='koboSpan']/@id", namespaces=NS)
        assert ids and len(ids) == len(set(ids)), f"{href}: ids are unique"
        assert all(re.fullmatch(r"kobo\.\d+\.\d+", i) for i in ids), href
        # Every piece of text in the body is inside a span (or is only white space).
        for text in body.xpath(".//text()"):
            parent = text.getparent()
            inside = parent.xpath("ancestor-or-self::x:span[@class='koboSpan']", namespaces=NS)
            assert inside or not text.strip(), f"{href}: {text!r} is outside every koboSpan"


def test_span_ids_count_paragraphs_and_sentences(sample_pair):
    _, kepub = sample_pair
    root = kepub.document("text/the-night-ferry.xhtml")
    paragraphs = root.xpath("//x:p[not(@class)]", namespaces=NS)
    first_with_three = next(p for p in paragraphs if len(p.xpath(".//x:span[@class='koboSpan']", namespaces=NS)) >= 3)
    ids = first_with_three.xpath(".//x:span[@class='koboSpan']/@id", namespaces=NS)
    paragraph = {i.split(".")[1] for i in ids}
    assert len(paragraph) == 1, "one paragraph number per paragraph"
    assert [int(i.split(".")[2]) for i in ids] == list(range(1, len(ids) + 1)), "sentences counted from 1"
    numbers = [int(i.split(".")[1]) for i in root.xpath("//x:span[@class='koboSpan']/@id", namespaces=NS)]
    assert numbers == sorted(numbers), "paragraph numbers grow through the document"


def test_the_cover_image_sits_in_its_own_span(sample_pair):
    _, kepub = sample_pair
    cover = kepub.document("text/cover.xhtml")
    assert cover.xpath("//x:span[@class='koboSpan']/x:img/@role", namespaces=NS) == ["doc-cover"]


def test_kepub_command_and_build_to_kepub(project):
    folder = project("seeds_shape")
    result = run_cli("kepub", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "wrote build/seeds-shape.kepub.epub" in result.stderr
    first = (folder / "build" / "seeds-shape.kepub.epub").read_bytes()
    result = run_cli("build", "--to", "kepub", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert (folder / "build" / "seeds-shape.kepub.epub").read_bytes() == first, "byte-identical rebuilds"


# ---------------------------------------------------------------------------------------------
# AZW3 through calibre


def test_azw3_without_calibre_says_how_to_get_it(project, tmp_path):
    folder = project("seeds_shape")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    result = run_cli("azw3", cwd=folder, env={"PATH": str(empty)})
    assert result.returncode == 7
    assert "AZW3 needs calibre's ebook-convert, which is not installed" in result.stderr
    assert "apt-get install calibre" in result.stderr and "--email" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (folder / "build" / "seeds-shape.azw3").exists()


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("ebook-convert"), reason="calibre is not installed (apt-get install calibre): AZW3 conversion not tried")
@pytest.mark.parametrize("source", ["epub", "kepub"])
def test_calibre_converts_the_epub_and_the_kepub_to_azw3(project, tmp_path, source):
    folder = project("seeds_shape")
    results, _ = build(folder, (source,))
    target = tmp_path / "book.azw3"
    result = subprocess.run(["ebook-convert", str(results[0].path), str(target)], capture_output=True, text=True,
                            timeout=300, env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "error" not in result.stdout.lower().replace("errors=", ""), result.stdout[-2000:]
    meta = subprocess.run(["ebook-meta", str(target)], capture_output=True, text=True, timeout=120)
    assert re.search(r"Title\s*:\s*Seeds Shape", meta.stdout), meta.stdout


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("ebook-convert"), reason="calibre is not installed (apt-get install calibre): `bookforge azw3` not tried")
def test_bookforge_azw3_writes_a_kindle_book(project):
    folder = project("seeds_shape")
    result = run_cli("build", "--to", "azw3", cwd=folder, timeout=300)
    assert result.returncode == 0, result.stderr
    data = (folder / "build" / "seeds-shape.azw3").read_bytes()
    assert data[60:68] == b"BOOKMOBI", "a Kindle (MOBI/KF8) container"
