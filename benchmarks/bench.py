"""bookforge against its peers, in one run: pandoc for the EPUB, one-pass WeasyPrint for the PDF.

Prints wall time, CPU time and peak memory of the whole process tree (proportional set size,
so pages forked workers share are not counted twice) for every step, as medians of several runs,
and the ratios the targets are stated in. bookforge and its peer run in turns, and a time ratio is
the median of the run-by-run ratios. Writes benchmarks/results/latest.json and latest.md, and the
speed table of docs/benchmarks.md.

Run it through `benchmarks/run`, which installs the peers first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
RESULTS = HERE / "results"
BOOKFORGE = [sys.executable, "-m", "bookforge"]
SEEDS = REPO.parent / "shared" / "seeds"

sys.path.insert(0, str(HERE))
from corpus import generate  # noqa: E402
from docs_page import write_section  # noqa: E402


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float


@dataclass
class Measurement:
    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return statistics.median(r.peak_mb for r in self.runs)

    def summary(self) -> dict:
        return {"wall_s": round(self.wall, 3), "cpu_s": round(self.cpu, 3), "peak_mb": round(self.peak_mb, 1),
                "runs": len(self.runs), "walls": [round(r.wall, 3) for r in self.runs]}


# ---------------------------------------------------------------------------------------------
# Measuring a command: wall clock, CPU of the whole tree (getrusage of waited children), peak
# memory of the whole tree (sum of PSS over the process and its descendants, sampled).


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_pss_kb(root: int) -> int:
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss_kb(pid)
        stack += _children(pid)
    return total


def measure(command: list[str], cwd: Path, env: dict | None = None) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_pss_kb(process.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, peak / 1024)


def repeat(name: str, command: list[str], cwd: Path, runs: int, before=None, env=None) -> Measurement:
    result = Measurement(name)
    for index in range(runs):
        if before is not None:
            before(index)
        result.runs.append(measure(command, cwd, env))
        print(f"  {name}: run {index + 1}/{runs}: {result.runs[-1].wall:.2f} s", file=sys.stderr, flush=True)
    return result


def paired(ours: tuple[str, list[str], Path], peer: tuple[str, list[str], Path], runs: int, env=None,
           others: list[tuple[str, list[str], Path, dict]] = ()) -> tuple[Measurement, ...]:
    """Run bookforge and its peer (and any others: an earlier bookforge) in turns, so all meet the
    same machine (a shared VM's other tenants come and go): the medians are then comparable."""
    mine, theirs = Measurement(ours[0]), Measurement(peer[0])
    extra = [Measurement(other[0]) for other in others]
    for index in range(runs):
        theirs.runs.append(measure(peer[1], peer[2], env))
        turn = [(mine, ours[1], ours[2], env)] + [(m, command, cwd, other_env)
                                                  for m, (_, command, cwd, other_env) in zip(extra, others)]
        # Whoever runs right after the peer meets the caches it left: every other turn this version
        # goes last, so an earlier revision is never the one that always runs second.
        for measurement, command, cwd, run_env in (turn if index % 2 == 0 else turn[::-1]):
            measurement.runs.append(measure(command, cwd, run_env))
        print(f"  run {index + 1}/{runs}: {ours[0]} {mine.runs[-1].wall:.2f} s, {peer[0]} {theirs.runs[-1].wall:.2f} s"
              + "".join(f", {m.name} {m.runs[-1].wall:.2f} s" for m in extra), file=sys.stderr, flush=True)
    return (mine, theirs, *extra)


def paired_ratio(top: Measurement, bottom: Measurement) -> float:
    """The median of run-by-run ratios: each pair of runs met the same machine, so a busy moment
    on a shared host slows both sides of a ratio instead of one side of a median."""
    return statistics.median(a.wall / b.wall for a, b in zip(top.runs, bottom.runs))


def watched_rebuilds(name: str, folder: Path, runs: int, edit, env, reset=None) -> Measurement:
    """Time rebuilds the way an author meets them: `bookforge watch` running, a file saved, and the
    clock stopped when the watcher reports the new PDF written."""
    command = [*BOOKFORGE, "watch", "--to", "pdf"]
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, bufsize=1)
    result = Measurement(name)
    try:
        for line in process.stderr:
            if line.startswith("watching"):
                break
        def wait_for_rebuild() -> None:
            for line in process.stderr:
                if line.startswith("rebuilt"):
                    return
                if "error" in line:
                    raise SystemExit(f"watch failed: {line}")

        for index in range(runs):
            if reset is not None:  # back to the original first (untimed), so every edit is the same change
                reset()
                wait_for_rebuild()
                time.sleep(0.3)
            peak, stop = 0, threading.Event()

            def sample() -> None:
                nonlocal peak
                while not stop.is_set():
                    peak = max(peak, _tree_pss_kb(process.pid))
                    stop.wait(0.02)

            cpu_before = _tree_cpu(process.pid)
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            started = time.perf_counter()
            edit(index)
            wait_for_rebuild()
            wall = time.perf_counter() - started
            stop.set()
            sampler.join()
            result.runs.append(Run(wall, _tree_cpu(process.pid) - cpu_before, peak / 1024))
            print(f"  {name}: run {index + 1}/{runs}: {wall:.2f} s", file=sys.stderr, flush=True)
            time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return result


