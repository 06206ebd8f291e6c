"""Scripts the bundled Linux Libertine lacks: installed fonts set them (CJK in the face of each
story's language), and a script that no font has gets one P004, from `pdf` and from `check`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, build, run_cli
from pdffacts import Pdf

from bookforge.printing import coverage as cov
from bookforge.backends.pdf.fallback import cjk_region, languages_in, rules_for

ZH = [
    "我的家在一条小河的旁边。",
    "每天早上，太阳从山后面升起来，河水就变成了金色。",
    "我的奶奶住在河边的小屋里，她喜欢在门口种花，也喜欢给我们讲故事。",
    "她说，这条河已经流了很多很多年，比村子里最老的树还要老。",
    "夏天的时候，我和弟弟常常在河里游泳，河水很凉，鱼在我们的脚边游来游去。",
    "我们笑着，叫着，一直玩到天黑。",
    "晚上，我们坐在小屋前面看星星，听奶奶唱歌。",
    "那些歌很长，很慢，像河水一样，从很远的地方来，又到很远的地方去。",
]
JA = [
    "雨の日、私は図書館へ行きました。",
    "図書館はとても静かで、窓の外から雨の音が聞こえました。",
    "私は窓のそばの席に座って、古い本を読みました。",
    "その本には、海の近くの小さな町の話が書いてありました。",
    "町の人たちは毎朝、船に乗って魚をとりに行きます。",
    "夕方になると、子どもたちは浜辺で貝をひろいます。",
    "帰り道、私は駅の前のカフェでコーヒーを飲みました。",
    "雨はまだ降っていましたが、私の心はとても温かかったです。",
]
# What a line never starts with in Chinese or Japanese (kinsoku): closing punctuation.
NO_LINE_START = "、。，．！？」』）〕】：；"


def fc_list(*pattern: str) -> str:
    if not shutil.which("fc-list"):
        return ""
    return subprocess.run(["fc-list", *pattern, "family"], capture_output=True, text=True).stdout.strip()


def write_book(folder: Path, stories: dict[str, tuple[str, str, list[str]]], language: str = "en") -> Path:
    """A project: book.toml and one .txt per story (file stem → (title, language, paragraphs))."""
    (folder / "manuscripts").mkdir(parents=True)
    lines = ["[book]", 'title = "Two Rivers"', f'language = "{language}"', 'date = "2026-01-15"', ""]
    for stem, (title, lang, paragraphs) in stories.items():
        text = f"Title: {title}\nAuthor: Test Author\nLanguage: {lang}\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / "manuscripts" / f"{stem}.txt").write_text(text, encoding="utf-8")
        lines += ["[[story]]", f'file = "manuscripts/{stem}.txt"', ""]
    (folder / "book.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder


def cjk_book(folder: Path) -> Path:
    # The long paragraphs have no spaces at all: only CJK line breaking can wrap them.
    return write_book(folder, {
        "01-zh": ("河边的小屋", "zh", ["".join(ZH[:2]), "".join(ZH[2:]) * 2]),
        "02-ja": ("雨の日の図書館", "ja", ["".join(JA[:2]), "".join(JA[2:]) * 2]),
    })


def codes(stderr: str, code: str) -> list[str]:
    return [line for line in stderr.splitlines() if f"warning[{code}]" in line]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_fonts(page) -> set[str]:
    fonts = (page.get("/Resources") or {}).get("/Font") or {}
    return {str(font.get_object()["/BaseFont"]).split("+", 1)[-1] for font in fonts.values()}


def no_cjk_font_config(tmp_path: Path) -> dict[str, str]:
    """FONTCONFIG_FILE for a machine without CJK fonts: the system's configuration, rejecting
    every font that fontconfig says has Chinese, Japanese or Korean."""
    system = Path("/etc/fonts/fonts.conf")
    if not system.exists() or not shutil.which("fc-list"):
        pytest.skip("needs fontconfig's /etc/fonts/fonts.conf and fc-list to hide the CJK fonts")
    rejected = "".join(f"<pattern><patelt name=\"lang\"><string>{lang}</string></patelt></pattern>"
                       for lang in ("zh-cn", "zh-tw", "zh-hk", "ja", "ko"))
    conf = tmp_path / "no-cjk-fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd"><fontconfig>'
                    f'<include>{system}</include><selectfont><rejectfont>{rejected}</rejectfont></selectfont>'
                    "</fontconfig>\n", encoding="utf-8")
    env = {"FONTCONFIG_FILE": str(conf)}
    hidden = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True,
                            env={**os.environ, **env}).stdout.strip()
    if hidden:
        pytest.skip(f"could not hide the CJK fonts from fontconfig: {hidden[:80]}")
    return env


# ---------------------------------------------------------------------------------------------
# Quick: no layout


def test_the_sure_ranges_are_in_the_bundled_faces():
    cmap = cov.bundled_cmap()
    missing = [hex(p) for first, last in cov.SURE_RANGES for p in range(first, last + 1) if p not in cmap]
    assert not missing, "SURE_RANGES claims characters no bundled face has"


def test_latin_greek_cyrillic_and_hebrew_need_no_other_font():
    text = ("The café’s “naïve” façade — 1½ days… Ελληνικά γράμματα, Русский текст, עברית, "
            "Łódź, Ærøskøbing, ĳ, ſ, †‡, €, ™, →")
    assert cov.characters_outside_bundled([text]) == ""
    assert cov.coverage([text]).gaps == []


def test_missing_characters_are_grouped_by_script_with_punctuation_beside_its_letters():
    found = cov.gaps("河边、。あいアイ한글𐀀𐀁😀")
    by_key = {gap.key: gap for gap in found}
    assert set(by_key) == {"Hani", "Hira", "Kana", "Hang", "Linb", "block:Emoticons"}
    assert by_key["Hani"].characters == "河边、。", "CJK punctuation goes with Han, after the ideographs"
    assert by_key["Hani"].name == "Han (Chinese, Japanese and Korean)"
    assert by_key["Linb"].name == "Linear B"
    assert "fonts-noto-cjk" in by_key["Hani"].hint() and "fonts-noto-core" in by_key["Linb"].hint()
    assert "(𐀀 U+10000, 𐀁 U+10001)" in by_key["Linb"].message()


@pytest.mark.parametrize(("tag", "region"), [
    ("zh", "SC"), ("zh-CN", "SC"), ("zh-Hans", "SC"), ("zh-Hant", "TC"), ("zh-TW", "TC"), ("zh-HK", "HK"),
    ("ja", "JP"), ("ja-JP", "JP"), ("ko", "KR"), ("en", None), ("fr-CA", None),
])
def test_each_cjk_language_gets_its_region_face(tag, region):
    assert cjk_region(tag) == region


def test_font_rules_name_each_language_and_are_empty_without_cjk():
    assert rules_for(["en", "fr"]) == ""
    rules = rules_for(languages_in(['<p lang="ja">x</p>', '<span lang="zh-Hant">y</span>'], ("en", "zh")))
    assert "<string>zh</string>" in rules and "<string>ja</string>" in rules and "<string>zh-hant</string>" in rules
    assert rules.index("Noto Serif CJK SC") < rules.index("Noto Serif CJK JP") < rules.index("Noto Serif CJK TC")
    default = rules.split('binding="weak"')[1]
    assert default.index("Noto Serif CJK SC") >= 0, "other text gets the book's first CJK language"


def test_check_finds_a_script_no_font_has_without_layout(tmp_path):
    if fc_list(":charset=10000"):
        pytest.skip("an installed font has Linear B (U+10000); this test needs a script none has")
    folder = write_book(tmp_path / "tablets", {
        "01": ("The Tablet", "en", ["The clay said nothing.", "Then it said 𐀀𐀁𐀂 and, later, 𐀃𐀄."]),
    })
    done = run_cli("check", "--json", "--no-epubcheck", str(folder))
    assert done.returncode == 0, done.stderr
    findings = [f for f in json.loads(done.stdout)["findings"] if f["code"] == "P004"]
    assert len(findings) == 1, findings
    [finding] = findings
    assert "Linear B" in finding["message"] and finding["severity"] == "warning"
    assert finding["path"] == "manuscripts/01.txt" and finding["line"] == 7
    assert "apt-get install" in finding["hint"]
    strict = run_cli("check", "--strict", "--no-epubcheck", str(folder))
    assert strict.returncode != 0, "a warning: --strict fails on it"


# ---------------------------------------------------------------------------------------------
# Slow: laid out


@pytest.mark.slow
def test_a_script_no_font_has_is_one_warning_not_one_per_character(tmp_path):
    if fc_list(":charset=10000"):
        pytest.skip("an installed font has Linear B (U+10000); this test needs a script none has")
    folder = write_book(tmp_path / "tablets", {
        "01": ("The Tablet", "en", ["The clay said nothing.", "Then it said 𐀀𐀁𐀂 and, later, 𐀃𐀄.",
                                    "A scribe wrote 𐀅𐀆𐀇𐀈𐀉 on another."]),
    })
    done = run_cli("pdf", str(folder))
    assert done.returncode == 0, done.stderr
    [warning] = codes(done.stderr, "P004")
    assert warning.startswith("manuscripts/01.txt:7: warning[P004]: no font has Linear B characters")
    assert not codes(done.stderr, "P001"), "WeasyPrint's line per character is not repeated"


@pytest.mark.slow
def test_cjk_without_a_cjk_font_is_one_warning_per_script(tmp_path):
    env = no_cjk_font_config(tmp_path)
    folder = cjk_book(tmp_path / "book")
    done = run_cli("pdf", str(folder), env=env)
    assert done.returncode == 0, done.stderr
    warnings = codes(done.stderr, "P004")
    scripts = sorted(re.search(r"no font has (\w+)", line).group(1) for line in warnings)
    assert scripts == ["Han", "Hiragana", "Katakana"], done.stderr
    assert warnings[0].startswith("manuscripts/01-zh.txt:"), "Han first: the Chinese story uses it first"
    assert "fonts-noto-cjk" in done.stderr
    assert not codes(done.stderr, "P001"), "no line per character"
    checked = run_cli("check", "--json", "--no-epubcheck", str(folder), env=env)
    assert checked.returncode == 0, checked.stderr
    found = [f for f in json.loads(checked.stdout)["findings"] if f["code"] == "P004"]
    assert len(found) == 3 and {f["path"] for f in found} == {"manuscripts/01-zh.txt", "manuscripts/02-ja.txt"}


@pytest.fixture(scope="module")
def cjk_pdf(tmp_path_factory):
    """The book built on a machine with CJK fonts (`./dev test` installs Noto CJK)."""
    if not fc_list(":lang=zh-cn") or not fc_list(":lang=ja"):
        pytest.skip("no Chinese or Japanese font is installed (fc-list :lang=zh-cn / :lang=ja found none); "
                    "`./dev test` installs fonts-noto-cjk")
    tmp = tmp_path_factory.mktemp("cjk")
    folder = cjk_book(tmp / "book")
    # First as if no CJK font were installed: the parts cached then must not be reused after.
    hidden = run_cli("pdf", str(folder), env=no_cjk_font_config(tmp))
    assert hidden.returncode == 0 and codes(hidden.stderr, "P004"), hidden.stderr
    done = run_cli("pdf", "-v", str(folder))
    assert done.returncode == 0, done.stderr
    return folder, Pdf(folder / "build" / "two-rivers.pdf"), done.stderr


@pytest.mark.slow
def test_cjk_stories_are_in_the_pdf_without_warnings(cjk_pdf):
    _, pdf, stderr = cjk_pdf
    assert not codes(stderr, "P001") and not codes(stderr, "P004"), stderr
    assert "3 of 3 parts laid out" in stderr, "a font installed since the last build: every part is laid out again"
    text = squash(pdf.text())
    for sentence in ZH + JA:
        assert sentence in text or sentence[1:] in text, sentence  # a drop cap is drawn apart
    assert "河边的小屋" in text and "雨の日の図書館" in text


@pytest.mark.slow
def test_cjk_fonts_are_embedded_once_each_and_fit_the_language(cjk_pdf):
    _, pdf, _ = cjk_pdf
    fonts = pdf.fonts()
    names = [str(font["/BaseFont"]).split("+", 1)[1] for font in fonts.values()]
    others = [name for name in names if not name.startswith("bookforge-serif")]
    assert others, "a CJK font is in the PDF"
    assert len(names) == len(set(names)), f"parts' copies of each font were merged: {names}"
    zh_pages = [page for page in pdf.pages if "奶奶" in page.extract_text()]  # the stories' text pages
    ja_pages = [page for page in pdf.pages if "町の人" in page.extract_text()]
    assert zh_pages and ja_pages
    if fc_list("Noto Serif CJK SC") and fc_list("Noto Serif CJK JP"):
        assert all(any("CJKsc" in f or "CJK-SC" in f for f in page_fonts(p)) for p in zh_pages), \
            "Chinese in the Simplified Chinese face"
        assert all(any("CJKjp" in f or "CJK-JP" in f for f in page_fonts(p)) for p in ja_pages), \
            "Japanese in the Japanese face"
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", str(pdf.path)], capture_output=True, text=True).stdout
        rows = [line.split() for line in listing.splitlines()[2:]]
        assert rows and all(row[-5] == "yes" for row in rows), listing  # emb = yes
        assert any(not row[0].split("+")[-1].startswith("bookforge") for row in rows), listing


@pytest.mark.slow
def test_cjk_lines_break_between_characters_inside_the_text_block(cjk_pdf):
    _, pdf, _ = cjk_pdf
    for marker, sentences in (("奶奶", ZH), ("町の人", JA)):
        [index] = [i for i, page in enumerate(pdf.pages) if marker in page.extract_text()]
        lines = [line.strip() for line in pdf.regions(index).body.splitlines() if line.strip()]
        long_lines = [line for line in lines if any(s[:4] in line for s in sentences[2:])]
        assert len(lines) >= 8, f"the long paragraph without spaces wraps onto several lines: {lines}"
        assert long_lines
        starts = [line[0] for line in lines[1:]]
        assert not set(starts) & set(NO_LINE_START), f"a line starts with closing punctuation: {lines}"
        if shutil.which("pdftotext"):
            trim = [float(v) for v in pdf.pages[index].trimbox]
            boxes = subprocess.run(
                ["pdftotext", "-bbox-layout", "-f", str(index + 1), "-l", str(index + 1), str(pdf.path), "-"],
                capture_output=True, text=True,
            ).stdout
            for x_min, x_max in re.findall(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', boxes):
                assert trim[0] + 36 <= float(x_min) and float(x_max) <= trim[2] - 36, (x_min, x_max, trim)


@pytest.mark.slow
def test_cjk_pdf_is_reproducible(cjk_pdf, tmp_path):
    folder, pdf, _ = cjk_pdf
    first = pdf.path.read_bytes()
    again = run_cli("pdf", "--no-cache", "-j", "1", "-o", str(tmp_path / "again.pdf"), str(folder))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.pdf").read_bytes() == first


@pytest.mark.slow
def test_the_sample_anthology_is_unchanged(tmp_path, monkeypatch):
    """Bundled faces only: the coverage check finds nothing, so the PDF is what it was before it."""
    import bookforge.backends.pdf as pdf_backend

    folder = tmp_path / "lamplight"
    folder.mkdir()
    shutil.copytree(REPO / "manuscripts", folder / "manuscripts")
    shutil.copy(REPO / "book.toml", folder / "book.toml")
    if (REPO / "styles").is_dir():
        shutil.copytree(REPO / "styles", folder / "styles")
    results, diagnostics = build(folder, formats=("pdf",), no_cache=True)
    assert "P004" not in diagnostics.codes() and "P001" not in diagnostics.codes()
    now = Pdf(results[0].path)
    names = {str(font["/BaseFont"]).split("+", 1)[1] for font in now.fonts().values()}
    assert all(name.startswith("bookforge-serif") for name in names), names
    first, pages = results[0].path.read_bytes(), len(now.pages)

    def without_fallback(ctx, rendered, parts, css):
        return cov.Coverage(), ""

    monkeypatch.setattr(pdf_backend, "_font_coverage", without_fallback)
    results, _ = build(folder, formats=("pdf",), no_cache=True)
    assert len(Pdf(results[0].path).pages) == pages
    assert results[0].path.read_bytes() == first, "the same bytes as without the font fallback"
