"""The `bookforge` command line (Typer); heavy modules are imported inside commands, never up front."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .errors import EXIT_BUG, BookforgeError
from .formats import FORMATS

app = typer.Typer(
    name="bookforge",
    help="Turn story manuscripts into finished anthology ebooks: EPUB 3 and print-ready PDF.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain help: Rich would cost ~100 ms on every start
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _Settings:
    """Output settings shared by every command (set by global or per-command options)."""

    quiet = False
    verbose = False
    traceback = False


settings = _Settings()

# ---------------------------------------------------------------------------------------------
# Output helpers


def _color(code: str, text: str) -> str:
    if sys.stderr.isatty() and not os.environ.get("NO_COLOR"):
        return f"\033[{code}m{text}\033[0m"
    return text


def say(message: str) -> None:
    """A status line (stderr, so stdout stays clean for JSON)."""
    if not settings.quiet:
        print(message, file=sys.stderr)


def detail(message: str) -> None:
    if settings.verbose and not settings.quiet:
        print(_color("2", message), file=sys.stderr)


_LABEL_COLOURS = {"error": "31", "warning": "33"}  # red, yellow


def _print_diagnostic(diagnostic) -> None:
    """A build's warning or a check's finding: its line with the label coloured, its hint dimmed."""
    head, _, hint = diagnostic.format(lambda label: _color(_LABEL_COLOURS[diagnostic.severity], label)).partition("\n")
    print(head, file=sys.stderr)
    if hint:
        print(_color("2", hint), file=sys.stderr)


def _report_diagnostic(diagnostic) -> None:
    if not settings.quiet:
        _print_diagnostic(diagnostic)


def _report_info(diagnostic, verbose_only: bool) -> None:
    """An information line: always shown (unless -q), or only with -v for the verbose kind."""
    if settings.quiet or (verbose_only and not settings.verbose):
        return
    print(_color("2", diagnostic.format()), file=sys.stderr)


def _diagnostics():
    from .diagnostics import Diagnostics

    return Diagnostics(on_report=_report_diagnostic, on_info=_report_info)


def _asked_formats(to: list[str] | None) -> list[str] | None:
    """The formats named with --to, each once, in the order given (None when none was named)."""
    unknown = [name for name in to or [] if name not in FORMATS]
    if unknown:
        raise typer.BadParameter(f"unknown format '{unknown[0]}' (formats: {FORMAT_NAMES})")
    return list(dict.fromkeys(to)) if to else None


def _apply_output_flags(quiet: bool, verbose: bool) -> None:
    settings.quiet = settings.quiet or quiet
    settings.verbose = (settings.verbose or verbose) and not settings.quiet


# ---------------------------------------------------------------------------------------------
# Shared options

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Print each step and its timing.")]
Sources = Annotated[
    list[Path] | None,
    typer.Argument(
        help="A project folder (default: the one holding book.toml here or above), "
        "or manuscript files to build without a book.toml.",
        show_default=False,
    ),
]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="Output file (default: build/<title>.<format>).")]
Title = Annotated[str | None, typer.Option("--title", help="Book title (overrides book.toml).")]
Author = Annotated[list[str] | None, typer.Option("--author", help="Book author; repeat for several.")]
Language = Annotated[str | None, typer.Option("--language", help="Book language as a BCP 47 tag, e.g. en, fr.")]
FORMAT_NAMES = ", ".join(FORMATS)  # for help texts: formats.py's list, in its order


def _version(value: bool) -> None:
    if value:
        print(f"bookforge {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
    traceback: Annotated[
        bool, typer.Option("--traceback", help="On an internal error, show the full Python traceback.")
    ] = False,
) -> None:
    """bookforge: story manuscripts in, anthology EPUB and print PDF out."""
    settings.traceback = traceback
    _apply_output_flags(quiet, verbose)


# ---------------------------------------------------------------------------------------------
# Commands


def _build(formats, sources, output, title, author, language, options=None, pdf=None) -> None:
    from .build import build_formats, resolve_project
    from .output import human_size

    diagnostics = _diagnostics()
    project = resolve_project(sources, diagnostics, title=title, authors=author, language=language, pdf=pdf)
    results = build_formats(
        project,
        formats,
        diagnostics,
        output=str(output) if output else None,
        options=options,
        show_progress=sys.stderr.isatty() and not settings.quiet,
        on_step=lambda name, seconds: detail(f"{name}: {seconds:.2f} s" if seconds is not None else name),
    )
    stories = len(project.manuscripts)
    for result in results:
        if result.format == "cover-pdf":  # what a cover is: its sheet, not its stories
            what = _sheet_facts(result.stats)
        else:
            what = f"{stories} stor{'y' if stories == 1 else 'ies'}"
        say(f"wrote {project.rel(result.path)} ({what}, {human_size(result.size)}) in {result.seconds:.2f} s")
    if diagnostics.items:
        say(f"{len(diagnostics.items)} warning{'s' if len(diagnostics.items) != 1 else ''}")


def _sheet_facts(facts: dict) -> str:
    return (
        f"{facts['width']:.3f}×{facts['height']:.3f} in with bleed, spine {facts['spine']:.3f} in for "
        f"{facts['pages']} pages"
    )


def _format_command(name: str, help_text: str) -> None:
    """`bookforge <format>` for a format that needs no options of its own (formats.py says which)."""

    def command(
        sources: Sources = None,
        output: Output = None,
        title: Title = None,
        author: Author = None,
        language: Language = None,
        quiet: Quiet = False,
        verbose: Verbose = False,
    ) -> None:
        _apply_output_flags(quiet, verbose)
        _build([name], sources, output, title, author, language)

    command.__doc__ = help_text
    app.command(name=name)(command)


for _format in FORMATS.values():
    if _format.command:
        _format_command(_format.name, _format.command)


@app.command()
def pdf(
    sources: Sources = None,
    output: Output = None,
    trim: Annotated[
        str | None,
        typer.Option("--trim", help="Trim size: 5x8in, 5.25x8in, 5.5x8.5in, 6x9in, a5, b-format, or WxH in in/mm/cm."),
    ] = None,
    bleed: Annotated[str | None, typer.Option("--bleed", help='Bleed, e.g. "0.125in" (default: [pdf] bleed).')] = None,
    marks: Annotated[
        list[str] | None, typer.Option("--marks", help="Printer's marks: crop, cross; repeat for both.")
    ] = None,
    variant: Annotated[
        str | None, typer.Option("--variant", help="PDF variant: pdf/a-3u, pdf/ua-1, pdf/x-4… (lays out in one pass).")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes for layout (default: every core).")
    ] = None,
    one_pass: Annotated[
        bool, typer.Option("--one-pass", help="Lay out the whole book as one document (slower; for comparison).")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Lay out every part again, ignoring build/.cache.")
    ] = False,
    title: Title = None,
    author: Author = None,
    language: Language = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Build the print-ready PDF (build/<title>.pdf)."""
    from .backends import BuildOptions

    _apply_output_flags(quiet, verbose)
    _build(
        ["pdf"],
        sources,
        output,
        title,
        author,
        language,
        options=BuildOptions(jobs=jobs, one_pass=one_pass, no_cache=no_cache),
        pdf={"trim": trim, "bleed": bleed, "marks": marks, "variant": variant},
    )