def _tree_cpu(root: int) -> float:
    """CPU seconds used so far by a process and its live descendants."""
    total, stack, tick = 0, [root], os.sysconf("SC_CLK_TCK")
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        except OSError:
            pass
        stack += _children(pid)
    return total / tick


# ---------------------------------------------------------------------------------------------
# Peers


def pandoc_command(project: Path, output: Path) -> list[str]:
    import pypandoc

    manuscripts = sorted(str(p) for p in (project / "manuscripts").iterdir() if p.suffix in (".txt", ".md"))
    return [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "epub3", "--metadata", "title=Benchmark",
            "-o", str(output), *manuscripts]


def one_pass_inputs(project: Path, out: Path) -> list[str]:
    """Write the one-pass HTML and the same CSS bookforge uses; the peer is plain WeasyPrint."""
    from bookforge.backends.pdf import word_count
    from bookforge.backends.pdf.book_html import html_document, part_body, print_book
    from bookforge.printing.geometry import page_geometry
    from bookforge.backends.pdf.page_css import page_css
    from bookforge.diagnostics import Diagnostics
    from bookforge.pipeline import load_book
    from bookforge.project import open_project
    from bookforge.themes import load_theme

    diagnostics = Diagnostics()
    proj = open_project(project, diagnostics)
    book = load_book(proj, diagnostics)
    theme = load_theme(proj.config.theme, proj.styles_dir)
    geometry = page_geometry(proj.config.pdf, word_count(book))
    _, parts = print_book(book, proj.config.notes, proj.root, one_pass=True)
    out.mkdir(parents=True, exist_ok=True)
    html = html_document(book, "".join(part_body(p) for p in parts), "2026-11-20T00:00:00Z", True,
                         body_class="print drop-caps")
    (out / "book.html").write_text(html, encoding="utf-8")
    sheets = [("page.css", page_css(book, parts, geometry, one_pass=True)),
              ("base.css", theme.files["base.css"]), ("print.css", theme.files["print.css"])]
    paths = []
    for name, text in sheets:
        (out / name).write_text(text, encoding="utf-8")
        paths.append(str(out / name))
    return [str(out / "book.html"), *paths]


