"""The Word reader's fidelity: what a footnote holds (pictures, links), links that are not emphasis,
the ledger counting as the reader reads, languages and right-to-left text, later Title paragraphs
as parts, damaged or crafted documents, content controls in tables, huge list counters and
pictures in formats no e-reader shows. Inputs are made by LibreOffice or python-docx on Word's
template (tests/fixtures/shapes/docx-fixtures.py); damaged ones are those files broken on purpose."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, build, run_cli
from modelfacts import blocks, every
from epubfacts import NS, Epub
from PIL import Image as PillowImage
from test_zipsafe import members_of, zipped

from bookforge.diagnostics import Diagnostics
from bookforge.errors import ManuscriptError
from bookforge.model import Emph, Figure, Heading, Image, Link, Note, Paragraph, Span, Table, plain_text
from bookforge.readers import read_file

SHAPES = FIXTURES / "shapes"
TIDE_CLERK = FIXTURES / "structure" / "manuscripts" / "02-the-tide-clerk.docx"
EPUB_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")


def read(path: Path, name: str | None = None):
    diagnostics = Diagnostics()
    story = read_file(path, name or path.name, diagnostics)
    return story, diagnostics


def read_changed(tmp_path: Path, source: Path, change) -> tuple:
    """Read a fixture after `change(members)` broke or crafted some of its parts."""
    members = members_of(source.read_bytes())
    change(members)
    path = tmp_path / source.name
    path.write_bytes(zipped(members))
    return read(path)






def lost_words(diagnostics: Diagnostics) -> list[str]:
    return [d.format() for d in diagnostics.items if d.code == "F001"]


def book_of(tmp_path: Path, *manuscripts: Path) -> Path:
    project = tmp_path / "book"
    (project / "manuscripts").mkdir(parents=True)
    (project / "book.toml").write_text('[book]\ntitle = "Word"\nauthors = ["Maren Solberg"]\nlanguage = "en"\n')
    for manuscript in manuscripts:
        shutil.copy(manuscript, project / "manuscripts")
    return project


def centre_colour(data: bytes) -> tuple:
    """The colour of the lamp's light in a fixture picture (the pictures differ only there)."""
    with PillowImage.open(io.BytesIO(data)) as picture:
        return picture.convert("RGB").getpixel((60, 18))


# -- 1. a footnote's pictures and links are its own part's --------------------------------------


def test_a_footnote_picture_and_link_are_read_with_the_footnotes_part():
    story, diagnostics = read(SHAPES / "docx-note-picture-and-link.docx")
    note = every(story, Note)[0]
    pictures = every(note, Image)
    assert len(pictures) == 1 and pictures[0].alt.startswith("A lamp post on the quay")
    assert centre_colour(story.media[pictures[0].src]) == (255, 204, 0), "the note's own picture, not another"
    body_figure = every(blocks(story), Figure)[0]
    assert centre_colour(story.media[body_figure.image.src]) == (200, 40, 40)
    # word/footnotes.xml's rId2 is the note's link; document.xml's rId2 is the body's, another one.
    assert [link.href for link in every(note, Link)] == ["https://example.org/harbour/lamps"]
    assert not every(note, Emph), "the note's link is a link, not italic text"
    assert all(src.endswith(EPUB_SUFFIXES) for src in story.media)
    assert not lost_words(diagnostics)


def test_a_book_with_a_pictured_footnote_builds(tmp_path):
    results, _ = build(book_of(tmp_path, SHAPES / "docx-note-picture-and-link.docx"))
    epub = Epub(results[0].path)
    pngs = [item for item in epub.manifest().values() if item["media-type"] == "image/png"]
    assert len(pngs) == 2, "the body's picture and the note's"


# -- 2. a link's underline is the link's look, not emphasis -------------------------------------


def test_word_links_are_links_not_italic_but_underlined_words_are():
    story, diagnostics = read(SHAPES / "docx-hyperlinks-word.docx")
    links = every(story, Link)
    assert [link.href for link in links] == ["https://example.org/harbour/catalogue",
                                             "https://example.org/harbour/archive",  # a HYPERLINK field
                                             "https://example.org/harbour/secretary"]  # in a footnote
    assert not any(every(link, Emph) for link in links)
    assert [plain_text(e.children) for e in every(story, Emph)] == ["never"], "the author's underline stays"
    assert not lost_words(diagnostics)


def test_libreoffice_internet_links_are_not_italic():
    story, _ = read(SHAPES / "docx-note-picture-and-link.docx")
    paragraph = blocks(story)[0]
    assert [type(node).__name__ for node in paragraph.children[:3]] == ["Text", "Link", "Text"]
    assert not every(paragraph.children[:3], Emph)


# -- 3. the ledger counts what the reader reads -------------------------------------------------


