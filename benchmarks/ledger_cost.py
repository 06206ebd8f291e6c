"""What the word ledger (F001) costs: EPUB builds of one project in one warm process, the ledger's
check on and off in turns; prints the medians and the ledger's share of the build as JSON.

    python benchmarks/ledger_cost.py PROJECT [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bookforge.build import build_formats
from bookforge.diagnostics import Diagnostics
from bookforge.project import open_project
from bookforge.readers.ledger import Ledger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    check = Ledger.check
    times: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as out:
        for index in range(args.runs * 2 + 2):
            on = index % 2 == 0
            Ledger.check = check if on else (lambda self, story, diagnostics: None)
            diagnostics = Diagnostics()
            project = open_project(args.project, diagnostics)
            started = time.perf_counter()
            build_formats(project, ["epub"], diagnostics, output=str(Path(out) / "book.epub"))
            if index >= 2:  # the first pair warms the caches and imports
                times[on].append(time.perf_counter() - started)
    Ledger.check = check
    with_ledger, without = statistics.median(times[True]), statistics.median(times[False])
    print(json.dumps({"with_s": round(with_ledger, 4), "without_s": round(without, 4),
                      "share": round((with_ledger - without) / with_ledger, 4)}))


if __name__ == "__main__":
    main()
