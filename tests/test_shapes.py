"""One regression test per shape of manuscript that bookforge once lost or mangled, each on a
minimal input made by the real producer (tests/fixtures/shapes, see its README)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, build, load, run_cli
from modelfacts import blocks, every
from epubfacts import NS, Epub

from bookforge.diagnostics import Diagnostics
from bookforge.model import (
    BlockQuote, Figure, Heading, LineBlock, ListBlock, Note, Paragraph, SceneBreak, Strikeout, Subscript,
    Superscript, Table, Text, plain_text, to_json,
)
from bookforge.readers import read_file, read_manuscript
from test_zipsafe import bombs, members_of, to_strict, zipped  # noqa: F401 - bombs is a fixture

SHAPES = FIXTURES / "shapes"


def read(name: str, text: str | None = None, suffix: str = ".md", tmp_path: Path | None = None):
    """(story, diagnostics) of a shape file, or of `text` written to a file of that suffix."""
    diagnostics = Diagnostics()
    if text is not None:
        path = tmp_path / f"{name}{suffix}"
        path.write_text(text, encoding="utf-8")
    else:
        path = SHAPES / name
    story = read_manuscript(path, path.name, diagnostics)
    return story, diagnostics






# -- issue: notes, tables, lists and strikethrough -----------------------------------------------


def test_markdown_footnotes_are_notes_not_literal_text(tmp_path):
    story, _ = read("notes", "A call.[^1] More.\n\n[^1]: The note.\n\n    Its second paragraph.\n", tmp_path=tmp_path)
    note = every(story, Note)[0]
    assert [type(b).__name__ for b in note.blocks] == ["Paragraph", "Paragraph"], "not a <pre>"
    assert "[^1]" not in json.dumps(to_json(story))


@pytest.mark.parametrize("name, kind", [("footnote.docx", "footnote"), ("endnote.docx", "endnote")])
def test_word_footnotes_and_endnotes_are_kept(name, kind):
    story, diagnostics = read(name)
    notes = every(story, Note)
    assert [note.kind for note in notes] == [kind]
    assert notes[0].blocks and "D001" not in diagnostics.codes()
    call_paragraph = blocks(story)[0]
    assert not every(call_paragraph, Superscript), "the call's raised number is the renderer's, not a <sup>"


def test_word_tables_keep_rows_cells_spans_and_head():
    story, _ = read("table-merged.docx")
    table = every(story, Table)[0]
    assert len(table.head) == 1 and len(table.body) >= 3
    cells = [cell for row in table.rows() for cell in row]
    assert any(cell.colspan == 2 for cell in cells) and any(cell.rowspan >= 2 for cell in cells)
    assert "right" in table.aligns


def test_html_and_markdown_tables_are_tables(tmp_path):
    story, _ = read("t", "<table><tr><th>A</th><th>B</th></tr><tr><td colspan='2'>wide</td></tr></table>",
                    ".html", tmp_path)
    table = every(story, Table)[0]
    assert len(table.head) == 1 and table.body[0][0].colspan == 2
    story, _ = read("m", "| a | b |\n|---|--:|\n| 1 | 2 |\n", tmp_path=tmp_path)
    table = every(story, Table)[0]
    assert table.aligns == ["", "right"]
    assert "–" not in json.dumps(to_json(story), ensure_ascii=False), "the separator row is not typographed"


@pytest.mark.parametrize("name", ["list-bullets.docx", "list-numbered.docx"])
def test_word_lists_keep_bullets_numbers_and_nesting(name):
    story, _ = read(name)
    lists = every(story, ListBlock)
    assert lists
    if name == "list-bullets.docx":
        assert not lists[0].ordered and any(isinstance(b, ListBlock) for item in lists[0].items for b in item)
    else:
        top = [block for block in blocks(story) if isinstance(block, ListBlock)]
        assert top[0].ordered and top[0].start == 3
        assert {item.style for item in lists} >= {"lower-alpha", "lower-roman"}


@pytest.mark.parametrize("source, suffix", [
    ("The board said ~~Today's Special: Salmon~~ Sold out.", ".md"),
    ("<p>The board said <s>Today's Special: Salmon</s> Sold out.</p>", ".html"),
    ("<p>The board said <strike>Today's Special: Salmon</strike> Sold out.</p>", ".html"),
    ("<p>The board said <del>Today's Special: Salmon</del> Sold out.</p>", ".html"),
])
def test_strikethrough_is_kept_everywhere(tmp_path, source, suffix):
    story, _ = read("s", source, suffix, tmp_path)
    assert [plain_text(s.children) for s in every(story, Strikeout)] == ["Today's Special: Salmon"]


def test_word_strike_and_double_strike():
    story, _ = read("strike.docx")
    assert [plain_text(s.children) for s in every(story, Strikeout)] == ["Today's Special: Salmon",
                                                                          "Open until midnight"]


def test_a_story_told_in_a_text_box_is_read_once_and_has_text():
    story, diagnostics = read("textbox.docx")
    text = " ".join(plain_text(p.children) for p in every(story, Paragraph))
    assert "biscuit tin" in text and text.count("biscuit tin") == 1, "the mc:Fallback copy is not read twice"
    assert "M003" not in diagnostics.codes()


def test_word_symbols_become_unicode_or_are_named(tmp_path):
    story, diagnostics = read("symbol.docx")
    text = plain_text(blocks(story)[0].children)
    assert "°" in text and "α" in text and "✓" in text and "D003" not in diagnostics.codes()
    # A symbol font bookforge has no table for (Marlett, Windows' window-controls font): named.
    members = members_of((SHAPES / "symbol.docx").read_bytes())
    members["word/document.xml"] = members["word/document.xml"].replace(b'w:font="Wingdings 3"', b'w:font="Marlett"')
    path = tmp_path / "symbol.docx"
    path.write_bytes(zipped(members))
    diagnostics = Diagnostics()
    read_file(path, "symbol.docx", diagnostics)
    missing = [d for d in diagnostics.items if d.code == "D003"]
    assert len(missing) == 1 and missing[0].line == 1 and "Marlett" in missing[0].message


def test_word_subtitle_and_a_later_title():
    story, _ = read("subtitle-and-later-title.docx")
    assert story.title == "The Winter Boarders" and story.subtitle == "A story in two terms"
    # a later Title opens a part of the story: a chapter of its own, in the contents
    assert [chapter.title for chapter in story.chapters] == [None, "Spring Term"] and not every(story, Heading)


def test_word_drop_cap_joins_its_paragraph():
    story, _ = read("dropcap.docx")
    first = blocks(story)[0]
    assert plain_text(first.children).startswith("When the last lamplighter")
    assert not every(first, Subscript)


def test_word_images_keep_their_bytes_alt_text_or_say_they_have_none(tmp_path):
    story, diagnostics = read("image-alt.docx")
    figure = every(story, Figure)[0]
    assert figure.image.alt.startswith("A small harbour office") and story.media[figure.image.src][:4] == b"\x89PNG"
    assert "D001" not in diagnostics.codes() and "D002" not in diagnostics.codes()
    _, diagnostics = read("image-no-alt.docx")
    assert diagnostics.codes() == ["D002"]
    project = tmp_path / "book"
    (project / "manuscripts").mkdir(parents=True)
    (project / "book.toml").write_text('[book]\ntitle = "Pictures"\n')
    shutil.copy(SHAPES / "image-alt.docx", project / "manuscripts")
    results, _ = build(project, ("epub", "pdf"))
    epub = Epub(results[0].path)
    images = [href for href in epub.manifest().values() if href["media-type"] == "image/png"]
    assert images, "the picture is in the EPUB"
    assert len(results[1].path.read_bytes()) > 10_000


# -- issue: manuscripts as they really arrive ---------------------------------------------------


def test_a_word_lock_file_is_skipped_and_said_only_with_verbose(tmp_path):
    project = tmp_path / "book"
    (project / "manuscripts").mkdir(parents=True)
    (project / "book.toml").write_text('[book]\ntitle = "Locked"\n')
    shutil.copy(SHAPES / "footnote.docx", project / "manuscripts")
    shutil.copy(SHAPES / "~$footnote.docx", project / "manuscripts")
    for litter in ("notes.txt~", ".#draft.md", "draft.md.swp", "x.tmp", ".DS_Store", "Thumbs.db", "desktop.ini"):
        (project / "manuscripts" / litter).write_bytes(b"\x00junk")
    result = run_cli("epub", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "~$" not in result.stderr
    verbose = run_cli("-v", "epub", cwd=project)
    assert "skipped ~$footnote.docx" in verbose.stderr


def test_story_folders_title_every_chapter(tmp_path):
    story, _ = read("folder-untitled-chapters")
    assert [c.title for c in story.chapters] == ["Chapter 1", "Chapter 2", "Epilogue"]
    story, _ = read("Last Gasp at Calama")
    assert story.title == "Last Gasp at Calama", "the author's case is kept"
    assert story.chapters[0].title == "Spaceman (First Class) Barrow"
    assert [plain_text(h.children) for h in every(story.chapters[0], Heading)] == ["Chapter End Notes"]


def test_every_chapter_is_headed_and_in_the_contents(tmp_path):
    project = tmp_path / "book"
    (project / "manuscripts").mkdir(parents=True)
    (project / "book.toml").write_text('[book]\ntitle = "Folders"\n')
    shutil.copytree(SHAPES / "folder-untitled-chapters", project / "manuscripts" / "The Quiet Year")
    shutil.copytree(SHAPES / "Last Gasp at Calama", project / "manuscripts" / "Last Gasp at Calama")
    results, _ = build(project)
    epub = Epub(results[0].path)
    entries = [" ".join("".join(a.itertext()).split()) for a in epub.nav().xpath("//x:nav[@epub:type='toc']//x:a",
                                                                             namespaces=NS)]
    for title in ("Chapter 1", "Chapter 2", "Epilogue", "Spaceman (First Class) Barrow"):
        assert any(entry.startswith(title) for entry in entries), title
    assert not any("Chapter End Notes" in entry for entry in entries)
    assert "Last Gasp at Calama" in " ".join(entries)


@pytest.mark.parametrize("text, title", [
    ("Chapter 1\nLauren walked in.\n", "Chapter 1"),
    ("CHAPTER ONE\nLauren walked in.\n", "CHAPTER ONE"),
    ("Prologue\nLauren walked in.\n", "Prologue"),
    ("Part Two\nLauren walked in.\n", "Part Two"),
    ("IV.\nLauren walked in.\n", "IV."),
])
def test_a_heading_line_directly_above_the_text(tmp_path, text, title):
    story, _ = read("h", "Some text first.\n\n" + text, ".txt", tmp_path)
    assert story.chapters[-1].title == title
    assert plain_text(story.chapters[-1].blocks[0].children) == "Lauren walked in."


def test_sentences_that_start_like_headings_are_text():
    story, _ = read("heading-no-blank-line.txt")
    assert [c.title for c in story.chapters] == ["Chapter 1", "CHAPTER TWO"]
    texts = [plain_text(b.children) for b in blocks(story) if isinstance(b, Paragraph)]
    assert any(t.startswith("Part one of the plan was simple.") for t in texts)
    assert any(t.startswith("Book two of the series") for t in texts)


def test_an_indented_letter_is_one_quotation_and_a_poem_keeps_its_lines():
    story, _ = read("indented-letter-and-verse.txt")
    quotes = [b for b in blocks(story) if isinstance(b, BlockQuote)]
    assert len(quotes) == 2
    letter, poem = quotes
    assert all(isinstance(b, (Paragraph, LineBlock)) for b in letter.children)
    assert max(len(plain_text(b.children)) for b in letter.children if isinstance(b, Paragraph)) > 150, \
        "the letter's wrapped lines are joined, not a paragraph a line"
    assert isinstance(poem.children[0], LineBlock) and len(poem.children[0].lines) >= 4


def test_archive_one_chapter_work_shows_its_title_once():
    story, _ = read("archive-one-chapter.html")
    assert len(story.chapters) == 1 and story.chapters[0].title is None
    assert not every(story, Heading)


def test_archive_spacer_paragraphs_are_not_scene_breaks():
    story, _ = read("archive-spacer-paragraphs.html")
    assert sum(isinstance(b, SceneBreak) for b in blocks(story)) == 3


def test_archive_translation_inspiration_and_series_are_kept():
    story, _ = read("archive-translation-series.html")
    notes = " ".join(plain_text(p.children) for p in story.notes)
    assert "A translation of El faro de las hermanas by marisal" in " ".join(notes.split())
    assert "Inspired by Two Keepers by tidewrack" in " ".join(notes.split())
    assert story.meta["series"] == ["Part 2 of Lights Along the Coast"]


def test_series_is_a_collection_when_the_book_is_that_work(tmp_path):
    project = tmp_path / "book"
    (project / "manuscripts").mkdir(parents=True)
    (project / "book.toml").write_text('[book]\ntitle = "The Sisters\' Light"\n')
    shutil.copy(SHAPES / "archive-translation-series.html", project / "manuscripts")
    results, _ = build(project)
    epub = Epub(results[0].path)
    assert epub.metadata("opf:meta[@property='belongs-to-collection']") == ["Lights Along the Coast"]
    assert epub.metadata("opf:meta[@property='group-position']") == ["2"]


def test_html_with_yaml_front_matter():
    story, diagnostics = read("jekyll-front-matter.html")
    assert story.title and story.authors and story.meta["rating"]
    text = " ".join(plain_text(p.children) for p in every(story, Paragraph))
    assert "layout" not in text and "---" not in text
    assert any(d.code == "M007" and "layout" in d.message for d in diagnostics.items)


@pytest.mark.parametrize("name", ["properties-placeholders.docx", "properties-placeholders-microsoft-account.docx"])
def test_word_placeholder_properties_are_ignored(name):
    story, diagnostics = read(name)
    assert story.authors == [] and story.title == ""
    assert [d.code for d in diagnostics.infos] and all(d.code == "I003" for d in diagnostics.infos)


def test_word_last_first_author_is_one_person_filed_as_written(tmp_path):
    story, diagnostics = read("properties-last-first.docx")
    assert story.title == "Salt Roads" and story.authors == ["Jason Seeley"]
    assert story.file_as == {"Jason Seeley": "Seeley, Jason"}
    assert [d.code for d in diagnostics.infos] == ["I002", "I002"], "said once each, as information"
    project = tmp_path / "book"
    (project / "manuscripts").mkdir(parents=True)
    (project / "book.toml").write_text('[book]\ntitle = "Roads"\n')
    shutil.copy(SHAPES / "properties-last-first.docx", project / "manuscripts")
    epub = Epub(build(project)[0][0].path)
    assert epub.metadata("opf:meta[@property='file-as']") == ["Seeley, Jason"]


def test_a_deleted_paragraph_mark_joins_the_paragraphs():
    story, _ = read("tracked-paragraph-mark-deletion.docx")
    texts = [plain_text(b.children) for b in blocks(story)]
    assert len(texts) == 2
    assert "middle of a sentence and he had to fetch" in texts[0]


def test_a_strict_open_xml_document_reads_as_its_transitional_twin(tmp_path):
    strict = tmp_path / "footnote.docx"
    strict.write_bytes(zipped(to_strict(members_of((SHAPES / "footnote.docx").read_bytes()))))
    twin, _ = read("footnote.docx")
    story = read_file(strict, "footnote.docx", Diagnostics())
    assert to_json(story.chapters) == to_json(twin.chapters) and story.title == twin.title


def test_libreoffice_heading_numbering_is_part_of_the_title():
    story, _ = read("chapter-heading-libreoffice-numbered.docx")
    assert story.chapters[0].title.startswith("Chapter 1")
    plain, _ = read("chapter-heading-libreoffice.docx")
    assert [c.title for c in story.chapters] == [c.title for c in plain.chapters]


def test_check_names_the_file_inside_a_story_folder(tmp_path):
    project = tmp_path / "book"
    (project / "manuscripts" / "collusion").mkdir(parents=True)
    (project / "book.toml").write_text('[book]\ntitle = "Folders"\n')
    (project / "manuscripts" / "collusion" / "01-a.txt").write_text("Author: A\n\nFine.\n")
    (project / "manuscripts" / "collusion" / "02-b.txt").write_text('He said "hello.\n\nAnd left.\n')
    result = run_cli("check", "--no-epubcheck", "--json", cwd=project)
    findings = json.loads(result.stdout)["findings"]
    unbalanced = [f for f in findings if f["code"] == "L001"]
    assert unbalanced and unbalanced[0]["path"] == "manuscripts/collusion/02-b.txt"


def test_a_build_without_book_toml_keeps_its_caches_out_of_the_current_folder(tmp_path):
    work = tmp_path / "here"
    work.mkdir()
    (work / "a.txt").write_text("Title: One\n\nHello.\n")
    cache = tmp_path / "cache"
    result = run_cli("epub", "a.txt", "-o", str(tmp_path / "elsewhere" / "x.epub"), cwd=work,
                     env={"XDG_CACHE_HOME": str(cache)})
    assert result.returncode == 0, result.stderr
    assert not (work / "build").exists(), "nothing written where the command ran"
    result = run_cli("pdf", "a.txt", "-o", str(tmp_path / "elsewhere" / "x.pdf"), cwd=work,
                     env={"XDG_CACHE_HOME": str(cache)})
    assert result.returncode == 0, result.stderr
    assert not (work / "build").exists() and (cache / "bookforge").is_dir()


def test_front_matter_keys_the_archive_uses_go_to_the_preface_others_are_named(tmp_path):
    story, diagnostics = read("f", "---\ntitle: T\ncontent_rating: Teen\ncontent_warning: none\nfandom: Original\n"
                              "relationships: [A/B]\ncharacters: [A, B]\ntags: [sea]\nseries: Part 1 of S\n"
                              "permalink: /x/\n---\n\nText.\n", tmp_path=tmp_path)
    assert story.meta["rating"] == "Teen" and story.meta["warnings"] == ["none"]
    assert story.meta["fandoms"] == ["Original"] and story.meta["series"] == "Part 1 of S"
    assert [d.code for d in diagnostics.items] == ["M007"] and "permalink" in diagnostics.items[0].message


@pytest.mark.slow
def test_a_zip_bomb_manuscript_is_refused_cleanly(tmp_path, bombs):
    project = tmp_path / "book"
    (project / "manuscripts").mkdir(parents=True)
    (project / "book.toml").write_text('[book]\ntitle = "Bomb"\n')
    shutil.copy(bombs["honest"], project / "manuscripts" / "story.docx")
    result = run_cli("epub", cwd=project)
    assert result.returncode == 4
    assert "manuscripts/story.docx" in result.stderr and "Traceback" not in result.stderr


def test_google_docs_export_keeps_styles_classes_give_and_its_footnote():
    story, diagnostics = read("google-docs-export.html")
    assert story.title == "The Salt Ledger"
    paragraph = blocks(story)[1]
    assert [type(n).__name__ for n in paragraph.children if not isinstance(n, str)].count("Emph") == 1
    assert every(paragraph, Strikeout) and every(story, Superscript)
    assert [plain_text(b.children) for b in every(story, Note)[0].blocks] == [
        "The first ledger is now in the museum on Quay Street, open at the last page."]
    assert sum(isinstance(b, SceneBreak) for b in blocks(story)) == 1, "the rule above the notes is not a break"
    assert diagnostics.codes() == []


def test_word_own_contents_is_left_out_equations_kept_charts_said(tmp_path):
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml

    document = Document()
    document.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Chapter One\t3", style="toc 1")
    document.add_paragraph("The lock-keeper measured the water twice a day.")
    math = ('<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"><w:r><w:t xml:space="preserve">'
            'He wrote it as </w:t></w:r><m:oMath><m:r><m:t>h=2t+1</m:t></m:r></m:oMath></w:p>')
    document.element.body.sectPr.addprevious(parse_xml(math))
    chart = ('<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
             'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><w:r><w:drawing><a:graphic>'
             '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"/></a:graphic>'
             '</w:drawing></w:r></w:p>')
    document.element.body.sectPr.addprevious(parse_xml(chart))
    path = tmp_path / "lock.docx"
    document.save(path)
    diagnostics = Diagnostics()
    story = read_file(path, "lock.docx", diagnostics)
    texts = [plain_text(b.children) for b in blocks(story)]
    assert texts == ["The lock-keeper measured the water twice a day.", "He wrote it as h=2t+1"]
    left_out = [d.message for d in diagnostics.items if d.code == "D001"]
    assert any("table of contents" in m for m in left_out) and any("chart" in m for m in left_out)
    assert "F001" not in diagnostics.codes()


def test_epub_bombs_are_refused_where_bookforge_reads_epubs(tmp_path):
    """`bookforge check` reads the built EPUB and `bookforge send` the EPUBs already on a device:
    both through the bomb-proof reader, since neither file need be the one bookforge wrote."""
    import zipfile

    from bookforge.send.devices import epub_identifier
    from bookforge.validate.built import check_epub

    bomb = tmp_path / "book.epub"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", '<container><rootfiles><rootfile full-path="EPUB/content.opf"/>'
                                                   "</rootfiles></container>")
        with archive.open("EPUB/content.opf", "w", force_zip64=True) as stream:  # 100 MB of one byte
            chunk = b"<" * (1 << 20)
            for _ in range(100):
                stream.write(chunk)
    assert bomb.stat().st_size < 1_000_000
    problems = check_epub(bomb, [])
    assert [p.code for p in problems] == ["E101"] and "zip bomb" in problems[0].message
    assert epub_identifier(bomb) is None


def test_markdown_comments_are_left_out_like_word_comments_and_raw_html_stays_text(tmp_path):
    story, diagnostics = read("c", "<!-- TODO: make the heron older -->\n\nThe heron<!-- grey? --> waited.\n\n"
                                   "A <b>bold</b> claim.\n", tmp_path=tmp_path)
    texts = [plain_text(b.children) for b in blocks(story)]
    assert texts == ["The heron waited.", "A <b>bold</b> claim."]
    assert "F001" not in diagnostics.codes()


def test_word_ruby_keeps_its_base_and_reading(tmp_path):
    from docx import Document
    from docx.oxml import parse_xml

    document = Document()
    ruby = ('<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:r><w:t>The sign said </w:t>'
            '</w:r><w:r><w:ruby><w:rubyPr><w:rubyAlign w:val="center"/></w:rubyPr><w:rt><w:r><w:t>とうきょう</w:t></w:r>'
            '</w:rt><w:rubyBase><w:r><w:t>東京</w:t></w:r></w:rubyBase></w:ruby></w:r><w:r><w:t>.</w:t></w:r></w:p>')
    document.element.body.sectPr.addprevious(parse_xml(ruby))
    path = tmp_path / "ruby.docx"
    document.save(path)
    diagnostics = Diagnostics()
    story = read_file(path, "ruby.docx", diagnostics)
    assert plain_text(blocks(story)[0].children) == "The sign said 東京(とうきょう)."
    assert "F001" not in diagnostics.codes()


# -- review of the structure work: shapes found by reading the code ------------------------------


def test_a_text_note_that_mentions_another_notes_number_stays_text(tmp_path):
    """`[2]` inside note 1's own text is its text, not a second call of note 2: two notes, two calls,
    and every id in the book once."""
    (tmp_path / "twice.txt").write_text(
        "Title: Twice Called\nAuthor: A. Writer\n\nThe first claim needs a source.[1] The second one too.[2]\n\n"
        "A further paragraph of prose.\n\n[1] Smith, page 4. See also [2] below.\n\n[2] Jones, page 9.\n",
        encoding="utf-8")
    diagnostics = Diagnostics()
    story = read_manuscript(tmp_path / "twice.txt", "twice.txt", diagnostics)
    notes = every(story, Note)
    assert [plain_text(note.blocks[0].children) for note in notes] == ["Smith, page 4. See also [2] below.",
                                                                       "Jones, page 9."]
    done = run_cli("epub", "twice.txt", "-o", "twice.epub", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ids = [i for _, root in Epub(tmp_path / "twice.epub").documents() for i in root.xpath("//@id")]
    assert len(ids) == len(set(ids))


def test_a_story_folder_keeps_what_every_file_says(tmp_path):
    """A file of end notes alone, a file of notes alone, a later co-author, a later file's subtitle:
    all reach the story (they used to be dropped without a word, past the ledger)."""
    folder = tmp_path / "The Long Way"
    folder.mkdir()
    (folder / "01-one.txt").write_text("Title: Setting Out\nAuthor: A. Writer\nSubtitle: a road story\n\n"
                                       "The first chapter begins on the quay.\n", encoding="utf-8")
    (folder / "02-afterword.txt").write_text("End notes: Thank you to my beta readers.\n", encoding="utf-8")
    (folder / "03-three.md").write_text("---\nnotes: A note for the third part, which has no text yet.\n---\n",
                                        encoding="utf-8")
    (folder / "04-four.md").write_text("---\nauthor: B. Helper\nlanguage: fr\n---\n\n# Arrivée\n\n"
                                       "Le dernier chapitre arrive au port.\n", encoding="utf-8")
    diagnostics = Diagnostics()
    story = read_manuscript(folder, "manuscripts/The Long Way", diagnostics)
    assert story.authors == ["A. Writer", "B. Helper"] and story.subtitle == "a road story"
    first, last = story.chapters
    # in reading order, after the text before them
    assert [plain_text(b.children) for b in first.end_notes] == ["Thank you to my beta readers.",
                                                                 "A note for the third part, which has no text yet."]
    assert last.title == "Arrivée" and last.blocks[0].attrs.lang == "fr"
    assert "F001" not in diagnostics.codes()


def test_a_link_in_a_story_folder_to_a_file_outside_it_is_refused(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("Not part of any book.\n", encoding="utf-8")
    folder = tmp_path / "book" / "manuscripts" / "Story"
    folder.mkdir(parents=True)
    (tmp_path / "book" / "book.toml").write_text('[book]\ntitle = "T"\nauthors = ["A"]\n', encoding="utf-8")
    (folder / "01.txt").write_text("The story's own text.\n", encoding="utf-8")
    (folder / "02.txt").symlink_to(outside)
    done = run_cli("inspect", cwd=tmp_path / "book")
    assert done.returncode == 4 and "Traceback" not in done.stderr
    assert "manuscripts/Story/02.txt: error: is a link to a file outside its story folder" in done.stderr
    assert "Not part of any book" not in done.stdout


def test_a_picture_inside_a_manuscript_of_a_type_no_epub_holds_is_left_out_and_said(tmp_path):
    """The safety net under every reader: a Word document's EMF picture reaching the book is refused
    by name (it used to crash the EPUB with KeyError '.emf' and vanish silently from the PDF)."""
    from bookforge.model import Book, Chapter, Image, Story
    from bookforge.transforms.resources import check_images

    story = Story(source="s.docx", title="S", chapters=[Chapter(blocks=[
        Figure(Image("s.docx/image1.emf", "a chart"), [], loc=None),
        Paragraph([Text("Before "), Image("s.docx/image2.png", "a lamp"), Text(" after.")])])])
    story.media = {"s.docx/image1.emf": b"\x01\x00\x00\x00", "s.docx/image2.png": b"\x89PNG"}
    diagnostics = Diagnostics()
    check_images(Book(title="B", stories=[story]), tmp_path, diagnostics)
    assert [d.code for d in diagnostics.items] == ["M005"]
    assert "s.docx/image1.emf' is not a JPEG, PNG, GIF, SVG or WebP image" in diagnostics.items[0].message
    assert "Save as Picture" in diagnostics.items[0].hint
    assert [type(b).__name__ for b in story.chapters[0].blocks] == ["Paragraph", "Paragraph"]
    assert [i.src for i in every(story, Image)] == ["s.docx/image2.png"]


def test_plain_text_lettered_and_roman_lists_typed_as_lines(tmp_path):
    story, _ = read("lists", "Title: Lists\n\nThe recipe had three parts:\n\na. flour\nb. water\nc. salt\n\n"
                             "And three warnings:\n\ni) never rush\nii) never sulk\niii) never stop\n\n"
                             "A. Writer and B. Reader were there.\n", suffix=".txt", tmp_path=tmp_path)
    lists = every(story, ListBlock)
    assert [(item.ordered, item.start, item.style) for item in lists] == [(True, 1, "lower-alpha"),
                                                                          (True, 1, "lower-roman")]
    assert plain_text(blocks(story)[-1].children) == "A. Writer and B. Reader were there."


def test_a_part_title_page_is_not_a_chapter_without_text(tmp_path):
    """A later Title paragraph ("Part Two: Low Water") directly before a chapter is a part's title
    page: `bookforge check` does not call it an empty chapter; an empty "The Second Room" it does."""
    from bookforge.lint import lint_book

    project = tmp_path / "book"
    (project / "manuscripts").mkdir(parents=True)
    (project / "book.toml").write_text('[book]\ntitle = "T"\nauthors = ["A"]\n', encoding="utf-8")
    (project / "manuscripts" / "s.md").write_text(
        "---\ntitle: Tides\n---\n\n# One\n\nThe first part's text.\n\n# Part Two: Low Water\n\n# Three\n\n"
        "The second part's text.\n\n# The Second Room\n\n# Four\n\nThe end.\n", encoding="utf-8")
    book, _ = load(project)
    empty = [f.message for f in lint_book(book, {}, typography=True) if f.code == "L004"]
    assert empty == ["chapter “The Second Room” has no text"]
