"""Pictures the sanitiser has to empty: an SVG picture embedded as a data: address can carry scripts,
and an address that merely looks like one that runs code (`…?from=about:blank`) is refused too, so
lxml_html_clean blanks their src; each one is said (M005) rather than lost without a word."""

from __future__ import annotations

from ..diagnostics import Diagnostics


def image_sources(root) -> dict:
    """Each <img> with a src, before the sanitiser runs: img → its src."""
    return {img: img.get("src").strip() for img in root.iter("img") if (img.get("src") or "").strip()}


def report_emptied(sources: dict, rel: str, diagnostics: Diagnostics) -> None:
    """Say every picture whose src the sanitiser took away (a javascript: one is H001's)."""
    for img, src in sources.items():
        lowered = src.lower()
        if (img.get("src") or "").strip() or lowered.startswith(("javascript:", "vbscript:")):
            continue
        if lowered.startswith("data:"):
            what = (
                "an embedded SVG picture, which can carry scripts,"
                if "svg" in lowered[:40]
                else "an embedded picture that is not a PNG, JPEG, GIF or WebP image"
            )
        else:
            what = f"the picture {src[:80]}, whose address looks like one that runs code,"
        alt = " ".join((img.get("alt") or "").split())
        diagnostics.warn(
            "M005",
            f"{what} is not put in a book" + (f" (its alternative text: “{alt}”)" if alt else ""),
            path=rel,
            line=img.sourceline or 1,
            hint='save the picture as a PNG or JPEG file beside the page and link it with <img src="…">',
        )
