"""The full-wrap print cover: geometry from the printers' rules, spine text, barcode, back text, cache."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from bookforge.errors import ConfigError
from bookforge.printers import PRINTERS

from conftest import build, run_cli

ROOT = Path(__file__).parent.parent
ISBN = "9781234567897"
PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")  # Debian's libgs-common
STORY = ("The keeper climbed the stair at dusk and lit the lamp, as her father had, and his before him. "
         "Below, the sea went on with its work. ")


def make_project(folder: Path, *, book: str = "", pdf: str = "", cover: str = "", extra: str = "",
                 paragraphs: int = 3, stories: int = 1) -> Path:
    """A small book project: `stories` stories of `paragraphs` paragraphs each."""
    (folder / "manuscripts").mkdir(parents=True)
    for number in range(1, stories + 1):
        text = f"Title: Story {number}\nAuthor: Mara Ellison\n\n" + "\n\n".join(STORY * 4 for _ in range(paragraphs))
        (folder / "manuscripts" / f"{number:02}.md").write_text(text + "\n", encoding="utf-8")
    (folder / "book.toml").write_text(
        '[book]\ntitle = "The Keeper of Small Lights"\nauthors = ["Mara Ellison"]\ndate = "2026-11-20"\n'
        'description = "A lighthouse, a keeper, a ship that does not come home."\n' + book
        + "\n[pdf]\n" + pdf + ("\n[cover]\n" + cover if cover else "") + extra, encoding="utf-8")
    return folder


def cover_pdf(folder: Path, pages: int | None = None):
    """Build the print cover in-process; (path, result stats, diagnostics)."""
    results, diagnostics = build(folder, ("cover-pdf",), **({"pages": pages} if pages else {}))
    return results[0].path, results[0].stats, diagnostics


def boxes(path: Path) -> dict[str, list[float]]:
    page = pypdf.PdfReader(path).pages[0]
    return {name: [float(v) for v in getattr(page, name)] for name in ("mediabox", "trimbox", "bleedbox")}


def region_text(path: Path, left: float, width: float) -> str:
    """pdftotext of a vertical strip of the sheet, in inches from the media's left edge."""
    out = subprocess.run(["pdftotext", "-x", str(round(left * 72)), "-y", "0", "-W", str(round(width * 72)),
                          "-H", "10000", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def assert_print_ready(path: Path) -> None:
    """Every font embedded (pdffonts) and a PDF qpdf finds sound."""
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    assert all(row.split()[-5] == "yes" for row in rows), fonts  # the "emb" column
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


needs_tools = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftotext", "pdffonts", "pdftoppm", "qpdf")),
                                 reason="needs poppler-utils and qpdf (./dev test installs them)")


@needs_tools
@pytest.mark.parametrize("printer", ["kdp", "lulu"])
@pytest.mark.parametrize("paper", ["white", "cream"])
def test_the_sheet_is_the_printers_formula_for_every_page_count(tmp_path, printer, paper):
    folder = make_project(tmp_path / "book", pdf=f'printer = "{printer}"\npaper = "{paper}"\ntrim = "6x9in"\n')
    rules = PRINTERS[printer]
    for pages in (24, 120, 300, 600):
        path, stats, diagnostics = cover_pdf(folder, pages)
        spine = pages * rules.papers[paper] + rules.spine_allowance
        width, height, bleed = 2 * 6 + spine + 2 * rules.bleed, 9 + 2 * rules.bleed, rules.bleed
        found = boxes(path)
        media = found["mediabox"]
        assert abs((media[2] - media[0]) / 72 - width) < 0.001, (pages, media)
        assert abs((media[3] - media[1]) / 72 - height) < 0.001, (pages, media)
        trim = found["trimbox"]
        assert all(abs(t - (m + d * bleed * 72)) < 0.072 for t, m, d in zip(trim, media, (1, 1, -1, -1))), found
        assert found["bleedbox"] == media
        assert abs(stats["spine"] - spine) < 1e-9

        on_spine = region_text(path, bleed + 6 + 0.02, max(spine - 0.04, 0.01))
        if rules.spine_has_text(pages):
            assert "The Keeper of Small Lights" in on_spine and "Mara Ellison" in on_spine, (pages, on_spine)
            assert "I004" not in [i.code for i in diagnostics.infos]
        else:
            assert on_spine == "", (pages, on_spine)
            assert [i.code for i in diagnostics.infos] == ["I004"]
        assert "The Keeper of Small Lights" in region_text(path, bleed + 6 + spine, 6)  # the front
        assert_print_ready(path)


@needs_tools
def test_the_barcode_reads_as_the_isbn(tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    folder = make_project(tmp_path / "book", book='isbn = "978-1-23456-789-7"\n', pdf='printer = "kdp"\n')
    path, _, diagnostics = cover_pdf(folder, 200)
    assert not diagnostics.items
    # The back panel only, at the resolution a printer's preflight looks at.
    png = tmp_path / "back"
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", "-W", str(6 * 300), str(path), str(png)],
                   check=True)
    found = zxingcpp.read_barcodes(Image.open(f"{png}.png"))
    assert [(code.format, code.text) for code in found] == [(zxingcpp.BarcodeFormat.EAN13, ISBN)]
    assert "ISBN 978-1-23456-789-7" in region_text(path, 0, 5.625)  # as the author hyphenated it


@needs_tools
def test_without_an_isbn_the_barcode_box_is_kept_white(tmp_path):
    from PIL import Image

    folder = make_project(tmp_path / "book", pdf='printer = "kdp"\ntrim = "5.5x8.5in"\n')
    path, _, _ = cover_pdf(folder, 100)
    png = tmp_path / "sheet"
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(path), str(png)], check=True)
    image = Image.open(f"{png}.png").convert("RGB")
    box_w, box_h = PRINTERS["kdp"].barcode_box
    # The box: 0.25 in from the fold and the foot of the back panel (plus the bleed).
    right, bottom = (0.125 + 5.5 - 0.25) * 50, (0.125 + 8.5 - 0.25) * 50
    for x in range(int(right - box_w * 50) + 2, int(right) - 2, 7):
        for y in range(int(bottom - box_h * 50) + 2, int(bottom) - 2, 7):
            assert image.getpixel((x, y)) == (255, 255, 255), (x, y)


