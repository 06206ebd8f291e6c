"""The HTML reader keeps what the page holds: every paragraph of a note, notes that share a block,
Google Docs' flat lists nested again, right-to-left passages, preformatted spacing, ruby, frames,
figures, pictures the sanitiser empties; and leaves out a word processor's own contents, saying so.
Each on a page made by its real producer where there is one (tests/fixtures/shapes/html-*)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, build
from modelfacts import blocks, every
from epubfacts import Epub

from bookforge.diagnostics import Diagnostics
from bookforge.model import (
    BlockQuote, Figure, Link, ListBlock, Note, Paragraph, Preformatted, SceneBreak, Span, Superscript, plain_text,
    to_json,
)
from bookforge.readers import read_manuscript

SHAPES = FIXTURES / "shapes"
STRUCTURE = FIXTURES / "structure" / "manuscripts"


def read(name: str | Path, html: str | None = None, tmp_path: Path | None = None):
    """(story, diagnostics) of a shape file, or of `html` written to a page in tmp_path."""
    if html is not None:
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
    else:
        path = name if isinstance(name, Path) else SHAPES / name
    diagnostics = Diagnostics()
    return read_manuscript(path, path.name, diagnostics), diagnostics






def texts(found) -> list[str]:
    return [plain_text(block.children) for block in found]


def shape(note: Note) -> list[str]:
    return [type(block).__name__ for block in note.blocks]


def dumped(story) -> str:
    return json.dumps(to_json(story), ensure_ascii=False)


# -- 1. every paragraph of a note stays in the note -----------------------------------------------


def test_libreoffice_note_keeps_its_paragraphs_and_list():
    story, diagnostics = read("html-libreoffice-note-paragraphs.html")
    footnote, endnote = every(story, Note)
    assert (footnote.kind, shape(footnote)) == ("footnote", ["Paragraph", "Paragraph", "ListBlock"])
    assert texts(footnote.blocks[:2]) == ["The door is now in the harbour museum, chalk and all.",
                                          "A second door, painted over in the spring, held the winter's count."]
    assert [texts(item) for item in footnote.blocks[2].items] == [["one mark for a crossing,"],
                                                                  ["a ring for a crossing in fog."]]
    assert (endnote.kind, texts(endnote.blocks)) == ("endnote", ["The harbour master noticed on the Thursday.",
                                                                 "He said nothing about it until the spring."])
    assert texts(blocks(story)) == ["Oskar counted the crossings in chalk on the wheelhouse door. Nobody asked him to.",
                                    "In the last week of the season he stopped counting altogether.",
                                    "The door stayed as it was."], "no note paragraph left in the text"
    assert diagnostics.codes() == []


def test_archive_note_runs_to_its_back_link_with_its_list():
    story, diagnostics = read("html-archive-note-paragraphs.html")
    first, second = every(story, Note)
    assert shape(first) == ["Paragraph", "Paragraph", "ListBlock", "Paragraph"]
    assert texts([first.blocks[0], first.blocks[-1]]) == [
        "The order was his grandfather's, and it made no sense to anyone else.", "Nobody ever asked why."]
    assert texts(second.blocks) == ["He said he could find his own door in the dark. He could not."]
    assert len(blocks(story)) == 2 and "↩" not in dumped(story)
    assert diagnostics.codes() == []


@pytest.mark.parametrize("name, words", [
    ("04-the-bellringers-almanac.html", "A longer explanation, with diagrams"),
    ("06-the-lending-library-of-small-weather.html", "A list of the jars once hung in the lobby"),
])
def test_structure_stories_second_note_paragraph_is_in_the_note(name, words):
    story, diagnostics = read(STRUCTURE / name)
    holding = [note for note in every(story, Note) if any(words in plain_text(b.children) for b in note.blocks)]
    assert len(holding) == 1 and len(holding[0].blocks) == 2
    assert not any(words in plain_text(b.children) for b in every(story.chapters, Paragraph)
                   if not any(b is inner for note in every(story, Note) for inner in note.blocks))
    assert "↩" not in dumped(story) and "F001" not in diagnostics.codes()


def test_google_docs_note_keeps_its_second_paragraph():
    story, diagnostics = read("html-google-docs-lists-and-notes.html")
    first, second = every(story, Note)
    assert texts(first.blocks) == ["A cooper’s list is always too long.", "This one ran on to the back of the page."]
    assert texts(second.blocks) == ["The shop is a bakery now."]
    assert diagnostics.codes() == []


def test_word_filtered_html_note_keeps_its_second_paragraph(tmp_path):
    call = ('<a href="#_ftn1" name="_ftnref1" title=""><span class=MsoFootnoteReference><span '
            "style='font-size:12.0pt'>[1]</span></span></a>")
    back = '<a href="#_ftnref1" name="_ftn1" title=""><span class=MsoFootnoteReference>[1]</span></a>'
    story, diagnostics = read("word", f"<html><body lang=EN-GB><div class=WordSection1><p class=MsoNormal>The "
                                      f"miller kept a tally{call} of the sacks.</p><p class=MsoNormal>He never lost "
                                      f"count.</p></div><div><br clear=all><hr align=left size=1 width=\"33%\">"
                                      f"<div id=ftn1><p class=MsoFootnoteText>{back} The tally was notched on a hazel "
                                      f"stick.</p><p class=MsoFootnoteText>The stick is lost.</p></div></div>"
                                      f"</body></html>", tmp_path)
    (note,) = every(story, Note)
    assert texts(note.blocks) == ["The tally was notched on a hazel stick.", "The stick is lost."]
    assert texts(blocks(story)) == ["The miller kept a tally of the sacks.", "He never lost count."]
    assert diagnostics.codes() == []


# -- 2. notes that share one block -----------------------------------------------------------------


def test_notes_sharing_one_block_each_get_their_own_words():
    story, diagnostics = read("html-notes-in-one-block.html")
    notes = every(story, Note)
    assert [texts(note.blocks) for note in notes] == [["Noon by the quarry clock, which ran eleven minutes fast."],
                                                      ["Dusk was whenever the foreman said it was."]]
    assert not every(story, Superscript), "the second call is a note too, not a raised 2"
    assert texts(blocks(story)) == ["The quarry bell rang at noon and again at dusk, and in between nobody spoke.",
                                    "The men went home by the lower path."]
    assert diagnostics.codes() == [], "the rule above the notes goes with them (no M006)"


# -- 3. a word processor's own table of contents ---------------------------------------------------


def test_libreoffice_table_of_contents_is_left_out_and_said():
    story, diagnostics = read("html-libreoffice-contents.html")
    assert [chapter.title for chapter in story.chapters] == ["The Salt Road", "The Marsh Inn"]
    assert "Table of Contents" not in dumped(story)
    said = [d for d in diagnostics.items if d.code == "H003"]
    assert len(said) == 1 and "Table of Contents" in said[0].message and said[0].line == 19
    assert diagnostics.codes() == ["H003"]


def test_word_filtered_html_table_of_contents_is_left_out_and_said(tmp_path):
    story, diagnostics = read("toc", "<html><body lang=EN-GB><div class=WordSection1>"
                              "<p class=MsoTocHeading>Contents</p>"
                              "<p class=MsoToc1><a href=\"#_Toc101\">The Lock<span>3</span></a></p>"
                              "<h1><a name=\"_Toc101\">The Lock</a></h1>"
                              "<p class=MsoNormal>The lock-keeper counted the barges.</p></div></body></html>",
                              tmp_path)
    assert texts(blocks(story)) == ["The lock-keeper counted the barges."]
    assert diagnostics.codes() == ["H003"] and "Contents" in diagnostics.items[0].message


# -- 4. Google Docs' flat lists --------------------------------------------------------------------


def test_google_docs_lists_are_nested_and_numbered_on():
    story, _ = read("html-google-docs-lists-and-notes.html")
    numbered, bulleted = [b for b in blocks(story) if isinstance(b, ListBlock)]
    assert numbered.ordered and numbered.start == 1
    assert [texts(item[:1]) for item in numbered.items] == [["staves of oak"], ["hoops"], ["a new adze"]]
    nested = numbered.items[1][1]
    assert isinstance(nested, ListBlock) and nested.ordered and nested.style == "lower-alpha"
    assert [texts(item) for item in nested.items] == [["iron for the big casks"], ["willow for the small"]]
    assert not bulleted.ordered and len(bulleted.items) == 1
    assert isinstance(bulleted.items[0][1], ListBlock) and texts(bulleted.items[0][1].items[0]) == [
        "and the grey mare to pull it"]


def test_google_docs_list_restarting_at_a_level_starts_a_new_sublist(tmp_path):
    story, _ = read("gd", '<html><body><ol class="c1 lst-kix_a1-0 start" start="1"><li>one</li></ol>'
                          '<ol class="c1 lst-kix_a1-1 start" start="1"><li>one-a</li></ol>'
                          '<ol class="c1 lst-kix_a1-0" start="2"><li>two</li></ol>'
                          '<ol class="c1 lst-kix_a1-1 start" start="1"><li>two-a</li></ol>'
                          '<p>Between.</p><ol class="c1 lst-kix_a1-0" start="3"><li>three</li></ol></body></html>',
                    tmp_path)
    first, later = [b for b in blocks(story) if isinstance(b, ListBlock)]
    assert [texts(item[:1]) for item in first.items] == [["one"], ["two"]]
    assert [texts(item[1].items[0]) for item in first.items] == [["one-a"], ["two-a"]]
    assert later.start == 3 and texts(later.items[0]) == ["three"]


# -- 5. right to left ------------------------------------------------------------------------------


def test_libreoffice_right_to_left_paragraph_keeps_its_direction_and_language():
    story, diagnostics = read("html-libreoffice-rtl.html")
    before, hebrew, after = blocks(story)
    assert hebrew.attrs.dir == "rtl" and before.attrs.dir is None and after.attrs.dir is None
    assert {span.attrs.lang for span in every(hebrew, Span)} == {"he-IL"}
    assert diagnostics.codes() == []


def test_direction_of_blocks_and_inline_passages(tmp_path):
    story, _ = read("rtl", '<html><body dir="ltr"><p>He wrote <span dir="rtl" lang="he">שלום</span> twice.</p>'
                           '<div dir="rtl" lang="ar"><p>مرحبا بالعالم</p><p dir="ltr" lang="en">A line in English.</p>'
                           '</div><p>Back to the left.</p></body></html>', tmp_path)
    mixed, arabic, english, plain = blocks(story)
    span = every(mixed, Span)[0]
    assert (span.attrs.dir, span.attrs.lang, plain_text(span.children)) == ("rtl", "he", "שלום")
    assert (arabic.attrs.dir, arabic.attrs.lang) == ("rtl", "ar")
    assert (english.attrs.dir, english.attrs.lang) == ("ltr", "en"), "left to right inside a right-to-left part"
    assert mixed.attrs is None and plain.attrs is None
    story, _ = read("page-rtl", '<html lang="he" dir="rtl"><body><p>שלום עולם.</p><p dir="ltr">Latin.</p>'
                                '</body></html>', tmp_path)
    assert [block.attrs.dir for block in blocks(story)] == ["rtl", "ltr"], "a right-to-left page"


# -- 6. and 7. preformatted spacing, ruby ------------------------------------------------------------


def test_preformatted_text_keeps_its_runs_of_spaces(tmp_path):
    story, _ = read("pre", "<html><body><p>The  tally  board:</p>\n<pre>boat      catch\n"
                           "Gull      <b>forty</b>   crates\n\tTern</pre></body></html>", tmp_path)
    paragraph, pre = blocks(story)
    assert isinstance(pre, Preformatted) and pre.text == "boat      catch\nGull      forty   crates\n\tTern"
    assert plain_text(paragraph.children) == "The tally board:", "outside <pre> spaces are tidied as before"


@pytest.mark.parametrize("ruby", ["<ruby>漢<rt>かん</rt>字<rt>じ</rt></ruby>",
                                  "<ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp>字<rt>じ</rt></ruby>",  # (not doubled)
                                  "<ruby><rb>漢</rb><rt>かん</rt><rb>字</rb><rt>じ</rt></ruby>"])
def test_ruby_pairs_each_base_with_its_reading(tmp_path, ruby):
    story, diagnostics = read("ruby", f"<html><body><p>The word {ruby} means a Chinese character.</p></body></html>",
                              tmp_path)
    assert texts(blocks(story)) == ["The word 漢(かん)字(じ) means a Chinese character."]
    assert "F001" not in diagnostics.codes()


# -- 8. malformed pages never give a traceback -------------------------------------------------------


@pytest.mark.parametrize("page, code", [
    ('<p {{ page.class }}="x" class="lead">Words of the template page.</p>', "H004"),
    ('<p {{foo}}="1">Words of the template page.</p>', "H004"),
    ('<p ** class="lead">Words of the template page.</p>', "H004"),
    ('<p {x="2">Words of the template page.</p>', "H004"),
    ('<ol start="²"><li>Words of the template page.</li></ol>', None),
    ('<table><tr><td colspan="³" rowspan="٣">Words of the template page.</td></tr></table>', None),
])
def test_malformed_attributes_and_numbers_are_read_not_raised(tmp_path, page, code):
    story, diagnostics = read("odd", f"<html><body>{page}</body></html>", tmp_path)
    assert "Words of the template page." in dumped(story)
    assert diagnostics.codes() == ([code] if code else [])


def test_archive_chapters_inside_the_archives_own_chrome_are_still_read(tmp_path):
    story, _ = read("chrome", '<html><body><div id="preface"><h1>The Ropewalk</h1><div class="byline">by '
                              '<a rel="author" href="#">twine</a></div></div><div class="message"><div id="chapters">'
                              '<div class="userstuff"><p>The ropewalk was a quarter of a mile long.</p></div></div>'
                              '</div></body></html>', tmp_path)
    assert story.title == "The Ropewalk" and texts(blocks(story)) == ["The ropewalk was a quarter of a mile long."]


# -- 9. inline elements holding blocks ----------------------------------------------------------------


def test_inline_elements_holding_blocks_are_containers():
    story, diagnostics = read("html-old-word-inline-wrappers.html")
    found = blocks(story)
    assert texts(found[:3]) == ["The kiln was lit on a Monday and not let out until the Friday.",
                                "Maud fed it through the night.",
                                "Her brother slept in the shed and claimed he had helped."]
    assert isinstance(found[3], ListBlock) and [texts(item) for item in found[3].items] == [["forty jugs"],
                                                                                         ["a dozen bowls"]]
    assert texts(found[4:]) == ["Only the jugs survived."] and diagnostics.codes() == []


def test_an_inline_wrapper_keeps_its_meaning_on_the_paragraphs_it_holds(tmp_path):
    story, _ = read("wrap", '<html><body><a href="https://example.org/kiln"><div><p>See the kiln.</p>'
                            '<p>And the shed.</p></div></a></body></html>', tmp_path)
    assert texts(blocks(story)) == ["See the kiln.", "And the shed."]
    assert all(isinstance(p.children[0], Link) and p.children[0].href == "https://example.org/kiln"
               for p in blocks(story))


# -- 10. pictures the sanitiser empties, pictures without alternative text -------------------------


def test_embedded_svg_picture_is_said_and_no_scene_break_takes_its_place():
    story, diagnostics = read("html-embedded-svg.html")
    assert not every(story, SceneBreak) and not every(story, Figure)
    said = [d for d in diagnostics.items if d.code == "M005"]
    assert len(said) == 1 and "SVG" in said[0].message and said[0].line == 14
    assert texts(blocks(story))[0] == "The clockmaker hung a brass moon over the shop door."


@pytest.mark.parametrize("src", ["data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=",
                                 "https://example.org/dot.png?from=about:blank"])
def test_paragraph_that_held_an_emptied_picture_is_not_a_scene_break(tmp_path, src):
    story, diagnostics = read("emptied", f'<html><body><p>Before.</p><p><img src="{src}" alt="a dot"></p>'
                                         "<p>After.</p></body></html>", tmp_path)
    assert [type(b).__name__ for b in blocks(story)] == ["Paragraph", "Paragraph"]
    assert diagnostics.codes() == ["M005"] and "a dot" in diagnostics.items[0].message


def test_image_without_alt_text_is_said_like_word_images():
    story, diagnostics = read("html-image-no-alt.html")
    said = [d for d in diagnostics.items if d.code == "H002"]
    assert len(said) == 1 and said[0].line == 7 and "alt=" in said[0].hint, "alt=\"\" is a decoration: not said"
    assert len(every(story, Figure)) == 2


# -- 11. a figure's other content ------------------------------------------------------------------------


def test_figure_keeps_what_it_holds_besides_picture_and_caption():
    story, diagnostics = read("html-figure-with-text.html")
    found = blocks(story)
    figure = next(b for b in found if isinstance(b, Figure))
    assert plain_text(figure.caption) == "The estuary, as the pilots drew it"
    assert "The sandbanks are marked in red ink, the channels in blue." in texts(
        [b for b in found if isinstance(b, Paragraph)])
    assert diagnostics.codes() == []


# -- 12. a LibreOffice frame -------------------------------------------------------------------------------


def test_libreoffice_frame_is_a_text_box_of_its_own():
    story, diagnostics = read("html-libreoffice-frame.html")
    paragraph, box, after = blocks(story)
    assert texts([paragraph]) == ["A notice hung on the door of the office, and everyone ignored it."]
    assert isinstance(box, BlockQuote) and box.attrs.classes == ["text-box"]
    assert texts(box.children) == ["No gulls beyond this point, by order of the harbour office."]
    assert texts([after]) == ["The gulls ignored it most of all."]
    assert diagnostics.codes() == []


# -- 13. Google's redirect links ------------------------------------------------------------------------------


def test_google_redirect_links_go_to_the_real_address():
    story, _ = read("html-google-docs-lists-and-notes.html")
    assert [link.href for link in every(story, Link)] == ["https://example.org/toolmakers/bridge-street"]


# -- the book: the shapes reach a valid EPUB --------------------------------------------------------------


@pytest.mark.slow
def test_the_shapes_make_a_valid_epub_with_direction_text_box_and_notes(tmp_path):
    from bookforge.validate.epubcheck import run_epubcheck

    project = tmp_path / "book"
    (project / "manuscripts").mkdir(parents=True)
    names = ["html-libreoffice-note-paragraphs.html", "html-libreoffice-rtl.html", "html-libreoffice-frame.html",
             "html-google-docs-lists-and-notes.html", "html-notes-in-one-block.html"]
    for name in names:
        shutil.copy(SHAPES / name, project / "manuscripts" / name)
    (project / "book.toml").write_text('[book]\ntitle = "Shapes of Pages"\n')
    results, diagnostics = build(project)
    epub = Epub(results[0].path)
    pages = b"".join(epub.read(href) for href in epub.spine_hrefs()).decode()
    assert 'dir="rtl"' in pages and "text-box" in pages
    assert "A second door, painted over in the spring" in pages and "Dusk was whenever the foreman" in pages
    assert "F001" not in diagnostics.codes()
    (report,) = run_epubcheck([results[0].path])
    assert report.clean, report.summary()
