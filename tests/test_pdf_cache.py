"""The PDF part cache: invalidated by every input that can change a part's pages, by nothing else."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import build

from bookforge.backends.pdf import cache as cache_module

pytestmark = pytest.mark.slow
PARTS = ["front", "night-window", "the-long-way-round"]


def laid_out(folder, **options) -> list[str]:
    results, _ = build(folder, formats=("pdf",), **options)
    return results[0].stats["laid_out"]


@pytest.fixture
def warm(project):
    """A seeds-shaped project whose cache holds every part."""
    folder = project("seeds_shape")
    assert laid_out(folder) == PARTS
    return folder


def edit(path, old, new) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_nothing_changed_nothing_laid_out(warm):
    assert laid_out(warm) == []


def test_a_changed_paragraph_lays_out_only_its_story(warm):
    edit(warm / "manuscripts" / "short.txt", "Odo woke to the sound", "Odo woke at the sound")
    assert laid_out(warm) == ["night-window"]


def test_a_story_title_change_lays_out_its_story_and_the_contents(warm):
    edit(warm / "book.toml", 'title = "Night Window"', 'title = "The Night Window"')
    assert laid_out(warm) == ["front", "the-night-window"]


def test_css_lays_out_everything(warm):
    (warm / "styles").mkdir()
    (warm / "styles" / "custom.css").write_text("p { text-indent: 1.2em; }\n")
    assert laid_out(warm) == PARTS


@pytest.mark.parametrize(
    "old, new",
    [('date = "2026-01-15"', 'date = "2026-01-15"\n[pdf]\nfont-size = "10.5pt"'),
     ('date = "2026-01-15"', 'date = "2026-01-15"\n[pdf]\ntrim = "6x9in"'),
     ('date = "2026-01-15"', 'date = "2026-01-15"\n[pdf]\ndrop-caps = false')],
)
def test_settings_lay_out_everything(warm, old, new):
    edit(warm / "book.toml", old, new)
    assert laid_out(warm) == PARTS


def test_a_different_font_lays_out_everything(warm, tmp_path, monkeypatch):
    fonts = tmp_path / "fonts"
    shutil.copytree(cache_module.FONTS_DIR, fonts)
    regular = fonts / "LinLibertine_R.otf"
    regular.write_bytes(regular.read_bytes() + b"\0")  # a different font file, as an update would be
    monkeypatch.setattr(cache_module, "FONTS_DIR", fonts)
    cache_module._environment_key.cache_clear()
    try:
        assert laid_out(warm) == PARTS
    finally:
        cache_module._environment_key.cache_clear()


def test_a_new_bookforge_version_lays_out_everything(warm, monkeypatch):
    monkeypatch.setattr(cache_module, "__version__", "999.0")
    cache_module._environment_key.cache_clear()
    try:
        assert laid_out(warm) == PARTS
    finally:
        cache_module._environment_key.cache_clear()


def test_the_date_is_printed_in_the_front_matter_only(warm):
    edit(warm / "book.toml", 'date = "2026-01-15"', 'date = "2026-02-01"')
    assert laid_out(warm) == ["front"]


def test_what_does_not_change_pages_keeps_the_cache(warm):
    edit(warm / "book.toml", 'date = "2026-01-15"',
         'date = "2026-01-15"\ndescription = "A new blurb."\n# a comment\n[build]\nformats = ["pdf"]')
    for manuscript in (warm / "manuscripts").iterdir():
        os.utime(manuscript, (1, 1))
    os.environ["SOURCE_DATE_EPOCH"] = "1800000000"
    try:
        assert laid_out(warm, jobs=1) == []
        assert laid_out(warm, jobs=2) == []
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def test_an_earlier_story_that_grows_leaves_the_later_ones_cached_and_the_book_right(warm, tmp_path):
    story = warm / "manuscripts" / "long.txt"
    text = story.read_text()
    story.write_text(text + "\n\n" + "\n\n".join(text.split("\n\n")[:40]))  # several more pages
    results, _ = build(warm, formats=("pdf",))
    assert results[0].stats["laid_out"] == ["front", "the-long-way-round"], "the later story came from the cache"
    cached = results[0].path.read_bytes()
    cold, _ = build(warm, formats=("pdf",), no_cache=True)
    assert cold[0].path.read_bytes() == cached, "the same book as a cold build"
