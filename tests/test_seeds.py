"""The real-manuscript acceptance: every paragraph, in order; notes first; every scene break; curly quotes.

Runs on the seeds-shaped fixture always, and on the real seeds in ../shared/seeds when present. The
expected paragraphs come from splitting the files here, independently of bookforge's reader.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES, SEEDS, build
from epubfacts import NS, Epub

from bookforge.transforms.typography import educate_string


def raw_paragraphs(path: Path) -> tuple[list[str], int]:
    """(paragraphs after typography, number of two-blank-line breaks), split by hand."""
    text = path.read_text(encoding="utf-8")
    notes = None
    if text.startswith("Notes:"):
        first, _, text = text.partition("\n\n")
        notes = first[len("Notes:"):].strip()
    chunks = re.split(r"\n\s*\n", text.strip())
    breaks = len(re.findall(r"\S\n[ \t]*\n[ \t]*\n+[ \t]*\S", text))
    paragraphs = [educate_string(" ".join(c.split())) for c in chunks if c.strip()]
    if notes:
        paragraphs.insert(0, educate_string(notes))
    return paragraphs, breaks


def seeds_book(tmp_path: Path) -> Path:
    (tmp_path / "manuscripts").mkdir(parents=True)
    entries = []
    for number, seed in enumerate(sorted(SEEDS.glob("*.txt")), start=1):
        (tmp_path / "manuscripts" / seed.name).write_bytes(seed.read_bytes())
        entries.append(f'[[story]]\nfile = "manuscripts/{seed.name}"\ntitle = "Seed {number}"\nauthor = "Author {number}"\n')
    (tmp_path / "book.toml").write_text('[book]\ntitle = "Seeds"\n\n' + "\n".join(entries))
    return tmp_path


@pytest.fixture(params=["fixture", "real-seeds"])
def book_dir(request, project, tmp_path):
    if request.param == "fixture":
        return project("seeds_shape")
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is not present on this machine")
    return seeds_book(tmp_path / "seeds")


def test_every_paragraph_in_order_notes_first_breaks_kept_quotes_curly(book_dir):
    results, _ = build(book_dir)
    epub = Epub(results[0].path)
    manuscripts = sorted((book_dir / "manuscripts").iterdir())
    story_docs = epub.spine_hrefs()[4:]  # after the cover, title page, imprint and contents
    assert len(story_docs) == len(manuscripts)
    for manuscript, href in zip(manuscripts, story_docs):
        expected, breaks = raw_paragraphs(manuscript)
        root = epub.document(href)
        actual = ["".join(p.itertext()) for p in root.xpath("//x:p[not(ancestor::x:header)]", namespaces=NS)]
        assert actual == expected, manuscript.name
        assert len(root.xpath("//x:hr[@class='scene-break']", namespaces=NS)) == breaks, manuscript.name
        if manuscript.read_text().startswith("Notes:"):
            notes = root.xpath("//x:section[@class='story-notes']", namespaces=NS)
            assert len(notes) == 1 and notes[0].get("role") == "doc-preface"
            first_text = root.xpath("//x:section[@class='story']/x:p[1]", namespaces=NS)[0]
            assert notes[0].sourceline < first_text.sourceline, "notes come before the text"
    text = epub.text()
    assert '"' not in text and "'" not in text


def test_the_longer_seed_has_five_scene_breaks():
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is not present on this machine")
    longest = max(SEEDS.glob("*.txt"), key=lambda p: p.stat().st_size)
    assert raw_paragraphs(longest)[1] == 5


def test_fixture_has_the_seeds_shape():
    long_story = FIXTURES / "seeds_shape" / "manuscripts" / "long.txt"
    assert raw_paragraphs(long_story)[1] == 5
    assert (FIXTURES / "seeds_shape" / "manuscripts" / "short.txt").read_text().startswith("Notes:")
