"""build.py's one channel: the command line's values applied to the Config once, the cover resolved
once for every format of a build, and each backend's facts handed back in its result."""

from __future__ import annotations

import re

import pytest
from conftest import run_cli

import bookforge.build
from bookforge.backends import BuildOptions
from bookforge.build import build_formats, resolve_project
from bookforge.diagnostics import Diagnostics
from bookforge.errors import ConfigError


def test_the_cover_is_resolved_once_for_every_format_that_shows_it(project, monkeypatch):
    folder = project("seeds_shape")
    calls = []
    real = bookforge.build.book_cover
    monkeypatch.setattr(bookforge.build, "book_cover", lambda *args: calls.append(args) or real(*args))
    diagnostics = Diagnostics()
    results = build_formats(resolve_project([folder], diagnostics), ["epub", "kepub"], diagnostics)
    assert [r.format for r in results] == ["epub", "kepub"] and len(calls) == 1


def test_command_line_values_reach_the_config_and_only_through_it(project):
    folder = project("seeds_shape")
    diagnostics = Diagnostics()
    resolved = resolve_project([folder], diagnostics, title="Other Title", authors=["B. Writer"],
                               pdf={"trim": "a5", "bleed": "3mm", "marks": ["crop"], "variant": None})
    config = resolved.config
    assert (config.title, config.authors) == ("Other Title", ["B. Writer"])
    assert (config.pdf.trim, config.pdf.bleed, config.pdf.marks) == ("a5", "3mm", ["crop"])
    with pytest.raises(ConfigError, match="--marks"):
        resolve_project([folder], diagnostics, pdf={"marks": ["registration"]})


def test_build_options_reach_every_backend_as_the_one_typed_value_and_results_carry_no_stats_they_did_not_make(
    project, monkeypatch
):
    folder = project("seeds_shape")
    options = BuildOptions(jobs=1)
    seen = []
    real = bookforge.build.get_backend

    def spying(name):
        backend = real(name)
        build = backend.build
        backend.build = lambda ctx: seen.append(ctx.options) or build(ctx)
        return backend

    monkeypatch.setattr(bookforge.build, "get_backend", spying)
    diagnostics = Diagnostics()
    [result] = build_formats(resolve_project([folder], diagnostics), ["epub"], diagnostics, options=options)
    assert seen == [options] and seen[0] is options  # not rebuilt from keywords on the way
    assert result.stats == {} and result.path.is_file()
    assert BuildOptions() == BuildOptions(jobs=None, one_pass=False, no_cache=False, pages=None)


@pytest.mark.parametrize(
    ("override", "option"),
    [
        ({"language": "zz zz!!"}, "--language must be a BCP 47 language tag"),
        ({"title": "   "}, "--title must be a non-empty string"),
        ({"authors": ["A. Writer", " "]}, "--author must be a list of names"),
    ],
)
def test_command_line_book_values_are_checked_as_book_toml_s_are(project, tmp_path, override, option):
    folder = project("seeds_shape")
    (tmp_path / "a.txt").write_text("Title: One\n\nText.\n", encoding="utf-8")
    for sources in ([folder], [tmp_path / "a.txt"]):  # a project, and loose manuscript files
        with pytest.raises(ConfigError, match=option):
            resolve_project(sources, Diagnostics(), **override)


def test_loose_files_take_the_command_line_values_once_through_the_checkers(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("Title: One\n\nText.\n", encoding="utf-8")
    made = []
    real = bookforge.build.adhoc_project
    monkeypatch.setattr(bookforge.build, "adhoc_project", lambda *a, **kw: made.append(kw) or real(*a, **kw))
    config = resolve_project([tmp_path / "a.txt"], Diagnostics(), title=" Dreams ", authors=["B"], language="fr").config
    assert (config.title, config.authors, config.language) == ("Dreams", ["B"], "fr")  # cleaned as book.toml's
    assert [set(kw) & {"title", "authors", "language"} for kw in made] == [set()]


def test_a_bad_language_on_the_command_line_is_a_configuration_error(project):
    result = run_cli("epub", "--language", "zz zz!!", cwd=project("seeds_shape"))
    assert result.returncode == 3 and "--language must be" in result.stderr, result.stderr


def test_a_wrong_printer_s_mark_is_named_in_the_message(project):
    with pytest.raises(ConfigError, match='"bogus" is not one'):
        resolve_project([project("seeds_shape")], Diagnostics(), pdf={"marks": ["crop", "bogus"]})


def test_a_print_pdf_ignoring_pdf_cover_says_so_at_book_toml_s_line(project):
    from bookforge.backends.pdf import _reading_cover
    from bookforge.printing.geometry import page_geometry

    folder = project("seeds_shape")
    toml = folder / "book.toml"
    toml.write_text(toml.read_text() + '\n[pdf]\nbleed = "0.125in"\ncover = true\n')
    diagnostics = Diagnostics()
    proj = resolve_project([folder], diagnostics)
    ctx = bookforge.build.BuildContext(proj, None, None, diagnostics, folder / "x.pdf", None)
    assert _reading_cover(ctx, page_geometry(proj.config.pdf, 1000), None) is None
    [said] = diagnostics.items
    lines = toml.read_text().splitlines()
    assert said.code == "P003" and said.path == "book.toml" and lines[said.line - 1] == "cover = true"


@pytest.mark.slow
def test_a_pdfx_print_cover_without_an_output_intent_says_so_at_the_variant_s_line(project):
    folder = project("seeds_shape")
    toml = folder / "book.toml"
    toml.write_text(toml.read_text() + '\n[pdf]\nvariant = "pdf/x-4"\nbleed = "0.125in"\n')
    diagnostics = Diagnostics()
    build_formats(resolve_project([folder], diagnostics), ["cover-pdf"], diagnostics, options=BuildOptions(pages=120))
    [said] = [d for d in diagnostics.items if d.code == "P002"]
    assert said.path == "book.toml" and toml.read_text().splitlines()[said.line - 1] == 'variant = "pdf/x-4"'


def test_the_commands_name_the_formats_from_formats_py(tmp_path):
    from bookforge.formats import FORMATS

    listed = ", ".join(FORMATS)
    for command in ("build", "batch", "watch"):
        help_text = run_cli(command, "--help", cwd=tmp_path).stdout
        shown = " ".join(re.sub(r"-\n\s+", "-", help_text).split())  # "cover-pdf" wrapped at its hyphen
        assert f"({listed})" in shown, (command, shown)
    refused = run_cli("watch", "--to", "mobi", cwd=tmp_path)
    assert refused.returncode == 2 and "unknown format 'mobi'" in refused.stderr
