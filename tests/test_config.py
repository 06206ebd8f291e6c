"""book.toml: every key checked, mistakes reported with their line and a suggestion."""

from __future__ import annotations

import pytest

from bookforge.config import load_config
from bookforge.errors import ConfigError

FULL = """
[book]
title = "Dreams and Waking"
subtitle = "Stories"
editors = ["R. Editor"]
authors = ["A. Author"]
language = "en-GB"
identifier = "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"
publisher = "Small Press"
rights = "© 2026 The Authors"
date = 2026-11-20
description = "Blurb."
cover = "cover.jpg"
notes = "front"
theme = "classic"
typography = false

[[story]]
file = "manuscripts/dream.txt"
title = "A Pale Shadow"
author = "K. Writer"

[[story]]
file = "manuscripts/two.md"
authors = ["X", "Y"]
language = "fr"

[pdf]
trim = "6x9in"
margins = { inner = "0.9in", outer = "0.6in" }
bleed = "0.125in"
marks = ["crop"]
font-size = "10.5pt"
variant = "pdf/x-4"
drop-caps = false

[build]
formats = ["pdf"]
output = "out"
"""


def test_every_documented_key_is_accepted():
    config = load_config(FULL)
    assert config.title == "Dreams and Waking" and config.subtitle == "Stories"
    assert config.editors == ["R. Editor"] and config.authors == ["A. Author"]
    assert config.language == "en-GB" and config.date == "2026-11-20"
    assert config.notes == "front" and config.typography is False and config.cover == "cover.jpg"
    assert [(s.file, s.title, s.authors, s.language) for s in config.stories] == [
        ("manuscripts/dream.txt", "A Pale Shadow", ["K. Writer"], None),
        ("manuscripts/two.md", None, ["X", "Y"], "fr"),
    ]
    assert config.stories[0].line == 19 and config.stories[1].line == 24  # the `file =` lines
    assert config.pdf.trim == "6x9in" and config.pdf.font_size == "10.5pt" and config.pdf.drop_caps is False
    assert config.build.formats == ["pdf"] and config.build.output == "out"


def test_defaults():
    config = load_config('[book]\ntitle = "T"\n')
    assert (config.language, config.notes, config.theme, config.typography) == ("en", "story", "classic", True)
    assert config.build.formats == ["epub", "pdf"] and config.pdf.trim == "5.5x8.5in"


def error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(text)
    return info.value


@pytest.mark.parametrize(
    "text, line, message, hint",
    [
        ('[book]\ntitle = "T"\nlangauge = "en"\n', 3, "unknown key 'langauge' in [book]", "did you mean 'language'?"),
        ('[book]\ntitle = "T"\n\n[[story]]\nfile = "a.txt"\nauthr = "X"\n', 6, "unknown key 'authr' in [story]",
         "did you mean 'author'?"),
        ('[book]\ntitle = "T"\n[pdf]\nfont_size = "10pt"\n', 4, "unknown key 'font_size' in [pdf]", "did you mean 'font-size'?"),
        ('[boook]\ntitle = "T"\n', 1, "unknown key or table 'boook'", "did you mean [book]?"),
        ('title = "T"\n', 1, "unknown key or table 'title'", "put `title = …` under a [book] table"),
    ],
)
def test_unknown_keys_name_the_line_and_suggest(text, line, message, hint):
    problem = error(text)
    assert (problem.line, problem.message, problem.hint) == (line, message, hint)
    assert problem.exit_code == 3


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ('[book]\ntitle = "T"\nnotes = "after"\n', 3, 'notes must be "story" or "front" or "end", not "after"'),
        ('[book]\ntitle = "T"\ntypography = "yes"\n', 3, "typography must be true or false"),
        ('[book]\ntitle = "T"\neditors = "A, B"\n', None, None),  # a single name is fine
        ('[book]\ntitle = "T"\nlanguage = "English"\n', 3, "BCP 47"),
        ('[book]\ntitle = "T"\ndate = "20 Nov"\n', 3, 'date such as "2026-11-20"'),
        ('[book]\ntitle = 5\n', 2, "title must be a non-empty string, not the number 5"),
        ('[book]\ntitle = "T"\n[build]\nformats = ["mobi"]\n', 4, "formats must be a list of formats"),
        ('[book]\ntitle = "T"\n[story]\nfile = "a"\n', 3, "[[story]] (double brackets)"),
    ],
)
def test_wrong_value_types(text, line, fragment):
    if fragment is None:
        load_config(text)
        return
    problem = error(text)
    assert fragment in problem.message and problem.line == line


def test_missing_title_and_missing_book_table():
    assert error('[book]\nsubtitle = "x"\n').message == "[book] has no title"
    assert error("").message == "missing [book] table"


