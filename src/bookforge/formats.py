"""The output formats, once: each one's name (the --to value), file suffix and backend (a leaf)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """One output format bookforge makes."""

    name: str  # the --to value and [build] formats entry
    suffix: str  # appended to the book's slug in build/
    backend: str  # "module:class", imported only when this format is built (`epub` never loads WeasyPrint)
    command: str | None = None  # its own plain command's help (`bookforge epub`); None: no such command


FORMATS: dict[str, Format] = {
    format.name: format
    for format in (
        Format("epub", ".epub", "bookforge.backends.epub:EpubBackend", "Build the EPUB 3 ebook (build/<title>.epub)."),
        Format("pdf", ".pdf", "bookforge.backends.pdf:PdfBackend"),  # `bookforge pdf` has options of its own
        Format(
            "kepub",
            ".kepub.epub",
            "bookforge.backends.kepub:KepubBackend",
            "Build the KEPUB for Kobo e-readers (build/<title>.kepub.epub).",
        ),
        Format(
            "azw3",
            ".azw3",
            "bookforge.backends.azw3:Azw3Backend",
            "Build an AZW3 for Kindles by USB (build/<title>.azw3), with calibre's ebook-convert.",
        ),
        Format("cover-pdf", "-cover.pdf", "bookforge.backends.cover_pdf:CoverPdfBackend"),  # `cover --print`
    )
}
