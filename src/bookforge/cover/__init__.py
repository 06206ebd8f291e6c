"""The book's cover: the one book.toml names (checked, made RGB JPEG when needed) or a generated one."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from PIL import __version__ as pillow_version

from .. import __version__
from ..diagnostics import Diagnostics
from ..errors import BuildError
from ..model import Book
from ..names import slugify
from ..output import atomic_output, replace_bytes
from ..pipeline import load_book
from ..project import Project, resolve_inside
from ..render.documents import join_names
from ..render.labels import labels_for
from ..themes import Theme, project_theme
from .art import HEIGHT, WIDTH, CoverText, draw_cover, unrenderable

# A cover shorter than this looks soft on a phone and is refused by some stores' checks.
MIN_HEIGHT = 1000
# Kindle, Kobo and Apple Books all show covers best at 1:1.6; outside this range readers crop or pad.
ASPECT_RANGE = (1.4, 1.8)
_DEFAULT_COLOURS = {"ink": "#1a1a1a", "paper": "#f6f1e7", "accent": "#7a2e1f"}


@dataclass(frozen=True)
class CoverImage:
    """The cover as the EPUB and the PDF take it: RGB JPEG bytes and their size in pixels."""

    data: bytes
    width: int
    height: int
    generated: bool
    alt: str  # the image's text alternative: the title and the names on the cover
    source: str | None = None  # the file book.toml names (None when generated)

    media_type: str = "image/jpeg"


def book_cover(project: Project, book: Book, theme: Theme, diagnostics: Diagnostics) -> CoverImage | None:
    """The cover for this build, or None when book.toml says `cover = false`."""
    if book.cover is False:
        return None
    text = cover_text(book, theme)
    alt = book.title + (f", {text.names}" if text.names else "")
    if isinstance(book.cover, str):  # a file named in book.toml (never empty: config refuses that)
        data, width, height = supplied_cover(project, book.cover, diagnostics)
        return CoverImage(data, width, height, False, alt, book.cover)
    missing = unrenderable(text)
    if missing:
        own_cover = (
            'name your own cover: [book] cover = "cover.jpg"'
            if project.config_path is not None
            else "make a project (`bookforge new`) and name your own cover in its book.toml"
        )
        diagnostics.warn(
            "V003",
            f"no installed font has {_sample(missing)}; the generated cover shows boxes for them",
            path="book.toml" if project.config_path is not None else None,
            hint=f"install a font for that script (e.g. Noto), or {own_cover}",
        )
    return CoverImage(generated_cover(project, text), WIDTH, HEIGHT, True, alt)


def _sample(characters: str) -> str:
    shown = " ".join(f"{c} (U+{ord(c):04X})" for c in characters[:3])
    return shown + (f" and {len(characters) - 3} more" if len(characters) > 3 else "")


def cover_text(book: Book, theme: Theme) -> CoverText:
    labels = labels_for(book.language)
    if book.editors:
        label, names = labels["edited_by"], join_names(book.editors, book.language)
    else:
        label, names = "", join_names(book.authors or book.story_authors(), book.language)
    # themes.py checked theme.toml's colours when it read them, each at its line.
    colours = {key: theme.settings.get(key, default) for key, default in _DEFAULT_COLOURS.items()}
    return CoverText(book.title, book.subtitle or "", label, names, book.publisher or "", book.language, **colours)


def generated_cover(project: Project, text, image_format: str = "JPEG") -> bytes:
    """Draw the cover, or take it from build/.cache when these words and colours were drawn before."""
    key = hashlib.sha256(
        repr((sorted(asdict(text).items()), image_format, __version__, pillow_version, _art_digest())).encode()
    ).hexdigest()[:24]
    folder = project.cache_dir("cover")
    cached = folder / f"{key}.{image_format.lower()}"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    data = draw_cover(text, image_format)
    try:  # a cache that cannot be written only costs time
        folder.mkdir(parents=True, exist_ok=True)
        replace_bytes(cached, data)
    except OSError:
        pass
    return data


@lru_cache(maxsize=1)
def _art_digest() -> str:
    """The drawing code itself is part of the cache key: a new look is never hidden by an old file."""
    return hashlib.sha256(Path(__file__).with_name("art.py").read_bytes()).hexdigest()[:12]


def supplied_cover(project: Project, relative: str, diagnostics: Diagnostics) -> tuple[bytes, int, int]:
    """Check the cover book.toml names; RGB baseline JPEG bytes (converted only when needed)."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # 60 ms, paid only for a picture to open

    path = resolve_inside(project.root, relative, "cover", line=None)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read the cover: {exc.strerror}", path=relative) from None
    try:
        with warnings.catch_warnings():  # a large picture is measured below, not warned about by Pillow
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            image.load()
    except Image.DecompressionBombError:
        size = _declared_size(raw)
        raise BuildError(
            f"the cover is {size} pixels, more than bookforge opens (a picture that size could exhaust memory)",
            path=relative,
            hint="resize it: 1600×2560 px suits e-readers, 300 ppi of the trim suits print "
            "(e.g. 1688×2625 px for 5.5×8.5in with bleed)",
        ) from None
    except (UnidentifiedImageError, OSError):
        raise BuildError(
            "the cover is not an image bookforge can read (damaged, or not really a picture)",
            path=relative,
            hint="open it in an image editor and save it as JPEG or PNG",
        ) from None
    if image.format not in ("JPEG", "PNG"):
        raise BuildError(
            f"the cover must be a JPEG or PNG image, not {image.format}",
            path=relative,
            hint="save it as JPEG (best for photographs) or PNG",
        )
    upright = image.getexif().get(0x0112, 1) == 1  # EXIF orientation: a phone photo may be turned
    oriented = image if upright else ImageOps.exif_transpose(image)
    width, height = oriented.size
    if height < MIN_HEIGHT:
        diagnostics.warn(
            "V001",
            f"the cover is only {width}×{height} px; it will look soft on e-readers",
            path=relative,
            hint="use a cover at least 1600×2560 px (1000 px tall at the very least)",
        )
    ratio = height / width
    if not ASPECT_RANGE[0] <= ratio <= ASPECT_RANGE[1]:
        diagnostics.warn(
            "V002",
            f"the cover's shape is 1:{ratio:.2f}; e-readers expect about 1:1.6 and will crop or pad it",
            path=relative,
            hint="resize or crop it to 1600×2560 px",
        )
    if image.format == "JPEG" and image.mode in ("RGB", "L") and upright:
        return raw, width, height  # already what every reader takes: keep the publisher's bytes
    if oriented.mode in ("RGBA", "LA", "P", "PA") or "transparency" in oriented.info:
        rgba = oriented.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        oriented = flat
    out = io.BytesIO()
    oriented.convert("RGB").save(out, "JPEG", quality=92, optimize=True, progressive=False)
    return out.getvalue(), width, height


