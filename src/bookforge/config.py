"""book.toml: parse, check every key and value against a schema, and report mistakes by line."""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import printers
from .errors import ConfigError
from .formats import FORMATS as _FORMATS
from .page_sizes import MARKS, parse_length, parse_trim

NOTES_PLACEMENTS = ("story", "front", "end")
FOOTNOTE_PLACEMENTS = ("story", "book")
FORMATS = tuple(_FORMATS)  # the names, in formats.py's order
PDF_VARIANTS = (
    "pdf/a-1b",
    "pdf/a-2b",
    "pdf/a-3b",
    "pdf/a-2u",
    "pdf/a-3u",
    "pdf/a-4b",
    "pdf/a-4u",
    "pdf/ua-1",
    "pdf/ua-2",
    "pdf/x-1a",
    "pdf/x-3",
    "pdf/x-4",
    "pdf/x-5g",
)
FONT_SIZES = (6.0, 24.0)  # points: the body sizes a book is set in
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class StoryEntry:
    """One `[[story]]` table: a manuscript and what book.toml says about it."""

    file: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    line: int | None = None  # line of the entry in book.toml, for messages


@dataclass
class PdfConfig:
    """The `[pdf]` table: page geometry and print options."""

    trim: str = "5.5x8.5in"
    margins: str | dict = "auto"
    bleed: str = "0"
    marks: list[str] = field(default_factory=list)
    font_size: str = "11pt"
    variant: str = ""
    drop_caps: bool = True
    cover: bool = False  # the cover as the first page: a reading PDF (never with bleed, marks or PDF/X)
    printer: str = "generic"  # whose rules the print files follow (printers.py)
    paper: str = "cream"
    binding: str = "paperback"
    output_intent: str | None = None  # a CMYK ICC profile in the project, for PDF/X
    line_of: dict[str, int] = field(default_factory=dict)  # key → its line in book.toml, for later checks


@dataclass
class CoverConfig:
    """The `[cover]` table: what the print cover's back and spine say."""

    back_text: str | None = None  # the back cover's text (else the book's description)
    back_text_file: str | None = None  # …or a Markdown/plain-text file in the project
    author_line: bool = True  # the names under the back text
    line_of: dict[str, int] = field(default_factory=dict)  # key → its line in book.toml, for messages


@dataclass
class BuildConfig:
    """The `[build]` table: which formats `bookforge build` makes and where outputs go."""

    formats: list[str] = field(default_factory=lambda: ["epub", "pdf"])
    output: str = "build"


@dataclass
class SendConfig:
    """The `[send]` table: where `bookforge send --email` sends from (never a password)."""

    from_address: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_user: str | None = None
    smtp_security: str | None = None  # "starttls", "ssl" or "none"
    smtp_cafile: str | None = None  # a CA bundle to trust (a self-hosted server's own certificate)
    max_size: str | None = None  # e.g. "25MB": what the receiving inbox takes


@dataclass
class Config:
    """Everything book.toml can say, with its defaults filled in."""

    title: str = ""
    subtitle: str | None = None
    editors: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    language: str = "en"
    identifier: str | None = None
    publisher: str | None = None
    rights: str | None = None
    date: str | None = None
    description: str | None = None
    isbn: str | None = None  # the print edition's ISBN-13, digits only (the back cover's barcode)
    isbn_shown: str | None = None  # …as printed above the bars: the author's hyphens, when they match it
    cover: str | bool | None = None  # a file, False for none, None for a generated cover
    notes: str = "story"
    footnotes: str = "story"  # "story": after each story (EPUB) or at the page foot (PDF); "book": one Notes section
    theme: str = "classic"
    typography: bool = True
    quotes: str = "auto"  # "british": ‘ ’ outside in English text
    preface: bool = True  # rating, fandom, tags… above a story's notes, when the manuscript has them
    accessibility_summary: str | None = None  # replaces the generated schema:accessibilitySummary
    conforms_to: bool = False  # claim EPUB Accessibility 1.1 / WCAG 2.2 AA (the user's claim to make)
    stories: list[StoryEntry] = field(default_factory=list)
    pdf: PdfConfig = field(default_factory=PdfConfig)
    cover_print: CoverConfig = field(default_factory=CoverConfig)
    build: BuildConfig = field(default_factory=BuildConfig)
    send: SendConfig = field(default_factory=SendConfig)


