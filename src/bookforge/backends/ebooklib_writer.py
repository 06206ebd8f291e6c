"""EbookLib's EpubWriter made reproducible: the one place that relies on its private _write_* methods.

EbookLib has no public way to choose the zip file it writes into or to add an attribute to the
package document's root, so this subclass overrides `write` (calling `_write_container`,
`_write_opf` and `_write_items` itself) and `_write_opf_file`. tests/test_library_adapters.py
fails loudly when an EbookLib release renames or reshapes any of them.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from typing import BinaryIO

from ebooklib.epub import EpubBook, EpubWriter

from .epub_zip import DatedZip

# The private methods this module calls or overrides, with the parameters it passes them.
PRIVATE_METHODS = {"_write_container": [], "_write_opf": [], "_write_items": [], "_write_opf_file": ["root"]}


class ReproducibleWriter(EpubWriter):
    """EbookLib's writer with a fixed dcterms:modified and fixed zip timestamps."""

    def __init__(self, file: BinaryIO, package: EpubBook, moment: dt.datetime) -> None:
        super().__init__(file, package, {"mtime": moment, "raise_exceptions": True, "epub3_pages": False})
        self.moment = moment

    def write(self) -> None:
        self.out = DatedZip(self.file_name, self.moment)
        # The mimetype entry comes first and is stored uncompressed (OCF requirement).
        self.out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        self._write_container()
        self._write_opf()
        self._write_items()
        self.out.close()

    def _write_opf_file(self, root) -> None:
        # The package's own language (Ace's epub-lang check; EbookLib sets only dc:language).
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_file(root)
