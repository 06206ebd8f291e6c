"""The plain-text reader: header blocks, paragraphs, scene breaks, chapters, inline markup, encodings."""

from __future__ import annotations

import pytest

from bookforge.diagnostics import Diagnostics
from bookforge.errors import ManuscriptError
from bookforge.model import Emph, LineBreak, Paragraph, SceneBreak, Strong, Text, to_json
from bookforge.readers.marks import chapter_title, is_break_mark
from bookforge.readers.txt import read, read_txt


def parse(text: str):
    diagnostics = Diagnostics()
    return read_txt(text, "m.txt", diagnostics), diagnostics


def kinds(story) -> list[str]:
    return [type(b).__name__ for b in story.blocks()]


def texts(story) -> list[str]:
    return ["".join(n.text for n in b.children if isinstance(n, Text)) for b in story.blocks() if isinstance(b, Paragraph)]


# --- header block ------------------------------------------------------------------------------


def test_header_block_fields_case_insensitive_with_continuations():
    story, _ = parse(
        "TITLE: The Lamp\nauthor: A. Keeper, B. Mate\nSummary: A lamp\nthat will not go out.\n"
        "Notes: First note line\ncontinued here.\nRating: General\nTags: sea, light\n\nThe text begins.\n"
    )
    assert story.title == "The Lamp"
    assert story.authors == ["A. Keeper", "B. Mate"]
    assert to_json(story.summary) == [{"type": "Paragraph", "children": ["A lamp that will not go out."], "loc": "m.txt:3"}]
    assert to_json(story.notes)[0]["children"] == ["First note line continued here."]
    assert story.notes[0].loc.line == 5
    assert story.meta == {"rating": "General", "tags": ["sea", "light"]}
    assert texts(story) == ["The text begins."]
    assert story.chapters[0].blocks[0].loc.line == 10


def test_header_fields_separated_by_blank_lines():
    story, _ = parse("Summary: One.\n\nNotes: Two.\n\n\n\nBody.\n")
    assert len(story.summary) == 1 and len(story.notes) == 1
    assert kinds(story) == ["Paragraph"], "blank lines after the header are not a scene break"


def test_seed_shape_notes_then_text():
    story, _ = parse("Notes: 'Forfeit' wasn't meant to have a sequel.\n\nIruka tossed and turned.\n")
    assert texts(story) == ["Iruka tossed and turned."]
    assert story.notes[0].children[0].text == "'Forfeit' wasn't meant to have a sequel."


def test_no_header_means_text_from_the_first_line():
    story, _ = parse("Naruto's son had hair as bright as his father's.\n\nSecond.\n")
    assert story.title == "" and story.notes == []
    assert len(texts(story)) == 2


def test_misspelt_header_key_stays_text():
    story, _ = parse("Note: this is not a known key.\n\nBody.\n")
    assert story.notes == []
    assert texts(story)[0] == "Note: this is not a known key."


def test_end_notes_at_the_end_of_the_text():
    story, _ = parse("Body one.\n\nEnd Notes: Thanks for reading.\n\nA second thanks paragraph.\n")
    assert texts(story) == ["Body one."]
    assert [b.children[0].text for b in story.end_notes] == ["Thanks for reading.", "A second thanks paragraph."]


def test_language_header():
    story, _ = parse("Language: Français\n\nBonjour.\n")
    assert story.language == "fr"
    story, diagnostics = parse("Language: Klingonese\n\nHello.\n")
    assert story.language is None and diagnostics.codes() == ["M007"]


# --- paragraphs and scene breaks -------------------------------------------------------------


def test_paragraphs_and_two_blank_line_scene_breaks():
    story, _ = parse("One.\n\nTwo.\n\n\nThree.\n\n\n\n\nFour.\n")
    assert kinds(story) == ["Paragraph", "Paragraph", "SceneBreak", "Paragraph", "SceneBreak", "Paragraph"]
    breaks = [b for b in story.blocks() if isinstance(b, SceneBreak)]
    assert [b.loc.line for b in breaks] == [4, 7]


def test_whitespace_only_lines_count_as_blank():
    story, _ = parse("One.\n  \n\t\nTwo.\n")
    assert kinds(story) == ["Paragraph", "SceneBreak", "Paragraph"]


@pytest.mark.parametrize(
    "mark", ["***", "* * *", "*", "#", "~~~", "---", "- - -", "o0o", "oOo", "-o-", "◇", "◇ ◇ ◇", "❧", "⁂", "= = =", "§"]
)
def test_break_mark_lines(mark):
    assert is_break_mark(mark)
    story, _ = parse(f"Before.\n\n{mark}\n\nAfter.\n")
    assert kinds(story) == ["Paragraph", "SceneBreak", "Paragraph"]


@pytest.mark.parametrize("line", ["...", "-", "--", "—", "*sigh*", "#hashtag", "Oh.", "o", "oo", "x", "OK"])
def test_not_break_marks(line):
    assert not is_break_mark(line)


def test_mark_between_blank_runs_is_one_break():
    story, _ = parse("Before.\n\n\n* * *\n\n\nAfter.\n")
    assert kinds(story) == ["Paragraph", "SceneBreak", "Paragraph"]
    assert next(b for b in story.blocks() if isinstance(b, SceneBreak)).loc.line == 4


def test_breaks_at_start_and_end_are_dropped_with_a_warning():
    story, diagnostics = parse("Body.\n\n***\n")
    assert kinds(story) == ["Paragraph"]
    assert diagnostics.codes() == ["M006"]


