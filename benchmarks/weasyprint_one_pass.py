"""The PDF peer: plain WeasyPrint laying out one HTML document with the given stylesheets.

Usage: python weasyprint_one_pass.py OUT.pdf BOOK.html STYLE.css [STYLE.css …]
"""

import sys

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration


def main() -> None:
    output, html, *styles = sys.argv[1:]
    fonts = FontConfiguration()
    sheets = [CSS(filename=style, font_config=fonts) for style in styles]
    HTML(filename=html).write_pdf(output, stylesheets=sheets, font_config=fonts)


if __name__ == "__main__":
    main()
