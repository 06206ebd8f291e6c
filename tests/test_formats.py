"""Every manuscript format in one anthology: Word (as Word and LibreOffice write it), Markdown, plain
text, an archive's HTML download and a story folder; golden models, placement in EPUB and PDF,
French typography and hyphenation, and hostile HTML."""

from __future__ import annotations

import http.server
import json
import re
import shutil
import threading

import pytest
from conftest import FIXTURES, build, check_golden, run_cli
from epubfacts import NS, Epub
from pdffacts import Pdf, squash

NN = "\u202f"

# Each reader's story in the fixture book, in reading order.
READERS = {
    "docx-word": "01-the-cartographers-apprentice.docx",
    "docx-libreoffice": "02-salt-and-static.docx",
    "md-french": "03-la-maison-des-marees.md",
    "html-archive": "04-the-lighthouse-keepers-log.html",
    "txt-chapters": "05-night-ferry.txt",
    "folder": "06-letters-from-the-shore",
}


@pytest.fixture(scope="module")
def formats(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats") / "formats"
    shutil.copytree(FIXTURES / "formats", folder)
    return folder


@pytest.fixture(scope="module")
def inspected(formats):
    """`bookforge inspect` on the project, as a user runs it."""
    result = run_cli("inspect", cwd=formats)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_reader_lands_in_one_anthology(inspected):
    sources = [story["source"] for story in inspected["stories"]]
    assert sources == [f"manuscripts/{name}" for name in READERS.values()]


@pytest.mark.parametrize("reader", READERS)
def test_each_reader_matches_its_golden_model(inspected, reader, update_golden):
    story = next(s for s in inspected["stories"] if s["source"].endswith(READERS[reader]))
    check_golden(f"inspect-{reader}", story, update_golden)


def _story(inspected, reader):
    return next(s for s in inspected["stories"] if s["source"].endswith(READERS[reader]))


def _types(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_word_keeps_emphasis_insertions_and_leaves_out_comments_and_deletions(inspected):
    story = _story(inspected, "docx-word")
    text = _types(story)
    assert story["title"] == "The Cartographer’s Apprentice", "core properties give the title"
    assert story["authors"] == ["Mara Quill"]
    for kind in ("Emph", "Strong", "SmallCaps", "Superscript"):
        assert f'"type": "{kind}"' in text, kind
    assert "carefully" in text, "a tracked insertion is in the book"
    assert "badly" not in text, "a tracked deletion is not"
    assert "CUT THIS" not in text, "comments are not"
    assert [c["title"] for c in story["chapters"]] == ["Chapter One: Ink", "Chapter Two: Vellum"]
    breaks = [b for b in story["chapters"][0]["blocks"] if b["type"] == "SceneBreak"]
    assert len(breaks) == 2, "two empty paragraphs, and a centred ❧, are scene breaks"
    assert story["notes"][0]["children"][0].startswith("For my sister")
    assert story["chapters"][0]["blocks"][0]["loc"].endswith(".docx:3"), "paragraph numbers stand for lines"


def test_libreoffice_docx_chapter_lines_summary_and_breaks(inspected):
    story = _story(inspected, "docx-libreoffice")
    assert story["summary"] and story["notes"]
    assert [c["title"] for c in story["chapters"]] == ["Chapter 1", "Chapter 2: Callsign"]
    assert [b["type"] for b in story["chapters"][0]["blocks"]].count("SceneBreak") == 1
    assert [b["type"] for b in story["chapters"][1]["blocks"]].count("SceneBreak") == 1
    text = _types(story)
    assert '"type": "Superscript"' in text and '"type": "Emph"' in text and '"type": "Strong"' in text


def test_archive_html_puts_every_note_where_it_belongs(inspected):
    story = _story(inspected, "html-archive")
    assert story["authors"] == ["wavesandwires"]
    assert story["meta"]["rating"] == "General Audiences"
    assert story["meta"]["relationships"] == ["Keeper/Sea", "Keeper & Gull"]
    assert story["summary"] and story["notes"] and story["end_notes"]
    first, second = story["chapters"]
    assert first["title"] == "Chapter 1: Fog" and first["summary"] and first["notes"] and first["end_notes"]
    assert "Thank you for reading" in _types(story["end_notes"])
    assert "comment" not in _types(story["end_notes"]), "the archive's own message is not the author's"
    assert [b["type"] for b in second["blocks"]] == ["Paragraph", "SceneBreak", "Paragraph"]


def test_a_folder_is_one_story_with_a_chapter_per_file(inspected):
    story = _story(inspected, "folder")
    assert story["title"] == "Letters From The Shore"
    assert story["authors"] == ["Hana Ito"] and story["summary"]
    assert [c["title"] for c in story["chapters"]] == ["The First Letter", "The Second Letter"]
    assert story["chapters"][1]["notes"], "a later file's notes go before its chapter"


def test_french_story_typography_in_the_model(inspected):
    story = _story(inspected, "md-french")
    assert story["language"] == "fr"
    text = _types(story)
    assert f"«{NN}Tu viens{NN}?{NN}»" in text
    assert "répondit\u00a0:" in text
    assert "lanterne\u00a0– une" in text
    assert "'" not in text.replace("\\'", "") and '\\"' not in text


@pytest.mark.slow
def test_everything_lands_in_the_epub_and_the_pdf(formats):
    results, diagnostics = build(formats, formats=("epub", "pdf"))
    assert not [d for d in diagnostics.items if d.severity == "error"]
    epub = Epub(results[0].path)
    documents = dict(epub.documents())
    archive = documents["text/the-lighthouse-keepers-log.xhtml"]
    order = [el.get("class") for el in archive.xpath("//x:body//*[@class]", namespaces=NS)
             if el.get("class") in ("story-preface", "story-summary", "story-notes", "chapter-summary",
                                    "chapter-notes", "opening", "chapter-end-notes")]
    assert order == ["story-preface", "story-summary", "story-notes", "chapter-summary", "chapter-notes",
                     "opening", "chapter-end-notes"]
    last = documents["text/the-lighthouse-keepers-log-2.xhtml"]
    assert last.xpath("//x:section[@class='story-end-notes']", namespaces=NS)
    french = documents["text/la-maison-des-marees.xhtml"]
    assert french.get("lang") == "fr" and french.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert f"«{NN}Tu viens{NN}?{NN}»" in "".join(french.itertext())
    letters = documents["text/letters-from-the-shore.xhtml"]
    passage = letters.xpath("//x:span[@lang='fr']", namespaces=NS)
    assert passage and "".join(passage[0].itertext()) == "c’est la vie", "a passage marked in another language"
    assert passage[0].get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    word = documents["text/the-cartographers-apprentice.xhtml"]
    assert word.xpath("string(//x:span[@class='smallcaps'])", namespaces=NS) == "Maps Lie Politely"
    assert word.xpath("string(//x:sup)", namespaces=NS) == "rd"
    breaks = sum(len(root.xpath("//x:hr[contains(@class, 'scene-break')]", namespaces=NS)) for root in documents.values())
    # Word, LibreOffice, French, archive (its &nbsp; paragraph is spacing: the work marks its breaks
    # with * * *), plain text
    assert breaks == 2 + 2 + 1 + 1 + 1

    pdf = Pdf(results[1].path)
    text = squash(pdf.text())
    positions = [text.find(squash(s)) for s in (
        "Rating", "A keeper writes to nobody", "Written during a week of fog", "The first entry.",
        "Entries are dated", "The fog came in at four", "The bell is real", "Clear at last", "Thank you for reading")]
    assert -1 not in positions and positions == sorted(positions), positions
    assert f"«{NN}Tu viens{NN}?{NN}»" in pdf.text() or squash(f"«{NN}Tu viens{NN}?{NN}»") in text


@pytest.mark.slow
def test_french_is_hyphenated_as_french_in_the_pdf(tmp_path):
    import pyphen

    folder = tmp_path / "hyphenation"
    (folder / "manuscripts").mkdir(parents=True)
    (folder / "book.toml").write_text('[book]\ntitle = "Césures"\nlanguage = "en"\n\n[pdf]\ntrim = "70x180mm"\n')
    sentence = ("Incontestablement, l'administration départementale réorganisait méthodiquement les "
                "établissements hospitaliers, particulièrement les laboratoires pharmaceutiques, "
                "indépendamment des circonstances extraordinaires; parallèlement, les représentants "
                "gouvernementaux recommandaient l'interprétation constitutionnelle.")
    (folder / "manuscripts" / "fr.txt").write_text("Title: Les Établissements\nLanguage: fr\n\n" + "\n\n".join([sentence] * 4))
    results, _ = build(folder, formats=("pdf",))
    lines = Pdf(results[0].path).text().splitlines()
    french, english = pyphen.Pyphen(lang="fr"), pyphen.Pyphen(lang="en_US")
    splits = []
    for line, following in zip(lines, lines[1:]):
        if line.endswith(("\u2010", "-")) and following.strip():
            head = re.findall(r"[\w’']+$", line[:-1])[0].split("’")[-1]
            tail = re.match(r"[\w]+", following.strip()).group(0)
            if (head + tail).isalpha():  # not the imprint's identifier
                splits.append((head + tail, len(head)))
    assert len(splits) >= 5, splits
    assert all(at in french.positions(word) for word, at in splits), splits
    assert any(at not in english.positions(word) for word, at in splits), "English patterns would not break there"


@pytest.mark.slow
def test_hostile_html_is_cleaned_and_nothing_is_fetched(project):
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        folder = project("formats")
        (folder / "manuscripts" / "hostile.html").write_text(
            f'<html><head><title>Glass Harbour</title><script src="{url}/evil.js"></script></head>\n'
            f'<body onload="steal()">\n<p>The harbour was glass.<img src="{url}/pixel.gif" alt=""></p>\n'
            f'<p onclick="x()">She walked <a href="javascript:evil()">along</a> the quay.</p>\n'
            f'<iframe src="{url}/frame"></iframe>\n<p>The end.</p>\n</body></html>\n'
        )
        results, diagnostics = build(folder, formats=("epub", "pdf"))
    finally:
        server.shutdown()
    assert requests == []
    warnings = {(d.code, d.path) for d in diagnostics.items}
    assert ("H001", "manuscripts/hostile.html") in warnings
    assert ("M005", "manuscripts/hostile.html") in warnings, "the remote image is named"
    messages = " ".join(d.message for d in diagnostics.items if d.code == "H001")
    for what in ("<script>", "onload=", "onclick=", "javascript:", "<iframe>"):
        assert what in messages, what
    epub = Epub(results[0].path)
    markup = "".join(epub.read(name).decode() for name, _ in epub.documents() if "glass" in name)
    assert "harbour was</span> glass.</p>" in markup and "She walked along the quay." in markup
    for gone in ("script", "onload", "onclick", "javascript", "iframe", "127.0.0.1", "<img"):
        assert gone not in markup, gone
