"""The full-wrap print cover as one HTML page: back panel, spine and front side by side, with bleed."""

from __future__ import annotations

from dataclasses import dataclass

from ..render.xhtml import attr, esc
from ..themes import FONTS_DIR
from .art import ITALIC, REGULAR, CoverText, _font, _measure
from .print_front import FONT_FAMILY, box
from .wrap import WrapGeometry

# The back cover's type: a paperback blurb's size and leading.
BACK_SIZE_PT = 11.0
BACK_LEADING = 1.4
# Cover text keeps at least this far from a trim edge or fold, however small the printer's safe area
# (a designer's margin, not a printer's limit: text nearer the edge looks about to fall off).
TEXT_MARGIN = 0.5
BARCODE_MARGIN = 0.25  # the barcode box from the fold and the foot, as KDP places its own
GAP_ABOVE_BARCODE = 0.25
SPINE_END_MARGIN = 0.5  # spine text from the head and the foot of the spine
SPINE_MAX_PT = 16.0
SPINE_MIN_PT = 6.0


@dataclass(frozen=True)
class BackLayout:
    """Where the back panel's parts go, in inches from the sheet's trim corner."""

    text_left: float
    text_top: float
    text_width: float
    text_limit: float  # the text and the author line end above this
    barcode: tuple[float, float, float, float]  # left, top, width, height


def back_layout(geometry: WrapGeometry) -> BackLayout:
    g = geometry
    margin = max(TEXT_MARGIN, g.safe)
    barcode_margin = max(BARCODE_MARGIN, g.safe)
    width, height = g.printer.barcode_box
    barcode = (g.trim_width - barcode_margin - width, g.trim_height - barcode_margin - height, width, height)
    return BackLayout(margin, margin + 0.15, g.trim_width - 2 * margin, barcode[1] - GAP_ABOVE_BARCODE, barcode)


def font_faces() -> str:
    """The bundled faces under the cover's own family name, lining figures (a cover's numbers
    stand alone, unlike the interior's old-style figures in running text)."""
    rules = []
    for name, weight, style in (
        ("LinLibertine_R.otf", "normal", "normal"),
        ("LinLibertine_RI.otf", "normal", "italic"),
        ("LinLibertine_RB.otf", "bold", "normal"),
        ("LinLibertine_RBI.otf", "bold", "italic"),
    ):
        url = (FONTS_DIR / name).resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def sheet_css(geometry: WrapGeometry, extra: str = "") -> str:
    """The page is the whole sheet: its size is the trim (back + spine + front) and WeasyPrint
    adds the bleed around it, writing TrimBox and BleedBox; panels paint into the bleed."""
    g = geometry
    return "\n".join(
        [
            font_faces(),
            extra,
            f"@page {{ size: {g.trim_box_width:.4f}in {g.trim_height:.4f}in; margin: 0; bleed: {g.bleed:.4f}in; }}",
            f"html, body {{ margin: 0; padding: 0; font-family: {FONT_FAMILY}; }}",
            (
                f".back-text {{ font-size: {BACK_SIZE_PT}pt; line-height: {BACK_LEADING}; text-align: justify; "
                "hyphens: auto; }"
            ),
            ".back-text p { margin: 0 0 0.55em 0; orphans: 1; widows: 1; }",
            (
                ".back-text p.back-title { font-size: 15pt; line-height: 1.2; text-align: center; letter-spacing: 0.08em; "
                "font-variant: small-caps; hyphens: manual; margin: 0 0 0.9em 0; }"
            ),
            (
                ".back-text p.back-title::after { content: '\\2767'; display: block; font-size: 12pt; "
                "letter-spacing: 0; margin-top: 0.35em; }"
            ),
            ".back-text p.author-line { margin-top: 1.1em; text-align: left; font-style: italic; hyphens: manual; }",
            (
                ".isbn { font-size: 7.5pt; letter-spacing: 0.04em; text-align: center; line-height: 1; "
                "margin: 0.06in 0 0.02in 0; color: black; }"
            ),
            ".barcode { text-align: center; line-height: 0; }",
        ]
    )


