"""The EPUB's zip container: fixed dates, mimetype first, documents deflated on every core."""

from __future__ import annotations

import datetime as dt
import os
import struct
import threading
import zlib

# Level 3 takes half level 6's time for about 10% more bytes.
LEVEL = 3
# Documents smaller than this are deflated in line: a thread costs more than it saves.
_BACKGROUND_BYTES = 256 * 1024


class Deflater:
    """Deflates documents (and checks them with `check`) on background threads.

    zlib and lxml release the GIL while they work, so this runs on the other cores while the main
    thread packages the book. `result(data)` waits for that document's (crc, deflated bytes).
    """

    def __init__(self, check=None) -> None:
        self.check = check
        self.results: dict[int, tuple[int, bytes]] = {}
        self.failures: list[tuple[str, Exception]] = []
        self.threads: list[threading.Thread] = []
        self.keep: list[bytes] = []  # the documents, alive while their ids are keys

    def submit(self, documents: list[tuple[str, bytes]]) -> None:
        """Start on (name, bytes) documents: at once in this thread when they are few and small."""
        if sum(len(data) for _, data in documents) < _BACKGROUND_BYTES:
            for document in documents:
                self._one(document)
            return
        self.keep += [data for _, data in documents]
        workers = max(
            1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 4)
        )
        shares = [documents[index::workers] for index in range(workers)]  # deterministic: bytes never depend on it
        for share in shares:
            thread = threading.Thread(target=self._many, args=(share,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _many(self, documents: list[tuple[str, bytes]]) -> None:
        for document in documents:
            self._one(document)

    def _one(self, document: tuple[str, bytes]) -> None:
        name, data = document
        try:
            if self.check is not None:
                self.check(data)
            self.results[id(data)] = (zlib.crc32(data), deflate(data))
        except Exception as exc:  # noqa: BLE001 - handed to the main thread by wait()
            self.failures.append((name, exc))

    def wait(self) -> list[tuple[str, Exception]]:
        """Wait until every document is done; the (name, error) of those whose check failed."""
        for thread in self.threads:
            thread.join()
        self.threads = []
        return sorted(self.failures, key=lambda failure: failure[0])

    def result(self, data: bytes) -> tuple[int, bytes] | None:
        return self.results.get(id(data))


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class ZipOut:
    """A write-only zip archive with the parts of zipfile EbookLib uses (writestr, close): every
    entry carries one date, and documents the Deflater already compressed are written as they are."""

    def __init__(self, file, moment: dt.datetime, deflater: Deflater | None = None) -> None:
        self.file = file
        self.deflater = deflater
        year, month, day, hour, minute, second = min(
            max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0)), (2107, 12, 31, 23, 59, 58)
        )  # a zip entry's date holds the years 1980–2107; a book dated outside takes the nearest
        self.dos_time = (hour << 11) | (minute << 5) | (second // 2)
        self.dos_date = ((year - 1980) << 9) | (month << 5) | day
        self.central: list[bytes] = []
        self.offset = 0

    def writestr(self, name: str, data, compress_type: int | None = None) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        stored = compress_type == 0  # zipfile.ZIP_STORED, for the mimetype entry
        ready = None if stored or self.deflater is None else self.deflater.result(data)
        crc, payload = ready or (zlib.crc32(data), data if stored else deflate(data))
        if len(data) >= 0xFFFFFFFF or self.offset >= 0xFFFFFFFF:
            raise OverflowError("EPUB larger than 4 GB")
        method = 0 if stored else 8
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else 0x800  # bit 11: the name is UTF-8
        fields = (20, flags, method, self.dos_time, self.dos_date, crc, len(payload), len(data), len(encoded))
        self.file.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded)
        self.file.write(payload)
        self.central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, *fields, 0, 0, 0, 0, 0o644 << 16, self.offset)
            + encoded
        )
        self.offset += 30 + len(encoded) + len(payload)

    def close(self) -> None:
        directory = b"".join(self.central)
        count = len(self.central)
        self.file.write(directory)
        self.file.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), self.offset, 0))
