"""Print-ready PDF through WeasyPrint: stories laid out as parts in parallel, then assembled."""

from __future__ import annotations

import gc
import os
import re
import time
from collections import deque
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ...errors import BuildError, MissingDependencyError
from ...model import Book, block_text
from ...output import atomic_output
from ...printers import printer_named
from ...printing.coverage import CJK_SCRIPTS
from ...printing.coverage import coverage as text_coverage
from ...printing.geometry import Geometry, gutter_too_narrow, page_geometry
from ...printing.intent import is_pdfx, output_intent
from ...printing.printer_checks import interior_breaches
from ...themes import FONTS_DIR
from .. import BuildContext, Built
from .assemble import Assembler, start_pages
from .assemble import plan as place_pages
from .book_html import contents_body, fill_note_pages, has_note_pages, html_document, part_body, print_book
from .cache import PartCache, part_key
from .cmyk import BLACK_TEXT, converter_for
from .fallback import languages_in, rules_for
from .layout import PartJob, PartResult, prime, release_memory, render_part, render_part_in_worker
from .page_css import page_css as book_page_css  # (likewise)
from .page_css import story_page_css

if TYPE_CHECKING:  # imported where they are used: a build from the part cache needs none of them
    from concurrent.futures import Future, ProcessPoolExecutor

    from rich.progress import Progress, TaskID

    from ...render.documents import RenderedBook


class PdfBackend:
    def build(self, ctx: BuildContext) -> Built:
        with atomic_output(ctx.output, ctx.project.rel(ctx.output)) as handle:
            stats = build_pdf(ctx, handle)
        return Built(ctx.output, stats)


def _require_weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401 - imported only to see that it loads (its C libraries are there)
    except OSError as exc:  # Pango missing: WeasyPrint cannot load its C libraries
        raise MissingDependencyError(
            f"WeasyPrint cannot start: {exc}",
            hint="install Pango (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0)",
        ) from None
    except ImportError:
        raise MissingDependencyError("WeasyPrint is not installed", hint="pip install weasyprint") from None


def word_count(book: Book) -> int:
    return sum(len(block_text(block).split()) for story in book.stories for block in story.blocks())


@dataclass
class _Plan:
    """What every layout job of a build shares: the parts, the stylesheets, the settings."""

    rendered: RenderedBook
    parts: list
    geometry: Geometry
    css: list[tuple[str, str]]
    one_pass: bool
    variant: str | None
    base_url: str
    roots: list[str]
    body_class: str
    build_date: str
    font_rules: str = ""  # fontconfig rules for the CJK faces (fallback.py)
    fonts_key: str = ""  # installed fonts the text falls back to, for the part cache
    uncovered: frozenset[str] = frozenset()  # characters no font has (reported as P004)
    cmyk_profile: bytes | None = None  # PDF/X with an output intent: every colour in its CMYK

    def with_geometry(self, book: Book, geometry) -> _Plan:
        """The same plan on pages of another geometry (margins corrected for the real page count)."""
        page = book_page_css(book, self.parts, geometry, self.one_pass)
        if self.cmyk_profile:
            page = converter_for(self.cmyk_profile).css(page)
        css = [("page (generated)", page), *self.css[1:]]
        return replace(self, geometry=geometry, css=css)

    def job(self, book: Book, name: str, body: str, whole_book: bool = False, style: str = ""):
        html = html_document(
            book, body, self.build_date, with_metadata=whole_book, body_class=self.body_class, style=style
        )
        if self.cmyk_profile:
            html = converter_for(self.cmyk_profile).html(html)
        return PartJob(
            name,
            html,
            self.css,
            self.base_url,
            self.roots,
            variant=self.variant,
            metadata_html=whole_book,
            pad_to_even=whole_book,
            font_rules=self.font_rules,
            fonts_key=self.fonts_key,
            cmyk_profile=self.cmyk_profile,
        )


