"""`bookforge batch` against a shell loop of `bookforge build`, one book after another, on this machine.

N seed-sized books (two stories, about 3,000 words, EPUB and PDF each, written by corpus.py) are
built twice from clean build folders: by `for book in …; do bookforge build "$book"; done`, and by
`bookforge batch … -j CORES`. Reports books per minute (and per core) for both, the throughput ratio,
and the peak memory of the batch's whole process tree (PSS, sampled as bench.py does) at each size,
so that the memory of a long batch can be seen to stay flat. Writes benchmarks/results/batch.json,
batch.md, and the batch table of docs/benchmarks.md.

    .venv/bin/python benchmarks/batch_bench.py            # loop and batch at 100 books, batch at 500 (~20 min on 2 cores)
    .venv/bin/python benchmarks/batch_bench.py --quick    # loop and batch at 40 books, batch at 100 (a few minutes)
    .venv/bin/python benchmarks/batch_bench.py --books 60,300
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import BOOKFORGE, RESULTS, WORK, machine, measure  # noqa: E402
from corpus import generate  # noqa: E402
from docs_page import write_section  # noqa: E402

REPO_ROOT = HERE.parent
LIBRARY = WORK / "batch-books"
SEED_WORDS = 3_000  # the two seed stories together: about 2,300 and 700 words
THROUGHPUT_TARGET = 2.0  # batch ÷ loop, on 2 cores
FLAT_TARGET = 1.10  # the largest batch's peak memory ÷ the smallest's
UNCHANGED_TARGET = 0.10  # a second run over unchanged books ÷ the first run


def library(count: int) -> list[Path]:
    """The first `count` books of the benchmark's library (written once, the same every time)."""
    books = []
    for number in range(1, count + 1):
        folder = LIBRARY / f"book-{number:04d}"
        if not (folder / "book.toml").exists():
            generate(folder, 2, SEED_WORDS, seed=number)
            toml = folder / "book.toml"  # each book its own title, as an archive's books would have
            toml.write_text(toml.read_text(encoding="utf-8").replace('title = "Benchmark 3k"',
                                                                    f'title = "Batch Book {number}"'), encoding="utf-8")
        books.append(folder)
    return books


def clean(books: list[Path]) -> None:
    """No outputs, no PDF cache, no batch state: every book is laid out from scratch."""
    for folder in books:
        shutil.rmtree(folder / "build", ignore_errors=True)


