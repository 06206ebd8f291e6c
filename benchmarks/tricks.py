"""Each speed trick bookforge keeps, measured with it and without it in the same run.

A trick is a piece of code that exists only to be faster or smaller (a forked helper, a system
call, a Java launcher): it stays only while its row here shows a gain of at least 10 %. A bookforge
row starts both sides through benchmarks/without.py (one with nothing switched off); the EPUBCheck
rows run Java both ways. Turns alternate their order, and a row's ratio is the median of the
turn-by-turn ratios: a busy moment on a shared machine slows both sides of one ratio instead of one
side of a median. Writes benchmarks/results/tricks.json, tricks.md, and the tricks table of
docs/benchmarks.md.

    .venv/bin/python benchmarks/tricks.py                 # every trick (a few minutes on 2 cores)
    .venv/bin/python benchmarks/tricks.py --quick         # fewer turns
    .venv/bin/python benchmarks/tricks.py --only split-read
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import RESULTS, WORK, Run, machine, measure  # noqa: E402  (benchmarks/ is not a package)
from corpus import generate  # noqa: E402
from docs_page import write_section  # noqa: E402

WITHOUT = [sys.executable, str(HERE / "without.py")]
EARNS = 0.9  # with ÷ without: a trick must save at least a tenth of the time (or memory) it is for


def corpus(stories: int, words: int, structure: bool = False) -> Path:
    """bench.py's corpus of this size (the same folder, so it is written once for both)."""
    named = {(20, 100_000, False): "corpus-100k", (20, 100_000, True): "corpus-100k-s",
             (200, 1_000_000, False): "corpus-1m"}
    folder = WORK / named.get((stories, words, structure), f"corpus-{words}-in-{stories}")
    if not (folder / "book.toml").exists():
        generate(folder, stories, words, structure=structure)
    return folder


@dataclass
class Sides:
    """A row's two commands, the folder they run in, and what to do before each run."""

    folder: Path
    with_it: list[str]
    without_it: list[str]
    before: Callable[[], None] | None = None


def bookforge(switch: str, folder: Path, *arguments: str, before: Callable[[], None] | None = None) -> Sides:
    """bookforge's command, and the same with `switch` off (benchmarks/without.py)."""
    return Sides(folder, [*WITHOUT, "nothing", *arguments], [*WITHOUT, switch, *arguments], before)


@dataclass(frozen=True)
class Trick:
    name: str  # what --only chooses it by
    step: str  # the row's label in the table
    setup: Callable[[], Sides]
    measure: str  # "wall" or "peak memory"
    turns: int  # turns in a full run (a quick run does a third of them, at least three)


def _epub(stories: int, words: int, structure: bool = False) -> Callable[[], Sides]:
    return lambda: bookforge("split-read", corpus(stories, words, structure), "-q", "epub", "-o",
                             str(WORK / "trick.epub"))


def _epubcheck(count: int) -> Callable[[], Sides]:
    """EPUBCheck over `count` copies of the seeds' EPUB: in one JVM through BatchCheck.java, and
    as `java -jar epubcheck.jar` once per book (what EPUBCheck's own command line does)."""
    def setup() -> Sides:
        from bookforge.validate.epubcheck import _JVM_FLAGS, _LAUNCHER, epubcheck_jar, java_executable

        book = seeds_epub()
        java, jar = java_executable(), str(epubcheck_jar())
        reports = [str(WORK / f"epubcheck-{n}.json") for n in range(count)]
        batch = [java, *_JVM_FLAGS, "-cp", jar, str(_LAUNCHER)]
        for report in reports:
            batch += [str(book), report]
        loop = 'for report in "$@"; do "$0" ' + " ".join(_JVM_FLAGS) + f' -jar {jar} {book} -q --json "$report"; done'
        return Sides(WORK, batch, ["bash", "-c", loop, java, *reports])
    return setup


def _bookforge_without(patch: str) -> list[str]:
    """`bookforge` run with `patch` (Python source) applied first: a trick switched off from outside."""
    return [sys.executable, "-c", patch + "\nimport sys\nfrom bookforge.cli import main\nsys.argv[0] = 'bookforge'\nmain()"]


# Markdown's inline rules looking for a closer with a plain find, without md_inline_syntax's
# cache (on markdown-it's state) of the closers a paragraph was searched for in vain.
_PLAIN_CLOSER = """
from bookforge.readers import md_inline_syntax
md_inline_syntax._closer = lambda state, closer, start: state.src.find(closer, start, state.posMax)
"""