def plan_pdf(ctx: BuildContext) -> _Plan:
    """Everything about a PDF build that comes before layout."""
    config = ctx.project.config.pdf  # checked when read, the command line's values over it
    book = ctx.book
    variant = config.variant or None
    one_pass = ctx.options.one_pass or bool(variant)
    geometry = page_geometry(config, word_count(book))
    root = ctx.project.root
    rendered, parts = print_book(
        book,
        ctx.project.config.notes,
        root,
        one_pass,
        ctx.render_cache,
        ctx.project.config.preface,
        cover=_reading_cover(ctx, geometry, variant),
        footnotes=ctx.project.config.footnotes,
    )
    css = [("page (generated)", book_page_css(book, parts, geometry, one_pass))]
    css += [(name, ctx.theme.files[name]) for name in ("base.css", "print.css")]
    css += list(ctx.theme.extras)
    cmyk_profile = None
    if is_pdfx(variant):
        intent = output_intent(root, config)
        if intent:
            intent_css, cmyk_profile = intent
            converter = converter_for(cmyk_profile)
            # Every colour in the printer's CMYK (text black as black ink alone), from the root
            # element's default on: a PDF/X file with an RGB colour fails the printer's preflight.
            css = [(name, converter.css(text)) for name, text in css]
            css.insert(1, ("PDF/X colours", BLACK_TEXT))
            css.append(("[pdf] output-intent", intent_css))  # after the theme's: book.toml's profile wins
        elif "@color-profile" not in "".join(t for _, t in css):
            ctx.diagnostics.warn(
                "P002",
                f"{variant} needs a CMYK output intent; the PDF will not conform without one",
                path="book.toml",
                line=config.line_of.get("variant"),
                hint='name your printer\'s CMYK profile in book.toml: [pdf] output-intent = "profile.icc"',
            )
    found, font_rules = _font_coverage(ctx, rendered, parts, css)
    return _Plan(
        rendered,
        parts,
        geometry,
        css,
        one_pass,
        variant,
        root.as_uri() + "/",
        [str(root), str(FONTS_DIR)],
        "print drop-caps" if config.drop_caps else "print",
        ctx.build_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        font_rules,
        found.fingerprint(),
        found.uncovered,
        cmyk_profile,
    )


_TAG = re.compile(r"<[^>]*>")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def _font_coverage(ctx: BuildContext, rendered, parts, css):
    """Characters the bundled faces lack: installed fonts set them (CJK: the language's face, see
    fallback.py); one P004 per script that no font has. Quick when every character is bundled."""
    bodies = [document.body for part in parts for document in part.documents]
    texts = [_TAG.sub(" ", body) for body in bodies]  # what is printed, not the markup's attributes
    texts += [_CSS_COMMENT.sub("", text) for _, text in css]  # generated content, running heads
    texts += list(rendered.labels.values())  # "Contents" and the like, in the book's language
    found = text_coverage(texts, ctx.book)
    for gap in found.gaps:
        ctx.diagnostics.warn("P004", gap.message(), path=gap.path, line=gap.line, hint=gap.hint())
    rules = ""
    if found.outside and found.scripts() & CJK_SCRIPTS:
        book = ctx.book
        languages = languages_in(bodies, (book.language, *(story.language or "" for story in book.stories)))
        rules = rules_for(languages, found.scripts())
    return found, rules


def _reading_cover(ctx: BuildContext, geometry, variant: str | None):
    """The cover for the first page of a reading PDF (`[pdf] cover = true`); never in a print PDF,
    whose cover is a separate file the printer asks for."""
    if not ctx.project.config.pdf.cover:
        return None
    if geometry.bleed > 0 or geometry.marks or is_pdfx(variant):
        ctx.diagnostics.warn(
            "P003",
            "[pdf] cover = true is ignored: this PDF has bleed, crop marks or a PDF/X variant, "
            "so it is for a printer, who takes the cover as a separate file",
            path="book.toml",
            line=ctx.project.config.pdf.line_of.get("cover"),
            hint="build the reading PDF without bleed and marks, e.g. `bookforge pdf --bleed 0 -o build/reading.pdf`",
        )
        return None
    return ctx.cover()


def warm_up(ctx: BuildContext) -> None:
    """Import WeasyPrint and prepare this book's stylesheets and fonts now (`bookforge watch`),
    so that the first rebuild after a change is as quick as the next ones."""
    _require_weasyprint()
    plan = plan_pdf(ctx)
    prime(plan.job(ctx.book, "warm-up", ""), ctx.book.language)


