"""bookforge's own checks of built files: the EPUB's links and contents, the PDF's fonts and pages."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..diagnostics import Diagnostic
from ..errors import ManuscriptError
from ..zipsafe import read_members


def _problem(code: str, message: str, where: str | None = None, *, severity: str | None = None) -> Diagnostic:
    """A built file's problem (`bookforge check` names the file); `where` is a path inside the EPUB
    or a page of the PDF, said first."""
    return Diagnostic.of(code, f"{where}: {message}" if where else message, severity=severity)


_XHTML = "{http://www.w3.org/1999/xhtml}"
_PARSED = (".xml", ".opf", ".xhtml", ".html", ".htm", ".ncx")  # the members the checks read


def check_epub(path: Path, story_titles: list[str]) -> list[Diagnostic]:
    """Container, reading order, links and contents of a built EPUB."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as listing:  # the order of entries; nothing inflated here
            infos = listing.infolist()
        # What the checks read, inflated within the bomb-proof reader's limits (a file in build/
        # may not be the one bookforge wrote).
        members = read_members(
            path.read_bytes(), str(path), "EPUB", wanted=lambda name: name == "mimetype" or name.endswith(_PARSED)
        )
    except (zipfile.BadZipFile, OSError) as exc:
        return [_problem("E101", f"not a zip archive: {exc}")]
    except ManuscriptError as exc:
        return [_problem("E101", exc.message)]
    names = {info.filename for info in infos}
    first = infos[0] if infos else None
    if first is None or first.filename != "mimetype" or members.get("mimetype") != b"application/epub+zip":
        return [_problem("E101", "the first entry is not an uncompressed 'mimetype' of application/epub+zip")]
    try:
        container = etree.fromstring(members["META-INF/container.xml"])
        opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        opf = etree.fromstring(members[opf_path])
    except (KeyError, IndexError, etree.XMLSyntaxError) as exc:
        return [_problem("E101", f"no readable package document: {exc}")]
    base = posixpath.dirname(opf_path)
    manifest = {}
    for item in opf.xpath("//*[local-name()='manifest']/*[local-name()='item']"):
        manifest[item.get("id")] = (posixpath.normpath(posixpath.join(base, item.get("href", ""))), item)
    problems: list[Diagnostic] = []
    for item_id, (full, _) in manifest.items():
        if full not in names:
            problems.append(_problem("E103", f"manifest item {item_id} is missing", full))

    documents: dict[str, etree._Element] = {}
    spine = [manifest[ref][0] for ref in opf.xpath("//*[local-name()='itemref']/@idref") if ref in manifest]
    xhtml = [full for full, item in manifest.values() if item.get("media-type") == "application/xhtml+xml"]
    for full in dict.fromkeys(spine + xhtml):
        if full not in names:
            continue
        try:
            documents[full] = etree.fromstring(members[full])
        except etree.XMLSyntaxError as exc:
            problems.append(_problem("E102", f"does not parse: {exc}", full))

    ids = {full: set(root.xpath("//@id")) for full, root in documents.items()}
    for full, root in documents.items():
        folder = posixpath.dirname(full)
        for element in root.iter():
            for attribute in ("href", "src"):
                target = element.get(attribute)
                if not target:
                    continue
                parts = urlsplit(target)
                if parts.scheme or target.startswith("//"):
                    continue  # a web link: not part of the package
                file = posixpath.normpath(posixpath.join(folder, unquote(parts.path))) if parts.path else full
                if file not in names:
                    problems.append(_problem("E103", f"'{target}' points at a file the EPUB does not hold", full))
                elif parts.fragment and file in ids and parts.fragment not in ids[file]:
                    problems.append(_problem("E103", f"'{target}' points at an id the document does not have", full))

    nav = [full for full, item in manifest.values() if "nav" in (item.get("properties") or "").split()]
    if not nav or nav[0] not in documents:
        problems.append(_problem("E104", "no navigation document"))
    else:
        listed = " ".join("".join(a.itertext()) for a in documents[nav[0]].iter(f"{_XHTML}a"))
        for title in story_titles:
            if title not in listed:
                problems.append(_problem("E104", f"the contents does not list “{title}”", nav[0]))
    return problems


