"""`bookforge check`: manuscripts, book.toml and built files, as findings with codes and places."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from .build import resolve_project
from .cover.wrap import wrap_geometry
from .diagnostic_codes import code_info
from .diagnostics import Diagnostic, Diagnostics
from .errors import (
    BookforgeError,
    BrokenOutputError,
    ConfigError,
    ManuscriptError,
    MissingDependencyError,
    StrictModeError,
    ThemeError,
)
from .lint import lint_book
from .output import newest_mtime
from .page_sizes import parse_length, parse_trim
from .pipeline import StoryCache, load_book
from .printing.coverage import book_coverage
from .printing.intent import is_pdfx
from .printing.printer_checks import built_interior_breaches
from .readers.decode import clean, decode
from .readers.files import PLAIN_TEXT_SUFFIXES
from .themes import project_theme
from .validate.built import check_epub, check_pdf, check_print_pdf, pdf_page_count
from .validate.epubcheck import run_epubcheck

REPORT_VERSION = 1
REPORTED_SEVERITIES = ("error", "warning")  # check reports no information lines
# The part of `bookforge check` that found each diagnostic (its "source" in --json). "build" is a
# warning a build would say; "theme" the error a build would stop at in the theme or its theme.toml.
SOURCES = ("config", "theme", "manuscript", "build", "lint", "output", "epub", "epubcheck", "pdf")
# The order of each finding's keys in --json (the schema requires them all).
FINDING_KEYS = ("code", "severity", "message", "source", "path", "line", "column", "hint")


@dataclass
class CheckReport:
    """What `bookforge check` found: each diagnostic with the part of the check that found it."""

    project: str
    found: list[tuple[str, Diagnostic]] = field(default_factory=list)  # (source, diagnostic)
    checked: dict = field(default_factory=dict)

    def add(self, source: str, diagnostic: Diagnostic) -> None:
        if source not in SOURCES or diagnostic.severity not in REPORTED_SEVERITIES:
            raise ValueError(f"check cannot report {diagnostic.code} from {source!r}")
        self.found.append((source, diagnostic))

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [diagnostic for _, diagnostic in self.found]

    @property
    def findings(self) -> list[dict]:
        """The findings as --json has them."""
        return [finding_json(source, diagnostic) for source, diagnostic in self.found]

    def count(self, severity: str) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    def exit_code(self, strict: bool) -> int:
        """0 when clean; else the code of the worst kind of problem (docs/cli.md's table of exit codes)."""
        errors = {source for source, diagnostic in self.found if diagnostic.severity == "error"}
        for source, error in (("config", ConfigError), ("theme", ThemeError), ("manuscript", ManuscriptError)):
            if source in errors:
                return error.exit_code
        if errors:  # a built file is broken
            return BrokenOutputError.exit_code
        if strict and self.found:
            return StrictModeError.exit_code
        return 0

    def to_json(self) -> dict:
        return {
            "version": REPORT_VERSION,
            "project": self.project,
            "checked": self.checked,
            "summary": {"errors": self.count("error"), "warnings": self.count("warning")},
            "findings": self.findings,
        }


def finding_json(source: str, diagnostic: Diagnostic) -> dict:
    """One finding of --json: the diagnostic's fields and the part of the check that found it."""
    data = {**diagnostic.to_json(), "source": source, "column": diagnostic.column}
    return {key: data[key] for key in FINDING_KEYS}


def run_check(
    sources: list[Path] | None, *, epubcheck: bool = True, story_cache: StoryCache | None = None
) -> CheckReport:
    """Check everything that can be checked; problems become findings, never exceptions. A caller
    that builds again and again (the preview) passes its story cache: only changed stories are read."""
    diagnostics = Diagnostics()
    try:
        project = resolve_project(sources, diagnostics)
    except (ConfigError, ManuscriptError) as error:
        report = CheckReport(project=str(Path.cwd()))
        _add_input_error(report, error)
        return report
    report = CheckReport(project=str(project.root))
    report.checked["manuscripts"] = [m.rel for m in project.manuscripts]
    try:
        project_theme(project)
    except ThemeError as error:  # a build would stop here; the manuscripts are checked all the same
        shown = project.rel(Path(error.path)) if error.path and Path(error.path).is_absolute() else error.path
        report.add("theme", _stopping("T000", error, path=shown))  # styles/theme.toml, not its absolute path
    try:
        book = load_book(project, diagnostics, cache=story_cache)
    except (ManuscriptError, ConfigError) as error:
        _add_input_error(report, error)
        return report
    for diagnostic in diagnostics.items:
        report.add("build", diagnostic)

    texts = {}
    quiet = Diagnostics()
    for manuscript in project.manuscripts:
        if manuscript.path.suffix.lower() in PLAIN_TEXT_SUFFIXES:
            try:
                texts[manuscript.rel] = clean(
                    decode(manuscript.path.read_bytes(), manuscript.rel, quiet), manuscript.rel, quiet
                )
            except (ManuscriptError, OSError):
                pass
    for finding in lint_book(book, texts, project.config.typography):
        report.add("lint", finding)
    if "pdf" in project.config.build.formats or project.output_path(".pdf").exists():
        _check_fonts(book, report)
    # Compiler order: book.toml first, then each manuscript top to bottom.
    report.found.sort(
        key=lambda found: (found[1].path != "book.toml", found[1].path or "", found[1].line or 0, found[1].code)
    )

    _check_outputs(project, book, report, epubcheck)
    return report


def _add_input_error(report: CheckReport, error: ConfigError | ManuscriptError) -> None:
    """The error a build would stop at, as a finding: C000 for book.toml's, M000 for a manuscript's."""
    if isinstance(error, ConfigError):
        report.add("config", _stopping("C000", error))
    else:
        report.add("manuscript", _stopping("M000", error))


def _stopping(code: str, error: BookforgeError, path: str | None = None) -> Diagnostic:
    """The error as a finding, at its place (or at `path`, the file as the user names it)."""
    return Diagnostic.of(
        code, error.message, path=path or error.path, line=error.line, column=error.column, hint=error.hint
    )


def _check_fonts(book, report: CheckReport) -> None:
    """P004, as `bookforge pdf` would say it: a script no font has (no layout needed to know)."""
    for gap in book_coverage(book).gaps:
        report.add("build", Diagnostic.of("P004", gap.message(), path=gap.path, line=gap.line, hint=gap.hint()))


def _check_outputs(project, book, report: CheckReport, epubcheck: bool) -> None:
    titles = [story.title for story in book.stories]
    newest_input = newest_mtime(project.inputs())
    epub = project.output_path(".epub")
    pdf = project.output_path(".pdf")
    cover = project.output_path("-cover.pdf")
    report.checked["epub"] = project.rel(epub) if epub.exists() else None
    report.checked["pdf"] = project.rel(pdf) if pdf.exists() else None
    report.checked["cover-pdf"] = project.rel(cover) if cover.exists() else None
    for output in (epub, pdf, cover):
        if output.exists() and output.stat().st_mtime < newest_input:
            report.add(
                "output",
                Diagnostic.of(
                    "B001",
                    "older than the manuscripts or settings it was built from",
                    path=project.rel(output),
                    hint="build it again before checking",
                ),
            )
    if epub.exists():
        for problem in check_epub(epub, titles):
            report.add("epub", replace(problem, path=project.rel(epub)))
        if epubcheck:
            _epubcheck(epub, project.rel(epub), report)
    pages = None  # the interior's real page count: its printer's rules and the cover are held to it
    if pdf.exists():
        config = project.config.pdf  # its lengths were checked when book.toml was read
        trim, bleed = parse_trim(config.trim), parse_length(config.bleed, "bleed")
        for problem in check_pdf(pdf, titles, trim, bleed):
            report.add("pdf", replace(problem, path=project.rel(pdf)))
        pages = pdf_page_count(pdf)
        if pages is not None:  # else unreadable: check_pdf has said so (P104)
            _check_printer(project, pdf, pages, trim, bleed, report)
    if cover.exists():
        _check_cover(project, cover, pages, report)


def _check_cover(project, cover: Path, pages: int | None, report: CheckReport) -> None:
    """The print cover against the interior it wraps: its sheet must be the printer's formula for
    the interior's real page count (a cover made before pages were added has too thin a spine),
    and a PDF/X cover needs its output intent like the interior."""
    config = project.config.pdf
    rel = project.rel(cover)
    if pages is None:
        report.add(
            "output",
            Diagnostic.of(
                "B002",
                "the print cover was not checked against an interior",
                path=rel,
                hint="build the interior PDF too (bookforge build), then check again",
            ),
        )
        return
    wrap = wrap_geometry(config, pages)
    # Held to 0.1pt: one page more moves the spine by 0.16pt (KDP white), and bookforge places the
    # sheet's boxes exactly.
    problems = check_print_pdf(cover, (wrap.trim_box_width * 72, wrap.trim_height * 72), wrap.bleed * 72, tolerance=0.1)
    if not is_pdfx(config.variant):
        problems = [problem for problem in problems if problem.code not in ("P105", "P107")]
    for problem in problems:
        hint = (
            f"build the cover again for the interior's {pages} pages: bookforge cover --print"
            if problem.code == "P106"
            else _print_hint(problem.code)
        )
        report.add("pdf", replace(problem, path=rel, hint=hint))


def _check_printer(project, pdf: Path, pages: int, trim, bleed: float, report: CheckReport) -> None:
    """The printer's rules for the built interior's real page count (P005–P007: no layout needed,
    the margins are book.toml's), and for a PDF/X file what a preflight checks (P105, P106)."""
    config = project.config.pdf
    try:
        breaches = built_interior_breaches(config, pages)
    except ConfigError as error:
        report.add("config", Diagnostic.of("C000", error.message, path="book.toml", line=error.line))
        return
    for breach in breaches:
        report.add("pdf", breach)
    if is_pdfx(config.variant):
        for problem in check_print_pdf(pdf, trim, bleed):
            report.add("pdf", replace(problem, path=project.rel(pdf), hint=_print_hint(problem.code)))


def _print_hint(code: str) -> str | None:
    """A preflight's finding (P105–P107) says the registry's remedy; an unreadable file (P104) none."""
    return code_info(code).hint if code in ("P105", "P106", "P107") else None


def _epubcheck(epub: Path, rel: str, report: CheckReport) -> None:

    try:
        [result] = run_epubcheck([epub])
    except MissingDependencyError as error:
        report.add(
            "epubcheck", Diagnostic.of("X001", f"EPUBCheck did not run: {error.message}", path=rel, hint=error.hint)
        )
        return
    report.checked["epubcheck"] = {"fatals": result.fatals, "errors": result.errors, "warnings": result.warnings}
    for message in result.messages:
        if message.severity in ("FATAL", "ERROR"):
            report.add(
                "epubcheck", Diagnostic.of("X002", f"{message.id} {message.location}: {message.message}", path=rel)
            )
        elif message.severity == "WARNING":
            report.add(
                "epubcheck", Diagnostic.of("X003", f"{message.id} {message.location}: {message.message}", path=rel)
            )
