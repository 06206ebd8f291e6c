"""The print-on-demand printers' numbers: paper thickness, bleed, margins and page-count limits."""

from __future__ import annotations

from dataclasses import dataclass

# Every length here is in inches, as the printers publish them. Where a number comes from a
# printer's own guide the comment names it; where a printer publishes none, the comment says what
# we chose instead and why. Change a number here and every use follows (cover, interior, check).


@dataclass(frozen=True)
class Printer:
    """What one printer asks of a paperback: its papers, bleed, margins and limits."""

    name: str  # the [pdf] printer value
    label: str  # for messages
    papers: dict[str, float]  # paper → thickness of one page (one leaf side), inches
    spine_allowance: float  # added to pages × thickness for the cover's wrap (Lulu adds some)
    bleed: float  # how far artwork must run past the trim
    spine_text_min_pages: int  # fewer pages than this: the spine stays blank
    spine_clearance: float  # spine text keeps this far from each fold
    inside_margins: tuple[tuple[int, float], ...]  # (up to this many pages, minimum inside margin)
    outside_min: float  # minimum outside, top and bottom margin without bleed
    outside_min_bleed: float  # the same with bleed (the trim wanders further)
    min_pages: int
    max_pages: int
    safe_area: float  # cover text keeps this far inside the trim
    barcode_box: tuple[float, float] = (2.0, 1.2)  # width, height kept clear on the back cover

    def spine_width(self, pages: int, paper: str) -> float:
        """The spine's width for this many interior pages on this paper."""
        return pages * self.papers[paper] + self.spine_allowance

    def inside_minimum(self, pages: int) -> float:
        """The smallest inside (gutter) margin this printer takes for this many pages."""
        return next(margin for limit, margin in self.inside_margins if pages <= limit)

    def outside_minimum(self, bleed: bool) -> float:
        return self.outside_min_bleed if bleed else self.outside_min

    def spine_has_text(self, pages: int) -> bool:
        return pages >= self.spine_text_min_pages


_KDP_INSIDE = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (10**9, 0.875))

PRINTERS: dict[str, Printer] = {
    # Amazon KDP, "Paperback Submission Guidelines" and "Set trim size, bleed, and margins":
    # white 0.002252 in per page, cream 0.0025 in, standard/premium colour 0.002347 in; bleed
    # 0.125 in; spine text only on books of more than 79 pages, 0.0625 in clear of each fold;
    # inside margin by page count (24–150: 0.375 in … 701–828: 0.875 in); outside margins at least
    # 0.25 in, 0.375 in with bleed; 24 to 828 pages (white; the maxima vary a little by paper).
    "kdp": Printer(
        "kdp",
        "KDP",
        papers={"white": 0.002252, "cream": 0.0025, "color": 0.002347},
        spine_allowance=0.0,
        bleed=0.125,
        spine_text_min_pages=80,
        spine_clearance=0.0625,
        inside_margins=_KDP_INSIDE,
        outside_min=0.25,
        outside_min_bleed=0.375,
        min_pages=24,
        max_pages=828,
        safe_area=0.125,
    ),
    # IngramSpark, "File Creation Guide" and "File Requirements for Print Books": margins at least
    # 0.5 in from the trim on every side; bleed 0.125 in; cream ("creme") and white stocks within a
    # hair of KDP's factors (its cover template generator is the final word); 18 pages at least.
    # Its guides give no spine-text page minimum: we keep text off books under 100 pages (a
    # 0.225–0.25in spine), about the common prepress floor for legible spine type.
    "ingramspark": Printer(
        "ingramspark",
        "IngramSpark",
        papers={"white": 0.002252, "cream": 0.0025, "groundwood": 0.0027},
        spine_allowance=0.0,
        bleed=0.125,
        spine_text_min_pages=100,
        spine_clearance=0.0625,
        inside_margins=((150, 0.5), (400, 0.625), (600, 0.75), (10**9, 0.875)),
        outside_min=0.5,
        outside_min_bleed=0.5,
        min_pages=18,
        max_pages=1200,
        safe_area=0.125,
    ),
    # Lulu, "Book Creation Guide" and its spine width calculator: paperback spine = pages ÷ 444 +
    # 0.06 in; 32 pages at least, 800 at most; spine text from 80 pages; 0.125 in bleed; 0.5 in
    # safety margin, plus a gutter addition that grows with the page count (we take the sum).
    "lulu": Printer(
        "lulu",
        "Lulu",
        papers={"white": 1 / 444, "cream": 1 / 444},
        spine_allowance=0.06,
        bleed=0.125,
        spine_text_min_pages=80,
        spine_clearance=0.0625,
        inside_margins=((60, 0.5), (150, 0.625), (400, 1.0), (600, 1.125), (10**9, 1.25)),
        outside_min=0.5,
        outside_min_bleed=0.5,
        min_pages=32,
        max_pages=800,
        safe_area=0.25,
    ),
    # No printer named: KDP's papers and margin table (the strictest common numbers for the
    # gutter), no page-count limits, spine text from 80 pages.
    "generic": Printer(
        "generic",
        "a generic printer",
        papers={"white": 0.002252, "cream": 0.0025},
        spine_allowance=0.0,
        bleed=0.125,
        spine_text_min_pages=80,
        spine_clearance=0.0625,
        inside_margins=_KDP_INSIDE,
        outside_min=0.25,
        outside_min_bleed=0.375,
        min_pages=1,
        max_pages=10**9,
        safe_area=0.125,
    ),
}

PAPERS = tuple(dict.fromkeys(paper for printer in PRINTERS.values() for paper in printer.papers))
BINDINGS = ("paperback",)


def printer_named(name: str) -> Printer:
    return PRINTERS[name]
