"""EPUB facts, read by XPath: reading order, contents, notes as front matter, breaks, metadata."""

from __future__ import annotations

import os
import zipfile

import pytest
from conftest import FIXTURES, build, load
from epubfacts import NS, XML_LANG, Epub

from bookforge.model import Paragraph, SceneBreak, Text


def built(project_dir, **env):
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        results, diagnostics = build(project_dir)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return Epub(results[0].path), diagnostics


def set_book_key(folder, line: str) -> None:
    toml = folder / "book.toml"
    toml.write_text(toml.read_text().replace("[book]\n", f"[book]\n{line}\n", 1))


@pytest.fixture
def seeds_epub(project):
    folder = project("seeds_shape")
    epub, _ = built(folder)
    return folder, epub


def test_reading_order_and_lang_on_every_document(seeds_epub):
    _, epub = seeds_epub
    assert epub.spine_hrefs() == [
        "text/cover.xhtml",
        "text/titlepage.xhtml",
        "text/imprint.xhtml",
        "text/contents.xhtml",
        "text/the-long-way-round.xhtml",
        "text/night-window.xhtml",
    ]
    for href, root in epub.documents():
        assert root.get("lang") == "en" and root.get(XML_LANG) == "en", href


def test_title_and_imprint_pages(seeds_epub):
    _, epub = seeds_epub
    title = epub.document("text/titlepage.xhtml")
    assert title.xpath("string(//x:h1)", namespaces=NS) == "Seeds Shape"
    assert "Edited by Test Editor" in " ".join(title.xpath("//x:p//text()", namespaces=NS)).replace("  ", " ")
    imprint = "".join(epub.document("text/imprint.xhtml").itertext())
    assert "urn:uuid:" in imprint and "2026-01-15" in imprint


def test_contents_lists_every_story_with_its_author(seeds_epub):
    _, epub = seeds_epub
    nav = epub.nav()
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=NS)[0]
    assert toc.get("role") == "doc-toc"
    entries = [
        (li.xpath("string(.//x:span[@class='toc-title'])", namespaces=NS),
         li.xpath("string(.//x:span[@class='toc-author'])", namespaces=NS).strip(),
         li.xpath("string(x:a/@href)", namespaces=NS))
        for li in toc.xpath("x:ol/x:li", namespaces=NS)
    ]
    assert entries == [
        ("The Long Way Round", "by A. Writer", "the-long-way-round.xhtml"),
        ("Night Window", "by B. Author", "night-window.xhtml"),
    ]
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']", namespaces=NS)[0]
    assert landmarks.get("hidden") == "hidden"
    assert landmarks.xpath(".//x:a/@epub:type", namespaces=NS) == ["cover", "titlepage", "toc", "bodymatter"]


def test_ncx_mirrors_the_contents(seeds_epub):
    _, epub = seeds_epub
    ncx = epub.document("toc.ncx")
    labels = ncx.xpath("//ncx:navPoint/ncx:navLabel/ncx:text/text()", namespaces=NS)
    assert labels == ["The Long Way Round by A. Writer", "Night Window by B. Author"]


def test_notes_come_before_the_story_text_marked_as_front_matter(seeds_epub):
    _, epub = seeds_epub
    story = epub.document("text/night-window.xhtml")
    body = story.xpath("//x:section[@id='night-window']", namespaces=NS)[0]
    children = [c for c in body if isinstance(c.tag, str)]
    tags = [(c.tag.split("}")[1], c.get("class")) for c in children[:3]]
    assert tags == [("header", "story-opening"), ("section", "story-notes"), ("p", "opening")]
    notes = children[1]
    assert notes.get("role") == "doc-preface" and notes.get("{http://www.idpf.org/2007/ops}type") == "preface"
    assert notes.xpath("string(x:h3)", namespaces=NS) == "Author’s Note"
    assert "‘Night Window’ follows an earlier piece" in "".join(notes.itertext())
    opening = children[0]
    assert opening.xpath("string(x:h2)", namespaces=NS) == "Night Window"
    assert opening.xpath("string(x:p[@class='byline'])", namespaces=NS) == "B. Author"


