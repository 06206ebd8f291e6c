"""Warnings as data: a stable code, a `file:line`, a message and a hint, collected in a sink."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import format_location

# Every warning code bookforge can emit, with a one-line meaning. Codes are stable: tools and
# `--strict` users match on them, so a code is never reused for a different problem.
CODES: dict[str, str] = {
    "M001": "manuscript was not UTF-8 and was decoded as Windows-1252",
    "M002": "invisible or control characters removed",
    "M003": "manuscript has no text",
    "M004": "story has no title; one was made from the file name",
    "M005": "image or link pointing outside the project or at the network was not used",
    "M006": "scene break at the start or end of a story was dropped",
    "M007": "header field value not understood and ignored",
    "M008": "manuscript decoded from UTF-16",
    "M009": "soft hyphens pasted from a web page removed",
    "M010": "a Markdown footnote is defined but never called",
    "M011": "Markdown syntax bookforge does not read was kept as typed",
    "M012": "a Markdown footnote calls itself (directly or through another note); that call was left out",
    "H001": "active HTML (scripts, event handlers, javascript: links) removed",
    "H002": "an image in an HTML manuscript has no alternative text",
    "H003": "an HTML document's own table of contents (a word processor's, with page numbers) was left out",
    "H004": "HTML attributes whose names are not valid (template placeholders such as {{foo}}, @click) removed",
    "D001": "something in a Word document the book does not carry was left out (an embedded object, a chart, "
            "a linked image, the document's own table of contents)",
    "D002": "an image in a Word document has no alternative text",
    "D003": "a Word symbol character (Insert → Symbol) has no Unicode equivalent",
    "F001": "words of the manuscript that did not reach the book",
    "P001": "WeasyPrint reported a problem while laying out the PDF",
    "P002": "PDF/X variant without a CMYK output intent",
    "P003": "[pdf] cover ignored in a PDF made for a printer (bleed, marks or PDF/X)",
    "P004": "no installed font has the characters of a script the book uses: they would be blank in the PDF",
    "P005": "the interior's page count is outside what the printer takes",
    "P006": "a page margin is under the printer's minimum",
    "P007": "the spine is too narrow for text: the print cover's spine is left blank",
    "T001": "a stylesheet or image refers to a file outside the project or on the network",
    "V001": "cover image is small (under 1000 px tall)",
    "V002": "cover image is far from the 1:1.6 shape e-readers expect",
    "V003": "the generated cover has characters no installed font has",
    "V004": "a picture on the print cover is under 300 ppi at its printed size",
    "V005": "the print cover's back text does not fit and was cut",
    "K001": "CSS custom properties, which Send to Kindle rejects",
    "K002": "image over 5 MB, which Kindle refuses",
    "K003": "EPUB over 50 MB, the Send to Kindle e-mail limit",
    "K004": "WOFF or WOFF2 font, which Kindle cannot embed",
    "C001": "book has several stories but no title was given",
    "C002": "story listed twice in book.toml",
}

# Information lines: not problems, so never counted as warnings nor failed by --strict. `verbose`
# ones are shown only with -v.
INFO_CODES: dict[str, tuple[str, bool]] = {
    "I001": ("a lock file, backup or system file beside the manuscripts was skipped", True),
    "I002": ("a story's title or author was taken from the Word document's properties", False),
    "I003": ("a placeholder in the Word document's properties was ignored", True),
    "I004": ("the print cover's spine is too narrow for the printer to put text on: it was left blank", False),
}


@dataclass(frozen=True)
class Diagnostic:
    """One warning: what, where, and how to fix it."""

    code: str  # a key of CODES, e.g. "M001"
    message: str  # lower-case sentence without a final full stop
    path: str | None = None  # project-relative path of the file it is about
    line: int | None = None  # 1-based line in that file
    hint: str | None = None  # what the user can do about it
    severity: str = "warning"

    def format(self) -> str:
        """Compiler-style text: `path:line: warning[M001]: message` plus an optional hint line."""
        where = format_location(self.path, self.line)
        head = f"{where}: " if where else ""
        text = f"{head}{self.severity}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "hint": self.hint,
        }


@dataclass
class Diagnostics:
    """Collects warnings during a build; an optional callback shows each one as it arrives."""

    on_report: Callable[[Diagnostic], None] | None = None
    items: list[Diagnostic] = field(default_factory=list)
    infos: list[Diagnostic] = field(default_factory=list)  # information lines (INFO_CODES)
    on_info: Callable[[Diagnostic, bool], None] | None = None  # (line, shown only with -v)
    _said: set[Diagnostic] = field(default_factory=set, repr=False)  # a warning is said once per build

    def warn(
        self,
        code: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> Diagnostic:
        if code not in CODES:  # a typo here would make a code nobody can look up
            raise ValueError(f"unknown diagnostic code {code!r}")
        return self._say(Diagnostic(code, message, path, line, hint))

    def _say(self, diagnostic: Diagnostic) -> Diagnostic:
        if diagnostic in self._said:  # two backends meeting one problem (the interior and the cover)
            return diagnostic
        self._said.add(diagnostic)
        self.items.append(diagnostic)
        if self.on_report is not None:
            self.on_report(diagnostic)
        return diagnostic

    def info(self, code: str, message: str, *, path: str | None = None, line: int | None = None) -> Diagnostic:
        """An information line (see INFO_CODES): shown, never counted as a warning."""
        if code not in INFO_CODES:
            raise ValueError(f"unknown information code {code!r}")
        diagnostic = Diagnostic(code, message, path, line, None, severity="info")
        self.infos.append(diagnostic)
        if self.on_info is not None:
            self.on_info(diagnostic, INFO_CODES[code][1])
        return diagnostic

    def replay(self, other: Diagnostics) -> None:
        """Say again, in order, what another collector heard (a helper process's, a cached read's)."""
        for diagnostic in other.items:
            self._say(diagnostic)
        for diagnostic in other.infos:
            self.infos.append(diagnostic)
            if self.on_info is not None:
                self.on_info(diagnostic, INFO_CODES[diagnostic.code][1])

    def codes(self) -> list[str]:
        return [d.code for d in self.items]

    def __len__(self) -> int:
        return len(self.items)
