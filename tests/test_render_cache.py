"""Watch mode's per-story XHTML cache: unchanged stories reused, and every build the same as a cold one."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bookforge.build import build_formats
from bookforge.diagnostics import Diagnostics
from bookforge.pipeline import StoryCache
from bookforge.project import open_project

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def make(tmp_path: Path, stories: dict[str, str]) -> Path:
    (tmp_path / "manuscripts").mkdir()
    (tmp_path / "book.toml").write_text('[book]\ntitle = "Cache"\nauthors = ["A. Writer"]\n')
    for name, text in stories.items():
        (tmp_path / "manuscripts" / name).write_text(text)
    return tmp_path


def build_with(folder: Path, cache: StoryCache | None, formats=("epub",)) -> dict[str, bytes]:
    diagnostics = Diagnostics()
    results = build_formats(open_project(folder, diagnostics), list(formats), diagnostics, story_cache=cache)
    return {r.format: r.path.read_bytes() for r in results}


def entries(epub: bytes, tmp_path: Path) -> dict[str, bytes]:
    path = tmp_path / "look.epub"
    path.write_bytes(epub)
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


STORIES = {
    "01-one.txt": "Title: One\n\nNotes: a note.\n\n\"First,\" she said.\n\n\nAfter the break.\n",
    "02-two.txt": "Title: Two\n\nThe second story's only paragraph.\n",
    "03-three.md": "---\ntitle: Three\n---\n\nA picture:\n\n![a lamp](images/lamp.png)\n",
}


def test_an_edit_rerenders_only_its_story_and_the_book_matches_a_cold_build(tmp_path):
    folder = make(tmp_path, STORIES)
    (folder / "manuscripts" / "images").mkdir()
    (folder / "manuscripts" / "images" / "lamp.png").write_bytes(PNG)
    cache = StoryCache()
    first = build_with(folder, cache)["epub"]
    assert (cache.rendered.hits, cache.rendered.misses) == (0, 3)
    assert build_with(folder, None)["epub"] == first

    again = build_with(folder, cache)["epub"]
    assert (cache.rendered.hits, cache.rendered.misses) == (3, 3), "nothing changed: every story reused"
    assert again == first
    assert any(name.startswith("EPUB/images/") for name in entries(again, tmp_path)), \
        "a reused story's images are still packaged"

    story = folder / "manuscripts" / "02-two.txt"
    story.write_text(story.read_text().replace("only paragraph", "one and only paragraph"))
    edited = build_with(folder, cache)["epub"]
    assert (cache.rendered.hits, cache.rendered.misses) == (5, 4), "only the edited story rendered again"
    assert edited == build_with(folder, None)["epub"]
    assert b"one and only paragraph" in entries(edited, tmp_path)["EPUB/text/two.xhtml"]


def test_a_story_whose_image_comes_and_goes_is_never_served_stale(tmp_path):
    folder = make(tmp_path, STORIES)
    cache = StoryCache()
    without = entries(build_with(folder, cache)["epub"], tmp_path)  # the image is missing: dropped
    assert not any(name.startswith("EPUB/images/") and not name.endswith("/cover.jpg") for name in without)

    (folder / "manuscripts" / "images").mkdir()
    (folder / "manuscripts" / "images" / "lamp.png").write_bytes(PNG)
    with_image = build_with(folder, cache)["epub"]
    assert with_image == build_with(folder, None)["epub"]
    assert b"lamp.png" in entries(with_image, tmp_path)["EPUB/text/three.xhtml"]

    (folder / "manuscripts" / "images" / "lamp.png").unlink()
    gone = build_with(folder, cache)["epub"]
    assert gone == build_with(folder, None)["epub"]
    assert b"lamp.png" not in entries(gone, tmp_path)["EPUB/text/three.xhtml"]


def test_a_setting_that_changes_the_markup_misses(tmp_path):
    folder = make(tmp_path, STORIES)
    cache = StoryCache()
    build_with(folder, cache)
    toml = folder / "book.toml"
    toml.write_text(toml.read_text() + 'notes = "front"\n')
    moved = build_with(folder, cache)["epub"]
    assert moved == build_with(folder, None)["epub"]
    assert b"a note." not in entries(moved, tmp_path)["EPUB/text/one.xhtml"]


@pytest.mark.slow
def test_epub_and_pdf_keep_their_own_renderings(tmp_path):
    folder = make(tmp_path, {k: v for k, v in STORIES.items() if k.endswith(".txt")})
    cache = StoryCache()
    build_with(folder, cache, ("epub", "pdf"))
    assert cache.rendered.misses == 4  # two stories, two backends
    build_with(folder, cache, ("epub", "pdf"))
    assert cache.rendered.hits == 4


def test_a_cached_story_says_its_warnings_and_information_again(tmp_path):
    """What reading said the first time (warnings and information lines) is said on every build."""
    import shutil

    from conftest import FIXTURES

    folder = make(tmp_path, {"01-one.txt": "Title: One\n\nIt was \u0007 late.\n"})
    shutil.copy(FIXTURES / "shapes" / "properties-last-first.docx", folder / "manuscripts")
    cache = StoryCache()
    said = []
    for _ in range(2):
        diagnostics = Diagnostics()
        build_formats(open_project(folder, diagnostics), ["epub"], diagnostics, story_cache=cache)
        said.append(([d.format() for d in diagnostics.items], [d.format() for d in diagnostics.infos]))
    assert said[0] == said[1] and said[0][0] and said[0][1]