def test_every_paragraph_in_order_and_every_scene_break(seeds_epub):
    folder, epub = seeds_epub
    book, _ = load(folder)
    expected = []
    for story in book.stories:
        expected += ["".join(n.text for n in b.children if isinstance(n, Text)) for b in story.notes]
        expected += ["".join(n.text for n in b.children if isinstance(n, Text)) for b in story.blocks()
                     if isinstance(b, Paragraph)]
    actual = [t for t in epub.body_paragraph_texts()]
    story_paragraphs = actual[actual.index(expected[0]):]
    assert story_paragraphs == expected
    breaks = {href: len(root.xpath("//x:hr[@class='scene-break']", namespaces=NS)) for href, root in epub.spine_documents()}
    assert breaks["text/the-long-way-round.xhtml"] == 5
    assert sum(isinstance(b, SceneBreak) for b in book.stories[0].blocks()) == 5
    hr = epub.document("text/the-long-way-round.xhtml").xpath("//x:hr", namespaces=NS)[0]
    assert hr.get("aria-label") == "Scene break"


def test_no_straight_quotes_left_in_the_text(seeds_epub):
    _, epub = seeds_epub
    text = epub.text()
    assert '"' not in text and "'" not in text
    assert "“" in text and "’" in text and "…" in text


def test_metadata_and_accessibility(seeds_epub):
    _, epub = seeds_epub
    assert epub.metadata("dc:title/text()") == ["Seeds Shape"]
    assert epub.metadata("dc:language/text()") == ["en"]
    assert epub.metadata("dc:creator/text()") == ["Test Editor"]
    assert epub.metadata("dc:contributor/text()") == ["A. Writer", "B. Author"]
    assert epub.metadata("opf:meta[@refines='#creator1'][@property='role']/text()") == ["edt"]
    assert epub.metadata("opf:meta[@property='dcterms:modified']/text()") == ["2026-01-15T00:00:00Z"]
    props = {}
    for meta in epub.opf.xpath("//opf:meta[starts-with(@property, 'schema:')]", namespaces=NS):
        props.setdefault(meta.get("property"), []).append(meta.text)
    assert props["schema:accessMode"] == ["textual", "visual"]  # the cover is an image
    assert props["schema:accessModeSufficient"] == ["textual"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(props["schema:accessibilityFeature"])
    assert props["schema:accessibilityHazard"] == ["none"]
    assert props["schema:accessibilitySummary"][0].startswith("This publication")


def test_identifier_is_stable_and_derived_from_title_and_names(project):
    first, _ = built(project("seeds_shape"))
    identifier = first.metadata("dc:identifier/text()")[0]
    assert identifier.startswith("urn:uuid:")
    other = project("markdown_story")
    second, _ = built(other)
    assert second.metadata("dc:identifier/text()")[0] != identifier


@pytest.mark.parametrize("placement", ["front", "end"])
def test_notes_collected_in_front_or_back_matter(project, placement):
    folder = project("markdown_story")
    toml = folder / "book.toml"
    toml.write_text(toml.read_text().replace('notes = "end"', f'notes = "{placement}"'))
    epub, _ = built(folder)
    spine = epub.spine_hrefs()
    expected_index = spine.index("text/contents.xhtml") + 1 if placement == "front" else len(spine) - 1
    assert spine.index("text/notes.xhtml") == expected_index
    notes = epub.document("text/notes.xhtml")
    headings = notes.xpath("//x:section[@class='story-notes']/x:h3//text()", namespaces=NS)
    assert headings == ["The Tide Table", "Slack Water"]
    for href, root in epub.spine_documents():
        if href != "text/notes.xhtml":
            assert not root.xpath("//x:section[contains(@class, 'story-notes')]", namespaces=NS), href
    end_notes_in_story = epub.document("text/the-tide-table-2.xhtml").xpath(
        "//x:section[@class='story-end-notes']", namespaces=NS
    )
    assert bool(end_notes_in_story) == (placement == "front")
    contents = [t.strip() for t in epub.nav().xpath("//x:nav[@epub:type='toc']/x:ol/x:li/x:a/x:span[@class='toc-title']/text()", namespaces=NS)]
    assert contents[0 if placement == "front" else -1] == "Authors’ Notes"


def test_multi_chapter_story_is_split_and_nested_in_the_contents(project):
    epub, _ = built(project("markdown_story"))
    assert epub.spine_hrefs()[4:6] == ["text/the-tide-table.xhtml", "text/the-tide-table-2.xhtml"]
    first = epub.document("text/the-tide-table.xhtml")
    assert first.xpath("//x:section[@id='the-tide-table']/@role", namespaces=NS) == ["doc-part"]
    assert first.xpath("//x:section[@id='the-tide-table-1']/x:h3/text()", namespaces=NS) == ["Spring"]
    nested = epub.nav().xpath("//x:li[x:a/@href='the-tide-table.xhtml']/x:ol/x:li/x:a/@href", namespaces=NS)
    assert nested == ["the-tide-table.xhtml#the-tide-table-1", "the-tide-table-2.xhtml"]


def test_summary_and_end_notes_are_labelled_sections(project):
    folder = project("markdown_story")
    set_book_key(folder, "")
    toml = folder / "book.toml"
    toml.write_text(toml.read_text().replace('notes = "end"', 'notes = "story"'))
    epub, _ = built(folder)
    first = epub.document("text/the-tide-table.xhtml")
    summary = first.xpath("//x:section[@class='story-summary']", namespaces=NS)[0]
    assert summary.get("role") == "doc-abstract" and "last" in "".join(summary.itertext())
    last = epub.document("text/the-tide-table-2.xhtml")
    end = last.xpath("//x:section[@class='story-end-notes']", namespaces=NS)[0]
    assert end.get("role") == "doc-afterword" and end.xpath("string(x:h3)", namespaces=NS) == "Afterword"


def test_cover_and_images_are_packaged(project):
    epub, diagnostics = built(project("images_cover"))
    manifest = epub.manifest()
    assert manifest["cover-image"]["properties"] == "cover-image"
    assert epub.metadata("opf:meta[@name='cover']/@content") == ["cover-image"]
    assert epub.spine_hrefs()[0] == "text/cover.xhtml"
    cover = epub.document("text/cover.xhtml")
    assert cover.xpath("//x:img/@alt", namespaces=NS) == ["Maps and Covers, C. Cartographer"]
    story = epub.document("text/the-chart-room.xhtml")
    assert story.xpath("//x:img/@src", namespaces=NS) == ["../images/map.png"]
    assert "EPUB/images/map.png" in epub.names()
    assert diagnostics.codes() == ["M005", "M005"], "remote and outside images are refused"


def test_raw_html_in_markdown_never_reaches_the_epub(tmp_path):
    (tmp_path / "manuscripts").mkdir()
    (tmp_path / "book.toml").write_text('[book]\ntitle = "Hostile"\n')
    (tmp_path / "manuscripts" / "a.md").write_text(
        '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\nText <iframe src="http://x"></iframe>.\n'
    )
    epub, _ = built(tmp_path)
    for href, root in epub.documents():
        images = "" if href == "text/cover.xhtml" else " | //x:img"
        assert not root.xpath("//x:script | //x:iframe | //@onerror" + images, namespaces=NS)
    assert "<script>alert(1)</script>" in epub.text()


def test_two_builds_are_byte_identical(project):
    folder = project("markdown_story")
    first, _ = built(folder)
    data = first.path.read_bytes()
    second, _ = built(folder)
    assert second.path.read_bytes() == data


def test_source_date_epoch_is_honoured(project):
    folder = project("seeds_shape")
    epub, _ = built(folder, SOURCE_DATE_EPOCH="1700000000")
    assert epub.metadata("opf:meta[@property='dcterms:modified']/text()") == ["2023-11-14T22:13:20Z"]
    assert {info.date_time for info in zipfile.ZipFile(epub.path).infolist()} == {(2023, 11, 14, 22, 13, 20)}
    first_entry = zipfile.ZipFile(epub.path).infolist()[0]
    assert (first_entry.filename, first_entry.compress_type) == ("mimetype", zipfile.ZIP_STORED)


def test_a_failed_build_leaves_the_previous_epub_untouched(project, monkeypatch):
    folder = project("seeds_shape")
    epub, _ = built(folder)
    before = epub.path.read_bytes()
    (folder / "manuscripts" / "short.txt").write_text("Changed text.\n")

    from bookforge.backends import epub as backend

    def explode(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backend, "ReproducibleWriter", explode)
    with pytest.raises(OSError):
        build(folder)
    assert epub.path.read_bytes() == before
    assert [p.name for p in epub.path.parent.iterdir() if p.name != ".cache"] == [epub.path.name], "no temporary files left"


def test_write_errors_become_build_errors_and_keep_the_old_file(project, monkeypatch):
    from bookforge.errors import BuildError

    folder = project("seeds_shape")
    epub, _ = built(folder)
    before = epub.path.read_bytes()
    import os as _os

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_os, "replace", full_disk)
    with pytest.raises(BuildError, match="the disk is full"):
        build(folder)
    assert epub.path.read_bytes() == before
    assert [p.name for p in epub.path.parent.iterdir() if p.name != ".cache"] == [epub.path.name]


