"""PDF/X colour: CSS colours and pictures turned into the output intent's CMYK before WeasyPrint draws.

A PDF/X file promises the printer one printing condition (its CMYK output intent); colour drawn in
plain RGB breaks that promise and fails a preflight. WeasyPrint draws what the CSS says, so the
CSS says CMYK: `device-cmyk()` colours computed through the printer's own profile, neutral greys
(body text above all) as black ink alone, never a four-ink "rich" black; and pictures are
separated through the same profile as they are fetched.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache

# Pillow's ImageCms and tinycss2 are imported where a CMYK output intent is used: the PDF backend
# imports this module for every build, and only a PDF/X one with a profile converts colours.

# Properties whose values may hold a colour; only these are rewritten (a colour name elsewhere,
# `white-space: nowrap` or `content: "black"`, is left alone).
_COLOUR_PROPERTIES = frozenset(
    {
        "color",
        "background",
        "background-color",
        "border",
        "border-color",
        "border-top",
        "border-right",
        "border-bottom",
        "border-left",
        "border-top-color",
        "border-right-color",
        "border-bottom-color",
        "border-left-color",
        "border-block",
        "border-inline",
        "outline",
        "outline-color",
        "text-decoration",
        "text-decoration-color",
        "column-rule",
        "column-rule-color",
        "fill",
        "stroke",
        "box-shadow",
        "text-shadow",
        "caret-color",
        "text-emphasis-color",
        "stop-color",
        "flood-color",
        "lighting-color",
    }
)
_DECLARATION = re.compile(r"(?<![\w-])([a-zA-Z-]+)(\s*:\s*)([^;{}]+)")
_STYLE_ATTRIBUTE = re.compile(r'(\sstyle=")([^"]*)(")')
_SVG_PAINT = re.compile(r'(\s(?:fill|stroke|stop-color)=")([^"]*)(")')
# Every PDF/X stylesheet starts here: the root's default colour (text, rules, ornaments that say
# no colour of their own) is black ink alone, never the RGB black a browser assumes.
BLACK_TEXT = "html { color: device-cmyk(0 0 0 1) }\n"
_PICTURES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff")


class CmykConverter:
    """Turns RGB into the output intent's CMYK: colour values in CSS, HTML and SVG, and pictures."""

    def __init__(self, profile: bytes) -> None:
        from PIL import ImageCms

        self._profile = profile
        output = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        # Relative colorimetric: in-gamut colours print as specified, the paper's white is white.
        self._separated: dict[tuple[int, int, int], tuple[float, float, float, float]] = {}
        self._transform = ImageCms.buildTransform(
            ImageCms.createProfile("sRGB"), output, "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC
        )

    # -- colour values ------------------------------------------------------------------------

    def css(self, text: str) -> str:
        """A stylesheet with every colour in a colour property written as device-cmyk()."""
        return _DECLARATION.sub(self._declaration, text)

    def html(self, text: str) -> str:
        """The same for inline `style` attributes and SVG paint attributes."""
        text = _STYLE_ATTRIBUTE.sub(lambda m: m.group(1) + self.css(m.group(2)) + m.group(3), text)
        return _SVG_PAINT.sub(lambda m: m.group(1) + self.value(m.group(2)) + m.group(3), text)

    def _declaration(self, match: re.Match) -> str:
        name, colon, value = match.groups()
        if name.lower() not in _COLOUR_PROPERTIES:
            return match.group(0)
        return name + colon + self.value(value)

    def value(self, value: str) -> str:
        """One property value with its colours in CMYK (everything else as written)."""
        import tinycss2
        from tinycss2.color4 import parse_color

        tokens = tinycss2.parse_component_value_list(value)
        changed = False
        for index, token in enumerate(tokens):
            if token.type not in ("ident", "hash", "function"):
                continue
            colour = parse_color(token)
            if colour is None or isinstance(colour, str) or colour.space == "device-cmyk":
                continue  # not a colour, currentColor, or CMYK already
            red, green, blue = (max(0.0, min(1.0, c)) for c in colour.to("srgb").coordinates)
            tokens[index] = _Raw(self.device_cmyk(red, green, blue, colour.alpha))
            changed = True
        return tinycss2.serialize(tokens) if changed else value

    def device_cmyk(self, red: float, green: float, blue: float, alpha: float = 1.0) -> str:
        c, m, y, k = self.separate(round(red * 255), round(green * 255), round(blue * 255))
        shown = " ".join(f"{part:.4g}" for part in (c, m, y, k))
        return f"device-cmyk({shown}{f' / {alpha:.4g}' if alpha < 1 else ''})"

    def separate(self, red: int, green: int, blue: int) -> tuple[float, float, float, float]:
        """CMYK fractions for an sRGB colour: a grey is black ink alone; a colour, the profile's
        (each colour once: a stylesheet names the same few many times)."""
        key = (red, green, blue)
        if key not in self._separated:
            self._separated[key] = self._separate(red, green, blue)
        return self._separated[key]

    def _separate(self, red: int, green: int, blue: int) -> tuple[float, float, float, float]:
        if red == green == blue:
            return 0.0, 0.0, 0.0, round(1 - red / 255, 4)
        from PIL import Image

        pixel = self._transform.apply(Image.new("RGB", (1, 1), (red, green, blue))).getpixel((0, 0))
        if not isinstance(pixel, tuple) or len(pixel) != 4:  # pragma: no cover - a CMYK pixel is four inks
            raise TypeError(f"not a CMYK pixel: {pixel!r}")
        cyan, magenta, yellow, black = (round(part / 255, 4) for part in pixel)
        return cyan, magenta, yellow, black

    # -- pictures -----------------------------------------------------------------------------

    def picture(self, data: bytes, mime: str) -> tuple[bytes, str]:
        """A raster picture separated to CMYK (a JPEG); anything else as it was."""
        if mime not in _PICTURES:
            return data, mime
        from PIL import Image

        try:
            image: Image.Image = Image.open(io.BytesIO(data))
            image.load()
        except Exception:  # noqa: BLE001 - WeasyPrint will say what is wrong with it
            return data, mime
        if image.mode == "CMYK":
            return data, mime
        if image.mode in ("RGBA", "LA", "PA", "P") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")  # printed on white paper
            image.paste(rgba, mask=rgba.getchannel("A"))
        if image.mode == "L":
            image = image.convert("RGB")
        separated = self._transform.apply(image.convert("RGB"))
        out = io.BytesIO()
        separated.save(out, "JPEG", quality=95, subsampling=0)
        return out.getvalue(), "image/jpeg"


class _Raw:
    """A token that serialises as the text given (tinycss2 has no node for a new function)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.type = "raw"

    def serialize(self) -> str:
        return self.text

    def _serialize_to(self, write) -> None:
        write(self.text)


@lru_cache(maxsize=2)
def converter_for(profile: bytes) -> CmykConverter:
    return CmykConverter(profile)