# ---------------------------------------------------------------------------------------------
# The schema: for each table, key → (attribute name, checker). A checker returns the clean value
# or raises ValueError with what was expected.


class _BadItem(ValueError):
    """A list whose one item is wrong: the message names that item, not the list ("not a list"
    would say nothing to someone who wrote a list)."""

    def __init__(self, expected: str, item: Any) -> None:
        super().__init__(expected)
        self.item = item


def _complaint(error: ValueError, value: Any) -> str:
    """What a checker expected and what it got: `must be …, not …`."""
    if isinstance(error, _BadItem):
        return f"must be {error}; {_describe(error.item)} is not one"
    return f"must be {error}, not {_describe(value)}"


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a string")
    return value


def _nonempty_str(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a non-empty string")
    return value.strip()


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _names(value: Any) -> list[str]:
    """A name or a list of names."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError('a list of names, e.g. ["A. Author"]')
    return [v.strip() for v in value]


def _language(value: Any) -> str:
    if not isinstance(value, str) or not _LANGUAGE_TAG.match(value):
        raise ValueError('a BCP 47 language tag such as "en", "en-GB" or "fr"')
    return value


def _date(value: Any) -> str:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DATE.match(value):
        return value
    raise ValueError('a date such as "2026-11-20" (or "2026-11", "2026")')


def _choice(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(" or ".join(f'"{c}"' for c in choices))
        return value

    return check


def _formats(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or any(v not in FORMATS for v in value):
        raise ValueError("a list of formats from " + ", ".join(f'"{f}"' for f in FORMATS))
    return list(dict.fromkeys(value))


def _str_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("a list of strings")
    return value


def _marks(value: Any) -> list[str]:
    expected = "a list of printer's marks from " + ", ".join(f'"{m}"' for m in MARKS)
    if not isinstance(value, list):
        raise ValueError(expected)
    for item in value:
        if item not in MARKS:
            raise _BadItem(expected, item)
    return value


def _variant(value: Any) -> str:
    if value != "" and value not in PDF_VARIANTS:
        raise ValueError("one of " + ", ".join(f'"{v}"' for v in PDF_VARIANTS) + ' (or "" for a plain PDF)')
    return value


def _isbn(value: Any) -> str:
    """An ISBN-13 (or ISBN-10, made 978-…), hyphens and spaces allowed; its check digit must hold."""
    if not isinstance(value, str):
        raise ValueError('an ISBN as a string, e.g. "978-1-23456-789-7"')
    digits = re.sub(r"[\s-]", "", value).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        if _isbn10_check(digits[:9]) != digits[9]:
            raise ValueError("an ISBN whose check digit is right (the last digit does not match)")
        digits = "978" + digits[:9]
        return digits + ean13_check_digit(digits)
    if not re.fullmatch(r"97[89]\d{10}", digits):
        raise ValueError("an ISBN-13 (13 digits starting 978 or 979) or an ISBN-10")
    if ean13_check_digit(digits[:12]) != digits[12]:
        raise ValueError("an ISBN whose check digit is right (the last digit does not match)")
    return digits


def _isbn_shown(written, digits: str | None) -> str | None:
    """The ISBN as the author hyphenated it (978-1-23456-789-7, the registration agency's groups),
    when those are the barcode's 13 digits; else the digits. bookforge has no range tables to
    place the hyphens itself."""
    if not digits:
        return None
    shown = re.sub(r"\s+", "-", str(written).strip())
    return shown if shown.replace("-", "") == digits and "-" in shown else digits


def ean13_check_digit(twelve: str) -> str:
    """The EAN-13 check digit of twelve digits (weights 1, 3, 1, 3…)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve))
    return str((10 - total % 10) % 10)


def _isbn10_check(nine: str) -> str:
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _cover(value: Any) -> str | bool:
    if value is False:
        return False
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValueError("a JPEG or PNG file in the project, or false for no cover")


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise ValueError("a port number such as 587")
    return value


def _margins(value: Any) -> str | dict:
    if value == "auto":
        return value
    if isinstance(value, dict):
        allowed = {"inner", "outer", "top", "bottom"}
        unknown = set(value) - allowed
        if unknown or not all(isinstance(v, str) for v in value.values()):
            raise ValueError('"auto" or a table with inner, outer, top, bottom lengths such as "0.75in"')
        return value
    raise ValueError('"auto" or a table such as { inner = "0.875in", outer = "0.625in" }')