def build_pdf(ctx: BuildContext, handle) -> dict:
    """Lay out the book and write the PDF to an open binary file; returns the build's facts
    (parts, pages, cache hits and misses, the parts laid out, phase times)."""
    options = ctx.options
    plan = plan_pdf(ctx)
    cache = PartCache(None if options.no_cache else ctx.project.cache_dir("pdf"))
    runner = _Runner(options.jobs or os.cpu_count() or 1, ctx)
    started = time.perf_counter()
    phases: dict[str, float] = {}

    with runner:
        laid = _lay_out(ctx, plan, runner, cache, phases, started)
        # Auto margins were chosen for a page count estimated from the words; the printer's gutter
        # minimum is for the real count. Should the book land in a bracket that needs more, it is
        # laid out again with the gutter for that count. This converges at once: the gutter grows
        # by what the outer margin gives up, so the text block keeps its width and the book its
        # page count. Only at the outer margin's floor can the text block narrow and the count
        # grow, and the minimum only grows with the count: a third layout at most, in practice one.
        for _ in range(2):
            better = _printer_geometry(ctx, plan.geometry, laid.pages)
            if better is None:
                break
            plan = plan.with_geometry(ctx.book, better)
            laid = _lay_out(ctx, plan, runner, cache, phases, started)
        _printer_rules(ctx, plan.geometry, laid.pages)
        _report(ctx, laid.results, plan.uncovered)
        if plan.one_pass:
            handle.write(laid.results[0].pdf)
        else:
            # The front was laid out last (its contents needs every story's page number), but its
            # own length never moves them (stories are numbered from 1): the body is written first.
            assembler = Assembler(handle, ctx.book, plan.geometry, ctx.build_time, cache)
            assembler.add_body(plan.parts[1:], laid.results[1:])
            assembler.add_front(plan.parts[0], laid.results[0])
            assembler.finish(plan.parts)
            phases["write the book"] = time.perf_counter() - started - sum(phases.values())
    cache.prune()
    return {
        "parts": len(plan.parts),
        "pages": laid.pages,
        "cache_hits": cache.hits,
        "cache_misses": cache.misses,
        "laid_out": sorted(set(cache.laid_out)),
        "seconds": time.perf_counter() - started,
        "one_pass": plan.one_pass,
        "phases": phases,
    }


@dataclass
class _Laid:
    """A layout of the whole book: the parts' results (front first) and the book's page count."""

    results: list
    pages: int


def _lay_out(ctx: BuildContext, plan: _Plan, runner, cache, phases: dict, started: float) -> _Laid:
    """Lay out every part (or the whole book in one pass); nothing is written yet."""
    book, parts = ctx.book, plan.parts

    def job(name: str, body: str, whole_book: bool = False, style: str = ""):
        return plan.job(book, name, body, whole_book, style)

    if plan.one_pass:
        body = "".join(part_body(part) for part in parts)
        results = runner.run([job("book", body, whole_book=True)], cache, part_key)
        return _Laid(results, results[0].pages)

    body_parts = parts[1:]
    body_jobs = [
        job(part.name, part_body(part), style=story_page_css(part, book) if part.kind == "story" else "")
        for part in body_parts
    ]
    body_results = runner.run(body_jobs, cache, part_key)
    # The workers' memory is not needed any more: the rest is a few pages and the assembly.
    runner.close()
    _settle_note_pages(body_parts, body_results, lambda name, body: job(name, body), runner, cache)
    phases["lay out stories"] = time.perf_counter() - started - sum(phases.values())

    def front_job(front_result):
        numbers = start_pages(parts, [front_result, *body_results])
        contents = contents_body(plan.rendered, numbers, one_pass=False)
        return contents, job("front", part_body(parts[0], contents=contents))

    contents, first_job = front_job(_empty_front())
    front_result = runner.run([first_job], cache, part_key)[0]
    for _ in range(2):  # front notes are numbered by the front matter's own layout: settle it
        settled, again = front_job(front_result)
        if settled == contents:  # the contents read the same: nothing moved
            break
        contents = settled
        front_result = runner.run([again], cache, part_key)[0]
    phases["lay out the front"] = time.perf_counter() - started - sum(phases.values())
    # Front and body are each padded to an even count, as the assembler places them.
    pages = len(place_pages([parts[0]], [front_result])) + len(place_pages(body_parts, body_results))
    return _Laid([front_result, *body_results], pages)


def _printer_geometry(ctx: BuildContext, geometry, pages: int):
    """Auto margins for the real page count, when the printer needs a wider gutter than the
    estimate gave (None when the layout stands)."""
    config = ctx.project.config.pdf
    if config.margins != "auto" or not gutter_too_narrow(geometry, printer_named(config.printer), pages):
        return None
    return page_geometry(config, word_count(ctx.book), pages=pages)


def _printer_rules(ctx: BuildContext, geometry, pages: int) -> None:
    """P005 and P006: what the printer would refuse or trim, said at build time."""
    for breach in interior_breaches(ctx.project.config.pdf, geometry, pages):
        ctx.diagnostics.say(breach)


def _settle_note_pages(body_parts, body_results, job, runner, cache) -> None:
    """The book's Notes section (`footnotes = "book"`) gives each note the page of its call: known
    only now the stories are laid out, so that part is laid out again with the numbers. It comes
    last, so its own length moves no other page."""
    for index, part in enumerate(body_parts):
        body = part_body(part)
        if part.kind != "back" or not has_note_pages(body):
            continue
        numbers = start_pages(body_parts, body_results)
        body_results[index] = runner.run([job(part.name, fill_note_pages(body, numbers))], cache, part_key)[0]