def test_hard_wrapped_lines_are_joined():
    story, _ = parse("This paragraph was\nwrapped at a fixed\nwidth.\n")
    assert texts(story) == ["This paragraph was wrapped at a fixed width."]


def test_one_paragraph_per_line_files():
    long_line = "word " * 40
    story, _ = parse(f"{long_line}\n{long_line}\n{long_line}\n")
    assert kinds(story) == ["Paragraph"] * 3


def test_indented_first_lines_start_paragraphs():
    story, _ = parse("    First paragraph that\nwraps here.\n    Second one.\n")
    assert texts(story) == ["First paragraph that wraps here.", "Second one."]


def test_backslash_forces_a_line_break():
    story, _ = parse("Roses are red,\\\nviolets are blue.\n")
    paragraph = story.chapters[0].blocks[0]
    assert isinstance(paragraph.children[1], LineBreak)


# --- inline markup ----------------------------------------------------------------------------


def inlines(text: str):
    story, _ = parse(text)
    return story.chapters[0].blocks[0].children


def test_italics_with_asterisks_and_underscores():
    nodes = inlines("He said *no* and _meant_ it.")
    assert to_json(nodes) == ["He said ", {"type": "Emph", "children": ["no"]}, " and ",
                              {"type": "Emph", "children": ["meant"]}, " it."]


def test_bold_and_nested():
    nodes = inlines("**Loud *and* clear**")
    assert isinstance(nodes[0], Strong) and isinstance(nodes[0].children[1], Emph)


@pytest.mark.parametrize("text", ["2 * 3 * 4", "snake_case_name", "a*b*c", "* not emphasis *", r"\*literal\*"])
def test_things_that_are_not_emphasis(text):
    nodes = inlines(text)
    assert all(isinstance(n, Text) for n in nodes)


def test_escaped_asterisks_are_kept_literally():
    assert inlines(r"\*literal\*")[0].text == "*literal*"


def test_emphasis_across_wrapped_lines():
    nodes = inlines("She wrote *until the\nlight went*.")
    assert isinstance(nodes[1], Emph) and nodes[1].children[0].text == "until the light went"


# --- chapters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, title",
    [
        ("Chapter 1", "Chapter 1"),
        ("CHAPTER IV", "CHAPTER IV"),
        ("Chapter One: The Pear Tree", "Chapter One: The Pear Tree"),
        ("Chapter twenty-one - Home", "Chapter twenty-one - Home"),
        ("Chapter 3. The Harvest", "Chapter 3. The Harvest"),
        ("Prologue", "Prologue"),
        ("Epilogue: After", "Epilogue: After"),
        ("# The Shanty", "The Shanty"),
        ("## Part Two ##", "Part Two"),
    ],
)
def test_chapter_heading_lines(line, title):
    assert chapter_title(line) == title


@pytest.mark.parametrize("line", ["Chapter and verse were quoted.", "#", "The chapter ended.", "Prologues bore me."])
def test_not_chapter_headings(line):
    assert chapter_title(line) is None


def test_chapters_split_the_story():
    story, _ = parse("Opening words.\n\nChapter 1\n\nOne.\n\n***\n\nMore.\n\nChapter 2: Two\n\nTwo.\n")
    assert [c.title for c in story.chapters] == [None, "Chapter 1", "Chapter 2: Two"]
    assert [len(c.blocks) for c in story.chapters] == [1, 3, 1]
    assert story.chapters[2].loc.line == 11


# --- encodings and junk ----------------------------------------------------------------------------


def read_bytes(data: bytes):
    diagnostics = Diagnostics()
    return read(data, "m.txt", diagnostics), diagnostics


def test_utf8_bom_crlf_and_cr():
    story, diagnostics = read_bytes(b"\xef\xbb\xbfTitle: T\r\n\r\nOne.\r\n\r\n\r\nTwo.\rThree.\r")
    assert story.title == "T" and kinds(story) == ["Paragraph", "SceneBreak", "Paragraph"]
    assert texts(story)[1] == "Two. Three."
    assert not diagnostics.items


def test_windows_1252_is_read_with_a_warning():
    story, diagnostics = read_bytes("“Caf\u00e9,” she said\u2026\n".encode("cp1252"))
    assert texts(story) == ["“Café,” she said…"]
    assert diagnostics.codes() == ["M001"]
    assert diagnostics.items[0].path == "m.txt" and diagnostics.items[0].line == 1


def test_utf16_with_bom():
    story, diagnostics = read_bytes("Title: Ü\n\nText.\n".encode("utf-16"))
    assert story.title == "Ü" and diagnostics.codes() == ["M008"]


def test_undecodable_bytes_are_an_error_naming_the_offset():
    with pytest.raises(ManuscriptError) as info:
        read_bytes(b"Good line.\nBad \x81\x8d bytes.\n")
    assert "offset 15" in info.value.message and info.value.line == 2


def test_binary_file_is_refused():
    with pytest.raises(ManuscriptError, match="not a text file"):
        read_bytes(b"PK\x03\x04\x14\x00\x00\x00" + bytes(200) + bytes(range(256)))


def test_control_characters_removed_with_a_warning():
    story, diagnostics = read_bytes(b"One\x00 two\x07.\n\nThree\x1b.\n")
    assert texts(story) == ["One two.", "Three."]
    assert diagnostics.codes() == ["M002"] and diagnostics.items[0].line == 1