PEER_SCRIPT = HERE / "weasyprint_one_pass.py"


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k-word corpus only, fewer runs")
    parser.add_argument("--runs", type=int, default=5, help="runs for fast steps (median)")
    parser.add_argument("--against", metavar="REV", help="also run bookforge as of this git revision on the 100k "
                        "corpora, in the same turns, and state this version's ratios against its")
    args = parser.parse_args()
    runs, slow_runs = args.runs, (1 if args.quick else 3)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as users run it
    env["SOURCE_DATE_EPOCH"] = "1763596800"

    WORK.mkdir(exist_ok=True)
    # "100k+s": the same 100k words as Markdown with notes, tables and lists in 5 % of paragraphs.
    corpora = {"100k": (20, 100_000, False), "100k+s": (20, 100_000, True)}
    if not args.quick:
        corpora["1m"] = (200, 1_000_000, False)
    projects = {}
    for name, (stories, words, structure) in corpora.items():
        folder = WORK / f"corpus-{name.replace('+', '-')}"
        if not (folder / "book.toml").exists():
            generate(folder, stories, words, structure=structure)
        projects[name] = folder
    subprocess.run([*BOOKFORGE, "--version"], env=env, check=True, capture_output=True)  # warm .pyc caches
    earlier_env = _earlier(args.against, env) if args.against else None

    def earlier(name: str, command: list[str], folder: Path) -> list[tuple[str, list[str], Path, dict]]:
        """The same command run by the earlier revision, on the 100k corpora (when asked for)."""
        if earlier_env is None or not name.startswith("100k"):
            return []
        return [(f"{command[0]} {args.against}", [*BOOKFORGE, *command[1:]], folder, earlier_env)]

    results: dict[str, dict] = {}
    ratios: list[tuple[str, str, float, str, bool]] = []

    def record(measurement: Measurement) -> Measurement:
        results[measurement.name] = measurement.summary()
        return measurement

    # Start-up and the two seeds.
    help_run = record(repeat("bookforge --help", [*BOOKFORGE, "--help"], REPO, runs * 2, env=env))
    seeds = WORK / "seeds"
    if not seeds.exists():
        shutil.copytree(SEEDS if SEEDS.is_dir() else REPO / "tests" / "fixtures" / "seeds_shape" / "manuscripts",
                        seeds / "manuscripts")
        entries = "".join(
            f'[[story]]\nfile = "manuscripts/{p.name}"\ntitle = "Seed {i}"\nauthor = "Author {i}"\n\n'
            for i, p in enumerate(sorted((seeds / "manuscripts").glob("*.txt")), start=1)
        )
        (seeds / "book.toml").write_text(f'[book]\ntitle = "Seeds"\n\n{entries}')
    seeds_run = record(repeat("bookforge epub (two seeds)", [*BOOKFORGE, "-q", "epub"], seeds, runs * 2, env=env))
    ratios.append(("`bookforge --help`", "wall", help_run.wall, "≤ 0.25 s", help_run.wall <= 0.25))
    ratios.append(("`bookforge epub` on the two seeds", "wall", seeds_run.wall, "≤ 0.6 s", seeds_run.wall <= 0.6))

    for name, folder in projects.items():
        words = _words(name)
        count = 2 * runs if name.startswith("100k") else slow_runs  # sub-second runs: more of them
        command = ["bookforge epub", "-q", "epub", "-o", str(WORK / "out.epub")]
        ours, peer, *before = paired(
            (f"bookforge epub {name}", [*BOOKFORGE, *command[1:]], folder),
            (f"pandoc epub {name}", pandoc_command(folder, WORK / "pandoc.epub"), folder),
            count, env, earlier(f"{name}", [f"bookforge epub {name}", *command[1:]], folder),
        )
        record(ours)
        record(peer)
        target = 10 if name.startswith("100k") else 20
        speedup = paired_ratio(peer, ours)
        ratios.append((f"EPUB, {words}, cold, process start included", "pandoc ÷ bookforge", speedup,
                       f"≥ {target}×", speedup >= target))
        for old in before:
            record(old)
            # Per turn, this version's speed-up over pandoc ÷ the earlier one's is old time ÷ our
            # time: the median of that, both measured in the same turn, is the steadiest figure.
            share = paired_ratio(old, ours)
            ratios.append((f"EPUB, {words}: this version against {args.against}", "speed-up ÷ its speed-up",
                           share, "≥ 0.9×", share >= 0.9))
    ledger = json.loads(subprocess.run([sys.executable, str(HERE / "ledger_cost.py"), str(projects["100k"])],
                                       env=env, check=True, capture_output=True, text=True).stdout)
    results["ledger (F001) in a warm EPUB build, 100k (clocked inside the build)"] = ledger
    # The target is the share of the build an author waits for (`bookforge epub`, process start
    # included, the row above); the share of a warm in-process build, a stricter measure, is shown too.
    cold_share = ledger["ledger_s"] / results["bookforge epub 100k"]["wall_s"]
    ratios.append(("The word ledger (F001), EPUB, 100k words", "share of a cold build", round(cold_share, 4),
                   "≤ 0.05×", cold_share <= 0.05))
    ratios.append(("The word ledger (F001), EPUB, 100k words (for reference)", "share of a warm in-process build",
                   ledger["share"], "—", None))

    for name, folder in projects.items():
        words = _words(name)
        # Three turns at 100k words even in a quick run: one cold PDF build varies by ±10 % here,
        # as much as the 1.1× a change may cost against an earlier revision.
        count = 3 if name.startswith("100k") else 1
        html_inputs = one_pass_inputs(folder, WORK / f"one-pass-{name}")
        one_pass_pdf = WORK / f"one-pass-{name}.pdf"
        ours_pdf = WORK / f"bookforge-{name}.pdf"
        command = ["bookforge pdf", "-q", "pdf", "--no-cache", "-o"]
        ours, peer, *before = paired(
            (f"bookforge pdf {name} (cold)", [*BOOKFORGE, *command[1:], str(ours_pdf)], folder),
            (f"one-pass WeasyPrint pdf {name}", [sys.executable, str(PEER_SCRIPT), str(one_pass_pdf), *html_inputs],
             folder),
            count, env, earlier(name, [f"bookforge pdf {name} (cold)", *command[1:], str(WORK / "earlier.pdf")], folder),
        )
        record(ours)
        record(peer)
        target_time = 0.6 if name.startswith("100k") else 0.55
        time_ratio = paired_ratio(ours, peer)
        ratios.append((f"PDF, {words}, cold", "time ÷ one-pass", time_ratio, f"≤ {target_time}×",
                       time_ratio <= target_time))
        for old in before:
            record(old)
            share = paired_ratio(ours, old)  # per turn, (ours ÷ one-pass) ÷ (its ÷ one-pass) = ours ÷ its
            if name == "100k+s":  # the earlier version set notes and tables as plain paragraphs: less to lay out
                ratios.append((f"PDF, {words}: this version against {args.against} (which flattened them)",
                               "ratio ÷ its ratio", share, "—", True))
            else:
                ratios.append((f"PDF, {words}: this version against {args.against}", "ratio ÷ its ratio",
                               share, "≤ 1.1×", share <= 1.1))
        if name == "100k+s":
            continue
        if name == "100k":
            ratios.append((f"PDF, {words}, cold", "peak memory ÷ one-pass", ours.peak_mb / peer.peak_mb, "≤ 0.6×",
                           ours.peak_mb / peer.peak_mb <= 0.6))
            size = ours_pdf.stat().st_size / one_pass_pdf.stat().st_size
            ratios.append(("PDF file size", "bookforge ÷ one-pass", size, "≤ 1.3×", size <= 1.3))
            results["pdf size"] = {"bookforge": ours_pdf.stat().st_size, "one-pass": one_pass_pdf.stat().st_size}
            incremental(folder, peer, env, results, ratios, runs=3)
        else:
            ratios.append((f"PDF, {words}, cold", "peak memory, whole tree", ours.peak_mb, "≤ 400 MB",
                           ours.peak_mb <= 400))

    report(results, ratios, " ".join(["benchmarks/run", *sys.argv[1:]]))


