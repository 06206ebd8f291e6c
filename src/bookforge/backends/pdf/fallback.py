"""The right installed CJK face for each language: fontconfig rules for WeasyPrint's fallback.

Chinese, Japanese and Korean share most code points but not glyph shapes, and one installed font
family (Noto Serif CJK, Source Han Serif) ships a face per region. When the bundled face lacks a
character, Pango asks fontconfig for the fonts of the text's family list ("bookforge-serif",
serif) and its language (the `lang` of the element). Left alone, fontconfig often picks the
Japanese or the sans-serif face for Chinese (Debian's rules know `zh-cn` but not `zh`).

So, for a book with CJK text, bookforge adds rules that put the region's face (Noto Serif CJK SC
for `zh`, JP for `ja`, KR for `ko`, TC for `zh-Hant`/`zh-TW`…) before the generic family, per
language of the book; text in another language (the contents of an English book listing a
Chinese title) gets the book's first CJK language. No CSS changes: a stylesheet that names a
family of its own still wins, and the running heads, set in page margins, get the rules too.

Pango applies pattern rules from fontconfig's *current* configuration (not WeasyPrint's own), so
the rules go into a copy of the system configuration made current for the build; a book without
CJK text puts the system's configuration back. Each distinct set of rules is loaded once per
process.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Families to try, best first, per region and generic family. Missing ones are skipped by
# fontconfig; the generic family (and fontconfig's own choice) follows them.
_FAMILIES: dict[str, dict[str, tuple[str, ...]]] = {
    "serif": {
        "SC": (
            "Noto Serif CJK SC",
            "Noto Serif SC",
            "Source Han Serif SC",
            "Source Han Serif CN",
            "Songti SC",
            "SimSun",
        ),
        "TC": (
            "Noto Serif CJK TC",
            "Noto Serif TC",
            "Source Han Serif TC",
            "Source Han Serif TW",
            "Songti TC",
            "PMingLiU",
        ),
        "HK": ("Noto Serif CJK HK", "Noto Serif HK", "Source Han Serif HC", "Source Han Serif HK", "Noto Serif CJK TC"),
        "JP": (
            "Noto Serif CJK JP",
            "Noto Serif JP",
            "Source Han Serif",
            "Source Han Serif JP",
            "Hiragino Mincho ProN",
            "IPAexMincho",
            "IPAMincho",
            "Yu Mincho",
            "MS Mincho",
        ),
        "KR": (
            "Noto Serif CJK KR",
            "Noto Serif KR",
            "Source Han Serif K",
            "Source Han Serif KR",
            "AppleMyungjo",
            "UnBatang",
            "Batang",
        ),
    },
    "sans-serif": {
        "SC": (
            "Noto Sans CJK SC",
            "Noto Sans SC",
            "Source Han Sans SC",
            "Source Han Sans CN",
            "PingFang SC",
            "Microsoft YaHei",
        ),
        "TC": (
            "Noto Sans CJK TC",
            "Noto Sans TC",
            "Source Han Sans TC",
            "Source Han Sans TW",
            "PingFang TC",
            "Microsoft JhengHei",
        ),
        "HK": (
            "Noto Sans CJK HK",
            "Noto Sans HK",
            "Source Han Sans HC",
            "Source Han Sans HK",
            "PingFang HK",
            "Noto Sans CJK TC",
        ),
        "JP": (
            "Noto Sans CJK JP",
            "Noto Sans JP",
            "Source Han Sans",
            "Source Han Sans JP",
            "Hiragino Sans",
            "IPAexGothic",
            "IPAGothic",
            "Yu Gothic",
            "Meiryo",
        ),
        "KR": (
            "Noto Sans CJK KR",
            "Noto Sans KR",
            "Source Han Sans K",
            "Source Han Sans KR",
            "Apple SD Gothic Neo",
            "UnDotum",
            "Malgun Gothic",
        ),
    },
    "monospace": {region: (f"Noto Sans Mono CJK {region}",) for region in ("SC", "TC", "HK", "JP", "KR")},
}

_LANG = re.compile(r"""\blang\s*=\s*["']([A-Za-z0-9-]{2,35})["']""")


def cjk_region(lang: str) -> str | None:
    """The CJK region whose glyph shapes a language tag wants ("SC", "TC", "HK", "JP", "KR"), or None."""
    parts = lang.lower().replace("_", "-").split("-")
    primary, rest = parts[0], set(parts[1:])
    if primary in ("ja", "jpn"):
        return "JP"
    if primary in ("ko", "kor"):
        return "KR"
    if primary in ("zh", "zho", "chi", "cmn", "yue", "lzh", "nan", "hak", "wuu"):
        if "hk" in rest:
            return "HK"
        if "hant" in rest or rest & {"tw", "mo"} or (primary == "yue" and "hans" not in rest):
            return "TC"
        return "SC"
    return None


def languages_in(texts, first: tuple[str, ...] = ()) -> list[str]:
    """Language tags in order of first use: `first` (the book's, the stories'), then every
    `lang="…"` attribute of the texts."""
    seen: dict[str, None] = {}
    for tag in first:
        if tag:
            seen.setdefault(tag, None)
    for text in texts:
        for tag in _LANG.findall(text):
            seen.setdefault(tag, None)
    return list(seen)


# The language CJK text without a CJK language tag is most likely in, by its scripts: kana only
# Japanese has, Hangul only Korean, Bopomofo is Taiwan's; Han alone is read as Chinese.
_LANGUAGE_OF_SCRIPTS = (("Hira", "ja"), ("Kana", "ja"), ("Hang", "ko"), ("Bopo", "zh-Hant"), ("Hani", "zh"))


def language_of_scripts(scripts) -> str | None:
    """A language tag for CJK characters whose passage names no CJK language (a Japanese sentence
    in an English story), from the scripts they are in; None without CJK."""
    return next((tag for script, tag in _LANGUAGE_OF_SCRIPTS if script in scripts), None)


def rules_for(languages: list[str], scripts=()) -> str:
    """fontconfig rules (XML) preferring each CJK language's face; "" when none is CJK.

    CJK text in no CJK language (a Japanese sentence in an English story) still gets one face,
    the one its `scripts` point to: left to fontconfig, kanji and kana can come from two families
    (Noto Sans CJK beside Noto Serif CJK) in one sentence."""
    regions = [(tag, region) for tag in languages if (region := cjk_region(tag))]
    if not regions:
        guessed = language_of_scripts(scripts)
        region = cjk_region(guessed) if guessed is not None else None
        if guessed is None or region is None:
            return ""
        regions = [(guessed, region)]
    rules = []
    # Text in a language with a region of its own: that region's faces, bound strongly so they
    # come before any other CJK face (Pango writes the tag lower-case, as `lang` has it).
    for tag, region in regions:
        for generic, table in _FAMILIES.items():
            rules.append(_rule(generic, table[region], "strong", tag.lower().replace("_", "-")))
    # Anything else (an English contents page listing a Chinese title): the book's first CJK
    # language, weakly, so that a language's own rule above always wins.
    default = regions[0][1]
    for generic, table in _FAMILIES.items():
        rules.append(_rule(generic, table[default], "weak", None))
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        + "".join(rules)
        + "</fontconfig>\n"
    )


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rule(generic: str, families: tuple[str, ...], binding: str, lang: str | None) -> str:
    test = f'<test name="lang" qual="first" compare="eq"><string>{escape(lang)}</string></test>' if lang else ""
    names = "".join(f"<string>{escape(name)}</string>" for name in families)
    return (
        f'<match target="pattern">{test}<test name="family"><string>{generic}</string></test>'
        f'<edit name="family" mode="prepend" binding="{binding}">{names}</edit></match>\n'
    )