def _declared_size(raw: bytes) -> str:
    """The width × height a picture's header claims, read without decoding it."""
    from PIL import Image  # (as in supplied_cover)

    Image.MAX_IMAGE_PIXELS, limit = None, Image.MAX_IMAGE_PIXELS  # only the header is read here
    try:
        width, height = Image.open(io.BytesIO(raw)).size
        return f"{width}×{height}"
    except Exception:  # noqa: BLE001 - the size is only for the message
        return "too many"
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def write_cover(
    project: Project, diagnostics: Diagnostics, *, png: bool = False, output: Path | None = None
) -> tuple[Path, int, int]:
    """`bookforge cover`: the cover as its own file, for a store's upload form or a web page."""
    book = load_book(project, diagnostics)
    theme = project_theme(project)
    if book.cover is False:
        book.cover = None  # asked for by name: `cover = false` only keeps it out of the books
    cover = book_cover(project, book, theme, diagnostics)
    assert cover is not None  # only `cover = false` gives none, and it was set aside above
    data = cover.data
    if png:
        if cover.generated:
            data = generated_cover(project, cover_text(book, theme), "PNG")
        else:
            from PIL import Image  # (as above)

            out = io.BytesIO()
            Image.open(io.BytesIO(cover.data)).save(out, "PNG", optimize=True)
            data = out.getvalue()
    suffix = "-cover.png" if png else "-cover.jpg"
    target = (
        Path(output).absolute()
        if output
        else (project.root / project.config.build.output / (slugify(project.config.title) + suffix))
    )
    with atomic_output(target, project.rel(target)) as handle:
        handle.write(data)
    return target, cover.width, cover.height