@app.command()
def cover(
    sources: Sources = None,
    output: Output = None,
    png: Annotated[bool, typer.Option("--png", help="Write a PNG instead of a JPEG.")] = False,
    print_cover: Annotated[
        bool, typer.Option("--print", help="Write the full-wrap print cover PDF (back, spine, front) instead.")
    ] = False,
    pages: Annotated[
        int | None,
        typer.Option("--pages", min=1, help="With --print: the interior's page count (default: lay it out and count)."),
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Write the book's cover on its own (build/<title>-cover.jpg), or the print cover (--print)."""
    from .build import resolve_project
    from .output import human_size

    _apply_output_flags(quiet, verbose)
    if png and print_cover:
        raise typer.BadParameter("--png and --print do not go together: the print cover is a PDF")
    if pages is not None and not print_cover:
        raise typer.BadParameter("--pages is for the print cover: add --print")
    diagnostics = _diagnostics()
    project = resolve_project(sources, diagnostics)
    if print_cover:
        from .backends import BuildOptions
        from .build import build_formats

        result = build_formats(
            project,
            ["cover-pdf"],
            diagnostics,
            output=str(output) if output else None,
            options=BuildOptions(pages=pages),
        )[0]
        say(f"wrote {project.rel(result.path)} ({_sheet_facts(result.stats)}, {human_size(result.size)})")
        return
    from .cover import write_cover

    path, width, height = write_cover(project, diagnostics, png=png, output=output)
    say(f"wrote {project.rel(path)} ({width}×{height} px, {human_size(path.stat().st_size)})")


@app.command()
def build(
    sources: Sources = None,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            help=f"Format to build ({FORMAT_NAMES}); repeat for several. Default: [build] formats.",
        ),
    ] = None,
    title: Title = None,
    author: Author = None,
    language: Language = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Build every format the project asks for ([build] formats in book.toml)."""
    from .build import resolve_project

    _apply_output_flags(quiet, verbose)
    formats = _asked_formats(to) or resolve_project(sources, _diagnostics_silent()).config.build.formats
    _build(formats, sources, None, title, author, language)


@app.command()
def batch(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(help="Project folders (each holding book.toml), one book each.", show_default=False),
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option(
            "--manifest",
            help='A JSON Lines file, one book a line: {"project": "works/12"} or '
            '{"id": "12", "manuscripts": ["a.md"], "title": "…", "authors": ["…"]}.',
        ),
    ] = None,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            help=f"Format to build for every book ({FORMAT_NAMES}); repeat "
            "for several. Default: each book's [build] formats.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write each book to OUT/<id>/ (default: a project's build/, a manifest's "
            "books of manuscripts to build/batch/<id>/ beside the manifest).",
        ),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Books built at once here (default: every core).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            envvar="DASK_SCHEDULER_ADDRESS",
            help="Build on the Dask cluster at this scheduler, e.g. tcp://host:8786 (needs bookforge[cluster]).",
            show_default=False,
        ),
    ] = None,
    send_files: Annotated[
        bool,
        typer.Option(
            "--send-files",
            help="With --scheduler: send each book's files to the workers "
            "(for workers that do not share this file system).",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Build every book again, even those unchanged since their last build.")
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Write one JSON line per book (status, outputs, sizes, seconds, warnings) to this file."
        ),
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Build many books, on every core here or on a Dask cluster; a book that fails does not stop the rest."""
    from .batch.run import run_batch

    _apply_output_flags(quiet, verbose)
    if not inputs and manifest is None:
        raise typer.BadParameter("name project folders, or a manifest with --manifest FILE.jsonl")
    formats = tuple(_asked_formats(to) or [])
    if send_files and not scheduler:
        raise typer.BadParameter("--send-files is for a Dask cluster: add --scheduler ADDRESS")
    status = run_batch(
        list(inputs or []),
        manifest,
        formats,
        out,
        workers=jobs,
        scheduler=scheduler,
        send_files=send_files,
        force=force,
        report=report,
        show_progress=sys.stderr.isatty() and not settings.quiet,
        verbose=settings.verbose,
        say=say,
        error=lambda line: print(line, file=sys.stderr),
    )
    raise typer.Exit(status)


@app.command()
def send(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="The book file to send (default: the project's, built first when missing or stale).",
            show_default=False,
        ),
    ] = None,
    device: Annotated[
        Path | None, typer.Option("--device", help="The folder the e-reader is mounted at (default: find it).")
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Send by e-mail to this address instead (e.g. you@kindle.com).")
    ] = None,
    project: Annotated[
        Path | None,
        typer.Option("--project", help="The project folder (default: the one holding book.toml here or above)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be copied or sent, and do nothing.")
    ] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Send the book to the e-reader plugged in (KEPUB to a Kobo, AZW3 to a Kindle, EPUB elsewhere) or by e-mail."""
    from .send import send as run_send

    _apply_output_flags(quiet, verbose)
    run_send(
        [project] if project else None,
        file,
        device=device,
        email=email,
        dry_run=dry_run,
        diagnostics=_diagnostics(),
        say=say,
    )


@app.command()
def check(
    sources: Sources = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the findings as JSON (docs/check-schema.json).")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too (exit code 8).")] = False,
    no_epubcheck: Annotated[
        bool, typer.Option("--no-epubcheck", help="Skip EPUBCheck (it needs Java and takes seconds).")
    ] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Check manuscripts and book.toml, and the built EPUB and PDF when they exist."""
    import json

    from .check import run_check

    _apply_output_flags(quiet, verbose)
    report = run_check(sources, epubcheck=not no_epubcheck)
    if as_json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for diagnostic in report.diagnostics:
            if not settings.quiet or diagnostic.severity == "error":
                _print_diagnostic(diagnostic)
        checked = [f"{len(report.checked.get('manuscripts', []))} manuscripts"]
        checked += [report.checked[k] for k in ("epub", "pdf", "cover-pdf") if report.checked.get(k)]
        errors, warnings = report.count("error"), report.count("warning")
        say(
            f"checked {', '.join(checked)}: {errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
        )
    raise typer.Exit(report.exit_code(strict))


