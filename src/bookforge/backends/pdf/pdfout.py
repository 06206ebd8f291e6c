"""A streaming PDF writer: objects go to the file as soon as they are made; only offsets are kept.

pypdf's PdfWriter holds every object of the book in memory until the end, which for a
5,000-page anthology costs hundreds of megabytes. This writer reads parts with pypdf one at a
time, renumbers their objects and writes them out, so memory stays flat whatever the length.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Callable
from typing import BinaryIO

from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from .pypdf_streams import stored_bytes, stream_of


class PdfOut:
    """Numbered objects written in any order; small ones packed into compressed object streams.

    Like the PDFs WeasyPrint writes, dictionaries and arrays go into object streams and the file
    ends with a cross-reference stream: the book's structure costs kilobytes, not hundreds.
    """

    PACK = 200  # objects per object stream

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.offsets: dict[int, int] = {}  # object → byte offset (objects written directly)
        self.packed: dict[int, tuple[int, int]] = {}  # object → (object stream, index in it)
        self.pending: list[tuple[int, bytes]] = []
        self.next_id = 1
        stream.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def reserve(self) -> int:
        """A number for an object that will be written later."""
        number = self.next_id
        self.next_id += 1
        return number

    def write(self, number: int, obj, remap: Callable[[IndirectObject], int] | None = None) -> None:
        body = serialize(obj, remap)
        if isinstance(obj, StreamObject):
            self._direct(number, body)
        else:
            self.pending.append((number, body))
            if len(self.pending) >= self.PACK:
                self._pack()

    def add(self, obj, remap=None) -> int:
        number = self.reserve()
        self.write(number, obj, remap)
        return number

    def _direct(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.stream.tell()
        self.stream.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def _pack(self) -> None:
        if not self.pending:
            return
        container = self.reserve()
        header, bodies, position = [], [], 0
        for index, (number, body) in enumerate(self.pending):
            header.append(b"%d %d" % (number, position))
            bodies.append(body)
            position += len(body) + 1
            self.packed[number] = (container, index)
        first = b" ".join(header) + b"\n"
        data = zlib.compress(first + b"\n".join(bodies) + b"\n", 9)
        self._direct(
            container,
            b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(self.pending), len(first), len(data))
            + data
            + b"\nendstream",
        )
        self.pending = []

    def close(self, root: int, info: int, file_id: bytes) -> None:
        """Pack what is left and write the cross-reference stream and its trailer."""
        self._pack()
        xref = self.reserve()
        size = self.next_id
        self.offsets[xref] = self.stream.tell()
        rows = [struct.pack(">BIH", 0, 0, 65535)]
        for number in range(1, size):
            if number in self.offsets:
                rows.append(struct.pack(">BIH", 1, self.offsets[number], 0))
            elif number in self.packed:
                rows.append(struct.pack(">BIH", 2, *self.packed[number]))
            else:
                rows.append(struct.pack(">BIH", 0, 0, 0))
        data = zlib.compress(b"".join(rows), 9)
        hex_id = file_id.hex().encode()
        self.stream.write(
            b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] "
            b"/Filter /FlateDecode /Length %d >>\nstream\n"
            % (xref, size, root, info, hex_id, hex_id, len(data))
            + data
            + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % self.offsets[xref]
        )


def serialize(obj, remap: Callable[[IndirectObject], int] | None = None) -> bytes:
    """PDF syntax for a pypdf object, with indirect references renumbered by `remap`."""
    out = io.BytesIO()
    _write(obj, out, remap)
    return out.getvalue()


_PLAIN_NAME = re.compile(r"^/[A-Za-z0-9._+:-]*$")  # names that need no #xx escapes


def _write(obj, out: BinaryIO, remap) -> None:
    kind = type(obj)
    if kind is NameObject and _PLAIN_NAME.match(obj):  # fast paths for what parts are made of
        out.write(obj.encode("ascii"))
        return
    if kind is NumberObject:
        out.write(b"%d" % obj)
        return
    if isinstance(obj, IndirectObject):
        number = remap(obj) if remap is not None else obj.idnum
        out.write(b"%d 0 R" % number)
    elif isinstance(obj, StreamObject):
        data = stored_bytes(obj)
        header = DictionaryObject({k: v for k, v in obj.items() if k != "/Length"})
        header[NameObject("/Length")] = NumberObject(len(data))
        _write_dict(header, out, remap)
        out.write(b"\nstream\n")
        out.write(data)
        out.write(b"\nendstream")
    elif isinstance(obj, DictionaryObject):
        _write_dict(obj, out, remap)
    elif isinstance(obj, (ArrayObject, list)):
        out.write(b"[")
        for index, item in enumerate(obj):
            if index:
                out.write(b" ")
            _write(item, out, remap)
        out.write(b"]")
    elif isinstance(obj, str) and not hasattr(obj, "write_to_stream"):
        TextStringObject(obj).write_to_stream(out)
    else:
        obj.write_to_stream(out)


def _write_dict(obj, out: BinaryIO, remap) -> None:
    out.write(b"<<")
    for key, value in obj.items():
        out.write(b" ")
        if _PLAIN_NAME.match(key):
            out.write(key.encode("ascii"))
        else:
            NameObject(key).write_to_stream(out)
        out.write(b" ")
        _write(value, out, remap)
    out.write(b" >>")


def stream_object(data: bytes, compress: bool = True, **entries) -> StreamObject:
    """A new stream with raw `data`, deflated unless told otherwise."""
    stream = stream_of(zlib.compress(data, 9) if compress else data)
    if compress:
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = value
    return stream
