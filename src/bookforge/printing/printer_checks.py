"""What the printer asks of a laid-out interior: its page-count limits, its margins, spine text."""

from __future__ import annotations

from ..config import PdfConfig
from ..diagnostics import Diagnostic
from ..printers import printer_named
from .geometry import Geometry, page_geometry


def _breach(code: str, message: str, hint: str, line: int | None) -> Diagnostic:
    """One printer rule the book does not meet, said at its book.toml line by `bookforge pdf` and
    `bookforge check` alike."""
    return Diagnostic.of(code, message, path="book.toml", line=line, hint=hint)


def _inches(points: float) -> str:
    return f"{points / 72:.3g}in"


def page_count_breach(config: PdfConfig, pages: int) -> Diagnostic | None:
    """P005: fewer or more pages than the printer binds."""
    printer = printer_named(config.printer)
    line = config.line_of.get("printer")
    if pages < printer.min_pages:
        return _breach(
            "P005",
            f"{pages} pages: {printer.label} prints books of {printer.min_pages} pages or more",
            "add material (more stories, front or back matter), or choose a printer that takes shorter books",
            line,
        )
    if pages > printer.max_pages:
        return _breach(
            "P005",
            f"{pages} pages: {printer.label} prints books of {printer.max_pages} pages at most",
            "split the book into volumes, or make it shorter with a larger trim or a smaller font-size",
            line,
        )
    return None


def margin_breaches(config: PdfConfig, geometry: Geometry, pages: int) -> list[Diagnostic]:
    """P006: margins set in book.toml that are under the printer's minimum for this page count.

    Auto margins meet them by construction (geometry.py), so only a `margins` table is checked.
    """
    if config.margins == "auto":
        return []
    printer = printer_named(config.printer)
    line = config.line_of.get("margins")
    inside = printer.inside_minimum(pages) * 72
    outside = printer.outside_minimum(geometry.bleed > 0) * 72
    wanted = {"inner": inside, "outer": outside, "top": outside, "bottom": outside}
    breaches = []
    for side, minimum in wanted.items():
        value = getattr(geometry, side)
        if value < minimum - 0.01:
            why = f"for {pages} pages" if side == "inner" else ("with bleed" if geometry.bleed > 0 else "")
            breaches.append(
                _breach(
                    "P006",
                    f"margins.{side} is {_inches(value)}, under {printer.label}'s minimum of "
                    f"{_inches(minimum)}{' ' + why if why else ''}",
                    f'set {side} = "{_inches(minimum)}" or more in margins, or use margins = "auto", which '
                    "follows the printer",
                    line,
                )
            )
    return breaches


def spine_breach(config: PdfConfig, pages: int) -> Diagnostic | None:
    """P007: too few pages for the printer to put text on the spine."""
    printer = printer_named(config.printer)
    if printer.spine_has_text(pages):
        return None
    width = printer.spine_width(pages, config.paper)
    return _breach(
        "P007",
        f"the spine is {width:.3f}in wide for {pages} pages: {printer.label} puts text on a "
        f"spine from {printer.spine_text_min_pages} pages",
        "the print cover's spine is left blank; put the title on the front, or add pages if the spine must carry it",
        config.line_of.get("printer"),
    )


def interior_breaches(config: PdfConfig, geometry: Geometry, pages: int) -> list[Diagnostic]:
    """What a build reports about the laid-out interior (P005, P006)."""
    found = page_count_breach(config, pages)
    return ([found] if found else []) + margin_breaches(config, geometry, pages)


def built_interior_breaches(config: PdfConfig, pages: int) -> list[Diagnostic]:
    """What `bookforge check` says of a built interior's real page count (P005-P007): no layout
    needed, the margins are book.toml's; a spine too thin for text matters only to a book made for
    a printer (one named in book.toml). Raises ConfigError for margins that leave no room."""
    found = interior_breaches(config, page_geometry(config, 0), pages)
    spine = spine_breach(config, pages) if "printer" in config.line_of else None
    return found + ([spine] if spine else [])
