"""The chapter model of each fixture book against golden JSON (re-approve with --update-golden)."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, REPO, check_golden, load

from bookforge.model import from_json, to_json

CASES = {
    "seeds_shape": FIXTURES / "seeds_shape",
    "markdown_story": FIXTURES / "markdown_story",
    "images_cover": FIXTURES / "images_cover",
    "cp1252": FIXTURES / "cp1252",
    "sample_anthology": REPO,
}


@pytest.mark.parametrize("name", CASES)
def test_model_matches_golden(name, update_golden):
    book, diagnostics = load(CASES[name])
    data = to_json(book)
    data["diagnostics"] = [d.to_json() for d in diagnostics.items]
    check_golden(f"model-{name}", data, update_golden)


@pytest.mark.parametrize("name", CASES)
def test_model_round_trips_through_json(name):
    book, _ = load(CASES[name])
    assert to_json(from_json(to_json(book))) == to_json(book)
    assert from_json(to_json(book)) == book