def check_pdf(path: Path, story_titles: list[str], trim: tuple[float, float], bleed: float) -> list[Diagnostic]:
    """Fonts, page size, outline and page count of a built PDF."""
    import pypdf

    try:
        reader = pypdf.PdfReader(path)
        pages = reader.pages
        count = len(pages)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        return [_problem("P104", f"not a readable PDF: {exc}")]
    problems: list[Diagnostic] = []
    if count < max(1, len(story_titles)):
        problems.append(_problem("P104", f"{count} pages for {len(story_titles)} stories"))
    elif count % 2:
        # Every sheet has two sides: printers add a blank page, which may not be where it is wanted.
        problems.append(
            _problem("P104", f"an odd number of pages ({count}); a printed book has an even one", severity="warning")
        )
    seen_fonts: set[int] = set()
    for number, page in enumerate(pages, start=1):
        box = page.trimbox
        size = (float(box.width), float(box.height))
        if abs(size[0] - trim[0]) > 0.6 or abs(size[1] - trim[1]) > 0.6:
            problems.append(
                _problem(
                    "P102",
                    f"page {number} is {size[0]:.1f}×{size[1]:.1f} pt, the trim is {trim[0]:.1f}×{trim[1]:.1f} pt",
                    f"page {number}",
                )
            )
            break
        media = page.mediabox
        expected = (trim[0] + 2 * bleed, trim[1] + 2 * bleed)
        if bleed and (float(media.width) + 0.6 < expected[0] or float(media.height) + 0.6 < expected[1]):
            problems.append(
                _problem("P102", f"page {number} has no room for the {bleed:.1f} pt bleed", f"page {number}")
            )
            break
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for reference in fonts.values():
            if getattr(reference, "idnum", None) in seen_fonts:
                continue
            seen_fonts.add(getattr(reference, "idnum", id(reference)))
            font = reference.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(_problem("P101", f"font {font.get('/BaseFont')} is not embedded", f"page {number}"))
    titles: list[str] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    missing = [title for title in story_titles if title not in titles]
    if missing:
        problems.append(_problem("P103", "the outline lacks " + ", ".join(f"“{t}”" for t in missing[:3])))
    return problems


_PDFX_ID = re.compile(rb"GTS_PDFXVersion[^>]*>\s*PDF/X-|GTS_PDFXVersion\s*=\s*[\"']PDF/X-")


def check_print_pdf(path: Path, trim: tuple[float, float], bleed: float, tolerance: float = 0.72) -> list[Diagnostic]:
    """What a printer's preflight asks of a PDF/X file, interior or cover (lengths in points):
    a CMYK output intent and the PDF/X identification (P105), and on every page a TrimBox of the
    trim size with a BleedBox `bleed` beyond it on each side (P106), within `tolerance` points
    (0.01in by default; a cover's spine is held closer: one page changes it by 0.16pt)."""
    import pypdf

    try:
        reader = pypdf.PdfReader(path)
        root = reader.trailer["/Root"]
        pages = reader.pages
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        return [_problem("P104", f"not a readable PDF: {exc}")]
    problems = _output_intent_problems(reader, root)
    for number, page in enumerate(pages, start=1):
        problem = _box_problem(page, trim, bleed, tolerance)
        if problem:
            # One page says it: the boxes come from one stylesheet, so the rest are alike.
            problems.append(_problem("P106", problem, f"page {number}"))
            break
    seen: set = set()
    for number, page in enumerate(pages, start=1):
        found = _rgb_in(page.get("/Resources"), _contents(page), seen)
        if found:
            problems.append(_problem("P107", f"{found} in plain RGB", f"page {number}"))
            break  # one place is enough to send the file back
    return problems


# A colour set with `r g b rg` (fill) or `RG` (stroke), or the DeviceRGB space chosen by name.
_RGB_OPERATOR = re.compile(rb"(?:^|[\s\]])(?:-?[\d.]+\s+){3}(rg|RG)(?=[\s/\[]|$)|/DeviceRGB\s+(?:cs|CS)\b")


def _contents(page) -> bytes:
    try:
        contents = page.get_contents()
        return contents.get_data() if contents is not None else b""
    except Exception:  # noqa: BLE001 - an unreadable stream: P104's business
        return b""