@app.command()
def watch(
    sources: Sources = None,
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help=f"Format to rebuild ({FORMAT_NAMES}); repeat for several. Default: [build] formats."),
    ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes for PDF layout.")] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Rebuild whenever a manuscript, book.toml or a style changes (Ctrl-C to stop)."""
    from .backends import BuildOptions
    from .watch import watch as run_watch

    _apply_output_flags(quiet, verbose)
    formats = _asked_formats(to)
    try:
        run_watch(
            sources,
            formats,
            BuildOptions(jobs=jobs),
            say=lambda line: print(line, file=sys.stderr, flush=True),
            report_error=_print_error,
            make_diagnostics=_diagnostics,
        )
    except KeyboardInterrupt:
        pass
    say("stopped watching")


@app.command()
def serve(
    sources: Sources = None,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            help="epub (the reading view), pdf (the print view); repeat for both. "
            "Default: those of [build] formats, the EPUB at least.",
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (default: a free one).")] = 0,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (default: this machine only; others get a warning).")
    ] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open", help="Open the preview in the web browser.")] = False,
    epubcheck: Annotated[
        bool, typer.Option("--epubcheck", help="Run EPUBCheck after each build too (needs Java; seconds a build).")
    ] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes for PDF layout.")] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Preview the book in the browser, as readers will see it, rebuilt on every save (Ctrl-C to stop)."""
    from .errors import MissingDependencyError

    _apply_output_flags(quiet, verbose)
    try:
        from .serve.run import PREVIEW_FORMATS, listen
        from .serve.run import serve as run_serve
    except ImportError as error:  # the optional extra: Starlette, uvicorn, PDFium
        raise MissingDependencyError(
            f"bookforge serve needs its web server, which is not installed ({error.name} is missing)",
            hint="pip install 'bookforge[serve]'",
        ) from None
    if to and any(f not in PREVIEW_FORMATS for f in to):
        raise typer.BadParameter("the preview shows " + " and ".join(PREVIEW_FORMATS))
    try:
        sock = listen(host, port)
    except OSError as error:
        raise typer.BadParameter(f"cannot listen on {host}:{port}: {error.strerror}", param_hint="--host/--port")
    from .backends import BuildOptions

    try:
        run_serve(
            sock,
            sources,
            list(dict.fromkeys(to)) if to else None,
            BuildOptions(jobs=jobs),
            host=host,
            open_browser=open_browser,
            epubcheck=epubcheck,
            say=lambda line: print(line, file=sys.stderr, flush=True),
            report_error=_print_error,
            make_diagnostics=_diagnostics_silent,
        )
    except KeyboardInterrupt:
        pass
    say("stopped serving")


