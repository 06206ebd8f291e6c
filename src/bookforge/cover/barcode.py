"""The back cover's EAN-13 barcode of the ISBN, as SVG (python-barcode draws the bars)."""

from __future__ import annotations

import io

import barcode
from barcode.writer import SVGWriter

# EAN-13 at 100 % magnification: 0.33 mm modules (GS1 General Specifications, 5.2.1.5.1), with
# the 11-module quiet zone (3.63 mm) each side; bars shorter than the nominal 22.85 mm so the
# printer's box also holds the ISBN line above and the digits below (a truncation printers accept).
MODULE_MM = 0.33
QUIET_ZONE_MM = 3.63
BAR_HEIGHT_MM = 17.0
DIGITS_PT = 9.0


class _PrintSVGWriter(SVGWriter):
    """python-barcode's SVG writer, with the digits in the cover's face (it names no font, and a
    default face would be one more font to embed), and its styles as presentation attributes:
    WeasyPrint reads a `style` attribute as CSS and warns about every SVG property in it."""

    def __init__(self, font_family: str) -> None:
        super().__init__()
        self.font_family = font_family

    def _finish(self):
        for node in self._document.getElementsByTagName("*"):
            style = node.getAttribute("style")
            if not style:
                continue
            node.removeAttribute("style")
            for declaration in filter(None, (d.strip() for d in style.split(";"))):
                name, _, value = declaration.partition(":")
                node.setAttribute(name.strip(), value.strip())
            if node.tagName == "text":
                node.setAttribute("font-family", self.font_family)
        return super()._finish()


def ean13_svg(isbn: str, font_family: str) -> str:
    """An <svg> element (no XML prolog, ready to inline in HTML) of the ISBN's EAN-13, with the
    human-readable digits under the bars in `font_family`."""
    out = io.BytesIO()
    code = barcode.get("isbn13", isbn, writer=_PrintSVGWriter(font_family))
    # compress: the writer's one-line XML (its pretty form ends lines with os.linesep).
    code.write(
        out,
        options={
            "module_width": MODULE_MM,
            "module_height": BAR_HEIGHT_MM,
            "font_size": DIGITS_PT,
            "text_distance": 3.5,
            "quiet_zone": QUIET_ZONE_MM,
            "margin_top": 0.5,
            "margin_bottom": 0.5,
            "background": "white",
            "foreground": "black",
            "compress": True,
        },
    )
    svg = out.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]
