"""E-readers plugged in by USB: find them, pick the file each reads, copy it in atomically."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DeliveryError, ManuscriptError
from ..output import replacing
from ..zipsafe import read_members

# The suffixes of the copies of one book a device may hold (one replaces the others).
BOOK_SUFFIXES = (".kepub.epub", ".epub", ".azw3", ".mobi")  # a PDF beside them is left alone


@dataclass(frozen=True)
class Device:
    kind: str  # "kobo", "kindle", "pocketbook", "nook", "generic"
    name: str  # for messages: "Kobo", "Kindle"…
    root: Path  # the mount point
    folder: Path  # where books go
    format: str  # what to send it: "kepub", "azw3" or "epub"


def identify(root: Path) -> Device | None:
    """The e-reader mounted at `root`, told apart by the folders each kind keeps, or None."""

    def has(*parts: str) -> bool:
        return (root.joinpath(*parts)).is_dir()

    if has(".kobo"):
        return Device("kobo", "Kobo", root, root, "kepub")  # Kobo finds books anywhere but .dirs
    if has("documents") and has("system"):
        return Device("kindle", "Kindle", root, root / "documents", "azw3")  # no EPUB by USB
    if has("system", "config") or has("system", "profiles"):
        return Device("pocketbook", "PocketBook", root, root / "Books" if has("Books") else root, "epub")
    if has("NOOK") or has("My Files"):
        folder = (
            root / "My Files" / "Books" if has("My Files", "Books") else root / ("NOOK" if has("NOOK") else "My Files")
        )
        return Device("nook", "Nook", root, folder, "epub")
    for name in ("Books", "books", "Digital Editions", "eBooks"):
        if has(name):
            return Device("generic", "e-reader", root, root / name, "epub")
    return None


def mount_roots() -> list[Path]:
    """Folders whose entries are mounted removable drives (BOOKFORGE_MOUNTS overrides, for odd setups)."""
    override = os.environ.get("BOOKFORGE_MOUNTS")
    if override:
        return [Path(p) for p in override.split(os.pathsep) if p]
    user = _user()
    if sys.platform == "darwin":
        return [Path("/Volumes")]
    return [Path("/media") / user, Path("/run/media") / user, Path("/media")]


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return str(os.getuid())


def find_devices() -> list[Device]:
    found, seen = [], set()
    for base in mount_roots():
        try:
            entries = sorted(base.iterdir())
        except OSError:
            continue
        for entry in entries:
            try:
                key = entry.resolve()
                if key in seen or not entry.is_dir():
                    continue
            except OSError:
                continue
            seen.add(key)
            device = identify(entry)
            if device is not None:
                found.append(device)
    return found


def device_at(path: Path) -> Device:
    """`--device PATH`: the e-reader there, or plain USB storage taking an EPUB in its top folder."""
    if not path.is_dir():
        raise DeliveryError(f"{path} is not a folder", hint="name the folder the e-reader is mounted at")
    return identify(path) or Device("generic", "USB storage", path, path, "epub")


def choose_device(device: Path | None) -> Device:
    if device is not None:
        return device_at(device)
    devices = find_devices()
    if not devices:
        where = ", ".join(str(p) for p in mount_roots())
        raise DeliveryError(
            f"no e-reader found (looked in {where})",
            hint="plug it in and let it mount, or name it: bookforge send --device /media/…/KOBOeReader",
        )
    if len(devices) > 1:
        names = ", ".join(f"{d.name} at {d.root}" for d in devices)
        raise DeliveryError(f"several e-readers found: {names}", hint="choose one with --device")
    return devices[0]


# ---------------------------------------------------------------------------------------------
# Copying


@dataclass
class CopyReport:
    source: Path
    target: Path
    replaced: bool = False  # a file of the same name was there
    removed: list[Path] = field(default_factory=list)  # older copies of the book under other names


def copy_to_device(source: Path, device: Device, *, dry_run: bool = False) -> CopyReport:
    """Copy `source` into the device's book folder under a temporary name, then rename it over
    any older copy: a pulled cable never leaves half a book. Other copies of the same book
    (the same name with another book suffix, or an EPUB with the same identifier) are removed."""
    target = device.folder / source.name
    report = CopyReport(source, target, replaced=target.exists())
    report.removed = older_copies(source, device.folder)
    if dry_run:
        return report
    try:
        device.folder.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as reading, replacing(target) as writing:
            shutil.copyfileobj(reading, writing, 1024 * 1024)
        for old in report.removed:
            old.unlink(missing_ok=True)
    except OSError as exc:
        raise DeliveryError(
            f"cannot copy to {device.folder}: {exc.strerror or exc}",
            hint="is the e-reader still mounted, writable and not full?",
        ) from None
    return report


def older_copies(source: Path, folder: Path) -> list[Path]:
    """Files in `folder` that hold the same book as `source` under another name."""
    stem = book_stem(source.name)
    identifier = epub_identifier(source) if source.name.endswith(".epub") else None
    found = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        if entry.name == source.name or entry.name.startswith(".") or not entry.is_file():
            continue
        if (
            book_stem(entry.name) == stem
            and entry.name.endswith(BOOK_SUFFIXES)
            or identifier
            and entry.name.endswith(".epub")
            and epub_identifier(entry) == identifier
        ):
            found.append(entry)
    return found


def book_stem(name: str) -> str:
    for suffix in BOOK_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def epub_identifier(path: Path) -> str | None:
    """The EPUB's unique identifier (dc:identifier), read from its package document."""
    try:  # a book on the device may be anybody's: read through the bomb-proof reader
        members = read_members(
            path.read_bytes(),
            str(path),
            "EPUB",
            wanted=lambda name: name == "META-INF/container.xml" or name.endswith(".opf"),
        )
        container = members["META-INF/container.xml"].decode("utf-8", "replace")
        match = re.search(r'full-path="([^"]+)"', container)
        if not match:
            return None
        opf = members[match.group(1)].decode("utf-8", "replace")
    except (OSError, KeyError, ManuscriptError, ValueError):
        return None
    unique = re.search(r'unique-identifier="([^"]+)"', opf)
    if unique:
        found = re.search(rf'<dc:identifier[^>]*id="{re.escape(unique.group(1))}"[^>]*>([^<]+)<', opf)
        if found:
            return found.group(1).strip()
    found = re.search(r"<dc:identifier[^>]*>([^<]+)<", opf)
    return found.group(1).strip() if found else None