BOOK_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "title": ("title", _nonempty_str),
    "subtitle": ("subtitle", _str),
    "editors": ("editors", _names),
    "authors": ("authors", _names),
    "language": ("language", _language),
    "identifier": ("identifier", _nonempty_str),
    "publisher": ("publisher", _str),
    "rights": ("rights", _str),
    "date": ("date", _date),
    "description": ("description", _str),
    "isbn": ("isbn", _isbn),
    "cover": ("cover", _cover),
    "notes": ("notes", _choice(*NOTES_PLACEMENTS)),
    "footnotes": ("footnotes", _choice(*FOOTNOTE_PLACEMENTS)),
    "theme": ("theme", _nonempty_str),
    "typography": ("typography", _bool),
    "quotes": ("quotes", _choice("auto", "british")),
    "preface": ("preface", _bool),
    "accessibility-summary": ("accessibility_summary", _nonempty_str),
    "conforms-to": ("conforms_to", _bool),
}

STORY_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "file": ("file", _nonempty_str),
    "title": ("title", _nonempty_str),
    "author": ("authors", _names),
    "authors": ("authors", _names),
    "language": ("language", _language),
}

PDF_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "trim": ("trim", _nonempty_str),
    "margins": ("margins", _margins),
    "bleed": ("bleed", _nonempty_str),
    "marks": ("marks", _marks),
    "font-size": ("font_size", _nonempty_str),
    "variant": ("variant", _variant),
    "drop-caps": ("drop_caps", _bool),
    "cover": ("cover", _bool),
    "printer": ("printer", _choice(*printers.PRINTERS)),
    "paper": ("paper", _choice(*printers.PAPERS)),
    "binding": ("binding", _choice(*printers.BINDINGS)),
    "output-intent": ("output_intent", _nonempty_str),
}

COVER_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "back-text": ("back_text", _nonempty_str),
    "back-text-file": ("back_text_file", _nonempty_str),
    "author-line": ("author_line", _bool),
}

BUILD_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "formats": ("formats", _formats),
    "output": ("output", _nonempty_str),
}

SEND_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "from": ("from_address", _nonempty_str),
    "smtp-host": ("smtp_host", _nonempty_str),
    "smtp-port": ("smtp_port", _port),
    "smtp-user": ("smtp_user", _nonempty_str),
    "smtp-security": ("smtp_security", _choice("starttls", "ssl", "none")),
    "smtp-cafile": ("smtp_cafile", _nonempty_str),
    "max-size": ("max_size", _nonempty_str),
}
# Keys that would hold a secret: refused without echoing the value (book.toml is shared and committed).
SECRET_KEYS = ("password", "smtp-password", "pass", "secret")

TABLES = {
    "book": BOOK_KEYS,
    "story": STORY_KEYS,
    "pdf": PDF_KEYS,
    "cover": COVER_KEYS,
    "build": BUILD_KEYS,
    "send": SEND_KEYS,
}


# ---------------------------------------------------------------------------------------------