def test_the_ledger_counts_hidden_styles_hyphens_and_ruby_as_the_reader_does():
    story, diagnostics = read(SHAPES / "docx-ledger-hidden-hyphen-ruby.docx")
    assert not lost_words(diagnostics)
    texts = [plain_text(block.children) for block in blocks(story)]
    assert texts[0] == "The keeper wrote the tide times in pencil, so they could be changed.", \
        "text hidden by a character style is left out"
    assert "half\u2011hour" in texts[1] and "twenty\u2011minute" in texts[1]
    assert "灯台(とうだい)" in texts[2]


def test_the_ledger_still_catches_a_lost_ruby_reading(monkeypatch):
    # The ledger must count a ruby's reading, not merely stay quiet about ruby.
    from bookforge.readers import docx

    original = docx._Reader._walk

    def forgetful(self, element, pieces, loc, boxes, link=None):
        if element is not None and getattr(element, "tag", "") == docx.W + "rt":
            return
        original(self, element, pieces, loc, boxes, link)

    monkeypatch.setattr(docx._Reader, "_walk", forgetful)
    _, diagnostics = read(SHAPES / "docx-ledger-hidden-hyphen-ruby.docx")
    assert [d.line for d in diagnostics.items if d.code == "F001"] == [3]


# -- 4. languages and right-to-left text --------------------------------------------------------


def test_passages_in_other_languages_and_directions_are_marked():
    story, diagnostics = read(SHAPES / "docx-languages.docx")
    french, arabic, japanese, sign, american, plain = blocks(story)
    spans = [node for node in french.children if isinstance(node, Span)]
    assert len(spans) == 1 and spans[0].attrs.lang == "fr-FR", "three French runs are one passage"
    assert plain_text(spans[0].children) == "« La mer ne rend que ce qu’elle veut bien rendre. »"
    assert every(spans[0], Emph), "its italic word is inside it"
    assert french.attrs is None
    assert (arabic.attrs.lang, arabic.attrs.dir) == ("ar-EG", "rtl") and not every(arabic, Span)
    assert japanese.attrs.lang == "ja-JP" and not every(japanese, Span)
    inner = every(sign, Span)
    assert len(inner) == 1 and (inner[0].attrs.lang, inner[0].attrs.dir) == ("ar-EG", "rtl")
    assert plain_text(inner[0].children) == "مرحبا بكم" and sign.attrs is None
    assert american.attrs is None and not every(american, Span), "en-US in an en-GB document is not marked"
    assert plain.attrs is None
    assert not lost_words(diagnostics)


def test_languages_and_directions_reach_the_epub(tmp_path):
    results, _ = build(book_of(tmp_path, SHAPES / "docx-languages.docx"))
    epub = Epub(results[0].path)
    text = b"".join(epub.read(href) for href in epub.spine_hrefs()).decode("utf-8")
    assert re.search(r'<p [^>]*lang="ar-EG"[^>]*dir="rtl"', text)
    assert re.search(r'<span [^>]*lang="fr-FR"', text)
    assert re.search(r'<span [^>]*lang="ar-EG"[^>]*dir="rtl"', text)


# -- 5. a later Title paragraph is a part of the story, in the contents --------------------------


def test_a_later_title_opens_a_part_that_reaches_the_contents(tmp_path):
    story, _ = read(TIDE_CLERK)
    titles = [chapter.title for chapter in story.chapters]
    assert titles == ["Chapter One: High Water", "Part Two: Low Water", "Chapter Two: The Long Ledger"]
    assert not story.chapters[1].blocks, "a part title directly followed by a chapter is a title page"
    assert not any("Part Two" in plain_text(h.children) for h in every(story, Heading))
    results, _ = build(book_of(tmp_path, TIDE_CLERK))
    nav = Epub(results[0].path).nav()
    entries = [" ".join("".join(a.itertext()).split()) for a in nav.xpath("//x:nav[@epub:type='toc']//x:a",
                                                                          namespaces=NS)]
    assert "Part Two: Low Water" in entries


def test_a_later_title_in_a_story_without_chapter_headings_is_a_chapter():
    story, _ = read(SHAPES / "subtitle-and-later-title.docx")
    assert story.title == "The Winter Boarders" and story.subtitle == "A story in two terms"
    assert [chapter.title for chapter in story.chapters] == [None, "Spring Term"]
    assert not every(story, Heading)


# -- 6. damaged and crafted documents -----------------------------------------------------------


def test_a_footnote_that_calls_itself_is_read_once(tmp_path):
    def calls_itself(members):
        members["word/footnotes.xml"] = members["word/footnotes.xml"].replace(
            b"</w:p></w:footnote></w:footnotes>",
            b'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r>'
            b"</w:p></w:footnote></w:footnotes>")

    story, diagnostics = read_changed(tmp_path, SHAPES / "footnote.docx", calls_itself)
    notes = every(story, Note)
    assert len(notes) == 1 and "the Sill" in plain_text(notes[0].blocks[0].children)
    assert any(d.code == "D001" and "same note" in d.message for d in diagnostics.items)