# ---------------------------------------------------------------------------------------------
# fontconfig's current configuration

_CDEF = """
typedef struct _FcConfig FcConfig;
typedef int FcBool;
FcConfig *FcConfigGetCurrent (void);
FcConfig *FcConfigReference (FcConfig *config);
FcConfig *FcInitLoadConfigAndFonts (void);
FcBool FcConfigParseAndLoadFromMemory (FcConfig *config, const unsigned char *buffer, FcBool complain);
FcBool FcConfigSetCurrent (FcConfig *config);
"""

_state: dict = {"system": None, "active": ""}


@lru_cache(maxsize=1)
def _library():
    """(ffi, lib) for fontconfig, the library WeasyPrint loaded; None when it cannot be loaded."""
    try:
        from cffi import FFI

        ffi = FFI()
        ffi.cdef(_CDEF)
        for name in (
            "libfontconfig.so.1",
            "libfontconfig-1",
            "fontconfig-1",
            "fontconfig",
            "libfontconfig.1.dylib",
            "libfontconfig-1.dll",
        ):
            try:
                return ffi, ffi.dlopen(name)
            except OSError:
                continue
    except Exception:  # noqa: BLE001 - no cffi or no fontconfig: fontconfig's own choice then
        return None
    return None


@lru_cache(maxsize=8)
def _configuration(rules: str):
    """A configuration: the system's, plus these rules (kept for the process, one per rule set)."""
    ffi, lib = _library()
    config = lib.FcInitLoadConfigAndFonts()
    if config == ffi.NULL or not lib.FcConfigParseAndLoadFromMemory(config, rules.encode(), 1):
        return None
    return config


def activate(rules: str) -> bool:
    """Make these rules (from rules_for) the ones Pango uses; "" restores the system's. Call it
    before WeasyPrint creates its FontConfiguration for the book. False when it could not."""
    if rules == _state["active"]:
        return True
    loaded = _library()
    if loaded is None:
        return False
    ffi, lib = loaded
    if _state["system"] is None:
        current = lib.FcConfigGetCurrent()
        if current == ffi.NULL:
            return False
        _state["system"] = lib.FcConfigReference(current)  # kept alive while another is current
    config = _configuration(rules) if rules else _state["system"]
    if config is None or not lib.FcConfigSetCurrent(config):
        return False
    _state["active"] = rules
    return True