def _earlier(rev: str, env: dict) -> dict:
    """A git worktree of an earlier revision under benchmarks/.work, and the environment that runs
    its bookforge (its src/ first on the path) with this virtual environment's libraries."""
    folder = WORK / f"rev-{rev}"
    if not folder.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(folder), rev], cwd=REPO, check=True,
                       capture_output=True)
    return {**env, "PYTHONPATH": str(folder / "src")}


def _words(name: str) -> str:
    label = {"100k": "100k words", "100k+s": "100k words with notes, tables and lists", "1m": "1M words"}
    return label.get(name, name)


def incremental(folder: Path, one_pass: Measurement, env, results, ratios, runs: int) -> None:
    """Rebuilds after an edit, with `bookforge watch` running: a paragraph changed, then a story
    grown by pages. The same edit through a fresh `bookforge pdf` process is reported beside."""
    story = folder / "manuscripts" / "010.txt"
    original = story.read_text(encoding="utf-8")
    word = "quiet"
    assert word in original

    def change_paragraph(index: int) -> None:
        # A different word each time, same length: the story must be laid out again every time.
        story.write_text(original.replace(word, f"qu{index % 10}et", 1), encoding="utf-8")

    def grow(index: int) -> None:
        extra = "\n\n".join(original.split("\n\n")[2:40]).replace("the", f"the{index}")
        story.write_text(original + "\n\n" + extra, encoding="utf-8")

    try:
        subprocess.run([*BOOKFORGE, "-q", "pdf"], cwd=folder, env=env, check=True)  # fill the cache
        edit = watched_rebuilds("bookforge watch: one paragraph changed", folder, runs, change_paragraph, env)
        results[edit.name] = edit.summary()
        ratios.append(("PDF, after one paragraph changed in one story of 20 (watch)", "time ÷ one-pass",
                       edit.wall / one_pass.wall, "≤ 0.1×", edit.wall / one_pass.wall <= 0.1))
        story.write_text(original, encoding="utf-8")
        subprocess.run([*BOOKFORGE, "-q", "pdf"], cwd=folder, env=env, check=True)
        grown = watched_rebuilds("bookforge watch: one story grown", folder, runs, grow, env,
                                 reset=lambda: story.write_text(original, encoding="utf-8"))
        results[grown.name] = grown.summary()
        ratios.append(("PDF, after a change that adds pages to one story of 20 (watch)", "time ÷ one-pass",
                       grown.wall / one_pass.wall, "≤ 0.15×", grown.wall / one_pass.wall <= 0.15))
        story.write_text(original, encoding="utf-8")
        subprocess.run([*BOOKFORGE, "-q", "pdf"], cwd=folder, env=env, check=True)
        command = [*BOOKFORGE, "-q", "pdf"]
        once = repeat("bookforge pdf (new process): one paragraph changed", command, folder, runs,
                      before=change_paragraph, env=env)
        results[once.name] = once.summary()
        ratios.append(("PDF, after one paragraph changed, one-shot `bookforge pdf` (for reference)",
                       "time ÷ one-pass", once.wall / one_pass.wall, "—", True))
    finally:
        story.write_text(original, encoding="utf-8")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}"


