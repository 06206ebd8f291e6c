"""`bookforge check`: manuscripts, book.toml and built files, as findings with codes and places."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostics
from .errors import ConfigError, ManuscriptError, MissingDependencyError, StrictModeError, ThemeError

REPORT_VERSION = 1
SEVERITIES = ("error", "warning")


@dataclass
class CheckReport:
    project: str
    findings: list[dict] = field(default_factory=list)
    checked: dict = field(default_factory=dict)

    def add(self, code, severity, message, *, source, path=None, line=None, column=None, hint=None) -> None:
        self.findings.append({
            "code": code, "severity": severity, "message": message, "source": source,
            "path": path, "line": line, "column": column, "hint": hint,
        })

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f["severity"] == severity)

    def exit_code(self, strict: bool) -> int:
        """0 when clean; else the code of the worst kind of problem (see the README's table)."""
        errors = [f for f in self.findings if f["severity"] == "error"]
        for source, code in (("config", ConfigError.exit_code), ("theme", ThemeError.exit_code),
                             ("manuscript", ManuscriptError.exit_code)):
            if any(f["source"] == source for f in errors):
                return code
        if errors:
            return 6  # a built file is broken: the build error code
        if strict and self.findings:
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


def run_check(sources: list[Path] | None, *, epubcheck: bool = True) -> CheckReport:
    """Check everything that can be checked; problems become findings, never exceptions."""
    from .build import resolve_project
    from .lint import lint_book
    from .pipeline import load_book
    from .readers.decode import clean, decode

    diagnostics = Diagnostics()
    try:
        project = resolve_project(sources, diagnostics)
    except ConfigError as error:
        report = CheckReport(project=str(Path.cwd()))
        report.add("C000", "error", error.message, source="config", path=error.path, line=error.line,
                   column=error.column, hint=error.hint)
        return report
    except ManuscriptError as error:
        report = CheckReport(project=str(Path.cwd()))
        report.add("M000", "error", error.message, source="manuscript", path=error.path, line=error.line,
                   hint=error.hint)
        return report
    report = CheckReport(project=str(project.root))
    report.checked["manuscripts"] = [m.rel for m in project.manuscripts]
    try:
        book = load_book(project, diagnostics)
    except (ManuscriptError, ConfigError) as error:
        source = "config" if isinstance(error, ConfigError) else "manuscript"
        report.add("M000" if source == "manuscript" else "C000", "error", error.message, source=source,
                   path=error.path, line=error.line, column=error.column, hint=error.hint)
        return report
    for diagnostic in diagnostics.items:
        report.add(diagnostic.code, diagnostic.severity, diagnostic.message, source="build",
                   path=diagnostic.path, line=diagnostic.line, hint=diagnostic.hint)

    texts = {}
    quiet = Diagnostics()
    for manuscript in project.manuscripts:
        if manuscript.path.suffix.lower() in (".txt", ".text", ".md", ".markdown"):
            try:
                texts[manuscript.rel] = clean(decode(manuscript.path.read_bytes(), manuscript.rel, quiet),
                                              manuscript.rel, quiet)
            except (ManuscriptError, OSError):
                pass
    for finding in lint_book(book, texts, project.config.typography):
        report.add(finding.code, finding.severity, finding.message, source="lint", path=finding.path,
                   line=finding.line, hint=finding.hint)
    if "pdf" in project.config.build.formats or project.output_path(".pdf").exists():
        _check_fonts(book, report)
    # Compiler order: book.toml first, then each manuscript top to bottom.
    report.findings.sort(key=lambda f: (f["path"] != "book.toml", f["path"] or "", f["line"] or 0, f["code"]))

    _check_outputs(project, book, report, epubcheck)
    return report


def _check_fonts(book, report: CheckReport) -> None:
    """P004, as `bookforge pdf` would say it: a script no font has (no layout needed to know)."""
    from .backends.pdf.coverage import book_coverage

    for gap in book_coverage(book).gaps:
        report.add("P004", "warning", gap.message(), source="build", path=gap.path, line=gap.line, hint=gap.hint())


def _check_outputs(project, book, report: CheckReport, epubcheck: bool) -> None:
    from .validate.built import check_epub, check_pdf

    titles = [story.title for story in book.stories]
    from .output import newest_mtime

    newest_input = newest_mtime(project.inputs())
    epub = project.output_path(".epub")
    pdf = project.output_path(".pdf")
    cover = project.output_path("-cover.pdf")
    report.checked["epub"] = project.rel(epub) if epub.exists() else None
    report.checked["pdf"] = project.rel(pdf) if pdf.exists() else None
    report.checked["cover-pdf"] = project.rel(cover) if cover.exists() else None
    for output in (epub, pdf, cover):
        if output.exists() and output.stat().st_mtime < newest_input:
            report.add("B001", "warning", "older than the manuscripts or settings it was built from",
                       source="output", path=project.rel(output), hint="build it again before checking")
    if epub.exists():
        for problem in check_epub(epub, titles):
            report.add(problem.code, problem.severity, _where(problem), source="epub", path=project.rel(epub))
        if epubcheck:
            _epubcheck(epub, project.rel(epub), report)
    pages = None  # the interior's real page count: its printer's rules and the cover are held to it
    if pdf.exists():
        from .page_sizes import parse_length, parse_trim
        from .validate.built import pdf_page_count

        config = project.config.pdf  # its lengths were checked when book.toml was read
        trim, bleed = parse_trim(config.trim), parse_length(config.bleed, "bleed")
        for problem in check_pdf(pdf, titles, trim, bleed):
            report.add(problem.code, problem.severity, _where(problem), source="pdf", path=project.rel(pdf))
        pages = pdf_page_count(pdf)
        if pages is not None:  # else unreadable: check_pdf has said so (P104)
            _check_printer(project, pdf, pages, trim, bleed, report)
    if cover.exists():
        _check_cover(project, cover, pages, report)


def _check_cover(project, cover: Path, pages: int | None, report: CheckReport) -> None:
    """The print cover against the interior it wraps: its sheet must be the printer's formula for
    the interior's real page count (a cover made before pages were added has too thin a spine),
    and a PDF/X cover needs its output intent like the interior."""
    from .backends.pdf.intent import is_pdfx
    from .cover.wrap import wrap_geometry
    from .validate.built import check_print_pdf

    config = project.config.pdf
    rel = project.rel(cover)
    if pages is None:
        report.add("B002", "warning", "the print cover was not checked against an interior", source="output",
                   path=rel, hint="build the interior PDF too (bookforge build), then check again")
        return
    wrap = wrap_geometry(config, pages)
    # Held to 0.1pt: one page more moves the spine by 0.16pt (KDP white), and bookforge places the
    # sheet's boxes exactly.
    problems = check_print_pdf(cover, (wrap.trim_box_width * 72, wrap.trim_height * 72), wrap.bleed * 72,
                               tolerance=0.1)
    if not is_pdfx(config.variant):
        problems = [problem for problem in problems if problem.code not in ("P105", "P107")]
    for problem in problems:
        hint = (f"build the cover again for the interior's {pages} pages: bookforge cover --print"
                if problem.code == "P106" else _PRINT_HINTS.get(problem.code))
        report.add(problem.code, problem.severity, _where(problem), source="pdf", path=rel, hint=hint)


def _check_printer(project, pdf: Path, pages: int, trim, bleed: float, report: CheckReport) -> None:
    """The printer's rules for the built interior's real page count (P005–P007: no layout needed,
    the margins are book.toml's), and for a PDF/X file what a preflight checks (P105, P106)."""
    from .backends.pdf.geometry import page_geometry
    from .backends.pdf.intent import is_pdfx
    from .backends.pdf.printer_checks import margin_breaches, page_count_breach, spine_breach
    from .validate.built import check_print_pdf

    config = project.config.pdf
    try:
        geometry = page_geometry(config, 0)
    except ConfigError as error:
        report.add("C000", "error", error.message, source="config", path="book.toml", line=error.line)
        return
    breaches = [page_count_breach(config, pages), *margin_breaches(config, geometry, pages)]
    # A spine too thin for text matters only to a book made for a printer (one named in book.toml).
    if "printer" in config.line_of:
        breaches.append(spine_breach(config, pages))
    for breach in filter(None, breaches):
        report.add(breach.code, "warning", breach.message, source="pdf", path="book.toml", line=breach.line,
                   hint=breach.hint)
    if is_pdfx(config.variant):
        for problem in check_print_pdf(pdf, trim, bleed):
            report.add(problem.code, problem.severity, _where(problem), source="pdf", path=project.rel(pdf),
                       hint=_PRINT_HINTS.get(problem.code))


_PRINT_HINTS = {
    "P105": 'build it with [pdf] variant = "pdf/x-4" and output-intent = your printer\'s CMYK profile (.icc)',
    "P106": "build the PDF again with bookforge; a PDF changed by another program may have lost its page boxes",
    "P107": "build it again with [pdf] output-intent set (bookforge then writes every colour and picture in "
            "the profile's CMYK); in your own styles, colours may also be written as device-cmyk(c m y k)",
}


def _where(problem) -> str:
    return f"{problem.where}: {problem.message}" if problem.where else problem.message


def _epubcheck(epub: Path, rel: str, report: CheckReport) -> None:
    from .validate.epubcheck import run_epubcheck

    try:
        [result] = run_epubcheck([epub])
    except MissingDependencyError as error:
        report.add("X001", "warning", f"EPUBCheck did not run: {error.message}", source="epubcheck", path=rel,
                   hint=error.hint)
        return
    report.checked["epubcheck"] = {"fatals": result.fatals, "errors": result.errors, "warnings": result.warnings}
    for message in result.messages:
        if message.severity in ("FATAL", "ERROR"):
            report.add("X002", "error", f"{message.id} {message.location}: {message.message}", source="epubcheck",
                       path=rel)
        elif message.severity == "WARNING":
            report.add("X003", "warning", f"{message.id} {message.location}: {message.message}",
                       source="epubcheck", path=rel)


JSON_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "bookforge check --json",
    "type": "object",
    "required": ["version", "project", "checked", "summary", "findings"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": REPORT_VERSION},
        "project": {"type": "string"},
        "checked": {
            "type": "object",
            "properties": {
                "manuscripts": {"type": "array", "items": {"type": "string"}},
                "epub": {"type": ["string", "null"]},
                "pdf": {"type": ["string", "null"]},
                "epubcheck": {
                    "type": "object",
                    "required": ["fatals", "errors", "warnings"],
                    "properties": {k: {"type": "integer", "minimum": 0} for k in ("fatals", "errors", "warnings")},
                },
            },
        },
        "summary": {
            "type": "object",
            "required": ["errors", "warnings"],
            "additionalProperties": False,
            "properties": {"errors": {"type": "integer", "minimum": 0}, "warnings": {"type": "integer", "minimum": 0}},
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "severity", "message", "source", "path", "line", "column", "hint"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "pattern": "^[A-Z][0-9]{3}$"},
                    "severity": {"enum": list(SEVERITIES)},
                    "message": {"type": "string"},
                    "source": {"enum": ["config", "theme", "manuscript", "build", "lint", "output", "epub",
                                        "epubcheck", "pdf"]},
                    "path": {"type": ["string", "null"]},
                    "line": {"type": ["integer", "null"], "minimum": 1},
                    "column": {"type": ["integer", "null"], "minimum": 1},
                    "hint": {"type": ["string", "null"]},
                },
            },
        },
    },
}