def _empty_front():
    return PartResult("front", b"", 0)


# WeasyPrint's line for each character no font has; P004 says it once per script instead.
_NOTDEF = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: ".*" \(U\+([0-9A-F]+)\)$')


def _report(ctx: BuildContext, results, uncovered: frozenset[str] = frozenset()) -> None:
    seen = set()
    for result in results:
        for message in result.warnings:
            if message in seen or "bookforge does not fetch" in message:
                continue
            notdef = _NOTDEF.search(message)
            if notdef and chr(int(notdef.group(1), 16)) in uncovered:
                continue
            seen.add(message)
            ctx.diagnostics.warn("P001", f"layout: {message}", hint="check styles/ and images in the manuscripts")
        for url in result.refused:
            if url in seen:
                continue
            seen.add(url)
            ctx.diagnostics.warn(
                "T001",
                f"not fetched: {url[:100]}",
                hint="stylesheets and images may only use files inside the project (or data: URIs)",
            )


class _Runner:
    """Lays out jobs: from the cache when possible, else here and in forked worker processes.

    This process lays out parts too, beside jobs − 1 workers: every core, one process fewer.
    close() ends the workers once the stories are laid out, so their memory is gone before the
    front matter and the assembly.
    """

    def __init__(self, jobs: int, ctx: BuildContext) -> None:
        if jobs < 1:
            raise BuildError("--jobs must be at least 1")
        self.jobs = jobs
        self.ctx = ctx
        self.pool: ProcessPoolExecutor | None = None
        self.frozen = False

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (a later job is laid out here)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.frozen:
            gc.unfreeze()
            self.frozen = False

    def run(self, jobs, cache, key_of) -> list:
        """Lay out every job (those not in the cache); results in the order of `jobs`."""
        results: list = [None] * len(jobs)
        todo = []
        for index, job in enumerate(jobs):
            key = key_of(job)
            hit = cache.get(key, job.name)
            if hit is not None:
                results[index] = hit
            else:
                todo.append((index, key, job))
        if not todo:
            return results  # everything from the cache: WeasyPrint is not even imported
        _require_weasyprint()
        with _Progress(self.ctx.show_progress and len(todo) > 1, len(todo)) as progress:
            if self.jobs == 1 or len(todo) == 1:
                for index, key, job in todo:
                    results[index] = render_part(job)
                    cache.put(key, results[index])
                    progress.advance()
            else:
                self._parallel(todo, results, cache, progress)
        return results

    def _start_pool(self, sample_job) -> tuple[ProcessPoolExecutor, int]:
        """Fork jobs − 1 workers (once); they share what this process has prepared."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        workers = self.jobs - 1
        if self.pool is None:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            if method == "fork":
                # Workers forked from here share the parsed stylesheets, the loaded fonts and the
                # imported modules; a frozen GC does not touch (and so copy) those pages in them.
                prime(sample_job, self.ctx.book.language)
                gc.collect()
                gc.freeze()
                self.frozen = True
            self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
        return self.pool, workers

    def _parallel(self, todo, results, cache, progress) -> None:
        """Workers take the longest parts first, this process the shortest, so they finish
        together; each worker keeps one part queued so it never waits while this process works."""
        from concurrent.futures import FIRST_COMPLETED, wait

        pool, workers = self._start_pool(todo[0][2])
        pending = deque(sorted(todo, key=lambda item: len(item[2].html), reverse=True))
        in_flight: dict[Future, tuple[int, object]] = {}  # a worker's part → (its index, its cache key)

        def finish(index, key, result) -> None:
            results[index] = result
            cache.put(key, result)
            progress.advance()

        def top_up() -> None:
            while pending and len(in_flight) < 2 * workers:
                index, key, job = pending.popleft()
                in_flight[pool.submit(render_part_in_worker, job)] = (index, key)

        top_up()
        while pending or in_flight:
            for future in [f for f in in_flight if f.done()]:
                finish(*in_flight.pop(future), future.result())
            top_up()
            if pending:
                index, key, job = pending.pop()
                finish(index, key, render_part(job))
                release_memory()
            elif in_flight:
                wait(in_flight, return_when=FIRST_COMPLETED)


class _Progress:
    """A rich progress bar on stderr, shown only when a terminal is watching a build that lasts."""

    DELAY = 2.0  # seconds before the bar appears: quick builds stay quiet

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self.done = 0
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        self.started = time.perf_counter()

    def __enter__(self):
        return self

    def advance(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self.progress is None and time.perf_counter() - self.started >= self.DELAY:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("laying out"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
                console=Console(stderr=True),
            )
            self.progress.__enter__()
            self.task = self.progress.add_task("parts", total=self.total, completed=self.done - 1)
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)
