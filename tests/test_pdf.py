"""The print PDF, checked by its facts: page boxes, fonts, outline, contents, folios, text, sameness."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import threading

import pytest
from conftest import FIXTURES, build, load, run_cli
from pdffacts import Pdf, contents_numbers, font_is_embedded, squash

from bookforge.model import Paragraph
from bookforge.render.xhtml import plain_text

pytestmark = pytest.mark.slow
TRIM = (396.0, 612.0)  # 5.5 x 8.5 in


def build_pdf(folder, **options) -> tuple[Pdf, object]:
    results, diagnostics = build(folder, formats=("pdf",), **options)
    return Pdf(results[0].path), diagnostics


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf") / "seeds_shape"
    shutil.copytree(FIXTURES / "seeds_shape", folder)
    pdf, diagnostics = build_pdf(folder)
    book, _ = load(folder)
    return folder, pdf, book, diagnostics


def story_starts(pdf: Pdf) -> dict[str, int]:
    return {title: page for depth, title, page in pdf.outline() if depth == 0 and title not in ("Contents", "Notes")}


def test_page_size_is_the_trim(seeds):
    _, pdf, _, _ = seeds
    for page in pdf.pages:
        assert [float(v) for v in page.trimbox] == [0, 0, *TRIM]
        assert [float(v) for v in page.mediabox] == [0, 0, *TRIM]


def test_every_font_is_embedded_and_each_face_appears_once(seeds):
    _, pdf, _, _ = seeds
    fonts = pdf.fonts()
    assert fonts and all(font_is_embedded(font) for font in fonts.values())
    names = sorted({str(font["/BaseFont"]).split("+", 1)[1] for font in fonts.values()})
    assert names == ["bookforge-serif", "bookforge-serif-Italic"], "the bundled face, no fallback font"
    assert len(fonts) == len(names), "parts' copies were merged into one font per face"
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", str(pdf.path)], capture_output=True, text=True).stdout
        rows = [line.split() for line in listing.splitlines()[2:]]
        assert rows and all(row[-5] == "yes" for row in rows), listing


def test_outline_lists_every_story(seeds):
    _, pdf, book, _ = seeds
    titles = [title for depth, title, _ in pdf.outline()]
    assert titles == ["Contents"] + [story.title for story in book.stories]


def test_stories_start_on_odd_pages_and_the_contents_tells_where(seeds):
    _, pdf, book, _ = seeds
    labels = pdf.reader.page_labels
    numbers = contents_numbers(pdf)
    starts = story_starts(pdf)
    assert set(numbers) == {story.title for story in book.stories}
    for title, index in starts.items():
        assert index % 2 == 0, f"{title} starts on page index {index}: a left-hand page"
        assert labels[index] == numbers[title], title
        assert int(numbers[title]) % 2 == 1
    assert labels[starts[book.stories[0].title]] == "1", "stories are numbered from 1"
    assert all(label.isalpha() for label in labels[: starts[book.stories[0].title]]), "front matter in roman"


def test_contents_links_lead_to_the_stories(seeds):
    _, pdf, _, _ = seeds
    starts = story_starts(pdf)
    contents_index = next(page for _, title, page in pdf.outline() if title == "Contents")
    targets = []
    for annotation in pdf.pages[contents_index].get("/Annots") or []:
        annotation = annotation.get_object()
        destination = annotation.get("/Dest")
        if destination is not None:
            targets.append(pdf.reader.get_page_number(destination[0].get_object()))
    assert sorted(set(targets)) == sorted(starts.values())


def test_running_heads_and_folios(seeds):
    _, pdf, book, _ = seeds
    labels = pdf.reader.page_labels
    openings = set(story_starts(pdf).values())
    story_titles = {story.title for story in book.stories}
    first_story = min(openings)
    for index, page in enumerate(pdf.all_regions):
        blank = not (page.head or page.body or page.foot)
        if blank or index in openings:
            assert not page.head and not page.foot, f"page {index}: {page}"
            continue
        if index < first_story:
            continue  # front matter: folios only on the contents
        assert page.foot == labels[index], f"page {index} folio {page.foot!r} != {labels[index]!r}"
        expected_head = "Seeds Shape" if index % 2 == 1 else None
        if expected_head:
            assert page.head == expected_head, index
        else:
            assert page.head in story_titles, index
    blank_pages = [i for i, p in enumerate(pdf.all_regions) if not (p.head or p.body or p.foot)]
    assert blank_pages, "a story ending on a right-hand page leaves a blank verso"


def test_every_paragraph_is_there_in_order_with_curly_quotes(seeds):
    _, pdf, book, _ = seeds
    text = squash("".join(page.body for page in pdf.all_regions))
    position = 0
    for story in book.stories:
        for block in story.notes + list(story.blocks()):
            if not isinstance(block, Paragraph):
                continue
            wanted = squash(plain_text(block.children))
            found = text.find(wanted, position)
            if found < 0:  # the drop cap letter is drawn apart from its word
                found = text.find(wanted[1:], position)
            assert found >= 0, wanted[:60]
            position = found
    raw = pdf.text()
    assert '"' not in raw and "'" not in raw


def test_scene_breaks_are_ornaments(seeds):
    _, pdf, book, _ = seeds
    breaks = sum(type(b).__name__ == "SceneBreak" for story in book.stories for b in story.blocks())
    assert pdf.text().count("❧") == breaks == 6


def test_metadata(seeds):
    _, pdf, _, _ = seeds
    info = pdf.reader.metadata
    assert info["/Title"] == "Seeds Shape"
    assert info["/Author"] == "Test Editor"
    assert info["/CreationDate"] == "D:20260115000000+00'00'"
    assert pdf.reader.trailer["/Root"]["/Lang"] == "en"


def test_two_builds_are_byte_identical(seeds):
    folder, pdf, _, _ = seeds
    first = pdf.path.read_bytes()
    again, _ = build_pdf(folder, no_cache=True)
    assert again.path.read_bytes() == first


def sameness(pdf: Pdf):
    """What must not change between ways of laying out: pages, folios, contents, outline."""
    return (len(pdf.pages), [page.foot for page in pdf.all_regions], contents_numbers(pdf), pdf.outline())


def test_jobs_1_and_2_give_the_same_book(seeds, tmp_path):
    folder, pdf, _, _ = seeds
    one, _ = build_pdf(folder, jobs=1, no_cache=True)
    one_copy = tmp_path / "one.pdf"
    shutil.copy(one.path, one_copy)
    two, _ = build_pdf(folder, jobs=2, no_cache=True)
    assert sameness(Pdf(one_copy)) == sameness(two)
    assert Pdf(one_copy).reader.page_labels == two.reader.page_labels
    assert one_copy.read_bytes() == two.path.read_bytes()


def test_parts_and_one_pass_give_the_same_book(project, tmp_path):
    folder = project("markdown_story")  # notes at the end, a multi-chapter story
    parts, _ = build_pdf(folder)
    parts_copy = tmp_path / "parts.pdf"
    shutil.copy(parts.path, parts_copy)
    whole, _ = build_pdf(folder, one_pass=True)
    assert sameness(Pdf(parts_copy)) == sameness(whole)


@pytest.mark.parametrize("one_pass", [False, True], ids=["parts", "one-pass"])
@pytest.mark.parametrize("fixture", ["seeds_shape", "markdown_story"])
def test_the_book_ends_on_a_blank_left_hand_page_when_it_must(project, fixture, one_pass):
    """A printer binds sheets: IngramSpark refuses an odd page count, so the last page is a verso."""
    folder = project(fixture)
    pdf, _ = build_pdf(folder, one_pass=one_pass, bleed="0.125in", marks=["crop"])
    assert len(pdf.pages) % 2 == 0, f"{len(pdf.pages)} pages"
    last_text = pdf.all_regions[-1]
    if not last_text.body:  # the padding page: nothing on it, but the same boxes as every page
        assert not last_text.head and not last_text.foot
    boxes = {tuple(float(v) for v in page.bleedbox) + tuple(float(v) for v in page.trimbox) for page in pdf.pages}
    assert len(boxes) == 1, boxes


def test_cached_build_is_the_same_book(seeds, tmp_path):
    folder, _, _, _ = seeds
    cold, _ = build_pdf(folder, no_cache=True)
    cold_bytes = cold.path.read_bytes()
    build_pdf(folder)  # fills the cache
    warm, _ = build_pdf(folder)
    assert warm.path.read_bytes() == cold_bytes


@pytest.mark.parametrize("placement", ["front", "end"])
def test_collected_notes_in_print(project, placement):
    folder = project("markdown_story")
    toml = folder / "book.toml"
    toml.write_text(toml.read_text().replace('notes = "end"', f'notes = "{placement}"'))
    pdf, _ = build_pdf(folder)
    outline = [title for _, title, _ in pdf.outline()]
    assert ("Authors’ Notes" in outline[:2]) if placement == "front" else (outline[-1] == "Authors’ Notes")
    notes_page = next(page for _, title, page in pdf.outline() if title == "Authors’ Notes")
    label = pdf.reader.page_labels[notes_page]
    assert label.isalpha() == (placement == "front"), "front notes are numbered in roman"
    assert contents_numbers(pdf)["Authors’ Notes"] == label
    assert "Written for a friend who reads tide tables" in pdf.regions(notes_page).body


def test_trim_bleed_and_marks(project):
    folder = project("seeds_shape")
    pdf, _ = build_pdf(folder, trim="6x9in", bleed="0.125in", marks=["crop"])
    page = pdf.pages[0]
    assert [float(v) for v in page.trimbox] == [0, 0, 432, 648]
    assert [float(v) for v in page.bleedbox] == [-9, -9, 441, 657]
    assert float(page.mediabox.width) >= 450 and float(page.mediabox.height) >= 666


@pytest.mark.parametrize("trim, size", [("a5", (419.53, 595.28)), ("b-format", (365.67, 561.26)), ("150x220mm", (425.2, 623.62))])
def test_trim_presets_and_custom_sizes(project, trim, size):
    pdf, _ = build_pdf(project("seeds_shape"), trim=trim)
    box = pdf.pages[0].trimbox
    assert (round(float(box[2]), 1), round(float(box[3]), 1)) == (round(size[0], 1), round(size[1], 1))


def test_nothing_is_fetched_from_the_network_or_outside_the_project(project, tmp_path):
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        folder = project("images_cover")
        outside = tmp_path / "outside.png"
        shutil.copy(folder / "images" / "map.png", outside)
        manuscript = folder / "manuscripts" / "charts.md"
        manuscript.write_text(
            manuscript.read_text()
            + f"\n![remote]({url}/remote.png)\n\n![outside](../../outside.png)\n"
        )
        (folder / "styles").mkdir()
        (folder / "styles" / "custom.css").write_text(
            f'body {{ background: url("{url}/paper.png"); }}\n'
            'h2 { background: url("file:///etc/hostname"); }\n'
        )
        pdf, diagnostics = build_pdf(folder)
    finally:
        server.shutdown()
    assert requests == [], "bookforge reached the network"
    warnings = [(d.code, d.path, d.line) for d in diagnostics.items]
    assert ("M005", "manuscripts/charts.md", 15) in warnings
    assert ("M005", "manuscripts/charts.md", 17) in warnings
    refused = [d.message for d in diagnostics.items if d.code == "T001"]
    assert any("paper.png" in m for m in refused) and any("/etc/hostname" in m for m in refused)
    assert pdf.image_count() == 1, "only the image inside the project"


def test_build_makes_both_formats(project):
    folder = project("seeds_shape")
    result = run_cli("-q", "build", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (folder / "build").iterdir() if p.is_file()) == ["seeds-shape.epub", "seeds-shape.pdf"]


def test_pdf_command_options(project):
    folder = project("seeds_shape")
    result = run_cli("pdf", "--trim", "5x8in", "--jobs", "1", "-o", "out.pdf", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert [float(v) for v in Pdf(folder / "out.pdf").pages[0].trimbox] == [0, 0, 360, 576]
    bad = run_cli("pdf", "--trim", "huge", cwd=folder)
    assert bad.returncode == 3 and "trim must be a preset" in bad.stderr and "Traceback" not in bad.stderr


def test_source_date_epoch_in_pdf(project):
    folder = project("seeds_shape")
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        pdf, _ = build_pdf(folder, no_cache=True)
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    assert pdf.reader.metadata["/ModDate"] == "D:20231114221320+00'00'"


@pytest.mark.parametrize("variant, marker", [("pdf/a-3u", b"pdfaid"), ("pdf/ua-1", b"pdfuaid")])
def test_variants_are_laid_out_in_one_pass_with_their_conformance(project, variant, marker):
    folder = project("seeds_shape")
    pdf, _ = build_pdf(folder, variant=variant)
    data = pdf.path.read_bytes()
    root = pdf.reader.trailer["/Root"]
    assert marker in root["/Metadata"].get_object().get_data(), f"{variant} identification in the XMP metadata"
    if variant.startswith("pdf/a"):
        assert "/OutputIntents" in root
    else:
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert all(font_is_embedded(font) for font in pdf.fonts().values())
    again, _ = build_pdf(folder, variant=variant, no_cache=True)
    assert again.path.read_bytes() == data, "one-pass builds are reproducible too"


def test_unknown_variant_is_a_config_error(project):
    from bookforge.errors import ConfigError

    with pytest.raises(ConfigError, match="variant"):
        build_pdf(project("seeds_shape"), variant="pdf/z-9")