def load_config(text: str, path: str = "book.toml") -> Config:
    """Parse book.toml text into a Config, or raise ConfigError naming the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = _split_toml_error(str(exc))
        raise ConfigError(
            f"not valid TOML: {message}",
            path=path,
            line=line,
            column=column,
            hint="check quotes, brackets and `key = value` syntax on that line",
        ) from None
    locator = KeyLocator(text)
    config = Config()

    for key in data:
        if key not in TABLES:
            suggestion = _suggest(key, TABLES)
            if key in BOOK_KEYS:
                hint = f"put `{key} = …` under a [book] table"
            else:
                hint = (
                    f"did you mean [{suggestion}]?"
                    if suggestion
                    else "tables are: " + ", ".join(f"[{t}]" for t in TABLES)
                )
            raise ConfigError(f"unknown key or table '{key}'", path=path, line=locator.find(None, key), hint=hint)

    if "book" not in data or not isinstance(data["book"], dict):
        raise ConfigError("missing [book] table", path=path, hint='start book.toml with [book] and title = "…"')
    _apply(config, data["book"], BOOK_KEYS, "book", path, locator)
    config.isbn_shown = _isbn_shown(data["book"].get("isbn"), config.isbn)
    if not config.title:
        raise ConfigError("[book] has no title", path=path, line=locator.find("book", None), hint='add title = "…"')

    stories = data.get("story", [])
    if not isinstance(stories, list):
        raise ConfigError(
            "stories are written [[story]] (double brackets), one table per story",
            path=path,
            line=locator.find(None, "story"),
        )
    for index, table in enumerate(stories):
        line = locator.find("story", "file", index) or locator.table_line("story", index)
        entry = StoryEntry(file="", line=line)
        _apply(entry, table, STORY_KEYS, "story", path, locator, index)
        if not entry.file:
            raise ConfigError("[[story]] has no file", path=path, line=entry.line, hint='add file = "manuscripts/…"')
        config.stories.append(entry)

    for name, target, schema in (
        ("pdf", config.pdf, PDF_KEYS),
        ("cover", config.cover_print, COVER_KEYS),
        ("build", config.build, BUILD_KEYS),
        ("send", config.send, SEND_KEYS),
    ):
        if name in data:
            if not isinstance(data[name], dict):
                raise ConfigError(f"[{name}] must be a table", path=path, line=locator.find(None, name))
            _apply(target, data[name], schema, name, path, locator)
    config.pdf.line_of = {key: line for key in data.get("pdf", {}) if (line := locator.find("pdf", key))}
    config.cover_print.line_of = {key: line for key in data.get("cover", {}) if (line := locator.find("cover", key))}
    _check_paper(config.pdf, path)
    _check_page(config.pdf, path)
    return config


def _check_page(pdf: PdfConfig, path: str) -> None:
    """[pdf] lengths as every command meets them (an EPUB build too): a trim, bleed or margin that
    is not a length fails here at its line, not later in the PDF backend without one."""
    for key, check in _page_checks(pdf):
        try:
            check()
        except ConfigError as error:
            raise ConfigError(
                f"[pdf] {error.message}",
                path=path,
                line=pdf.line_of.get(key),
                hint=error.hint or 'e.g. trim = "5.5x8.5in", bleed = "0.125in", font-size = "11pt"',
            ) from None


def _page_checks(pdf: PdfConfig) -> list[tuple[str, Callable[[], object]]]:
    """[pdf]'s lengths, each with the key it is written under."""
    checks: list[tuple[str, Callable[[], object]]] = [
        ("trim", lambda: parse_trim(pdf.trim)),
        ("bleed", lambda: parse_length(pdf.bleed, "bleed")),
        ("font-size", lambda: _font_size(pdf.font_size)),
    ]
    if isinstance(pdf.margins, dict):
        checks += [("margins", _margin_check(side, value)) for side, value in pdf.margins.items()]
    return checks


def _margin_check(side: str, value: str) -> Callable[[], object]:
    return lambda: parse_length(value, f"margins.{side}")


def _font_size(text: str) -> float:
    size = parse_length(text, "font-size")
    if not FONT_SIZES[0] <= size <= FONT_SIZES[1]:
        raise ConfigError(f"font-size {text} is outside {FONT_SIZES[0]:g}pt–{FONT_SIZES[1]:g}pt")
    return size


# The command line's option for each book.toml key it can say (`--author` gives the authors).
OVERRIDE_OPTIONS = {"title": "--title", "authors": "--author", "language": "--language"}


def apply_overrides(config: Config, book: dict[str, Any], pdf: dict[str, Any]) -> None:
    """The command line's values over book.toml's (--title, --trim…), each checked as book.toml's are
    (a bad one fails naming its option); the one place a command-line setting reaches the Config."""
    for key, value in book.items():
        if value is None or value == []:  # not given
            continue
        attribute, check = BOOK_KEYS[key]
        setattr(config, attribute, _checked(OVERRIDE_OPTIONS[key], check, value))
    for key, value in pdf.items():
        if value is None or value == [] or value == "":
            continue
        attribute, check = PDF_KEYS[key]
        setattr(config.pdf, attribute, _checked(f"--{key}", check, value))
        config.pdf.line_of.pop(key, None)  # book.toml's line no longer says this value
    for key, run in _page_checks(config.pdf):
        if pdf.get(key):
            try:
                run()
            except ConfigError as error:
                raise ConfigError(f"--{key}: {error.message}", hint=error.hint) from None


def _checked(option: str, check: Callable[[Any], Any], value: Any) -> Any:
    """A command-line value through its book.toml checker; a wrong one fails naming the option."""
    try:
        return check(value)
    except ValueError as exc:
        raise ConfigError(f"{option} {_complaint(exc, value)}") from None


