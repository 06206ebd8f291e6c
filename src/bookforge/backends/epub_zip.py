"""The EPUB's zip container, reproducible: every entry carries the build's date and comes in the
order EbookLib writes it, the mimetype first and stored (OCF), the rest deflated by zipfile.

(Deflating the documents on threads into a hand-written zip went: benchmarks/tricks.py's row
showed no tenth saved on an EPUB of 100k words.)"""

from __future__ import annotations

import datetime as dt
import zipfile
from typing import BinaryIO

# Level 3 takes half level 6's time for about 10% more bytes.
LEVEL = 3


class DatedZip:
    """The parts of a write-only zipfile.ZipFile that EbookLib uses (writestr, close), every entry
    dated `moment`, so the same book gives the same bytes."""

    def __init__(self, file: BinaryIO, moment: dt.datetime) -> None:
        self.zip = zipfile.ZipFile(file, "w")
        # A zip entry's date holds the years 1980–2107; a book dated outside takes the nearest.
        self.date_time = min(max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0)), (2107, 12, 31, 23, 59, 58))

    def writestr(self, name: str, data: str | bytes, compress_type: int = zipfile.ZIP_DEFLATED) -> None:
        info = zipfile.ZipInfo(name, self.date_time)
        info.compress_type = compress_type
        info.external_attr = 0o644 << 16  # rw-r--r-- for whoever unpacks it, not the builder's umask
        self.zip.writestr(info, data, compresslevel=LEVEL)

    def close(self) -> None:
        self.zip.close()