def test_a_small_picture_is_said_to_print_soft(tmp_path):
    from PIL import Image

    folder = make_project(tmp_path / "book", book='cover = "front.jpg"\n', pdf='trim = "5.5x8.5in"\n')
    Image.new("RGB", (800, 1280), "#335577").save(folder / "front.jpg")
    _, _, diagnostics = cover_pdf(folder, 100)
    [warning] = [d for d in diagnostics.items if d.code == "V004"]
    assert warning.path == "front.jpg" and "142 ppi" in warning.message
    assert "V001" not in diagnostics.codes()  # an e-reader's concern, not the printed cover's

    Image.new("RGB", (1700, 2630), "#335577").save(folder / "front.jpg")  # 300 ppi over front and bleed
    _, _, diagnostics = cover_pdf(folder, 100)
    assert "V004" not in diagnostics.codes()


@needs_tools
def test_back_text_too_long_is_cut_cleanly_and_said(tmp_path):
    paragraphs = [f"Paragraph {n} begins here. " + "The sea keeps what it takes and gives back what it will. " * 8
                  for n in range(1, 9)]
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "blurb.md").write_text("\n\n".join(paragraphs) + "\n\n*Marker of the end.*\n")
    folder = make_project(tmp_path / "book2", cover='back-text-file = "../book/blurb.md"\n')
    with pytest.raises(ConfigError) as refused:
        cover_pdf(folder, 100)
    line = (folder / "book.toml").read_text().splitlines().index('back-text-file = "../book/blurb.md"') + 1
    assert "outside the project" in refused.value.message
    assert (refused.value.path, refused.value.line) == ("book.toml", line)

    shutil.copy(tmp_path / "book" / "blurb.md", folder / "blurb.md")
    (folder / "book.toml").write_text((folder / "book.toml").read_text().replace("../book/", ""))
    path, _, diagnostics = cover_pdf(folder, 100)
    [warning] = [d for d in diagnostics.items if d.code == "V005"]
    assert warning.path == "blurb.md"
    back = region_text(path, 0, 5.625)
    assert "Paragraph 1 begins here." in back and "Marker of the end" not in back
    assert back.rstrip().endswith("Mara Ellison")  # the author line still comes after the text


