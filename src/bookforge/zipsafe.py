"""Zip archives (Word manuscripts, the EPUBs check and send open) read in bounded memory; Strict made Transitional."""

from __future__ import annotations

import io
import lzma
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Callable

from .errors import ManuscriptError

MB = 1024 * 1024
# One member, inflated. A 300 000-word novel's word/document.xml is about 20 MB; 48 MB leaves room
# for tracked changes and Word's rsid attributes, and is also larger than any sane embedded image.
MAX_MEMBER_BYTES = 48 * MB
# All the members read together. They are held in memory at once, so this (plus one chunk: stored and
# deflated members only, whose reads zipfile bounds) is the reader's memory bound: room for a long
# novel and its images, well under 200 MB.
MAX_TOTAL_BYTES = 160 * MB
# Inflated size over compressed size. Word's XML deflates 5-40:1 (styles.xml ~30:1), images hardly; a
# bomb's run of one repeated byte deflates about 1000:1.
MAX_RATIO = 200
# Members smaller than this may compress far better (an empty header part) and can do no harm.
RATIO_FLOOR = 1 * MB
# ZipFile makes an object of every central-directory entry; a real .docx has a few dozen.
MAX_MEMBERS = 10_000
CHUNK = 1 * MB

_CENTRAL_ENTRY = b"PK\x01\x02"
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # the only ones read: their inflation is bounded
_DAMAGED_HINT = "open it in Word or LibreOffice and save it again as .docx"
_BOMB_HINT = "if it really is a manuscript, save it again from Word or LibreOffice, or split it into smaller files"
# What a damaged archive or member raises somewhere in zipfile and its decompressors.
_DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    NotImplementedError,
    OSError,
    ValueError,
    struct.error,
)


def read_members(
    data: bytes, rel: str, what: str = "Word document", wanted: Callable[[str], bool] | None = None
) -> dict[str, bytes]:
    """The archive's members (those `wanted` accepts, or all) inflated; a zip bomb is refused."""
    # Count entries before ZipFile builds an object for each: the signature can only over-count.
    if (count := data.count(_CENTRAL_ENTRY)) > MAX_MEMBERS:
        raise _bomb(f"it has {count} members (the limit is {MAX_MEMBERS})", rel)
    name = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # Folders skipped by name: ZipInfo.is_dir() fails on an empty one.
            infos = [
                info
                for info in archive.infolist()
                if not info.filename.endswith("/") and (wanted is None or wanted(info.filename))
            ]
            _check_declared(infos, rel, what)
            members: dict[str, bytes] = {}
            total = 0
            for info in infos:
                name = info.filename
                if info.flag_bits & 0x1:  # zipfile would ask for a password
                    raise ManuscriptError(
                        f"not a readable {what}: {name} is encrypted",
                        path=rel,
                        hint="remove the password in Word or LibreOffice and save it again",
                    )
                members[name] = _inflate(archive, info, total, rel)
                total += len(members[name])
            return members
    except _DAMAGE as exc:
        raise ManuscriptError(_damage(what, name, exc), path=rel, hint=_DAMAGED_HINT) from None


def _check_declared(infos: list[zipfile.ZipInfo], rel: str, what: str) -> None:
    """Refuse on the methods and sizes the central directory declares, before a byte is inflated."""
    for info in infos:
        name, size, packed = info.filename, info.file_size, max(info.compress_size, 1)
        if info.compress_type not in _METHODS:
            # zipfile inflates bzip2 and LZMA a whole compressed block at a time, past any bound the
            # stream below could set; Word, LibreOffice and every EPUB writer only store or deflate.
            raise ManuscriptError(_damage(what, name, NotImplementedError()), path=rel, hint=_DAMAGED_HINT)
        if size > MAX_MEMBER_BYTES:
            raise _bomb(f"{name} would inflate to {_mb(size)} MB (the limit is {_mb(MAX_MEMBER_BYTES)} MB)", rel)
        if size > RATIO_FLOOR and size > MAX_RATIO * packed:
            raise _bomb(f"{name} would inflate {size // packed}-fold (the limit is {MAX_RATIO}-fold)", rel)
    if (total := sum(info.file_size for info in infos)) > MAX_TOTAL_BYTES:
        limit = _mb(MAX_TOTAL_BYTES)
        raise _bomb(f"its members would inflate to {_mb(total)} MB together (the limit is {limit} MB)", rel)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, before: int, rel: str) -> bytes:
    """One member through a bounded stream: declared sizes can lie, so count what really comes out."""
    out = io.BytesIO()  # getvalue() hands over its buffer: no second copy of a large member
    packed = max(info.compress_size, 1)
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            out.write(chunk)
            size = out.tell()
            if size > MAX_MEMBER_BYTES:
                raise _bomb(f"{info.filename} inflates to more than {_mb(MAX_MEMBER_BYTES)} MB", rel)
            if before + size > MAX_TOTAL_BYTES:
                raise _bomb(f"its members inflate to more than {_mb(MAX_TOTAL_BYTES)} MB together", rel)
            if size > RATIO_FLOOR and size > MAX_RATIO * packed:
                raise _bomb(f"{info.filename} inflates more than {MAX_RATIO}-fold", rel)
    return out.getvalue()


