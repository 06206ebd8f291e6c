"""The two places bookforge reaches into a library's private parts fail here, loudly, when a release changes them.

EbookLib's EpubWriter._write_* (backends/ebooklib_writer.py) and pypdf's StreamObject._data
(backends/pdf/pypdf_streams.py): pyproject.toml bounds both libraries at the tested major version,
and a new one must pass these tests before the bound moves.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
import zipfile
import zlib

from ebooklib import epub
from ebooklib.epub import EpubWriter
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from bookforge.backends.ebooklib_writer import PRIVATE_METHODS, ReproducibleWriter
from bookforge.backends.pdf.pypdf_streams import stored_bytes, stream_of


def test_ebooklib_still_has_the_private_methods_the_writer_relies_on():
    for name, parameters in PRIVATE_METHODS.items():
        method = getattr(EpubWriter, name, None)
        assert callable(method), f"EbookLib's EpubWriter has no {name} any more: see backends/ebooklib_writer.py"
        assert list(inspect.signature(method).parameters)[1:] == parameters, f"EpubWriter.{name} changed shape"


def test_the_writer_makes_a_whole_epub_through_them():
    book = epub.EpubBook()
    book.set_identifier("urn:uuid:00000000-0000-5000-8000-000000000000")
    book.set_title("Adapter")
    book.set_language("fr")
    page = epub.EpubItem(uid="page", file_name="text/page.xhtml", media_type="application/xhtml+xml",
                         content=b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
                                 b"<head><title>p</title></head><body><p>Bonjour.</p></body></html>")
    book.add_item(page)
    book.add_item(epub.EpubNcx())
    book.spine = [page]
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    buffer = io.BytesIO()
    ReproducibleWriter(buffer, book, moment).write()
    with zipfile.ZipFile(buffer) as package:
        names = package.namelist()
        assert names[0] == "mimetype" and package.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        assert "META-INF/container.xml" in names and "EPUB/text/page.xhtml" in names
        opf = package.read("EPUB/content.opf").decode()
        assert 'xml:lang="fr"' in opf, "_write_opf_file no longer receives the package's root"
        assert "2026-01-02T03:04:05Z" in opf
        assert {info.date_time for info in package.infolist()} == {(2026, 1, 2, 3, 4, 4)}  # zip: even seconds


def test_pypdf_streams_keep_their_stored_bytes():
    deflated = zlib.compress(b"BT /F1 12 Tf (Hello) Tj ET", 9)
    stream = stream_of(deflated)
    assert isinstance(stream, DecodedStreamObject)
    assert stored_bytes(stream) == deflated, "pypdf's StreamObject._data no longer holds the stored bytes"
    assert stored_bytes(DecodedStreamObject()) == b""


def test_a_stream_read_from_a_file_gives_its_bytes_undecoded():
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    content = stream_of(zlib.compress(b"0 0 m 10 10 l S", 9))
    content[NameObject("/Filter")] = NameObject("/FlateDecode")
    writer.pages[0].replace_contents(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    page = PdfReader(io.BytesIO(buffer.getvalue())).pages[0]
    read = page["/Contents"].get_object()
    assert stored_bytes(read) == zlib.compress(b"0 0 m 10 10 l S", 9)
    assert read.get_data() == b"0 0 m 10 10 l S"