def test_story_needs_a_file():
    assert error('[book]\ntitle = "T"\n[[story]]\ntitle = "x"\n').message == "[[story]] has no file"


def test_toml_syntax_error_has_line_and_column():
    problem = error('[book]\ntitle = "unterminated\n')
    assert problem.message.startswith("not valid TOML") and problem.line == 2 and problem.column


def test_pdf_lengths_are_checked_where_book_toml_says_them(tmp_path):
    """[pdf] trim = "banana" fails every command, `bookforge epub` and `bookforge check` alike, at
    its line (exit 3), not later in the PDF backend without one."""
    from conftest import run_cli

    (tmp_path / "manuscripts").mkdir()
    (tmp_path / "manuscripts" / "a.txt").write_text("Notes: none.\n\nA story.\n", encoding="utf-8")
    for key, value, line in (("trim", "banana", 5), ("bleed", "a bit", 6), ("margins", '{ inner = "wide" }', 7)):
        pdf = {"trim": '"6x9in"', "bleed": '"0"', "margins": '"auto"'}
        pdf[key] = value if key == "margins" else f'"{value}"'
        (tmp_path / "book.toml").write_text('[book]\ntitle = "B"\n\n[pdf]\n'
                                            + "".join(f"{k} = {v}\n" for k, v in pdf.items()), encoding="utf-8")
        for command in ("epub", "check"):
            result = run_cli(command, cwd=tmp_path)
            assert result.returncode == 3, (command, key, result.stderr)
            assert f"book.toml:{line}:" in result.stderr and "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("setting, expected", [
    ('marks = ["crop", "registration"]', "[pdf] marks must be a list of printer's marks"),
    ('variant = "pdf/z-9"', "[pdf] variant must be one of"),
    ('font-size = "40pt"', "[pdf] font-size 40pt is outside 6pt–24pt"),
    ('printer = "gutenberg"', "[pdf] printer must be"),
    ('binding = "spiral"', "[pdf] binding must be"),
])
def test_every_pdf_value_is_checked_with_its_line(setting, expected):
    problem = error(f'[book]\ntitle = "T"\n\n[pdf]\n{setting}\n')
    assert problem.message.startswith(expected) and problem.line == 5, (problem.message, problem.line)


def test_command_line_values_are_checked_as_book_toml_values_are():
    from bookforge.config import apply_overrides

    config = load_config('[book]\ntitle = "T"\n\n[pdf]\ntrim = "6x9in"\n')
    apply_overrides(config, {"title": "Other"}, {"trim": "a5", "marks": ["crop"], "variant": None})
    assert (config.title, config.pdf.trim, config.pdf.marks, config.pdf.variant) == ("Other", "a5", ["crop"], "")
    assert "trim" not in config.pdf.line_of, "book.toml's line no longer says the trim"
    with pytest.raises(ConfigError, match="trim must be a preset") as bad:
        apply_overrides(config, {}, {"trim": "huge"})
    assert bad.value.line is None and bad.value.path is None
    with pytest.raises(ConfigError, match="--variant must be one of"):
        apply_overrides(config, {}, {"variant": "pdf/z-9"})


@pytest.mark.parametrize("text, expected, line", [
    ('ink = "#000000"\ninc = "#ffffff"\n', "unknown key 'inc' in theme.toml", 2),
    ('accent = 7\n', "theme.toml: accent must be a string", 1),
    ('name = "mine"\n\nink = "banana"\n', "theme.toml: ink = 'banana' is not a colour", 3),
    ('paper = "#12345"\n', "theme.toml: paper = '#12345' is not a colour", 1),
    ('accent = "darkred"\nfont-family = " "\n', "theme.toml: font-family is empty", 2),
])
def test_theme_toml_is_checked_with_its_line(tmp_path, text, expected, line):
    from bookforge.errors import ThemeError
    from bookforge.themes import load_theme

    (tmp_path / "theme.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ThemeError) as problem:
        load_theme("classic", tmp_path)
    assert problem.value.message.startswith(expected) and problem.value.line == line
    assert problem.value.path == str(tmp_path / "theme.toml")


def test_theme_toml_takes_any_colour_pillow_draws(tmp_path):
    from bookforge.themes import load_theme

    (tmp_path / "theme.toml").write_text('ink = "darkred"\npaper = "rgb(250, 245, 235)"\naccent = "#abc"\n')
    settings = load_theme("classic", tmp_path).settings
    assert (settings["ink"], settings["paper"], settings["accent"]) == ("darkred", "rgb(250, 245, 235)", "#abc")
    assert settings["name"] == "classic", "keys the project leaves out come from the theme"