def back_html(
    geometry: WrapGeometry,
    text: CoverText,
    paragraphs: list[str],
    author_line: str | None,
    isbn: str | None,
    barcode_svg: str | None,
) -> str:
    """The back panel: the text, the names under it, the publisher and the barcode box."""
    g = geometry
    layout = back_layout(geometry)
    out = [f'<div style="{box(-g.bleed, -g.bleed, g.trim_width + g.bleed, g.height)}background:{text.paper};"></div>\n']
    # The title heads the back, as on a paperback's back cover; then the text, then the names.
    body = [f'<p class="back-title" style="color:{text.accent};">{esc(text.title)}</p>\n']
    body += [f'<p class="back-p" data-index="{index}">{html}</p>\n' for index, html in enumerate(paragraphs)]
    if author_line:
        body.append(f'<p class="author-line" style="color:{text.accent};">{esc(author_line)}</p>\n')
    out.append(
        f'<div class="back-text" style="position:absolute;left:{layout.text_left:.4f}in;'
        f'top:{layout.text_top:.4f}in;width:{layout.text_width:.4f}in;color:{text.ink};">\n'
        + "".join(body)
        + "</div>\n"
    )
    left, top, width, height = layout.barcode
    if text.publisher and left - layout.text_left > 1.0:  # beside the barcode, on its foot line
        out.append(
            f'<div class="back-publisher" style="position:absolute;left:{layout.text_left:.4f}in;'
            f"top:{top + height - 0.2:.4f}in;width:{left - layout.text_left - 0.2:.4f}in;font-size:9pt;"
            f'line-height:0.2in;letter-spacing:0.06em;font-variant:small-caps;color:{text.accent};">'
            f"{esc(text.publisher)}</div>\n"
        )
    inside = ""
    if isbn and barcode_svg:
        inside = f'<div class="isbn">ISBN {esc(isbn)}</div><div class="barcode">{barcode_svg}</div>'
    # The box is white whether or not the ISBN is known: the printer (KDP) may print its own there.
    out.append(f'<div class="barcode-box" style="{box(left, top, width, height)}background:white;">{inside}</div>\n')
    return "".join(out)


def spine_html(geometry: WrapGeometry, text: CoverText) -> str:
    """The spine: the accent colour, and, when it is wide enough, the title and the names, reading
    top to bottom (the US and UK way: legible when the book lies face up)."""
    g = geometry
    out = [f'<div style="{box(g.spine_left, -g.bleed, g.spine, g.height)}background:{text.accent};"></div>\n']
    if not g.spine_has_text:
        return "".join(out)
    length = g.trim_height - 2 * SPINE_END_MARGIN
    thickness = g.spine - 2 * g.printer.spine_clearance
    title_pt, names_pt, names = spine_sizes(text, length, thickness)
    parts = [f'<span class="spine-title" style="font-size:{title_pt:.2f}pt;">{esc(text.title)}</span>']
    if names:
        parts.append(
            f'<span class="spine-names" style="font-size:{names_pt:.2f}pt;font-style:italic;'
            f'margin-left:{title_pt * 1.2:.2f}pt;">{esc(names)}</span>'
        )
    # A box as long as the spine text may run and as thick as the spine between its clearances,
    # centred on the spine, then turned a quarter clockwise about its centre.
    left = g.spine_left + g.spine / 2 - length / 2
    top = g.trim_height / 2 - thickness / 2
    out.append(
        f'<div class="spine-text" lang="{attr(text.language)}" style="{box(left, top, length, thickness)}'
        f"transform:rotate(90deg);line-height:{thickness:.4f}in;text-align:center;white-space:nowrap;"
        f'overflow:visible;color:{text.paper};">{"".join(parts)}</div>\n'
    )
    return "".join(out)


def spine_sizes(text: CoverText, length: float, thickness: float) -> tuple[float, float, str]:
    """Type sizes (pt) for the spine's title and names: as large as the spine's thickness allows,
    smaller when the words are longer than the spine; names left out when even 6 pt is too long."""
    title_pt = min(SPINE_MAX_PT, thickness * 72 * 0.55)
    names = text.names

    def width_pt(size: float, with_names: bool) -> float:
        # Measured at 100 px with Pillow (the same faces WeasyPrint embeds), scaled to `size`.
        title = _measure(_font(str(REGULAR), 100), text.title, text.language) / 100 * size
        if not with_names:
            return title
        return title + size * 1.2 + _measure(_font(str(ITALIC), 100), names, text.language) / 100 * size * 0.85

    available = length * 72
    if names and width_pt(title_pt, True) > available:
        title_pt = max(SPINE_MIN_PT, available / width_pt(1, True))
        if width_pt(title_pt, True) > available:  # still too long: the title alone
            names = ""
    if width_pt(title_pt, bool(names)) > available:
        title_pt = available / width_pt(1, bool(names))
    return title_pt, title_pt * 0.85, names


def sheet_html(title: str, language: str, build_date: str, author: str, body: str) -> str:
    """The HTML document; the date in its head is the PDF's (reproducible: the build's date)."""
    meta = [
        f"<title>{esc(title)}</title>",
        '<meta name="generator" content="bookforge">',
        f'<meta name="dcterms.created" content="{build_date}">',
        f'<meta name="dcterms.modified" content="{build_date}">',
    ]
    if author:
        meta.append(f'<meta name="author" content="{attr(author)}">')
    return (
        f'<!DOCTYPE html>\n<html lang="{attr(language)}">\n<head>\n<meta charset="utf-8">\n'
        + "\n".join(meta)
        + f"\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
