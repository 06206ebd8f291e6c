"""The diagnostics sink: a warning is said once per build, however many backends meet it."""

from __future__ import annotations

from bookforge.diagnostics import Diagnostics


def test_the_same_warning_is_said_once_and_replayed_once():
    shown = []
    diagnostics = Diagnostics(on_report=shown.append)
    for _ in range(2):  # the interior and the cover both find the PDF/X profile missing
        diagnostics.warn("P002", "pdf/x-4 needs a CMYK output intent", path="book.toml", line=7)
    diagnostics.warn("P002", "pdf/x-4 needs a CMYK output intent", path="book.toml", line=8)  # another place
    helper = Diagnostics()
    helper.warn("P002", "pdf/x-4 needs a CMYK output intent", path="book.toml", line=7)
    helper.warn("M003", "no text", path="manuscripts/a.txt")
    diagnostics.replay(helper)
    assert [(d.code, d.line) for d in diagnostics.items] == [("P002", 7), ("P002", 8), ("M003", None)]
    assert shown == diagnostics.items