def _diagnostics_silent():
    from .diagnostics import Diagnostics

    return Diagnostics()


@app.command()
def inspect(
    sources: Sources = None,
    title: Title = None,
    author: Author = None,
    language: Language = None,
    typography: Annotated[
        bool | None,
        typer.Option("--typography/--no-typography", help="Apply typography (default: as book.toml says)."),
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Print the parsed chapter model as JSON (for debugging and golden tests)."""
    import json

    from .build import resolve_project
    from .model import to_json
    from .pipeline import load_book

    _apply_output_flags(quiet, verbose)
    diagnostics = _diagnostics()
    project = resolve_project(sources, diagnostics, title=title, authors=author, language=language)
    book = load_book(project, diagnostics, typography=typography)
    json.dump(to_json(book), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


@app.command()
def new(
    folder: Annotated[Path, typer.Argument(help="Folder to create the project in.")],
    title: Title = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Start a book project: book.toml, manuscripts/ with a sample story, styles/."""
    from .scaffold import create_project

    _apply_output_flags(quiet, verbose)
    created = create_project(folder, title=title)
    say(f"created {folder}/ with " + ", ".join(created))
    say(f"next: cd {folder} && bookforge epub")


# ---------------------------------------------------------------------------------------------
# The one error boundary


def main() -> None:
    """Entry point: run the app; user errors become one line and an exit code, bugs a short report."""
    try:
        app()  # standalone: Typer handles --help, usage errors (exit 2) and calls sys.exit itself
    except BookforgeError as error:
        _print_error(error)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as error:  # the boundary for bugs: any that escape are reported, never a traceback
        if settings.traceback:
            raise
        print(
            f"bookforge: internal error: {type(error).__name__}: {error}\n"
            "please report this at https://github.com/bookforge/bookforge/issues "
            "(run again with --traceback for the details)",
            file=sys.stderr,
        )
        sys.exit(EXIT_BUG)


def _print_error(error: BookforgeError) -> None:
    where = error.where()
    prefix = f"{where}: " if where else "bookforge: "
    print(prefix + _color("31", "error") + ": " + error.message, file=sys.stderr)
    if error.hint:
        print(_color("2", f"  hint: {error.hint}"), file=sys.stderr)
