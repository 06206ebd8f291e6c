"""Covers: the generated one (size, colours, fitting long titles), supplied ones checked and
converted, the EPUB's two cover markings, the reading PDF's first page, and `bookforge cover`."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from conftest import REPO, SEEDS, build, run_cli
from epubfacts import NS, Epub
from PIL import Image

from bookforge.cover import art


def built(folder):
    results, diagnostics = build(folder)
    return Epub(results[0].path), diagnostics


def set_book_key(folder, line: str) -> None:
    toml = folder / "book.toml"
    toml.write_text(toml.read_text().replace("[book]\n", f"[book]\n{line}\n", 1))


def image_of(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def share_of(image: Image.Image, box, colour: str, tolerance: int = 24) -> float:
    """How much of `box` is (about) `colour`: every channel within `tolerance`."""
    from PIL import ImageChops

    region = image.crop(box).convert("RGB")
    difference = ImageChops.difference(region, Image.new("RGB", region.size, colour))
    worst = ImageChops.lighter(ImageChops.lighter(*difference.split()[:2]), difference.split()[2])
    close = worst.point(lambda value: 255 if value <= tolerance else 0).histogram()[255]
    return close / (region.size[0] * region.size[1])


# ---------------------------------------------------------------------------------------------
# The generated cover


def test_a_book_without_a_cover_gets_a_generated_one_marked_both_ways(project):
    epub, diagnostics = built(project("seeds_shape"))
    manifest = epub.manifest()
    assert manifest["cover-image"] == {"href": "images/cover.jpg", "media-type": "image/jpeg",
                                       "properties": "cover-image", "id": "cover-image"}
    assert epub.metadata("opf:meta[@name='cover']/@content") == ["cover-image"]  # EPUB 2, Kindle thumbnails
    assert epub.spine_hrefs()[0] == "text/cover.xhtml"
    page = epub.document("text/cover.xhtml")
    assert page.xpath("//x:img/@alt", namespaces=NS) == ["Seeds Shape, Test Editor"]
    assert page.xpath("//x:section/@epub:type", namespaces=NS) == ["cover"]
    image = image_of(epub.read("images/cover.jpg"))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1600, 2560))
    assert not [c for c in diagnostics.codes() if c.startswith("V")]


def test_the_generated_cover_uses_the_theme_colours_and_shows_the_words(project):
    folder = project("seeds_shape")
    epub, _ = built(folder)
    image = image_of(epub.read("images/cover.jpg"))
    band, lower = (0, 0, 1600, 1400), (0, 1600, 1600, 2560)
    assert share_of(image, band, "#7a2e1f") > 0.8  # classic's accent behind the title
    assert share_of(image, lower, "#f6f1e7") > 0.8  # classic's paper under it
    title_zone = (150, 400, 1450, 1100)
    assert 0.02 < share_of(image, title_zone, "#f6f1e7", tolerance=40) < 0.5, "the title is drawn in paper colour"
    names_zone = (150, 1800, 1450, 2300)
    assert share_of(image, names_zone, "#1a1a1a", tolerance=60) > 0.005, "the names are drawn in ink"

    (folder / "styles").mkdir(exist_ok=True)
    (folder / "styles" / "theme.toml").write_text('accent = "#204060"\n')
    recoloured = image_of(built(folder)[0].read("images/cover.jpg"))
    assert share_of(recoloured, band, "#204060") > 0.8, "styles/theme.toml overrides the theme's colours"


def test_a_colour_that_is_not_one_fails_every_command_at_its_line(project):
    """theme.toml is checked when it is read, so `check` says it as the build does (not late, by the
    cover, without a line)."""
    folder = project("seeds_shape")
    (folder / "styles").mkdir(exist_ok=True)
    (folder / "styles" / "theme.toml").write_text('# my colours\nink = "banana"\n')
    for command in ("epub", "cover"):
        result = run_cli(command, cwd=folder)
        assert result.returncode == 5, result.stderr
        assert "styles/theme.toml:2" in result.stderr and "'banana' is not a colour" in result.stderr


def test_long_titles_wrap_into_balanced_lines_and_shrink():
    font = str(art.REGULAR)

    def block(text, **kw):
        return art.fit_block(text, "en", font, 1300, max_height=900, largest=250, smallest=72, max_lines=5, **kw)

    short = block("Lamplight")
    assert short.lines == ("Lamplight",) and short.size == 250
    long = block("The Extraordinary and Altogether Improbable Chronicles of the Lighthouse Keepers of the Northern Isles")
    assert 2 < len(long.lines) <= 5 and long.size < short.size
    face = art._font(font, long.size)
    widths = [face.getlength(line) for line in long.lines]
    assert max(widths) <= 1300
    assert max(widths) - min(widths) < 0.5 * max(widths), "lines are balanced, not a full line and a stub"
    assert " ".join(long.lines).split() == long.lines[0].split() + [w for line in long.lines[1:] for w in line.split()]

    word = block("Pneumonoultramicroscopicsilicovolcanoconiosisandthensomemoreletters")
    assert word.size == 72 and len(word.lines) > 1 and word.lines[0].endswith("-"), "a giant word is broken"

    names = art.fit_block("Ada Quill, Sam Ferreira, Jun Okafor and Maria Esposito-Lindqvist", "en", font, 1300,
                          max_height=700, largest=96, smallest=40, max_lines=4, keep_together=art._NAME_BREAKS)
    for line in names.lines:  # whole names on each line
        assert not line.endswith(("Ada", "Sam", "Jun", "Maria")), names.lines


def test_scripts_without_spaces_wrap_between_characters():
    lines = art.balanced_lines("灯台守の夜と朝の物語", lambda s: 100 * len(s), 450)
    assert "".join(lines) == "灯台守の夜と朝の物語" and len(lines) == 3 and all(len(line) <= 4 for line in lines)


def test_cyrillic_and_greek_titles_are_set_in_the_book_face(tmp_path):
    text = art.CoverText("Ночной паром", "Ἡ Ὀδύσσεια", "", "Анна Каренина", "", "ru", "#1a1a1a", "#f6f1e7", "#7a2e1f")
    assert art.unrenderable(text) == ""
    image = image_of(art.draw_cover(text))
    assert 0.02 < share_of(image, (150, 300, 1450, 1200), "#f6f1e7", tolerance=40) < 0.5


def test_the_fast_path_only_skips_characters_the_book_faces_have():
    for face in (art.REGULAR, art.ITALIC):
        assert not [hex(c) for c in art.BOOK_FACE_SURE if c not in art._cmap(str(face))], face.name


def test_characters_no_font_has_are_reported(project, monkeypatch):
    folder = project("seeds_shape")
    monkeypatch.setattr(art, "_system_font_covering", lambda characters: None)
    set_book_key(folder, 'subtitle = "Kein Ende \U0001F9FF"')
    _, diagnostics = built(folder)
    assert "V003" in diagnostics.codes()


def test_the_generated_cover_is_cached_and_redrawn_when_its_words_change(project, monkeypatch):
    folder = project("seeds_shape")
    first, _ = built(folder)
    data = first.read("images/cover.jpg")
    assert list((folder / "build" / ".cache" / "cover").glob("*.jpeg")) or list((folder / "build" / ".cache" / "cover").glob("*.jpg"))

    def refuse(*args, **kwargs):
        raise AssertionError("drawn again")

    monkeypatch.setattr(art, "draw_cover", refuse)
    again, _ = built(folder)
    assert again.read("images/cover.jpg") == data, "the same words come from the cache"
    monkeypatch.undo()

    set_book_key(folder, 'subtitle = "A New Subtitle"')
    changed, _ = built(folder)
    assert changed.read("images/cover.jpg") != data
    shutil.rmtree(folder / "build" / ".cache")
    set_book_key(folder, "")
    assert built(folder)[0].read("images/cover.jpg") == changed.read("images/cover.jpg"), "drawing is deterministic"


def test_cover_false_means_no_cover(project):
    folder = project("seeds_shape")
    set_book_key(folder, "cover = false")
    epub, _ = built(folder)
    assert "cover-image" not in epub.manifest()
    assert not epub.metadata("opf:meta[@name='cover']/@content")
    assert epub.spine_hrefs()[0] == "text/titlepage.xhtml"


# ---------------------------------------------------------------------------------------------
# Supplied covers


def write_image(path, mode, size, fmt, **save):
    colour = {"RGB": (30, 60, 90), "RGBA": (30, 60, 90, 128), "CMYK": (10, 80, 0, 20), "L": 90, "P": 3}[mode]
    Image.new(mode, size, colour).save(path, fmt, **save)


def cover_project(project, name: str):
    folder = project("seeds_shape")
    set_book_key(folder, f'cover = "{name}"')
    return folder


def test_a_supplied_rgb_jpeg_is_packaged_byte_for_byte(project):
    folder = cover_project(project, "art/cover.jpg")
    (folder / "art").mkdir()
    write_image(folder / "art" / "cover.jpg", "RGB", (1600, 2560), "JPEG", quality=80)
    epub, diagnostics = built(folder)
    assert epub.read("images/cover.jpg") == (folder / "art" / "cover.jpg").read_bytes()
    assert not [c for c in diagnostics.codes() if c.startswith("V")]


@pytest.mark.parametrize("mode, fmt", [("RGBA", "PNG"), ("P", "PNG"), ("CMYK", "JPEG"), ("RGB", "PNG")])
def test_other_covers_are_converted_to_rgb_jpeg(project, mode, fmt):
    name = f"cover.{fmt.lower()}"
    folder = cover_project(project, name)
    write_image(folder / name, mode, (1000, 1600), fmt)
    epub, diagnostics = built(folder)
    image = image_of(epub.read("images/cover.jpg"))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1000, 1600))
    assert epub.manifest()["cover-image"]["media-type"] == "image/jpeg"
    assert diagnostics.codes() == []


def test_small_and_oddly_shaped_covers_are_warned_about(project):
    folder = cover_project(project, "cover.png")
    write_image(folder / "cover.png", "RGB", (600, 600), "PNG")
    _, diagnostics = built(folder)
    assert diagnostics.codes() == ["V001", "V002"]
    assert all(item.path == "cover.png" for item in diagnostics.items)


@pytest.mark.parametrize("content, message", [
    ("GIF", "the cover must be a JPEG or PNG image, not GIF"),
    ("text", "the cover is not an image bookforge can read"),
])
def test_unusable_covers_are_clear_errors(project, content, message):
    folder = cover_project(project, "cover.jpg")
    if content == "GIF":
        Image.new("RGB", (1600, 2560)).save(folder / "cover.jpg", "GIF")
    else:
        (folder / "cover.jpg").write_text("not an image")
    result = run_cli("epub", cwd=folder)
    assert result.returncode == 6
    assert f"cover.jpg: error: {message}" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------------------------------------
# `bookforge cover`, the reading PDF and calibre


def test_bookforge_cover_writes_jpeg_and_png(project):
    folder = project("seeds_shape")
    result = run_cli("cover", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "wrote build/seeds-shape-cover.jpg (1600×2560 px" in result.stderr
    result = run_cli("cover", "--png", cwd=folder)
    assert result.returncode == 0, result.stderr
    png = image_of((folder / "build" / "seeds-shape-cover.png").read_bytes())
    jpeg = image_of((folder / "build" / "seeds-shape-cover.jpg").read_bytes())
    assert (png.format, png.size, jpeg.format) == ("PNG", (1600, 2560), "JPEG")


@pytest.mark.slow
@pytest.mark.parametrize("one_pass", [False, True])
def test_pdf_cover_true_opens_a_reading_pdf_on_the_cover(project, one_pass):
    from pdffacts import Pdf

    folder = project("seeds_shape")
    plain = Pdf(build(folder, ("pdf",), one_pass=one_pass)[0][0].path)
    pages_without = len(plain.reader.pages)
    toml = folder / "book.toml"
    toml.write_text(toml.read_text() + ("\n[pdf]\ncover = true\n" if "[pdf]" not in toml.read_text() else ""))
    results, diagnostics = build(folder, ("pdf",), one_pass=one_pass)
    pdf = Pdf(results[0].path)
    first = pdf.reader.pages[0]
    assert "/XObject" in first["/Resources"], "the cover image is on page 1"
    assert first.extract_text().strip() == "", "no folio or running head on the cover"
    assert pdf.reader.pages[1].extract_text().strip() == "", "a blank inside cover"
    assert len(pdf.reader.pages) == pages_without + 2 and len(pdf.reader.pages) % 2 == 0

    printed, diagnostics = build(folder, ("pdf",), one_pass=one_pass, bleed="0.125in")
    assert "P003" in diagnostics.codes(), "never in a PDF for the printer"
    assert len(Pdf(printed[0].path).reader.pages) == pages_without


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("ebook-meta"), reason="calibre's ebook-meta is not installed (apt-get install calibre)")
@pytest.mark.parametrize("book", ["seeds_shape", "sample-anthology", "real-seeds"])
def test_calibre_finds_the_cover(project, tmp_path, book):
    if book == "seeds_shape":
        folder = project("seeds_shape")
    elif book == "sample-anthology":
        folder = tmp_path / "sample"
        shutil.copytree(REPO / "manuscripts", folder / "manuscripts")
        shutil.copy(REPO / "book.toml", folder / "book.toml")
    else:
        if not SEEDS.is_dir():
            pytest.skip(f"{SEEDS} is not present on this machine")
        from test_epubcheck import seeds_project

        folder = seeds_project(tmp_path / "seeds")
    epub, _ = built(folder)
    target = tmp_path / "found.jpg"
    result = subprocess.run(["ebook-meta", str(epub.path), f"--get-cover={target}"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert image_of(target.read_bytes()).size == (1600, 2560)


def test_a_huge_or_fake_cover_picture_is_refused_in_plain_words(tmp_path, capfd):
    import io

    from PIL import Image

    from bookforge.cover import supplied_cover
    from bookforge.diagnostics import Diagnostics
    from bookforge.errors import BuildError

    class Project:
        root = tmp_path.resolve()

    (tmp_path / "fake.jpg").write_bytes(b"this is no picture " * 20)
    small = io.BytesIO()
    Image.new("RGB", (16, 16)).save(small, "JPEG")
    header = bytearray(small.getvalue())  # a JPEG whose header claims 30000×20000 pixels
    at = header.index(b"\xff\xc0")
    header[at + 5:at + 9] = (20000).to_bytes(2, "big") + (30000).to_bytes(2, "big")
    (tmp_path / "huge.jpg").write_bytes(bytes(header))
    Image.new("RGB", (9000, 12000), "white").save(tmp_path / "large.jpg", quality=20)

    with pytest.raises(BuildError) as fake:
        supplied_cover(Project, "fake.jpg", Diagnostics())
    assert "not an image" in fake.value.message and "BytesIO" not in (fake.value.hint or "")
    with pytest.raises(BuildError) as huge:
        supplied_cover(Project, "huge.jpg", Diagnostics())
    assert "30000×20000 pixels" in huge.value.message and "resize" in huge.value.hint
    assert supplied_cover(Project, "large.jpg", Diagnostics())[1:] == (9000, 12000)
    assert "DecompressionBombWarning" not in capfd.readouterr().err
