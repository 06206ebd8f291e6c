"""Each speed trick bookforge keeps, measured with it and without it in the same run.

A trick is a piece of code that exists only to be faster or smaller (a forked helper, a system
call): it stays only while its row here shows a gain of at least 10 %. Both sides start through
benchmarks/without.py (one with nothing switched off), in turns whose order alternates, and a
row's ratio is the median of the turn-by-turn ratios: a busy moment on a shared machine slows
both sides of one ratio instead of one side of a median. Writes benchmarks/results/tricks.json,
tricks.md, and the tricks table of docs/benchmarks.md.

    .venv/bin/python benchmarks/tricks.py                 # every trick (a few minutes on 2 cores)
    .venv/bin/python benchmarks/tricks.py --quick         # fewer turns
    .venv/bin/python benchmarks/tricks.py --only split-read
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import RESULTS, WORK, Run, machine, measure  # noqa: E402  (benchmarks/ is not a package)
from corpus import generate  # noqa: E402
from docs_page import write_section  # noqa: E402

WITHOUT = [sys.executable, str(HERE / "without.py")]
EARNS = 0.9  # with ÷ without: a trick must save at least a tenth of the time (or memory) it is for


@dataclass(frozen=True)
class Trick:
    switch: str  # the name benchmarks/without.py switches it off by
    step: str  # the row's label in the table
    stories: int  # the corpus: this many stories …
    words: int  # … of this many words in all
    command: tuple[str, ...]  # bookforge's arguments ({out} is a file under benchmarks/.work)
    measure: str  # "wall" or "peak memory"
    turns: int  # turns in a full run (a quick run does a third of them, at least three)


TRICKS = [
    Trick("split-read", "EPUB, 100k words in 20 manuscripts: every other manuscript read by a forked helper",
          20, 100_000, ("-q", "epub", "-o", "{out}.epub"), "wall", 15),
    Trick("malloc-trim", "PDF, 100k words, cold: each part's C heap handed back to the system (malloc_trim)",
          20, 100_000, ("-q", "pdf", "--no-cache", "-o", "{out}.pdf"), "peak memory", 3),
]


def corpus(stories: int, words: int) -> Path:
    folder = WORK / ("corpus-100k" if (stories, words) == (20, 100_000) else f"corpus-{words}-in-{stories}")
    if not (folder / "book.toml").exists():
        generate(folder, stories, words)
    return folder


def with_and_without(trick: Trick, turns: int, env: dict) -> tuple[list[Run], list[Run]]:
    folder = corpus(trick.stories, trick.words)
    out = str(WORK / f"trick-{trick.switch}")
    arguments = [part.format(out=out) for part in trick.command]
    sides = [("nothing", []), (trick.switch, [])]
    for turn in range(turns):
        for switch, runs in sides if turn % 2 == 0 else sides[::-1]:
            runs.append(measure([*WITHOUT, switch, *arguments], folder, env))
        print(f"  {trick.switch}: turn {turn + 1}/{turns}: with {sides[0][1][-1].wall:.2f} s "
              f"{sides[0][1][-1].peak_mb:.0f} MB, without {sides[1][1][-1].wall:.2f} s "
              f"{sides[1][1][-1].peak_mb:.0f} MB", file=sys.stderr, flush=True)
    return sides[0][1], sides[1][1]


def value(run: Run, what: str) -> float:
    return run.wall if what == "wall" else run.peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a third of the turns (at least three)")
    parser.add_argument("--only", choices=[t.switch for t in TRICKS], action="append", help="this trick alone")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as users run it
    env["SOURCE_DATE_EPOCH"] = "1763596800"
    WORK.mkdir(exist_ok=True)
    rows = []
    for trick in TRICKS:
        if args.only and trick.switch not in args.only:
            continue
        turns = max(3, trick.turns // 3) if args.quick else trick.turns
        with_it, without_it = with_and_without(trick, turns, env)
        ratio = statistics.median(value(a, trick.measure) / value(b, trick.measure)
                                  for a, b in zip(with_it, without_it))
        median = {side: statistics.median(value(r, trick.measure) for r in runs)
                  for side, runs in (("with", with_it), ("without", without_it))}
        rows.append({"trick": trick.switch, "step": trick.step, "measure": trick.measure, "turns": turns,
                     "with": round(median["with"], 3), "without": round(median["without"], 3),
                     "ratio": round(ratio, 3), "earns": ratio <= EARNS})
    report(rows, quick=args.quick)


def report(rows: list[dict], quick: bool) -> None:
    unit = {"wall": "s", "peak memory": "MB"}
    when = time.strftime("%Y-%m-%d")
    lines = [
        f"Measured {when} (`benchmarks/tricks.py{' --quick' if quick else ''}`) on {machine()}.",
        "",
        "| trick, and the build it is for | measure | with | without | with ÷ without | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        shown = "{:.2f} " if row["measure"] == "wall" else "{:.0f} "
        lines.append(f"| {row['step']} | {row['measure']} | {shown.format(row['with'])}{unit[row['measure']]} "
                     f"| {shown.format(row['without'])}{unit[row['measure']]} | {row['ratio']:.2f}× "
                     f"| ≤ {EARNS:g}× | {'yes' if row['earns'] else '**no**'} |")
    table = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "tricks.md").write_text(table, encoding="utf-8")
    (RESULTS / "tricks.json").write_text(json.dumps({"date": when, "machine": machine(), "rows": rows},
                                                    indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_section("tricks-table", table)
    print(table)


if __name__ == "__main__":
    main()