def _unclosed_openers() -> Sides:
    """A Markdown story whose one paragraph is 128,000 characters of CriticMarkup, highlight and
    wiki-link openers that never close: the input the cache is for. (On the 100k+s corpus, whose
    paragraphs close what they open, it neither gains nor costs: 1.01×, 30 turns.)"""
    folder = WORK / "unclosed-openers"
    (folder / "manuscripts").mkdir(parents=True, exist_ok=True)
    (folder / "book.toml").write_text('[book]\ntitle = "Unclosed"\n\n[[story]]\nfile = "manuscripts/a.md"\n')
    (folder / "manuscripts" / "a.md").write_text("Title: Unclosed\n\n" + "{++ a [[b {== c " * 8000 + "\n")
    args = ["-q", "epub", "-o", str(WORK / "trick.epub")]
    return Sides(folder, [sys.executable, "-m", "bookforge", *args], [*_bookforge_without(_PLAIN_CLOSER), *args])


TRICKS = [
    Trick("split-read", "EPUB, 100k words in 20 manuscripts: every other manuscript read by a forked helper",
          _epub(20, 100_000), "wall", 15),
    Trick("split-read", "EPUB, 100k words of Markdown with notes, tables and lists in 20 manuscripts: the same",
          _epub(20, 100_000, structure=True), "wall", 15),
    Trick("split-read", "EPUB, 1M words in 200 manuscripts: the same", _epub(200, 1_000_000), "wall", 9),
    Trick("batch-check", "EPUBCheck over 5 EPUBs (the test suite's way, with 20): one JVM through BatchCheck.java, "
          "against `java -jar` per book", _epubcheck(5), "wall", 3),
    Trick("md-closer-cache", "EPUB of a Markdown paragraph of 128,000 characters of openers never closed: closers "
          "looked for in vain remembered, against a plain find each time", _unclosed_openers, "wall", 9),
]


def seeds_epub() -> Path:
    """The two seed stories' EPUB, as bench.py's `bookforge epub (two seeds)` step builds it."""
    folder = WORK / "seeds"
    if not (folder / "book.toml").exists():
        raise SystemExit(f"{folder} is missing: run benchmarks/run --quick once first (it makes it)")
    book = WORK / "seeds.epub"
    subprocess.run([sys.executable, "-m", "bookforge", "-q", "epub", "-o", str(book)], cwd=folder, check=True)
    return book


def with_and_without(trick: Trick, turns: int, env: dict) -> tuple[list[Run], list[Run]]:
    sides = trick.setup()
    runs: tuple[list[Run], list[Run]] = ([], [])
    order = [(sides.with_it, runs[0]), (sides.without_it, runs[1])]
    for turn in range(turns):
        for command, measured in order if turn % 2 == 0 else order[::-1]:
            if sides.before is not None:
                sides.before()
            measured.append(measure(command, sides.folder, env))
        print(f"  {trick.name}: turn {turn + 1}/{turns}: with {runs[0][-1].wall:.2f} s {runs[0][-1].peak_mb:.0f} MB, "
              f"without {runs[1][-1].wall:.2f} s {runs[1][-1].peak_mb:.0f} MB", file=sys.stderr, flush=True)
    return runs


def value(run: Run, what: str) -> float:
    return run.wall if what == "wall" else run.peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a third of the turns (at least three)")
    parser.add_argument("--only", choices=sorted({t.name for t in TRICKS}), action="append",
                        help="this trick's rows alone")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as users run it
    env["SOURCE_DATE_EPOCH"] = "1763596800"
    WORK.mkdir(exist_ok=True)
    rows = []
    for trick in TRICKS:
        if args.only and trick.name not in args.only:
            continue
        turns = max(3, trick.turns // 3) if args.quick else trick.turns
        with_it, without_it = with_and_without(trick, turns, env)
        ratio = statistics.median(value(a, trick.measure) / value(b, trick.measure)
                                  for a, b in zip(with_it, without_it))
        median = {side: statistics.median(value(r, trick.measure) for r in runs)
                  for side, runs in (("with", with_it), ("without", without_it))}
        rows.append({"trick": trick.name, "step": trick.step, "measure": trick.measure, "turns": turns,
                     "with": round(median["with"], 3), "without": round(median["without"], 3),
                     "ratio": round(ratio, 3), "earns": ratio <= EARNS})
    if args.only:  # the other tricks keep their last measured rows, in TRICKS' order
        rows = _merged(rows)
    report(rows, quick=args.quick)


def _merged(rows: list[dict]) -> list[dict]:
    try:
        earlier = json.loads((RESULTS / "tricks.json").read_text(encoding="utf-8"))["rows"]
    except (OSError, ValueError, KeyError):
        earlier = []
    # A trick may have several rows (one per build it is for): a row is its trick and its step.
    by_row = {(row["trick"], row["step"]): row for row in earlier} | {(row["trick"], row["step"]): row for row in rows}
    return [by_row[trick.name, trick.step] for trick in TRICKS if (trick.name, trick.step) in by_row]


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
