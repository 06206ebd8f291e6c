"""What an EPUB's accessibility metadata claims is true of the book: every fixture book is built and
read against its own schema:accessibilitySummary and accessibilityFeature list."""

from __future__ import annotations

import posixpath
import shutil

import pytest
from conftest import FIXTURES, REPO, build
from epubfacts import NS, Epub

BOOKS = ["seeds_shape", "markdown_story", "images_cover", "cp1252", "formats", "structure", "lint"]
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture(scope="module", params=BOOKS + ["sample-anthology", "shapes-folders"])
def epub(request, tmp_path_factory) -> Epub:
    work = tmp_path_factory.mktemp(request.param)
    if request.param == "sample-anthology":
        project = work / "sample"
        shutil.copytree(REPO / "manuscripts", project / "manuscripts")
        shutil.copy(REPO / "book.toml", project / "book.toml")
    elif request.param == "shapes-folders":  # story folders whose chapter files have no title inside
        project = work / "folders"
        (project / "manuscripts").mkdir(parents=True)
        (project / "book.toml").write_text('[book]\ntitle = "Folders"\n')
        for folder in ("folder-untitled-chapters", "Last Gasp at Calama"):
            shutil.copytree(FIXTURES / "shapes" / folder, project / "manuscripts" / folder)
        shutil.copy(FIXTURES / "shapes" / "image-no-alt.docx", project / "manuscripts")
    else:
        project = work / request.param
        shutil.copytree(FIXTURES / request.param, project, ignore=shutil.ignore_patterns("build"))
    results, _ = build(project)
    return Epub(results[0].path)


def _property(epub: Epub, name: str) -> list[str]:
    return epub.metadata(f"opf:meta[@property='{name}']")


def _toc_targets(epub: Epub) -> set[tuple[str, str]]:
    """(document, fragment) of every contents entry; fragment '' for a whole document."""
    nav = epub.nav()
    targets = set()
    for href in nav.xpath("//x:nav[@epub:type='toc']//x:a/@href", namespaces=NS):
        document, _, fragment = href.partition("#")
        targets.add((posixpath.normpath(posixpath.join("text", document)), fragment))
    return targets


def test_every_story_and_chapter_has_a_heading_and_a_contents_entry(epub):
    summary = _property(epub, "schema:accessibilitySummary")[0]
    assert "Every story and chapter has a heading and is listed in the table of contents" in summary
    assert "tableOfContents" in _property(epub, "schema:accessibilityFeature")
    targets = _toc_targets(epub)
    listed_documents = {document for document, _ in targets}
    for href, root in epub.spine_documents():
        for section in root.xpath("//x:section[@role='doc-chapter' or @role='doc-part']", namespaces=NS):
            label = section.get("aria-labelledby")
            assert label, f"{href}: a {section.get('role')} without a heading"
            heading = root.xpath(f"//*[@id='{label}']", namespaces=NS)
            assert heading and heading[0].tag.split("}")[1] in ("h1", "h2", "h3", "h4", "h5", "h6"), \
                f"{href}: {label} is not a heading"
            assert "".join(heading[0].itertext()).strip(), f"{href}: an empty heading"
            in_contents = (href, section.get("id")) in targets or href in listed_documents
            assert in_contents, f"{href}#{section.get('id')} is not in the table of contents"


def test_every_labelled_section_has_its_label(epub):
    summary = _property(epub, "schema:accessibilitySummary")[0]
    assert "the story notes and other sections are labelled" in summary
    for href, root in epub.spine_documents():
        for section in root.xpath("//x:body//x:section | //x:body//x:nav | //x:body//x:aside", namespaces=NS):
            label = section.get("aria-labelledby")
            named = section.get("aria-label") or (label and root.xpath(f"//*[@id='{label}']", namespaces=NS))
            assert named or section.tag.endswith("aside"), f"{href}: a {section.tag} without a label"


def test_scene_breaks_are_separators_and_notes_are_front_matter(epub):
    for href, root in epub.spine_documents():
        for rule in root.xpath("//x:hr", namespaces=NS):
            assert rule.get("class") == "scene-break" and rule.get("aria-label"), href
        for notes in root.xpath("//x:section[contains(@class, 'story-notes')]", namespaces=NS):
            assert notes.get(EPUB_TYPE) == "preface" and notes.get("role") == "doc-preface", href


def test_images_have_text_alternatives_when_the_book_says_so(epub):
    summary = _property(epub, "schema:accessibilitySummary")[0]
    features = _property(epub, "schema:accessibilityFeature")
    alts = [img.get("alt") for _, root in epub.spine_documents() for img in root.xpath("//x:img", namespaces=NS)]
    if all(alt and alt.strip() for alt in alts) and alts:
        assert "images have text alternatives" in summary and "alternativeText" in features
    elif alts:
        assert "alternativeText" not in features and "images have text alternatives" not in summary
        assert _property(epub, "schema:accessModeSufficient") == ["textual,visual"]


def test_notes_are_linked_both_ways_when_the_book_says_so(epub):
    summary = _property(epub, "schema:accessibilitySummary")[0]
    calls = [(href, a) for href, root in epub.spine_documents()
             for a in root.xpath("//x:a[@epub:type='noteref']", namespaces=NS)]
    assert ("footnotes and endnotes are linked both ways" in summary) == bool(calls)
    for href, call in calls:
        document, _, fragment = call.get("href").partition("#")
        root = epub.document(posixpath.join(posixpath.dirname(href), document)) if document else epub.document(href)
        back = root.xpath(f"//*[@id='{fragment}']//x:a[@role='doc-backlink']/@href", namespaces=NS)
        assert back and back[0].endswith("#" + call.get("id"))
