"""docs/benchmarks.md, the benchmarks' page: each benchmark rewrites its own table between markers."""

from __future__ import annotations

from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(marker: str, table: str) -> None:
    """Put `table` between `<!-- marker -->` and `<!-- /marker -->`, leaving the prose around it."""
    start, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    page = PAGE.read_text(encoding="utf-8")
    if page.count(start) != 1 or page.count(end) != 1:
        raise SystemExit(f"{PAGE} needs one {start} and one {end} around the table it holds")
    head, rest = page.split(start)
    _, tail = rest.split(end)
    PAGE.write_text(f"{head}{start}\n{table.strip()}\n{end}{tail}", encoding="utf-8")
