"""What the word ledger (F001) costs: EPUB builds of one project in one warm process, with the time
spent in the ledger's check clocked inside each build; prints the medians and its share as JSON.

Clocking the check itself (rather than builds with it and without it, a difference of two noisy
numbers on a shared machine) gives a share that is the same run after run.

    python benchmarks/ledger_cost.py PROJECT [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import bookforge.pipeline
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
    spent = [0.0]

    def clocked(self, story, diagnostics) -> None:
        started = time.perf_counter()
        check(self, story, diagnostics)
        spent[0] += time.perf_counter() - started

    Ledger.check = clocked
    # One process reads every manuscript here, so the clock sees every check (a split read's
    # helper would check half of them out of its sight).
    bookforge.pipeline.split_worth_it = lambda sizes: False
    builds, checks = [], []
    with tempfile.TemporaryDirectory() as out:
        for index in range(args.runs + 2):
            spent[0] = 0.0
            diagnostics = Diagnostics()
            project = open_project(args.project, diagnostics)
            started = time.perf_counter()
            build_formats(project, ["epub"], diagnostics, output=str(Path(out) / "book.epub"))
            if index >= 2:  # the first two warm the caches and imports
                builds.append(time.perf_counter() - started)
                checks.append(spent[0])
    build, ledger = statistics.median(builds), statistics.median(checks)
    print(json.dumps({"build_s": round(build, 4), "ledger_s": round(ledger, 4), "share": round(ledger / build, 4)}))


if __name__ == "__main__":
    main()