def test_back_text_comes_from_cover_then_description_and_the_author_line_can_go(tmp_path):
    folder = make_project(tmp_path / "book", cover='back-text = "Told by the light itself."\nauthor-line = false\n')
    path, _, diagnostics = cover_pdf(folder, 100)
    back = region_text(path, 0, 5.625)
    assert "Told by the light itself." in back and "A lighthouse, a keeper" not in back
    assert "Mara Ellison" not in back
    assert not diagnostics.items

    folder = make_project(tmp_path / "plain")
    back = region_text(cover_pdf(folder, 100)[0], 0, 5.625)
    assert "A lighthouse, a keeper, a ship that does not come home." in back and "Mara Ellison" in back


@needs_tools
def test_pdfx_covers_carry_the_output_intent(tmp_path):
    if not PROFILE.is_file():
        pytest.skip("no CMYK profile here (Debian's libgs-common has one)")
    from PIL import Image

    from bookforge.validate.built import check_print_pdf

    from test_printer_rules import image_spaces

    folder = make_project(tmp_path / "book", pdf=f'variant = "pdf/x-4"\noutput-intent = "{PROFILE}"\n',
                          book='isbn = "978-1-23456-789-7"\n')
    path, _, diagnostics = cover_pdf(folder, 200)
    assert not diagnostics.items
    reader = pypdf.PdfReader(path)
    [intent] = reader.trailer["/Root"]["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFX"
    assert reader.pdf_header == "%PDF-1.6"
    assert_print_ready(path)
    wrap = boxes(path)["trimbox"]
    # Colours, the barcode's bars and the picture all in the printer's CMYK: no P107.
    assert check_print_pdf(path, (wrap[2] - wrap[0], wrap[3] - wrap[1]), 9, tolerance=0.1) == []

    Image.new("RGBA", (1800, 2800), (180, 60, 40, 255)).save(folder / "front.png")  # a supplied front
    text = (folder / "book.toml").read_text()
    (folder / "book.toml").write_text(text.replace("[book]\n", '[book]\ncover = "front.png"\n', 1))
    path, _, _ = cover_pdf(folder, 200)
    assert set(image_spaces(pypdf.PdfReader(path).pages[0].get("/Resources"))) == {"/DeviceCMYK"}
    assert check_print_pdf(path, (wrap[2] - wrap[0], wrap[3] - wrap[1]), 9, tolerance=0.1) == []


@needs_tools
@pytest.mark.slow
def test_cover_print_on_the_command_line(tmp_path):
    folder = make_project(tmp_path / "book")
    result = run_cli("cover", "--print", cwd=folder)
    assert result.returncode == 0, result.stderr
    path = folder / "build" / "the-keeper-of-small-lights-cover.pdf"
    assert path.is_file() and "wrote build/the-keeper-of-small-lights-cover.pdf" in result.stderr
    assert "spine 0.0" in result.stderr  # a short book: its real page count, laid out and counted
    assert run_cli("cover", "--print", "--png", cwd=folder).returncode == 2


@pytest.mark.slow
def test_build_lays_out_the_interior_once_and_the_cover_follows_its_pages(tmp_path, monkeypatch):
    import bookforge.backends.pdf as pdf_backend

    folder = make_project(tmp_path / "book", pdf='printer = "kdp"\npaper = "white"\n', paragraphs=4, stories=2,
                          extra='\n[build]\nformats = ["cover-pdf", "pdf"]\n')
    calls = []
    original = pdf_backend.build_pdf
    monkeypatch.setattr(pdf_backend, "build_pdf", lambda ctx, handle: calls.append(1) or original(ctx, handle))

    results, _ = build(folder, ("cover-pdf", "pdf"))
    assert [r.format for r in results] == ["pdf", "cover-pdf"]  # the interior first, whatever the order
    assert len(calls) == 1
    interior, cover = results
    pages = len(pypdf.PdfReader(interior.path).pages)
    assert cover.stats["pages"] == pages and cover.stats["pages_from"] == "built"
    assert cover.stats["cache_misses"] == 1

    again, _ = build(folder, ("pdf", "cover-pdf"))  # nothing changed: the cover from the cache
    assert again[1].stats["cache_hits"] == 1 and again[1].stats["pages"] == pages
    first = again[1].path.read_bytes()

    for number in range(3, 9):  # more stories, more pages: a wider spine, a cover made again
        (folder / "manuscripts" / f"{number:02}.md").write_text(
            f"Title: Story {number}\n\n" + "\n\n".join(STORY * 6 for _ in range(12)) + "\n", encoding="utf-8")
    longer, _ = build(folder, ("pdf", "cover-pdf"))
    assert longer[1].stats["pages"] > pages and longer[1].stats["cache_misses"] == 1
    assert longer[1].stats["spine"] > cover.stats["spine"]
    assert boxes(longer[1].path)["mediabox"][2] > boxes(interior.path)["mediabox"][2]
    assert longer[1].path.read_bytes() != first


@pytest.mark.slow
def test_check_holds_the_cover_to_the_interiors_page_count(tmp_path):
    from bookforge.check import run_check

    folder = make_project(tmp_path / "book", pdf='printer = "kdp"\npaper = "cream"\n', paragraphs=4, stories=2)
    build(folder, ("pdf", "cover-pdf"))
    codes = {f["code"] for f in run_check([folder], epubcheck=False).findings}
    assert not codes & {"P105", "P106", "B002"}, codes

    for number in range(3, 9):  # the interior grows; the cover made for the shorter book stays
        (folder / "manuscripts" / f"{number:02}.md").write_text(
            f"Title: Story {number}\n\n" + "\n\n".join(STORY * 6 for _ in range(12)) + "\n", encoding="utf-8")
    build(folder, ("pdf",))
    [stale] = [f for f in run_check([folder], epubcheck=False).findings if f["code"] == "P106"]
    assert stale["path"] == "build/the-keeper-of-small-lights-cover.pdf" and "TrimBox" in stale["message"]
    assert "bookforge cover --print" in stale["hint"]

    (folder / "build" / "the-keeper-of-small-lights.pdf").unlink()
    assert "B002" in {f["code"] for f in run_check([folder], epubcheck=False).findings}


def test_the_same_inputs_give_the_same_bytes(tmp_path):
    folder = make_project(tmp_path / "book", book='isbn = "978-1-23456-789-7"\n')
    path, stats, _ = cover_pdf(folder, 300)
    first = path.read_bytes()
    shutil.rmtree(folder / "build" / ".cache")
    path, stats, _ = cover_pdf(folder, 300)
    assert stats["cache_misses"] == 1 and path.read_bytes() == first


@needs_tools
@pytest.mark.slow
def test_the_sample_anthologys_cover_picture(tmp_path):
    """docs/images/print-cover.png: the sample anthology's full-wrap cover, as docs/covers.md shows it."""
    from bookforge.build import build_formats
    from bookforge.diagnostics import Diagnostics
    from bookforge.project import open_project

    diagnostics = Diagnostics()
    project = open_project(ROOT, diagnostics)
    target = tmp_path / "lamplight-cover.pdf"
    [result] = build_formats(project, ["cover-pdf"], diagnostics, output=str(target))
    assert not diagnostics.items
    assert_print_ready(target)
    picture = ROOT / "docs" / "images" / "print-cover"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(target), str(picture)], check=True)
    assert picture.with_suffix(".png").stat().st_size > 1000