def _check_paper(pdf: PdfConfig, path: str) -> None:
    """The paper must be one the printer offers (each printer has its own stocks)."""
    if "paper" not in pdf.line_of and "printer" not in pdf.line_of:
        return  # the defaults, generic and cream, go together
    printer = printers.PRINTERS[pdf.printer]
    papers = printer.papers
    if pdf.paper not in papers:
        raise ConfigError(
            f'[pdf] paper "{pdf.paper}" is not one {printer.label} offers',
            path=path,
            line=pdf.line_of.get("paper") or pdf.line_of.get("printer"),
            hint="papers: " + ", ".join(f'"{p}"' for p in papers),
        )


def _apply(target, table: dict, schema, table_name: str, path: str, locator, index: int | None = None):
    for key, value in table.items():
        if key in SECRET_KEYS:
            raise ConfigError(
                f"[{table_name}] {key}: a password does not belong in book.toml",
                path=path,
                line=locator.find(table_name, key, index),
                hint="set BOOKFORGE_SMTP_PASSWORD, or store it with `keyring set bookforge-smtp <user>`",
            )
        if key not in schema:
            suggestion = _suggest(key, schema)
            raise ConfigError(
                f"unknown key '{key}' in [{table_name}]",
                path=path,
                line=locator.find(table_name, key, index),
                hint=f"did you mean '{suggestion}'?" if suggestion else "known keys: " + ", ".join(schema),
            )
        attribute, check = schema[key]
        try:
            clean = check(value)
        except ValueError as exc:
            line = locator.find(table_name, key, index)
            raise ConfigError(
                f"[{table_name}] {key} {_complaint(exc, value)}",
                path=path,
                line=line,
                column=locator.value_column(line, key),
            ) from None
        setattr(target, attribute, clean)


def _suggest(word: str, choices) -> str | None:
    matches = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f'"{value}"' if value else "an empty string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _split_toml_error(message: str) -> tuple[str, int | None, int | None]:
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if match:
        return message[: match.start()], int(match.group(1)), int(match.group(2))
    match = re.search(r"\s*\(at end of document\)$", message)
    if match:
        return message[: match.start()] + " at the end of the file", None, None
    return message, None, None


class KeyLocator:
    """Finds the line of a key in the TOML source, for messages (tomllib keeps no positions)."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")
    _KEY = re.compile(r"""^\s*["']?([A-Za-z0-9_-]+)["']?\s*=""")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self._index: list[tuple[int, str | None, int, str | None]] | None = None

    def _sections(self) -> list[tuple[int, str | None, int, str | None]]:
        """(line number, table name, occurrence index, key) for every key line, made once: a book
        with hundreds of [[story]] entries asks for a line per entry."""
        if self._index is None:
            index: list[tuple[int, str | None, int, str | None]] = []
            table: str | None = None
            counts: dict[str, int] = {}
            occurrence = 0
            for number, line in enumerate(self.lines, start=1):
                header = self._HEADER.match(line)
                if header:
                    table = header.group(2)
                    occurrence = counts.get(table, 0)
                    counts[table] = occurrence + 1
                    index.append((number, table, occurrence, None))
                    continue
                key = self._KEY.match(line)
                if key:
                    index.append((number, table, occurrence, key.group(1)))
            self._index = index
            self._by_table: dict[tuple[str | None, int], list[tuple[int, str | None]]] = {}
            for number, name, occurrence, found in index:
                self._by_table.setdefault((name, occurrence), []).append((number, found))
        return self._index

    def find(self, table: str | None, key: str | None, index: int | None = None) -> int | None:
        sections = self._sections()
        if table is not None and index is not None:  # one [[table]] entry: look at its lines only
            fallback = None
            for number, found in self._by_table.get((table, index), ()):
                if found == key:
                    return number
                if found is None and fallback is None:
                    fallback = number
            return fallback
        fallback = None
        for number, name, occurrence, found in sections:
            if index is not None and occurrence != index:
                continue
            if table is None:
                if (found is None and name == key) or (name is None and found == key):
                    return number
            elif name == table:
                if found == key:
                    return number
                if found is None and fallback is None:
                    fallback = number
        return fallback

    def table_line(self, table: str, index: int) -> int | None:
        return self.find(table, None, index)

    def value_column(self, line: int | None, key: str) -> int | None:
        """1-based column where the value of `key = value` starts on that line."""
        if not line or line > len(self.lines):
            return None
        match = re.match(rf"""^\s*["']?{re.escape(key)}["']?\s*=\s*""", self.lines[line - 1])
        return match.end() + 1 if match else None