def outputs_written(books: list[Path]) -> int:
    return sum(1 for folder in books for path in (folder / "build").glob("*.*") if path.suffix in (".epub", ".pdf"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 books for the loop, 100 for the batch's memory")
    parser.add_argument("--books", default=None, help="sizes, comma-separated: the loop runs at the first, the "
                        "batch at each (default 100,500; --quick 40,100)")
    args = parser.parse_args()
    sizes = [int(n) for n in (args.books or ("40,100" if args.quick else "100,500")).split(",")]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SOURCE_DATE_EPOCH"] = "1763596800"
    LIBRARY.mkdir(parents=True, exist_ok=True)
    books = library(max(sizes))
    subprocess.run([*BOOKFORGE, "--version"], env=env, check=True, capture_output=True)  # warm .pyc caches

    first = books[:sizes[0]]
    clean(first)
    script = 'for book in "$@"; do "$0" -m bookforge build -q "$book" || exit 1; done'
    print(f"loop: {len(first)} × bookforge build", file=sys.stderr, flush=True)
    loop = measure(["bash", "-c", script, sys.executable, *map(str, first)], REPO_ROOT, env)
    assert outputs_written(first) == 2 * len(first)

    batches = {}
    for size in sizes:
        chosen = books[:size]
        clean(chosen)
        print(f"batch: {size} books, -j {cores}", file=sys.stderr, flush=True)
        # Folders through a manifest, not the command line: 500 paths would do, 50,000 would not.
        manifest = WORK / f"batch-{size}.jsonl"
        manifest.write_text("".join(json.dumps({"project": str(p)}) + "\n" for p in chosen), encoding="utf-8")
        command = [*BOOKFORGE, "batch", "-q", "--manifest", str(manifest), "-j", str(cores)]
        batches[size] = measure(command, REPO_ROOT, env)
        assert outputs_written(chosen) == 2 * size, "the batch did not write every book"
        if size == sizes[0]:  # the same batch again, nothing changed: every book skipped
            print(f"batch again: {size} unchanged books", file=sys.stderr, flush=True)
            unchanged = measure(command, REPO_ROOT, env)
    report(sizes, cores, loop, batches, unchanged)


def report(sizes: list[int], cores: int, loop, batches: dict, unchanged) -> None:
    small, large = sizes[0], sizes[-1]
    loop_rate = small * 60 / loop.wall
    rows = [("shell loop of `bookforge build`", small, loop)] + [("`bookforge batch`", n, batches[n]) for n in sizes]
    rows.append(("`bookforge batch` again, every book unchanged", small, unchanged))
    again = unchanged.wall / batches[small].wall
    ratio = loop.wall / batches[small].wall
    flat = batches[large].peak_mb / batches[small].peak_mb
    when = time.strftime("%Y-%m-%d")
    lines = [
        f"Measured {when} (`{' '.join(['batch_bench.py', *sys.argv[1:]])}`) on {machine()}: seed-sized books (2 stories, {SEED_WORDS:,} words, EPUB + PDF), "
        f"`-j {cores}`.",
        "",
        "| run | books | wall | books/min | books/min per core | CPU | peak memory (tree, PSS) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, count, run in rows:
        rate = count * 60 / run.wall
        lines.append(f"| {name} | {count} | {run.wall:.1f} s | {rate:.1f} | {rate / cores:.1f} | {run.cpu:.1f} s "
                     f"| {run.peak_mb:.0f} MB |")
    targets = [
        (f"throughput, {small} books", "batch ÷ loop", ratio, f"≥ {THROUGHPUT_TARGET:g}× on 2 cores",
         ratio >= THROUGHPUT_TARGET),
        (f"second run, {small} unchanged books", "time ÷ first run", again, f"≤ {UNCHANGED_TARGET:.2f}×",
         again <= UNCHANGED_TARGET),
    ]
    if large != small:
        targets.append((f"peak memory, {large} books against {small}", "ratio", flat, f"≤ {FLAT_TARGET:.2f}×",
                        flat <= FLAT_TARGET))
    lines += ["", "| measure | of | result | target | met |", "|---|---|---|---|---|"]
    lines += [f"| {step} | {what} | {value:.2f}× | {target} | {'yes' if met else '**no**'} |"
              for step, what, value, target, met in targets]
    table = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "batch.md").write_text(table, encoding="utf-8")
    write_section("batch-table", table)
    data = {
        "date": when, "machine": machine(), "cores": cores, "words_per_book": SEED_WORDS, "formats": ["epub", "pdf"],
        "loop": {"books": small, "wall_s": round(loop.wall, 2), "cpu_s": round(loop.cpu, 2),
                 "peak_mb": round(loop.peak_mb, 1), "books_per_min": round(loop_rate, 1)},
        "batch": {str(n): {"books": n, "wall_s": round(r.wall, 2), "cpu_s": round(r.cpu, 2),
                           "peak_mb": round(r.peak_mb, 1), "books_per_min": round(n * 60 / r.wall, 1),
                           "books_per_min_per_core": round(n * 60 / r.wall / cores, 1)}
                  for n, r in batches.items()},
        "unchanged": {"books": small, "wall_s": round(unchanged.wall, 2), "cpu_s": round(unchanged.cpu, 2),
                      "peak_mb": round(unchanged.peak_mb, 1)},
        "targets": [dict(zip(("step", "measure", "value", "target", "met"), (s, w, round(v, 3), t, m)))
                    for s, w, v, t, m in targets],
    }
    (RESULTS / "batch.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