def test_a_damaged_notes_part_is_a_manuscript_error(tmp_path):
    def damaged(members):
        members["word/footnotes.xml"] = members["word/footnotes.xml"][:-40]

    with pytest.raises(ManuscriptError) as caught:
        read_changed(tmp_path, SHAPES / "footnote.docx", damaged)
    assert "notes part is damaged" in caught.value.message and caught.value.path == "footnote.docx"
    members = members_of((SHAPES / "footnote.docx").read_bytes())
    damaged(members)
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "weir.docx").write_bytes(zipped(members))
    result = run_cli("inspect", "weir.docx", cwd=tmp_path / "cli")
    assert result.returncode == 4 and "weir.docx" in result.stderr and "damaged" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_content_controls_without_content_are_passed_over(tmp_path):
    empty = b'<w:sdt><w:sdtPr><w:alias w:val="Empty"/><w:id w:val="77"/></w:sdtPr></w:sdt>'

    def controls(members):
        xml = members["word/document.xml"]
        xml = xml.replace(b"<w:body>", b"<w:body>" + empty, 1)
        xml = xml.replace(b"<w:tr>", empty + b"<w:tr>", 1).replace(b"<w:tc>", empty + b"<w:tc>", 1)
        members["word/document.xml"] = xml

    story, diagnostics = read_changed(tmp_path, SHAPES / "table-merged.docx", controls)
    original, _ = read(SHAPES / "table-merged.docx")
    assert every(story, Table)[0] == every(original, Table)[0]
    assert not lost_words(diagnostics)


# -- 7. rows and cells inside content controls and custom XML -----------------------------------


def test_table_rows_and_cells_in_content_controls_are_kept():
    story, diagnostics = read(SHAPES / "docx-table-content-controls.docx")
    table = every(story, Table)[0]
    rows = [[plain_text(cell.blocks[0].children) for cell in row] for row in table.rows()]
    assert rows == [["Monday", "3.9 m"], ["Tuesday", "4.0 m"], ["Wednesday", "4.2 m"], ["Thursday", "4.4 m"]]
    assert not lost_words(diagnostics)


# -- 8. list counters Word would never reach ----------------------------------------------------


def test_numbered_headings_count_sensibly(tmp_path):
    """A crafted w:start of two billion in letters once made a 77-million-character label; letters
    and Roman numerals beyond what Word writes fall back to digits, the usual ones are as before."""
    for start, fmt, first, second in [("2000000000", "lowerLetter", "2000000000", "2000000001"),
                                      ("3999", "upperRoman", "MMMCMXCIX", "4000"),
                                      ("27", "lowerLetter", "aa", "bb")]:
        def crafted(members):
            members["word/numbering.xml"] = members["word/numbering.xml"].replace(
                b'<w:start w:val="1"/><w:pStyle w:val="Heading1"/><w:numFmt w:val="decimal"/>',
                f'<w:start w:val="{start}"/><w:pStyle w:val="Heading1"/><w:numFmt w:val="{fmt}"/>'.encode(), 1)

        story, _ = read_changed(tmp_path, SHAPES / "chapter-heading-libreoffice-numbered.docx", crafted)
        assert [chapter.title for chapter in story.chapters] == [f"Chapter {first}: The Well",
                                                                 f"Chapter {second}: The Bridge"]


# -- 9. pictures in formats no e-reader shows ---------------------------------------------------


def test_tiff_and_bmp_become_png_and_a_metafile_is_named_and_left_out(tmp_path):
    story, diagnostics = read(SHAPES / "docx-pictures-tiff-bmp-emf.docx")
    figures = every(story, Figure)
    assert [f.image.alt for f in figures] == ["A lamp post with a blue light", "A lamp post with a green light"]
    for figure, colour in zip(figures, [(0, 120, 200), (0, 160, 60)]):
        data = story.media[figure.image.src]
        assert figure.image.src.endswith(".png") and data.startswith(b"\x89PNG")
        assert centre_colour(data) == colour, "every pixel kept"
    assert set(story.media) == {f.image.src for f in figures}
    left_out = [d for d in diagnostics.items if d.code == "D001"]
    assert len(left_out) == 1 and left_out[0].line == 4
    assert "A plan of the lamp room" in left_out[0].message and "EMF" in left_out[0].message
    assert "Save as Picture" in left_out[0].hint
    assert "plan of the lamp room" not in " ".join(plain_text(b.children) for b in blocks(story)
                                                   if isinstance(b, Paragraph))
    results, _ = build(book_of(tmp_path, SHAPES / "docx-pictures-tiff-bmp-emf.docx"), ("epub", "pdf"))
    types = [item["media-type"] for item in Epub(results[0].path).manifest().values()]
    assert types.count("image/png") == 2


def test_every_word_picture_reaches_the_book_in_a_format_it_may_hold():
    for path in sorted(SHAPES.glob("*.docx")) + [TIDE_CLERK]:
        if path.name.startswith("~$"):
            continue
        story, _ = read(path)
        assert all(src.endswith(EPUB_SUFFIXES) for src in story.media), path.name