def test_styles_folder_overrides_theme_files(project):
    folder = project("seeds_shape")
    (folder / "styles").mkdir()
    (folder / "styles" / "epub.css").write_text(".project-epub { color: red; }\n")
    (folder / "styles" / "extra.css").write_text(".project-extra { color: blue; }\n")
    epub, _ = built(folder)
    css = epub.read("css/style.css").decode()
    assert ".project-epub" in css and ".project-extra" in css
    assert "section.cover img" not in css, "the theme's epub.css was replaced"
    assert ".collected-notes .byline" in css, "base.css still comes from the theme"


def test_fixture_folders_are_never_written_to():
    assert not (FIXTURES / "seeds_shape" / "build").exists()


def test_a_document_that_is_not_xml_is_refused_by_name(project, monkeypatch):
    from bookforge.backends import epub as backend
    from bookforge.errors import BuildError

    folder = project("seeds_shape")
    real = backend._xhtml
    monkeypatch.setattr(backend, "_xhtml", lambda doc: real(doc).replace(b"</body>", b"<p></body>")
                        if doc.kind == "story" else real(doc))
    with pytest.raises(BuildError, match=r"internal error: text/\S+\.xhtml is not well-formed XML"):
        build(folder)


def test_the_zip_container_is_whole_and_dated_once(project):
    folder = project("seeds_shape")
    epub, _ = built(folder)
    with zipfile.ZipFile(epub.path) as archive:
        assert archive.testzip() is None  # every CRC and length checks out
        infos = archive.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos[1:])
        assert {info.date_time for info in infos} == {infos[0].date_time}
        assert all(info.external_attr >> 16 == 0o644 for info in infos)


def test_a_book_dated_before_1980_is_zipped_at_the_earliest_date_a_zip_holds():
    import datetime as dt
    import io

    from bookforge.backends.epub_zip import DatedZip

    buffer = io.BytesIO()
    archive = DatedZip(buffer, dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))  # SOURCE_DATE_EPOCH=0
    archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
    archive.writestr("EPUB/a.xhtml", b"<p/>" * 100)
    archive.close()
    with zipfile.ZipFile(buffer) as package:
        assert [info.date_time for info in package.infolist()] == [(1980, 1, 1, 0, 0, 0)] * 2
        assert package.read("EPUB/a.xhtml") == b"<p/>" * 100
