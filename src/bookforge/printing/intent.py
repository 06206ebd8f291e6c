"""The PDF/X output intent: the CMYK ICC profile book.toml names, checked and handed to WeasyPrint."""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

from ..config import PdfConfig
from ..errors import ConfigError
from ..project import CONFIG_NAME, output_intent_path


def is_pdfx(variant: str | None) -> bool:
    return variant is not None and variant.startswith("pdf/x")


def output_intent_profile(root: Path, config: PdfConfig) -> bytes | None:
    """The CMYK ICC profile `[pdf] output-intent` names, checked (None when none is named)."""
    named = config.output_intent
    if not named:
        return None
    return _profile(output_intent_path(root, config), named, config.line_of.get("output-intent"))


def output_intent(root: Path, config: PdfConfig) -> tuple[str, bytes] | None:
    """The profile `[pdf] output-intent` names, as WeasyPrint's `@color-profile device-cmyk` rule
    and as bytes (for the colours drawn through it); None when book.toml names none.

    The profile travels as a data: URI, so WeasyPrint's fetcher needs no new folder to read from;
    an absolute path is the user's own choice (a system profile), a relative one stays in the project.
    """
    data = output_intent_profile(root, config)
    if data is None:
        return None
    encoded = base64.b64encode(data).decode("ascii")
    # WeasyPrint writes a profile's /N from its components: without them it cannot embed it at all.
    rule = (
        f"@color-profile device-cmyk {{ src: url(data:application/vnd.iccprofile;base64,{encoded}); "
        "components: cyan, magenta, yellow, black }\n"
    )
    return rule, data


@lru_cache(maxsize=4)
def _read(path: Path) -> bytes:
    return path.read_bytes()


def _profile(path: Path, named: str, line: int | None) -> bytes:
    try:
        data = _read(path)
    except OSError as exc:
        raise ConfigError(
            f"[pdf] output-intent: cannot read {named}: {exc.strerror or exc}",
            path=CONFIG_NAME,
            line=line,
            hint="name a CMYK ICC profile (.icc) from your printer",
        ) from None
    # An ICC header: the signature 'acsp' at byte 36, the data colour space at bytes 16–20.
    if len(data) < 128 or data[36:40] != b"acsp":
        raise ConfigError(
            f"[pdf] output-intent: {named} is not an ICC profile",
            path=CONFIG_NAME,
            line=line,
            hint="name the .icc file your printer gives (e.g. GRACoL, SWOP or FOGRA39)",
        )
    if data[16:20] != b"CMYK":
        space = data[16:20].decode("ascii", "replace").strip()
        raise ConfigError(
            f"[pdf] output-intent: {named} is a {space} profile; PDF/X needs a CMYK one",
            path=CONFIG_NAME,
            line=line,
            hint="name the printer's CMYK profile (e.g. GRACoL, SWOP or FOGRA39)",
        )
    return data
