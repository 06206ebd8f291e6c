"""The printers' rules: their numbers, an interior that follows them, and what build and check say."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from conftest import REPO, build

from bookforge.printing.geometry import page_geometry
from bookforge.printing.printer_checks import margin_breaches, page_count_breach, spine_breach
from bookforge.config import PdfConfig, load_config
from bookforge.printers import PRINTERS

PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")  # Debian's libgs-common
KDP = PRINTERS["kdp"]


def _corpus():
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_book(folder: Path, words: int, pdf: str, stories: int = 4) -> Path:
    """A book of the benchmark corpus's own words, with a [pdf] table of our choosing."""
    _corpus().generate(folder, stories, words)
    toml = folder / "book.toml"
    toml.write_text(toml.read_text() + "\n[pdf]\n" + pdf)
    return folder


def pages_of(path: Path) -> int:
    return len(pypdf.PdfReader(path).pages)


def codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics.items]


def check(folder: Path):
    from bookforge.check import run_check

    return run_check([folder], epubcheck=False)


# ---------------------------------------------------------------------------------------------
# The numbers


@pytest.mark.parametrize("pages, paper, width", [(300, "white", 0.6756), (100, "cream", 0.25), (200, "color", 0.4694)])
def test_kdp_spine_is_pages_times_the_paper(pages, paper, width):
    assert KDP.spine_width(pages, paper) == pytest.approx(width)


def test_lulu_spine_adds_its_allowance():
    assert PRINTERS["lulu"].spine_width(444, "white") == pytest.approx(1.06)


@pytest.mark.parametrize("pages, inside", [(24, 0.375), (150, 0.375), (151, 0.5), (300, 0.5), (301, 0.625),
                                           (500, 0.625), (501, 0.75), (700, 0.75), (701, 0.875), (828, 0.875)])
def test_kdp_inside_minimum_by_page_count(pages, inside):
    assert KDP.inside_minimum(pages) == inside


@pytest.mark.parametrize("name, pages, inside", [("ingramspark", 150, 0.5), ("ingramspark", 151, 0.625),
                                                 ("lulu", 60, 0.5), ("lulu", 61, 0.625), ("lulu", 151, 1.0)])
def test_other_printers_inside_minimums(name, pages, inside):
    assert PRINTERS[name].inside_minimum(pages) == inside


def test_spine_text_and_outside_minimums():
    assert not KDP.spine_has_text(79) and KDP.spine_has_text(80)
    assert (KDP.outside_minimum(False), KDP.outside_minimum(True)) == (0.25, 0.375)


@pytest.mark.parametrize("name", ["kdp", "ingramspark", "lulu", "generic"])
@pytest.mark.parametrize("pages", [40, 151, 320, 501, 701])
@pytest.mark.parametrize("bleed", ["0", "0.125in"])
def test_auto_margins_meet_every_printers_minimums(name, pages, bleed):
    printer = PRINTERS[name]
    geometry = page_geometry(PdfConfig(printer=name, bleed=bleed), words=0, pages=pages)
    assert geometry.inner >= printer.inside_minimum(pages) * 72
    floor = printer.outside_minimum(bleed != "0") * 72
    assert min(geometry.outer, geometry.top, geometry.bottom) >= floor


def test_auto_gutter_takes_from_the_outer_margin_not_the_text():
    short = page_geometry(PdfConfig(printer="kdp"), words=0, pages=100)
    long = page_geometry(PdfConfig(printer="kdp"), words=0, pages=600)
    assert long.inner > short.inner and long.outer < short.outer
    assert long.text_width == pytest.approx(short.text_width)


def test_breaches_name_the_book_toml_line():
    config = load_config('[book]\ntitle = "T"\n\n[pdf]\nprinter = "kdp"\nmargins = { inner = "0.3in", '
                         'outer = "0.2in", top = "0.5in", bottom = "0.5in" }\n')
    geometry = page_geometry(config.pdf, words=0)
    found = margin_breaches(config.pdf, geometry, 200)
    assert [(b.code, b.line) for b in found] == [("P006", 6), ("P006", 6)]
    assert "inner" in found[0].message and "0.5in" in found[0].message and "margins" in found[0].hint
    assert page_count_breach(config.pdf, 10).line == 5 and page_count_breach(config.pdf, 24) is None
    assert "828" in page_count_breach(config.pdf, 900).message
    assert spine_breach(config.pdf, 60).code == "P007" and spine_breach(config.pdf, 80) is None


# ---------------------------------------------------------------------------------------------
# Books laid out


def inside_margins(pdf: Path, first: int, last: int) -> tuple[float, float]:
    """The narrowest inside margin (inches) over recto and over verso pages, from where the words
    are (pdftotext's word boxes): a recto's gutter is at its left, a verso's at its right."""
    width = float(pypdf.PdfReader(pdf).pages[0].trimbox.width)
    recto, verso = [], []
    for number in range(first, last + 1):
        boxes = subprocess.run(["pdftotext", "-bbox", "-f", str(number), "-l", str(number), str(pdf), "-"],
                               capture_output=True, text=True, check=True).stdout
        words = [(float(a), float(b)) for a, b in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"',
                                                             boxes)]
        if len(words) < 50:  # a blank or an opening page: not a full page of text
            continue
        if number % 2:
            recto.append(min(x for x, _ in words))
        else:
            verso.append(width - max(x for _, x in words))
    assert recto and verso, "full pages on both sides"
    return min(recto) / 72, min(verso) / 72


needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is missing")


@pytest.mark.slow
@needs_pdftotext
@pytest.mark.parametrize("words, font, low, high", [(33_000, "11pt", 100, 150), (36_000, "18pt", 301, 500)],
                         ids=["about-120-pages", "about-320-pages"])
def test_kdp_books_get_the_inside_margin_their_length_needs(tmp_path, words, font, low, high):
    folder = make_book(tmp_path / "book", words, f'printer = "kdp"\ntrim = "5x8in"\nfont-size = "{font}"\n')
    results, diagnostics = build(folder, formats=("pdf",))
    pdf = results[0].path
    pages = pages_of(pdf)
    assert low <= pages <= high, f"{pages} pages: the book is meant for the {low}–{high} bracket"
    recto, verso = inside_margins(pdf, pages // 2, pages // 2 + 5)
    assert min(recto, verso) >= KDP.inside_minimum(pages) - 0.01, (recto, verso)
    assert not {"P005", "P006"} & set(codes(diagnostics))


@pytest.mark.slow
@needs_pdftotext
def test_a_page_count_past_the_estimate_is_laid_out_again_with_a_wider_gutter(tmp_path, monkeypatch):
    # A printer whose gutter jumps from 0.25in to 1.25in past 30 pages, and an estimate that says
    # 5 pages: only the real count can show the book needs the wide gutter.
    from bookforge.printing import geometry

    steep = dataclasses.replace(KDP, inside_margins=((30, 0.25), (10**9, 1.25)))
    monkeypatch.setitem(PRINTERS, "kdp", steep)
    monkeypatch.setattr(geometry, "estimate_pages", lambda words, g: 5)
    folder = make_book(tmp_path / "book", 6_000, 'printer = "kdp"\nfont-size = "18pt"\n', stories=2)
    results, diagnostics = build(folder, formats=("pdf",), no_cache=True)
    pdf = results[0].path
    pages = pages_of(pdf)
    assert pages > 30
    recto, verso = inside_margins(pdf, pages // 2, pages // 2 + 3)
    assert min(recto, verso) >= 1.25 - 0.01, (recto, verso)


@pytest.mark.slow
def test_a_thin_book_is_too_short_for_kdp_and_its_spine_too_narrow(tmp_path):
    folder = make_book(tmp_path / "thin", 1_500, 'printer = "kdp"\n', stories=1)
    results, diagnostics = build(folder, formats=("pdf",))
    assert pages_of(results[0].path) < 24
    [short] = [d for d in diagnostics.items if d.code == "P005"]
    assert (short.path, short.line) == ("book.toml", folder.joinpath("book.toml").read_text().splitlines().index(
        'printer = "kdp"') + 1)
    assert "24" in short.message and short.hint
    report = check(folder)
    found = {f["code"]: f for f in report.findings}
    assert {"P005", "P007"} <= set(found), report.findings
    assert found["P007"]["severity"] == "warning" and found["P007"]["hint"]
    assert "P006" not in found


@pytest.mark.slow
def test_margins_under_the_printers_minimum_are_kept_and_reported(tmp_path):
    folder = make_book(tmp_path / "tight", 1_500, 'printer = "ingramspark"\n'
                       'margins = { inner = "0.3in", outer = "0.3in", top = "0.6in", bottom = "0.6in" }\n', stories=1)
    line = folder.joinpath("book.toml").read_text().splitlines().index(
        'margins = { inner = "0.3in", outer = "0.3in", top = "0.6in", bottom = "0.6in" }') + 1
    results, diagnostics = build(folder, formats=("pdf",))
    tight = [d for d in diagnostics.items if d.code == "P006"]
    assert [(d.path, d.line) for d in tight] == [("book.toml", line)] * 2, tight
    assert all("0.5in" in d.message and d.hint for d in tight)
    page = pypdf.PdfReader(results[0].path).pages[0]
    assert float(page.trimbox.width) == 396, "the margins are kept as set"
    assert [(f["code"], f["line"]) for f in check(folder).findings if f["code"] == "P006"] == [("P006", line)] * 2


# ---------------------------------------------------------------------------------------------
# PDF/X


needs_profile = pytest.mark.skipif(not PROFILE.exists(), reason="no CMYK test profile (apt-get install libgs-common)")


@pytest.mark.slow
@needs_profile
def test_a_pdfx_interior_carries_its_output_intent_and_page_boxes(tmp_path):
    from bookforge.validate.built import check_print_pdf

    from PIL import Image

    folder = make_book(tmp_path / "x4", 3_000, f'variant = "pdf/x-4"\nbleed = "0.125in"\noutput-intent = "{PROFILE}"\n',
                       stories=2)
    # A coloured picture with transparency, as an author's map or ornament might be.
    Image.new("RGBA", (300, 200), (40, 90, 200, 180)).save(folder / "manuscripts" / "map.png")
    (folder / "manuscripts" / "map.md").write_text("The keeper drew the harbour.\n\n"
                                                   "![The harbour, drawn by the keeper](map.png)\n")
    toml = folder / "book.toml"
    toml.write_text(toml.read_text().replace("[pdf]", '[[story]]\nfile = "manuscripts/map.md"\ntitle = "The Map"\n\n[pdf]'))
    results, diagnostics = build(folder, formats=("pdf",), no_cache=True)
    pdf = results[0].path
    data = pdf.read_bytes()
    assert "P002" not in codes(diagnostics)
    # Every colour in the printer's CMYK (check_print_pdf's P107 below): text as black ink alone,
    # the picture separated.
    reader = pypdf.PdfReader(pdf)
    content = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert re.search(rb"/DeviceCMYK cs\s+0 0 0 1 scn", content), "body text in black ink only"
    spaces = {space for page in reader.pages for space in image_spaces(page.get("/Resources"))}
    assert spaces == {"/DeviceCMYK"}, spaces
    reader = pypdf.PdfReader(pdf)
    [intent] = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/DestOutputProfile"].get_object().get_data()[16:20] == b"CMYK"
    for page in reader.pages:
        trim, bleed = [float(v) for v in page["/TrimBox"]], [float(v) for v in page["/BleedBox"]]
        assert (trim[2] - trim[0], trim[3] - trim[1]) == (396, 612)
        assert [b - t for b, t in zip(bleed, trim)] == [-9, -9, 9, 9], "0.125in of bleed on every side"
    assert check_print_pdf(pdf, (396, 612), 9) == []
    assert not [f for f in check(folder).findings if f["code"] in ("P105", "P106", "P107")]

    results, _ = build(folder, formats=("pdf",), no_cache=True)
    assert results[0].path.read_bytes() == data, "two PDF/X builds are byte-identical"


def image_spaces(resources) -> list[str]:
    """The colour space of every picture drawn with these resources (inside forms too)."""
    found = []
    for reference in ((resources.get_object() if resources is not None else {}).get("/XObject") or {}).values():
        xobject = reference.get_object()
        if xobject.get("/Subtype") == "/Image":
            found.append(str(xobject.get("/ColorSpace")))
        elif xobject.get("/Subtype") == "/Form":
            found += image_spaces(xobject.get("/Resources"))
    return found


@pytest.mark.slow
def test_a_pdfx_interior_without_a_profile_is_found_out(tmp_path):
    from pypdf import PdfWriter

    from bookforge.validate.built import check_print_pdf

    folder = make_book(tmp_path / "x4", 1_500, 'variant = "pdf/x-4"\n', stories=1)
    results, diagnostics = build(folder, formats=("pdf",))
    assert "P002" in codes(diagnostics)
    pdf = results[0].path
    assert pypdf.PdfReader(pdf).pages[0].get("/TrimBox") is not None, "a TrimBox without bleed too"
    found = [f for f in check(folder).findings if f["code"] in ("P105", "P106")]
    assert [f["code"] for f in found] == ["P105"] and "output intent" in found[0]["message"], found
    # …and, with no profile to separate through, its colours are plain RGB: P107.
    assert "P107" in {f["code"] for f in check(folder).findings}

    # A file whose boxes were lost (another program rewrote it): P106, and for a cover's trim too.
    writer = PdfWriter(clone_from=pdf)
    for page in writer.pages:
        del page["/TrimBox"]
    stripped = tmp_path / "stripped.pdf"
    writer.write(stripped)
    assert "P106" in [p.code for p in check_print_pdf(stripped, (396, 612), 0)]
    wrong = [p for p in check_print_pdf(pdf, (900, 612), 9) if p.code == "P106"]
    assert wrong and wrong[0].message.startswith("page 1: ")


@pytest.mark.slow
@needs_pdftotext
@pytest.mark.parametrize("name", ["lulu", "ingramspark"])
def test_running_heads_and_folios_keep_the_printers_minimum_from_the_trim(tmp_path, name):
    """Printers count the running head and the folio as live matter: with auto margins they stay
    the printer's minimum (0.5in for Lulu and IngramSpark) inside the trim, like the text."""
    folder = make_book(tmp_path / "book", 9_000, f'printer = "{name}"\ntrim = "5.5x8.5in"\n', stories=2)
    results, _ = build(folder, formats=("pdf",))
    pdf = results[0].path
    height = float(pypdf.PdfReader(pdf).pages[0].mediabox.height)
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    tops = [float(y) for y in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"', boxes)]
    bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', boxes)]
    floor = PRINTERS[name].outside_minimum(False) * 72
    assert min(tops) >= floor - 0.5, f"something is {min(tops) / 72:.3f}in from the top"
    assert height - max(bottoms) >= floor - 0.5, f"something is {(height - max(bottoms)) / 72:.3f}in from the foot"
