"""The print cover's geometry: back, spine and front side by side, in inches, from the printer's rules."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import PdfConfig
from ..page_sizes import parse_trim
from ..printers import Printer, printer_named


@dataclass(frozen=True)
class WrapGeometry:
    """One flat sheet: back panel, spine, front panel, with bleed all round. Inches throughout;
    x runs from the back panel's trim edge, y from the top trim edge (bleed lies at negative x, y)."""

    trim_width: float  # one panel, as the interior's trim
    trim_height: float
    spine: float
    bleed: float
    pages: int
    paper: str
    printer: Printer

    @property
    def width(self) -> float:
        """The media (bleed included): 2 × trim width + spine + 2 × bleed."""
        return 2 * self.trim_width + self.spine + 2 * self.bleed

    @property
    def height(self) -> float:
        return self.trim_height + 2 * self.bleed

    @property
    def trim_box_width(self) -> float:
        """Back, spine and front as the guillotine leaves them."""
        return 2 * self.trim_width + self.spine

    @property
    def spine_left(self) -> float:
        return self.trim_width

    @property
    def front_left(self) -> float:
        return self.trim_width + self.spine

    @property
    def spine_has_text(self) -> bool:
        return self.printer.spine_has_text(self.pages)

    @property
    def safe(self) -> float:
        """How far cover text keeps inside each trim edge and fold."""
        return self.printer.safe_area


def wrap_geometry(config: PdfConfig, pages: int) -> WrapGeometry:
    """The full-wrap geometry for this interior page count, trim and printer."""
    width, height = parse_trim(config.trim)  # points
    printer = printer_named(config.printer)
    return WrapGeometry(
        width / 72, height / 72, printer.spine_width(pages, config.paper), printer.bleed, pages, config.paper, printer
    )