def _rgb_in(resources, content: bytes, seen: set) -> str | None:
    """What draws in DeviceRGB in a content stream and the resources it uses (forms recursively):
    "text or shapes", "a picture", or None."""
    if _RGB_OPERATOR.search(content):
        return "text or shapes"
    resources = resources.get_object() if resources is not None else {}
    for space in (resources.get("/ColorSpace") or {}).values():
        if space.get_object() == "/DeviceRGB":
            return "a colour space"
    for reference in (resources.get("/XObject") or {}).values():
        key = getattr(reference, "idnum", None)
        if key is not None and key in seen:
            continue
        seen.add(key)
        xobject = reference.get_object()
        if xobject.get("/Subtype") == "/Image":
            if xobject.get("/ColorSpace") == "/DeviceRGB":
                return "a picture"
        elif xobject.get("/Subtype") == "/Form":
            found = _rgb_in(xobject.get("/Resources"), xobject.get_data(), seen)
            if found:
                return found
    for pattern in (resources.get("/Shading") or {}).values():
        if pattern.get_object().get("/ColorSpace") == "/DeviceRGB":
            return "a gradient"
    return None


def _output_intent_problems(reader, root) -> list[Diagnostic]:
    problems = []
    intents = root.get("/OutputIntents")
    intents = intents.get_object() if intents is not None else []
    spaces = []
    for intent in intents:
        intent = intent.get_object()
        if intent.get("/S") != "/GTS_PDFX":
            continue
        profile = intent.get("/DestOutputProfile")
        try:
            spaces.append(profile.get_object().get_data()[16:20] if profile is not None else b"")
        except Exception:  # noqa: BLE001 - an unreadable profile is as good as none
            spaces.append(b"")
    if not spaces:
        problems.append(_problem("P105", "no PDF/X output intent (the printing condition the colours are meant for)"))
    elif b"CMYK" not in spaces:
        problems.append(_problem("P105", "the PDF/X output intent's profile is not a CMYK one"))
    # PDF/X-1a and X-3 name their version in the document information, X-4 in the XMP metadata.
    info = reader.trailer.get("/Info")
    info = info.get_object() if info is not None else {}
    named = str(info.get("/GTS_PDFXVersion", "")).startswith("PDF/X-")
    if not named:
        metadata = root.get("/Metadata")
        try:
            named = metadata is not None and bool(_PDFX_ID.search(metadata.get_object().get_data()))
        except Exception:  # noqa: BLE001 - pypdf raises many kinds on a damaged XMP stream; it names nothing then
            named = False
    if not named:
        problems.append(_problem("P105", "no PDF/X identification (GTS_PDFXVersion)"))
    return problems


def _box_problem(page, trim: tuple[float, float], bleed: float, tolerance: float) -> str | None:
    from pypdf.generic import RectangleObject

    if "/TrimBox" not in page:
        return "no TrimBox (PDF/X needs one on every page)"
    box = RectangleObject(page["/TrimBox"])
    width, height = float(box.width), float(box.height)
    if abs(width - trim[0]) > tolerance or abs(height - trim[1]) > tolerance:
        return (
            f"the TrimBox is {width / 72:.3f}×{height / 72:.3f} in, the trim is "
            f"{trim[0] / 72:.3f}×{trim[1] / 72:.3f} in"
        )
    # Without a BleedBox a reader takes the CropBox, then the MediaBox (PDF 32000, 14.11.2).
    bleed_box = RectangleObject(page["/BleedBox"]) if "/BleedBox" in page else page.cropbox
    edges = (
        float(box.left) - float(bleed_box.left),
        float(box.bottom) - float(bleed_box.bottom),
        float(bleed_box.right) - float(box.right),
        float(bleed_box.top) - float(box.top),
    )
    if any(abs(edge - bleed) > tolerance for edge in edges):
        shown = ", ".join(f"{edge / 72:.3f}" for edge in edges)
        return (
            f"the BleedBox reaches {shown} in past the trim (left, bottom, right, top); "
            f"the bleed is {bleed / 72:.3f} in"
        )
    return None


def pdf_page_count(path: Path) -> int | None:
    """The number of pages, or None for a file pypdf cannot read."""
    import pypdf

    try:
        return len(pypdf.PdfReader(path).pages)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        return None
