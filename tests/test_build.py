"""build.py's one channel: the command line's values applied to the Config once, the cover resolved
once for every format of a build, and each backend's facts handed back in its result."""

from __future__ import annotations

import pytest
from conftest import build

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


def test_build_options_are_typed_and_results_carry_no_stats_they_did_not_make(project):
    folder = project("seeds_shape")
    with pytest.raises(TypeError):
        build(folder, formats=("epub",), trimm="a5")  # a misspelt option is refused, not carried along
    [result], _ = build(folder, formats=("epub",), jobs=1)
    assert result.stats == {} and result.path.is_file()
    assert BuildOptions() == BuildOptions(jobs=None, one_pass=False, no_cache=False, pages=None)
