"""The Markdown reader keeps what writing apps put in a manuscript (tests/fixtures/shapes/md-*): a
metadata block, comments and tracked changes, Obsidian's and pandoc's syntax, verse, lists typed as
lines, notes called from notes, front-matter prose; and says (M011) what it keeps only as typed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, build
from modelfacts import blocks, every
from epubfacts import NS, Epub

from bookforge.diagnostics import Diagnostics
from bookforge.model import (
    BlockQuote, Code, Emph, Figure, Heading, LineBlock, Link, ListBlock, Note, Paragraph, Preformatted, SceneBreak,
    Span, Strong, Subscript, Superscript, Text, block_text, plain_text,
)
from bookforge.readers import read_manuscript
from bookforge.readers.inlines import list_markers, without_label

SHAPES = FIXTURES / "shapes"


def read(name: str, text: str | None = None, tmp_path: Path | None = None):
    """(story, diagnostics) of a shape file, or of `text` written to a .md file, read as a build
    reads it (decoding, cleaning, the word ledger)."""
    if text is not None:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
    else:
        path = SHAPES / name
    diagnostics = Diagnostics()
    return read_manuscript(path, path.name, diagnostics), diagnostics




def texts(story) -> list[str]:
    return [block_text(block) for block in blocks(story)]




def warned(diagnostics, code: str) -> list:
    return [d for d in diagnostics.items if d.code == code]


# -- 1. a MultiMarkdown / iA Writer metadata block --------------------------------------------------


def test_a_metadata_block_is_the_story_header_and_a_label_that_is_no_field_is_prose(tmp_path):
    story, diagnostics = read("md-multimarkdown-metadata.md")
    assert story.title == "The Quiet Orchard" and story.authors == ["Imogen Palfrey"]
    assert [block_text(b) for b in story.summary] == ["Two sisters count the apple trees the winter after the storm."]
    assert texts(story)[0].startswith("The orchard had lost eleven trees")
    assert texts(story)[1].startswith("Note: the ladders"), "a paragraph opening 'Note:' later on is text"
    assert not diagnostics.items
    story, _ = read("s.md", "Note: it was late.\nTitle: a word she used for her father.\n\nThen morning.\n",
                    tmp_path)
    assert story.title == "" and texts(story)[0] == "Note: it was late. Title: a word she used for her father."


# -- 2. comments and tracked changes ---------------------------------------------------------------------


def test_obsidian_comments_are_left_out_and_leave_no_gap():
    story, diagnostics = read("md-obsidian-note.md")
    everything = " ".join(texts(story))
    for private in ("Check the fare", "is it six", "Cut scene", "argues with the pilot", "%%"):
        assert private not in everything
    assert "The ferry left at six. Nobody was ever late twice." in texts(story)
    assert not every(story, SceneBreak), "the lines a comment block took are no blank run"
    assert not warned(diagnostics, "F001")


def test_criticmarkup_changes_are_accepted_and_its_comments_left_out():
    story, diagnostics = read("md-criticmarkup.md")
    assert texts(story)[0] == ("Ada sewed the sail by lamplight in the loft, and her brother held the lamp. "
                               "The needle caught the light with every stitch.")
    [highlight] = every(story, Span)
    assert highlight.attrs.classes == ["highlight"] and plain_text(highlight.children) == "caught the light"
    assert not warned(diagnostics, "F001"), "what was left out was left out on purpose"


# -- 3. Obsidian's and pandoc's syntax --------------------------------------------------------------------


def test_obsidian_highlights_wiki_links_embeds_callouts_and_tasks():
    story, diagnostics = read("md-obsidian-note.md")
    first = blocks(story)[0]
    assert [plain_text(s.children) for s in every(first, Span)] == ["ink first and excuses after"]
    assert "from River Board Charter and the fares from the winter table." in block_text(first)
    figures = every(story, Figure)
    assert [f.image.src for f in figures] == ["lantern.png"], "![[lantern.png]] is the image"
    warning, motto = every(story, BlockQuote)
    assert "callout" in warning.attrs.classes and "callout" in motto.attrs.classes
    assert [(type(b).__name__, block_text(b), b.attrs and b.attrs.classes) for b in warning.children] == [
        ("Paragraph", "The board's first rule", ["callout-title"]), ("Paragraph", "No lantern, no crossing.", None)]
    assert block_text(motto.children[0]) == "Tip", "a callout without a title is titled by its kind"
    [tasks] = every(story, ListBlock)
    assert [block_text(item[0]) for item in tasks.items] == [
        "☑ tar the hull", "☐ mend the stern rope", "☐ pay the lamp man"]
    [embed] = warned(diagnostics, "M011")
    assert embed.line == 37 and "embed" in embed.message and embed.hint
    assert "![[Crossing Log]]" in texts(story), "what cannot be carried is kept as typed"
    assert not warned(diagnostics, "F001")


def test_pandoc_scripts_attributes_definitions_divs_and_lettered_lists():
    story, diagnostics = read("md-pandoc-extensions.md")
    opening = blocks(story)[0]
    assert [plain_text(n.children) for n in every(opening, Superscript)] == ["nd"]
    assert [plain_text(n.children) for n in every(opening, Subscript)] == ["2"]
    [figure] = every(story, Figure)
    assert figure.image.alt == "The almanac's cover, foxed at the corners", "{width=50%} is layout, left out"
    classed = [(block_text(b), b.attrs.classes) for b in blocks(story) if isinstance(b, Paragraph) and b.attrs]
    assert classed == [("Almanac", ["term"]), ("A book of the year's days.", ["definition"]),
                       ("Also, in the village, anyone who remembers the weather.", ["definition"]),
                       ("Kettle", ["term"]), ("The first thing lit.", ["definition"])]
    poem = next(b for b in blocks(story) if isinstance(b, LineBlock) and b.attrs)
    assert "poem" in poem.attrs.classes and len(poem.lines) == 4
    assert "Nobody in the village owned a clock that agreed with the church." in texts(story), "a div is its blocks"
    assert [chapter.title for chapter in story.chapters] == [None, "Morning"], "`{-}` is layout, left out"
    lists = every(story, ListBlock)
    assert [(list_.style, list_.start, len(list_.items)) for list_ in lists] == [("lower-alpha", 1, 3),
                                                                                ("lower-roman", 1, 3)]
    assert block_text(lists[0].items[0][0]) == "light the kettle before the stove;"
    assert block_text(lists[1].items[2][0]) == "Go back to bed."
    assert not warned(diagnostics, "F001")


def test_a_grid_table_is_kept_as_typed_and_said():
    story, diagnostics = read("md-pandoc-extensions.md")
    [grid] = every(story, Preformatted)
    assert grid.text.startswith("+---") and "the milkman --" in grid.text, "never typographed"
    [warning] = warned(diagnostics, "M011")
    assert (warning.path, warning.line) == ("md-pandoc-extensions.md", 28) and "pipe table" in warning.hint


def test_raw_html_kept_as_text_is_said_once(tmp_path):
    story, diagnostics = read("h.md", "A <u>word</u> or two.\n\nAnd a line<br>break.\n", tmp_path)
    assert texts(story)[0] == "A <u>word</u> or two."
    [warning] = warned(diagnostics, "M011")
    assert warning.line == 1 and "HTML" in warning.message


def test_the_book_carries_the_classes_and_the_preformatted_grid(tmp_path):
    folder = tmp_path / "book"
    (folder / "manuscripts").mkdir(parents=True)
    for name in ("md-obsidian-note.md", "md-pandoc-extensions.md"):
        shutil.copy(SHAPES / name, folder / "manuscripts" / name)
    for image in ("lantern.png", "cover-sketch.png"):
        shutil.copy(FIXTURES / "structure" / "images" / "lantern.png", folder / "manuscripts" / image)
    (folder / "book.toml").write_text('[book]\ntitle = "Shapes"\ndate = "2026-01-01"\n')
    results, _ = build(folder)
    epub = Epub(results[0].path)
    roots = [root for _, root in epub.spine_documents()]

    def found(xpath: str) -> list:
        return [hit for root in roots for hit in root.xpath(xpath, namespaces=NS)]

    assert [p.text for p in found("//x:p[@class='term']")] == ["Almanac", "Kettle"]
    assert found("//x:span[@class='highlight']") and found("//x:blockquote[contains(@class, 'callout')]")
    assert any("the milkman --" in pre.text for pre in found("//x:pre"))
    assert any(line.text.startswith("\u00a0" * 4 + "and then again") for line in found("//x:span[@class='line']"))


# -- 4. verse -----------------------------------------------------------------------------------------------


def test_a_line_blocks_indentation_is_kept_as_no_break_spaces():
    story, _ = read("md-pandoc-extensions.md")
    verse = next(b for b in blocks(story) if isinstance(b, LineBlock) and not b.attrs)
    assert [plain_text(line) for line in verse.lines] == [
        "The clock struck one,", "\u00a0" * 4 + "and then again,", "\u00a0" * 8 + "and then it thought better of it."]


def test_short_lines_outside_a_quotation_are_verse_wrapped_prose_is_not(tmp_path):
    story, _ = read("md-notes-in-notes.md")
    verse = blocks(story)[-1]
    assert isinstance(verse, LineBlock)
    assert [plain_text(line) for line in verse.lines] == [
        "The gulls are out, the tide is in,", "the boats are tied and still;", "the lamp is lit, the nets are thin,",
        "and no one climbs the hill."]
    # Hard-wrapped at 46 columns: short lines, but each filled to the margin.
    wrapped = ("The harbour master kept the tide tables in a\ndrawer that stuck in wet weather, so the\n"
               "fishermen learned to ask his wife instead, who\nknew them by heart and never once opened the\n"
               "drawer.\n")
    one_sentence_a_line = "The boat came in.\nNobody met it.\nThe nets were empty.\nThe gulls left.\n"
    story, _ = read("p.md", wrapped + "\n" + one_sentence_a_line, tmp_path)
    assert [type(b) for b in blocks(story)] == [Paragraph, Paragraph]


# -- 5. lists typed as lines --------------------------------------------------------------------------


def test_lettered_and_roman_lists_in_sequence_only(tmp_path):
    story, _ = read("l.md", "A)  Take the boat.\nB)  Leave the nets.\n\na. first\nc. third\n", tmp_path)
    first, second = blocks(story)
    assert isinstance(first, ListBlock) and (first.style, first.start) == ("upper-alpha", 1)
    assert [block_text(item[0]) for item in first.items] == ["Take the boat.", "Leave the nets."]
    assert isinstance(second, Paragraph), "letters out of sequence are not a list"


@pytest.mark.parametrize("lines, expected", [
    (["i. one", "ii. two", "iii. three"], (True, 1, "lower-roman")),
    (["i. one", "j. two"], (True, 9, "lower-alpha")),
    (["IV) four", "V) five"], (True, 4, "upper-roman")),
    (["3. three", "4. four"], (True, 3, "")),
    (["• milk", "• eggs"], (False, 1, "")),
    (["a. one", "b) two"], None),
    (["A. Writer went home."], None),
])
def test_list_markers(lines, expected):
    markers = list_markers(lines)
    assert (markers and (markers.ordered, markers.start, markers.style)) == expected


# -- 6. notes called from notes --------------------------------------------------------------------------


def test_a_note_called_only_from_another_note_keeps_its_text():
    story, diagnostics = read("md-notes-in-notes.md")
    [bay] = [note for note in every(blocks(story), Note) if "from the cliff" in block_text(note.blocks[0])]
    [cliff] = every(bay.blocks, Note)
    assert block_text(cliff.blocks[0]) == "The cliff is now fenced off, for reasons the map does not give."
    assert not warned(diagnostics, "F001")


def test_a_note_that_calls_itself_is_said_not_looped(tmp_path):
    story, diagnostics = read("n.md", "Text.[^a]\n\n[^a]: Outer.[^b]\n[^b]: Inner.[^a]\n", tmp_path)
    [outer] = [n for n in every(blocks(story), Note) if block_text(n.blocks[0]) == "Outer."]
    assert [block_text(n.blocks[0]) for n in every(outer.blocks, Note)] == ["Inner."]
    [warning] = warned(diagnostics, "M012")
    assert warning.line == 4


# -- 7, 8. front-matter prose -------------------------------------------------------------------------------


def test_front_matter_prose_is_read_as_markdown_and_a_list_is_paragraphs():
    story, diagnostics = read("md-notes-in-notes.md")
    [summary] = story.summary
    assert [n.href for n in every(summary, Link)] == ["https://example.org/maps/index-page"]
    assert not warned(diagnostics, "F001"), "the ledger notes the summary's text, not its markup"
    assert [block_text(b) for b in story.notes[:2]] == [
        "Written for the map room at Hallow Cross.", "Every place in it is real, except the one that is not."]


# -- 9. a note in a `Notes:` label ------------------------------------------------------------------------


def test_a_note_called_in_a_notes_label_is_kept():
    story, diagnostics = read("md-notes-in-notes.md")
    label = story.notes[-1]
    note = label.children[0]
    assert isinstance(note, Note) and block_text(note.blocks[0]) == "A note on the label itself."
    assert plain_text(label.children) == "The coastline is drawn from memory."
    assert not warned(diagnostics, "F001")


def test_without_label_keeps_notes_and_the_rest_of_code():
    note = Note([Paragraph([Text("n")])])
    assert without_label([Text("Notes"), note, Text(": the text")], 6) == [note, Text("the text")]
    assert without_label([Code("A/N: run it"), Text(" twice")], 4) == [Code("run it"), Text(" twice")]


# -- 10. headings inside quotations -------------------------------------------------------------------------


def test_a_heading_in_a_quotation_keeps_its_emphasis():
    story, _ = read("md-notes-in-notes.md")
    [heading] = every(story, Heading)
    assert [type(n) for n in heading.children] == [Text, Emph, Text, Strong]
    assert plain_text(heading.children) == "A True Chart of the Bay"


def test_a_parser_built_for_the_syntax_a_file_uses_reads_it_as_the_full_one():
    """The reader leaves out the rules of syntax a file cannot hold (for speed); every Markdown file
    in the repository reads to the same tokens as with every rule on."""
    from bookforge.readers import md

    repo = Path(__file__).resolve().parent.parent
    files = sorted(p for p in repo.glob("**/*.md") if ".venv" not in p.parts and "benchmarks" not in p.parts)
    assert len(files) > 20
    full = md._parser((True,) * len(md._syntax_used("")))
    for path in files:
        text = path.read_text(encoding="utf-8")

        def tokens(parser):
            return [(t.type, t.content, [(c.type, c.content) for c in t.children or []])
                    for t in parser.parse(text, {"metadata_header": True})]

        assert tokens(md._parser(md._syntax_used(text))) == tokens(full), path
