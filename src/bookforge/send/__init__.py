"""`bookforge send`: the built book onto the e-reader plugged in, or into an inbox by e-mail."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..backends import SUFFIXES
from ..build import build_formats, resolve_project
from ..config import SendConfig
from ..diagnostics import Diagnostics
from ..errors import ConfigError, DeliveryError
from ..output import human_size, newest_mtime
from .devices import Device, choose_device, copy_to_device
from .mail import send_mail, smtp_settings


def send(
    sources: list[Path] | None,
    file: Path | None,
    *,
    device: Path | None,
    email: str | None,
    dry_run: bool,
    diagnostics: Diagnostics,
    say: Callable[[str], None],
) -> None:
    if file is not None and not file.is_file():
        raise DeliveryError(
            f"{file} does not exist", hint="build it first, or leave the file out to send the project's book"
        )
    if email:
        _by_email(sources, file, email, dry_run, diagnostics, say)
    else:
        _to_device(sources, file, choose_device(device), dry_run, diagnostics, say)


def _to_device(sources, file: Path | None, target: Device, dry_run: bool, diagnostics, say) -> None:
    if file is None:
        file = ready_file(sources, target.format, diagnostics, say, dry_run)
    elif target.kind == "kindle" and not file.name.endswith((".azw3", ".mobi", ".pdf")):
        raise DeliveryError(
            f"a Kindle does not read {file.name} copied by USB",
            hint="send it an AZW3 (bookforge azw3), or e-mail the EPUB: bookforge send --email you@kindle.com",
        )
    report = copy_to_device(file, target, dry_run=dry_run)
    verb = "would copy" if dry_run else "copied"
    extra = " (replacing the older copy)" if report.replaced else ""
    say(f"{verb} {_shown(file)} to the {target.name} at {target.root}: {report.target}{extra}")
    for old in report.removed:
        say(f"{'would remove' if dry_run else 'removed'} an older copy of the book: {old}")
    if not dry_run:
        say("eject the e-reader before you unplug it")


def _by_email(sources, file: Path | None, recipient: str, dry_run: bool, diagnostics, say) -> None:
    if "@" not in recipient.strip("@"):
        raise DeliveryError(f"'{recipient}' is not an e-mail address")
    project = resolve_project(sources, diagnostics) if file is None else _project_or_none(sources, diagnostics)
    if file is None:
        file = ready_file(sources, "epub", diagnostics, say, dry_run, project)
    config = project.config.send if project is not None else SendConfig()
    settings = smtp_settings(config, recipient, project.root if project is not None else Path.cwd())
    title = project.config.title if project is not None else file.name
    if dry_run:
        say(f"would send {_shown(file)} to {recipient} through {settings.describe()} as {settings.sender}")
        return
    send_mail(file, recipient, settings, title)
    say(f"sent {_shown(file)} ({human_size(file.stat().st_size)}) to {recipient} through {settings.describe()}")


def _project_or_none(sources, diagnostics):
    try:
        return resolve_project(sources, diagnostics)
    except ConfigError:
        return None  # a file sent from outside any project: environment settings only


def ready_file(sources, fmt: str, diagnostics, say, dry_run: bool, project=None) -> Path:
    """The project's built file in this format, built first when it is missing or older than
    its inputs (a book is never sent stale)."""
    project = project or resolve_project(sources, diagnostics)
    output = project.output_path(SUFFIXES[fmt])
    if output.is_file() and output.stat().st_mtime >= newest_mtime(project.inputs()):
        return output
    if dry_run:
        say(f"would build {project.rel(output)} first")
        return output
    say(f"building {project.rel(output)} first ({'missing' if not output.exists() else 'older than its inputs'})")
    [result] = build_formats(project, [fmt], diagnostics)
    return result.path


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