def test_a_cover_for_a_page_count_the_printer_does_not_bind_is_said(tmp_path):
    folder = make_project(tmp_path / "book", pdf='printer = "ingramspark"\npaper = "white"\n')
    for pages, words in ((6, "18 pages or more"), (2000, "1200 pages at most"), (117, "even number of pages")):
        _, _, diagnostics = cover_pdf(folder, pages)
        [said] = [d for d in diagnostics.items if d.code == "P005"]
        assert words in said.message and said.path == "book.toml" and said.line == 8, said
    _, _, diagnostics = cover_pdf(folder, 120)
    assert "P005" not in diagnostics.codes()


@pytest.mark.slow
def test_check_finds_a_cover_two_pages_off(tmp_path):
    from bookforge.check import run_check

    folder = make_project(tmp_path / "book", pdf='printer = "kdp"\npaper = "white"\n')
    results, _ = build(folder, ("pdf",))
    pages = len(pypdf.PdfReader(results[0].path).pages)
    cover_pdf(folder, pages + 2)  # 0.0045in of spine too much: under the 0.01in an interior's boxes may be off
    assert "P106" in {f["code"] for f in run_check([folder], epubcheck=False).findings}
    cover_pdf(folder, pages)
    assert "P106" not in {f["code"] for f in run_check([folder], epubcheck=False).findings}
