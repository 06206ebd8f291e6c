"""`bookforge serve` on the 100k-word corpus: save → updated reading view, save → updated print view.

A save changes one paragraph of one story. The reading view is updated when the preview's state
names the changed document's new version and that document has been fetched (what the open page
does next is a DOM swap of a few milliseconds); the print view when the new pages are listed and the
first changed page's image has been drawn and fetched. The PDF's own incremental time is the time
from the save to the new PDF on disk in the same rebuild. Writes benchmarks/results/serve.json,
.md, and the serve table of docs/benchmarks.md.

    python benchmarks/serve_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench import BOOKFORGE, RESULTS, WORK, machine
from corpus import generate
from docs_page import write_section

READING_TARGET = 0.5  # seconds
PRINT_OVERHEAD_TARGET = 0.5  # seconds over the incremental PDF time
POLL = 0.005


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def state(base: str) -> dict:
    return json.loads(fetch(base + "api/state"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    folder = WORK / "serve-100k"
    shutil.rmtree(folder, ignore_errors=True)
    generate(folder, stories=20, words=100_000)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    server = subprocess.Popen(
        [*BOOKFORGE, "serve", "--to", "epub", "--to", "pdf"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stderr], daemon=True).start()
    try:
        base = next(line for line in iter(lines.get, None) if line.startswith("previewing at")).split()[2]
        first_build = next(line for line in iter(lines.get, None) if line.startswith("built"))
        print(first_build.strip())
        time.sleep(2)  # the watcher in place and WeasyPrint warmed up, as after any first build
        pdf = next((folder / "build").glob("*.pdf"))
        reading, printing, pdf_times = [], [], []
        for run in range(args.runs):
            story = folder / "manuscripts" / f"{10 + run:03d}.txt"
            before = state(base)
            old_docs = {c["href"]: c["digest"] for c in before["book"]["spine"]}
            old_pages = [p["digest"] for p in before["pages"]]
            old_pdf = pdf.stat().st_mtime_ns
            text = story.read_text(encoding="utf-8")
            saved = time.perf_counter()
            story.write_text(text.replace(" the ", f" the edited{run} ", 1), encoding="utf-8")
            read_at = pdf_at = print_at = None
            while print_at is None or read_at is None:
                now = state(base)
                if read_at is None and now["book"]:
                    changed = [c for c in now["book"]["spine"] if old_docs.get(c["href"]) != c["digest"]]
                    if changed:
                        fetch(base + "book/" + changed[0]["href"])
                        read_at = time.perf_counter() - saved
                if pdf_at is None and pdf.stat().st_mtime_ns != old_pdf:
                    pdf_at = time.perf_counter() - saved
                if print_at is None and [p["digest"] for p in now["pages"]] != old_pages:
                    new = next(
                        p["digest"]
                        for i, p in enumerate(now["pages"])
                        if i >= len(old_pages) or old_pages[i] != p["digest"]
                    )
                    fetch(f"{base}pages/{new}.png")
                    print_at = time.perf_counter() - saved
                time.sleep(POLL)
            pdf_at = pdf_at if pdf_at is not None else print_at
            reading.append(read_at)
            printing.append(print_at)
            pdf_times.append(pdf_at)
            print(
                f"run {run + 1}: reading view {read_at:.3f} s, PDF written {pdf_at:.3f} s, print view {print_at:.3f} s"
            )
            next(line for line in iter(lines.get, None) if line.startswith("rebuilt"))
            time.sleep(1)
    finally:
        server.terminate()
        server.wait(timeout=30)

    read_s, print_s, pdf_s = (statistics.median(v) for v in (reading, printing, pdf_times))
    overhead = statistics.median(p - d for p, d in zip(printing, pdf_times))
    rows = [
        ("save → updated reading view", read_s, f"≤ {READING_TARGET} s", read_s <= READING_TARGET),
        (
            "save → updated print view",
            print_s,
            f"≤ incremental PDF ({pdf_s:.2f} s) + {PRINT_OVERHEAD_TARGET} s",
            overhead <= PRINT_OVERHEAD_TARGET,
        ),
    ]
    table = (
        "\n".join(
            [
                f"bookforge serve on the 100k-word corpus (20 stories), median of {args.runs} saves; {machine()}",
                "",
                "| measure | seconds | target | met |",
                "|---|---|---|---|",
                *[
                    f"| {name} | {value:.3f} | {target} | {'yes' if met else '**no**'} |"
                    for name, value, target, met in rows
                ],
                f"| of which after the PDF was written | {overhead:.3f} | ≤ {PRINT_OVERHEAD_TARGET} s | |",
            ]
        )
        + "\n"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "serve.md").write_text(table, encoding="utf-8")
    write_section("serve-table", table)
    data = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "words": 100_000,
        "stories": 20,
        "runs": args.runs,
        "reading_view_s": [round(v, 3) for v in reading],
        "print_view_s": [round(v, 3) for v in printing],
        "pdf_written_s": [round(v, 3) for v in pdf_times],
        "median": {
            "reading_view_s": round(read_s, 3),
            "print_view_s": round(print_s, 3),
            "pdf_written_s": round(pdf_s, 3),
            "print_after_pdf_s": round(overhead, 3),
        },
        "targets": [{"measure": n, "value": round(v, 3), "target": t, "met": m} for n, v, t, m in rows],
    }
    (RESULTS / "serve.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