def report(results: dict, ratios: list, command: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    when = time.strftime("%Y-%m-%d")
    lines = [
        f"Measured {when} (`{command}`) on {machine()}.",
        "",
        "| step | measure | result | target | met |",
        "|---|---|---|---|---|",
    ]
    for step, what, value, target, met in ratios:
        shown = f"{value:.2f} s" if what == "wall" else (f"{value:.0f} MB" if "MB" in target else f"{value:.2f}×")
        verdict = "—" if target == "—" else ("yes" if met else "**no**")
        lines.append(f"| {step} | {what} | {shown} | {target} | {verdict} |")
    lines += ["", "| run | wall (median) | CPU | peak memory (tree, PSS) | runs |", "|---|---|---|---|---|"]
    for name, data in results.items():
        if "wall_s" in data:
            lines.append(f"| {name} | {data['wall_s']:.2f} s | {data['cpu_s']:.2f} s | {data['peak_mb']:.0f} MB | {data['runs']} |")
    table = "\n".join(lines) + "\n"
    (RESULTS / "latest.md").write_text(table, encoding="utf-8")
    write_section("speed-table", table)
    (RESULTS / "latest.json").write_text(
        json.dumps({"date": when, "machine": machine(), "results": results,
                    "targets": [dict(zip(("step", "measure", "value", "target", "met"), r)) for r in ratios]},
                   indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    print(table)


if __name__ == "__main__":
    main()
