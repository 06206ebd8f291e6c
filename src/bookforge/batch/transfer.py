"""A book's files as bytes for a worker without the shared folders: packed, sent, unpacked safely."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import BuildError

# Zip entries are dated 1980 and the real times travel beside them: a zip entry keeps local time
# to 2 seconds with no zone, and a build's date is its newest input's mtime to the second.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Parcel:
    """A book's input files: a zip of them, and each member's exact mtime (nanoseconds)."""

    archive: bytes
    mtimes: dict[str, int]

    @property
    def size(self) -> int:
        return len(self.archive)


def pack(members: list[tuple[Path, str]]) -> Parcel:
    """Zip these files under these member names (POSIX paths relative to the book's folder)."""
    buffer = io.BytesIO()
    mtimes: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, name in members:
            check_name(name)
            if name in mtimes:
                continue  # a story folder named twice: one copy is enough
            info = zipfile.ZipInfo(name, _ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            stat = path.stat()
            with path.open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)
            mtimes[name] = stat.st_mtime_ns
    return Parcel(buffer.getvalue(), mtimes)


def unpack(parcel: Parcel, dest: Path) -> None:
    """Write the parcel's files under `dest` with their mtimes; a member whose name would lead
    outside `dest` (absolute, `..`, a drive) stops the unpacking before anything is written."""
    dest = dest.resolve()
    with zipfile.ZipFile(io.BytesIO(parcel.archive)) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        targets = [inside(dest, info.filename) for info in infos]  # every name checked first
        for info, target in zip(infos, targets):
            target.parent.mkdir(parents=True, exist_ok=True)
            # O_EXCL: never through a file or link that is already there.
            with archive.open(info) as source, open(target, "xb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            mtime = parcel.mtimes.get(info.filename)
            if mtime is not None:
                os.utime(target, ns=(mtime, mtime))


def check_name(name: str) -> str:
    """A member name that stays inside whatever folder it is unpacked in, else BuildError."""
    pure = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or "\0" in name
        or pure.is_absolute()
        or ":" in pure.parts[0]
        or any(part in ("..", ".", "") for part in name.split("/"))
    ):
        raise BuildError(
            f"refused the file '{name[:120]}' sent with the book: its path leads outside the book's folder",
            hint="bookforge only writes inside the folder it unpacks a book in",
        )
    return name


def inside(dest: Path, name: str) -> Path:
    """`dest / name`, refused when the name (or a link on its way) leads outside `dest`."""
    target = dest / check_name(name)
    if not target.parent.resolve().is_relative_to(dest):
        check_name("..")  # raises: a symbolic link in the folder points elsewhere
    return target
