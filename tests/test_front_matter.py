"""YAML front matter, read once (readers/header.py) for a Markdown file and for a page a static-site
generator exported: the same keys give the same story, its prose fields read as Markdown."""

from __future__ import annotations

from bookforge.diagnostics import Diagnostics
from bookforge.model import Emph, Paragraph
from bookforge.readers import read_manuscript

FRONT = "---\ntitle: The Lamp\nauthor: Ada Brook\nsummary: A *tide* comes in.\nmood: wistful\n---\n"


def read(tmp_path, name: str, body: str):
    path = tmp_path / name
    path.write_text(FRONT + body, encoding="utf-8")
    diagnostics = Diagnostics()
    return read_manuscript(path, name, diagnostics), diagnostics


def test_a_page_and_a_markdown_file_read_the_same_front_matter(tmp_path):
    page, page_said = read(tmp_path, "lamp.html", "<html><body><p>The stones were wet.</p></body></html>\n")
    text, text_said = read(tmp_path, "lamp.md", "The stones were wet.\n")
    for story in (page, text):
        assert (story.title, story.authors, story.meta["mood"]) == ("The Lamp", ["Ada Brook"], "wistful")
        summary = story.summary[0]
        assert isinstance(summary, Paragraph) and any(isinstance(node, Emph) for node in summary.children), (
            "the summary is Markdown, in a page's front matter as in a Markdown file's"
        )
        assert summary.loc is not None and summary.loc.line == 4, "prose blocks point at their key's line"
    assert page.summary[0].children == text.summary[0].children
    for said in (page_said, text_said):
        unused = [d for d in said.items if d.code == "M007"]
        assert len(unused) == 1 and unused[0].line == 5 and "mood" in unused[0].message
        assert not [d for d in said.items if d.code == "F001"], "every word of the front matter reached the story"
