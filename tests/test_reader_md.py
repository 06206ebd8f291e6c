"""The Markdown reader: YAML front matter, chapters from headings, breaks, escaping, links, images."""

from __future__ import annotations

import pytest

from bookforge.diagnostics import Diagnostics
from bookforge.errors import ManuscriptError
from bookforge.model import (
    BlockQuote, Code, Emph, Heading, Image, LineBlock, LineBreak, Link, Paragraph, SceneBreak, Strong, Text, plain_text,
    to_json,
)
from bookforge.readers.md import read_markdown


def parse(text: str):
    diagnostics = Diagnostics()
    return read_markdown(text, "stories/m.md", diagnostics), diagnostics


def kinds(story):
    return [type(b).__name__ for b in story.blocks()]


def test_front_matter_fields():
    story, _ = parse(
        "---\ntitle: Salt\nauthor: [D. One, E. Two]\nsummary: |\n  A *short* one.\nnotes: Two\n\n  paragraphs? no, one.\n"
        "end_notes: Thanks.\nrating: Teen\ntags: [a, b]\nlanguage: de\nwords: 1200\n---\nText.\n"
    )
    assert story.title == "Salt" and story.authors == ["D. One", "E. Two"]
    assert isinstance(story.summary[0].children[1], Emph)
    assert story.notes and story.end_notes
    assert story.meta == {"rating": "Teen", "tags": ["a", "b"], "words": "1200"}
    assert story.language == "de"
    assert story.chapters[0].blocks[0].loc.line == 15


def test_broken_yaml_names_file_line_and_column():
    with pytest.raises(ManuscriptError) as info:
        parse("---\ntitle: Fine\nauthor: [unclosed\nnotes: x\n---\nText.\n")
    error = info.value
    assert error.path == "stories/m.md" and error.line is not None and error.line >= 3
    assert "YAML" in error.message


def test_unclosed_front_matter():
    with pytest.raises(ManuscriptError, match="not closed"):
        parse("---\ntitle: x\n\nText.\n")


def test_front_matter_must_be_a_mapping():
    with pytest.raises(ManuscriptError, match="key: value"):
        parse("---\n- a\n- b\n---\nText.\n")


def test_headings_start_chapters_and_a_lone_top_heading_is_the_title():
    story, _ = parse("# The Story\n\n## One\n\nA.\n\n## Two\n\nB.\n\n### Aside\n\nC.\n")
    assert story.title == "The Story"
    assert [c.title for c in story.chapters] == ["One", "Two"]
    assert kinds(story) == ["Paragraph", "Paragraph", "Heading", "Paragraph"]
    heading = [b for b in story.blocks() if isinstance(b, Heading)][0]
    assert heading.level == 1


def test_several_top_headings_are_chapters():
    story, _ = parse("# One\n\nA.\n\n# Two\n\nB.\n")
    assert story.title == "" and [c.title for c in story.chapters] == ["One", "Two"]


def test_thematic_breaks_and_blank_runs_are_scene_breaks():
    story, _ = parse("A.\n\n***\n\nB.\n\n\nC.\n\n---\n\n\n\nD.\n")
    assert kinds(story) == ["Paragraph", "SceneBreak", "Paragraph", "SceneBreak", "Paragraph", "SceneBreak", "Paragraph"]
    assert [b.loc.line for b in story.blocks() if isinstance(b, SceneBreak)] == [3, 6, 10]


def test_inline_markup():
    story, _ = parse("*em* and **strong** and `code` and [a link](https://example.org).\n")
    nodes = story.chapters[0].blocks[0].children
    assert [type(n) for n in nodes if not isinstance(n, Text)] == [Emph, Strong, Code, Link]
    assert nodes[-2].href == "https://example.org"


def test_raw_html_is_text_never_markup():
    story, _ = parse('<script>alert(1)</script>\n\nA <b onclick="x()">bold</b> try.\n')
    assert to_json(story.chapters[0].blocks) == [
        {"type": "Paragraph", "children": ["<script>alert(1)</script>"], "loc": "stories/m.md:1"},
        {"type": "Paragraph", "children": ['A <b onclick="x()">bold</b> try.'], "loc": "stories/m.md:3"},
    ]


def test_unsafe_links_never_become_links():
    # markdown-it refuses javascript: targets itself (the source stays literal, escaped text);
    # bookforge drops every target that is not http(s) or mailto and keeps the link text.
    story, _ = parse("[click](javascript:alert(1)) and [file](../../etc/passwd) and [web](https://a.example)\n")
    nodes = story.chapters[0].blocks[0].children
    assert [n.href for n in nodes if isinstance(n, Link)] == ["https://a.example"]
    assert "".join(n.text for n in nodes if isinstance(n, Text)) == "[click](javascript:alert(1)) and file and "


def test_image_sources_become_project_relative():
    story, _ = parse("![A map](../images/map.png) ![x](https://example.org/x.png)\n")
    images = [n for n in story.chapters[0].blocks[0].children if isinstance(n, Image)]
    assert [i.src for i in images] == ["images/map.png", "https://example.org/x.png"]
    assert images[0].alt == "A map"


def test_an_image_path_is_the_files_name_not_its_percent_encoding():
    story, _ = parse("![x](<../images/map 100%.png>) ![y](../images/a%20b%25.png) ![z](https://e.org/a%20b.png)\n")
    images = [n for n in story.chapters[0].blocks[0].children if isinstance(n, Image)]
    assert [i.src for i in images] == ["images/map 100%.png", "images/a b%.png", "https://e.org/a%20b.png"]


def test_an_image_named_with_a_space_and_a_percent_sign_is_packaged(project):
    import zipfile

    from conftest import build

    folder = project("images_cover")
    (folder / "images" / "map.png").rename(folder / "images" / "map 100%.png")
    charts = folder / "manuscripts" / "charts.md"
    charts.write_text(charts.read_text().replace("(../images/map.png)", "(<../images/map 100%.png>)"))
    [result], diagnostics = build(folder)
    assert "map" not in " ".join(d.message for d in diagnostics.items if d.code == "M005"), diagnostics.items
    with zipfile.ZipFile(result.path) as epub:
        packaged = [name for name in epub.namelist() if name.startswith("EPUB/images/") and "cover" not in name]
        assert len(packaged) == 1, packaged
        assert epub.read(packaged[0]) == (folder / "images" / "map 100%.png").read_bytes()
        story = epub.read("EPUB/text/the-chart-room.xhtml").decode()
    assert packaged == ["EPUB/images/map-100-.png"], "a name that needs no percent-encoding in an address"
    assert 'src="../images/map-100-.png"' in story


def test_a_quoted_verse_keeps_its_lines_and_quoted_prose_is_one_paragraph():
    story, _ = parse("> Oh, the anchor's down\n> and the chain is thin.\n")
    quote = story.chapters[0].blocks[0]
    assert isinstance(quote, BlockQuote) and isinstance(quote.children[0], LineBlock)
    assert [plain_text(line) for line in quote.children[0].lines] == ["Oh, the anchor's down", "and the chain is thin."]
    story, _ = parse("> The letter ran on for pages, in the careful hand of somebody who\n"
                     "> had learned to write late and meant every word of it, and then\n"
                     "> it stopped.\n")
    quote = story.chapters[0].blocks[0]
    assert isinstance(quote.children[0], Paragraph) and LineBreak not in map(type, quote.children[0].children)
