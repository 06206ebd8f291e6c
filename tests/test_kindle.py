"""The default EPUB is Send-to-Kindle safe: what gets books refused (E999) is absent or warned about."""

from __future__ import annotations

import re
import zipfile

from conftest import build
from epubfacts import Epub

from bookforge.backends import kindle_safety


def built(folder):
    results, diagnostics = build(folder)
    return Epub(results[0].path), diagnostics


def test_the_sample_epub_has_nothing_kindle_refuses(project):
    epub, diagnostics = built(project("images_cover"))
    assert epub.metadata("dc:language/text()") == ["en"]
    with zipfile.ZipFile(epub.path) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
                assert b"<!--" not in data, f"an XML comment in {name}"
            if name.endswith(".css"):
                text = data.decode("utf-8")
                assert "/*" not in text, f"a CSS comment in {name}"
                assert not re.search(r"var\(\s*--|(?<![\w-])--[\w-]+\s*:", text), f"a custom property in {name}"
            assert len(data) < kindle_safety.MAX_IMAGE_BYTES
    assert not [code for code in diagnostics.codes() if code.startswith("K")]


def test_css_custom_properties_are_warned_about_with_file_and_line(project):
    folder = project("seeds_shape")
    (folder / "styles").mkdir(exist_ok=True)
    (folder / "styles" / "extra.css").write_text(
        "/* --commented: out; var(--nothing) */\n"
        "p { content: \"--not-a-property: x\"; }\n"
        ":root {\n  --ink: #222;\n}\n"
        "p { color: var(--ink); }\n"
    )
    epub, diagnostics = built(folder)
    [warning] = [item for item in diagnostics.items if item.code == "K001"]
    assert (warning.path, warning.line) == ("styles/extra.css", 4)
    assert "--ink" in warning.message
    css = epub.read("css/style.css").decode()
    assert "--commented" not in css and '"--not-a-property: x"' in css, "comments go, strings stay"


def test_big_images_books_and_woff_fonts_are_warned_about(project, monkeypatch):
    folder = project("images_cover")
    (folder / "styles").mkdir()
    (folder / "styles" / "fonts.woff2").write_bytes(b"wOF2" + bytes(100))
    (folder / "styles" / "extra.css").write_text('@font-face { font-family: "X"; src: url(fonts.woff2); }\n')
    monkeypatch.setattr(kindle_safety, "MAX_IMAGE_BYTES", 1000)
    monkeypatch.setattr(kindle_safety, "MAX_BOOK_BYTES", 10_000)
    epub, diagnostics = built(folder)
    found = {item.code: item for item in diagnostics.items if item.code.startswith("K")}
    assert set(found) == {"K002", "K003", "K004"}
    assert found["K002"].path in ("images/map.png", "cover.png")
    assert found["K003"].path == "build/maps-and-covers.epub"
    assert found["K004"].path == "styles/fonts.woff2"


def test_stripping_comments_keeps_strings_and_code():
    css = 'a { content: "/* kept */"; } /* gone */ b { color: red; } /* unterminated'
    assert kindle_safety.strip_css_comments(css) == 'a { content: "/* kept */"; }  b { color: red; } '