def _bomb(what: str, rel: str) -> ManuscriptError:
    return ManuscriptError(f"{what}: refused as a possible zip bomb", path=rel, hint=_BOMB_HINT)


def _damage(what: str, name: str | None, exc: Exception) -> str:
    """A lower-case sentence for the user; zipfile's own messages are for programmers."""
    if name is None:
        return f"not a readable {what} (not a zip archive, or a damaged one)"
    if isinstance(exc, NotImplementedError):
        return (
            f"not a readable {what}: {name} uses a compression method bookforge cannot read (only "
            "stored and deflated members, as Word and EPUB writers make)"
        )
    if "CRC" in str(exc):
        return f"not a readable {what}: {name} does not match its checksum"
    return f"not a readable {what}: {name} is damaged or cut short"


def _mb(size: int) -> int:
    return math.ceil(size / MB)  # rounded up, so that anything over a limit reads as over it


# ECMA-376 Part 1 spells every Strict URI http://purl.oclc.org/ooxml/<family>/<name> where Transitional
# has http://schemas.openxmlformats.org/<family>/2006/<name>: wordprocessingml/main, drawingml/main,
# wordprocessingDrawing, picture, chart, officeDocument/relationships (namespace and relationship
# types), math, docPropsVTypes, bibliography, schemaLibrary/main ... Only these names differ too:
_RENAMED = {
    b"officeDocument/extendedProperties": b"extended-properties",
    b"officeDocument/customProperties": b"custom-properties",
    b"officeDocument/customXmlDataProps": b"customXml",  # a spelling found in the wild for the same namespace
    b"officeDocument/relationships/extendedProperties": b"relationships/extended-properties",
    b"officeDocument/relationships/customProperties": b"relationships/custom-properties",
}
# Only whole attribute values (xmlns:*, Relationship/@Type, a:graphicData/@uri): never the text.
_STRICT_URI = re.compile(
    rb"""(["'])http://purl\.oclc\.org/ooxml/"""
    rb"(officeDocument|wordprocessingml|drawingml|spreadsheetml|presentationml|schemaLibrary)/([\w/-]*)\1"
)
_STRICT_MAIN = b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_MARKUP = (".xml", ".rels", ".vml")


def is_strict(members: dict[str, bytes]) -> bool:
    """Whether the package was saved as Strict Open XML: its main relationship says so."""
    return _STRICT_MAIN in members.get("_rels/.rels", b"")


def _transitional_uri(match: re.Match[bytes]) -> bytes:
    quote, family, name = match.groups()
    name = _RENAMED.get(family + b"/" + name, name)
    return quote + b"http://schemas.openxmlformats.org/" + family + b"/2006/" + name + quote


def to_transitional(members: dict[str, bytes]) -> dict[str, bytes]:
    """The members with Strict namespace and relationship-type URIs rewritten to Transitional ones."""
    return {
        name: _STRICT_URI.sub(_transitional_uri, data) if name.lower().endswith(_MARKUP) else data
        for name, data in members.items()
    }


def repack(members: dict[str, bytes]) -> bytes:
    """A new in-memory zip of the members: stored, in a fixed order, [Content_Types].xml first."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(members, key=lambda name: (name != "[Content_Types].xml", name)):
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), members[name])
    return out.getvalue()


def open_docx_bytes(data: bytes, rel: str) -> bytes:
    """Bytes python-docx can open: checked against the limits, and Transitional even if saved Strict."""
    members = read_members(data, rel)
    if not is_strict(members):
        # Every member inflated within the limits and passed its checksum, and python-docx reads the
        # same central directory: hand the file over as it is rather than hold a second copy.
        return data
    return repack(to_transitional(members))
