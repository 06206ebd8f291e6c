"""Diagnostics as data: one record (a registered code, a place, a hint) and the sink a build says them to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .diagnostic_codes import code_info
from .errors import format_location


@dataclass(frozen=True)
class Diagnostic:
    """One thing said about the book: what, where, and how to fix it (the code is in the registry)."""

    code: str  # a key of diagnostic_codes.CODES, e.g. "M001"
    severity: str  # "error", "warning" or "info"
    message: str  # lower-case sentence without a final full stop
    path: str | None = None  # project-relative path of the file it is about
    line: int | None = None  # 1-based line in that file
    column: int | None = None  # 1-based column on that line
    hint: str | None = None  # what the user can do about it

    def __post_init__(self) -> None:
        code_info(self.code)  # a typo here would make a code nobody can look up

    @classmethod
    def of(
        cls,
        code: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        severity: str | None = None,
    ) -> Diagnostic:
        """A diagnostic with its code's registered severity unless another one is given."""
        return cls(code, severity or code_info(code).severity, message, path, line, column, hint)

    def format(self, paint: Callable[[str], str] | None = None) -> str:
        """Compiler-style text: `path:line: warning[M001]: message` plus an optional hint line;
        `paint` may colour the `warning[M001]` label (a terminal's)."""
        where = format_location(self.path, self.line, self.column)
        head = f"{where}: " if where else ""
        label = f"{self.severity}[{self.code}]"
        text = f"{head}{paint(label) if paint else label}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_json(self) -> dict:
        """The fields by name; `column` only when known (no build step knows one, and the build's
        JSON, golden files and the print cover's cache, was fixed before it)."""
        data = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "hint": self.hint,
        }
        if self.column is not None:
            data["column"] = self.column
        return data

    @classmethod
    def from_json(cls, data: dict) -> Diagnostic:
        return cls(**data)


@dataclass
class Diagnostics:
    """Collects warnings during a build; an optional callback shows each one as it arrives."""

    on_report: Callable[[Diagnostic], None] | None = None
    items: list[Diagnostic] = field(default_factory=list)
    infos: list[Diagnostic] = field(default_factory=list)  # information lines (severity "info")
    on_info: Callable[[Diagnostic, bool], None] | None = None  # (line, shown only with -v)
    _said: set[Diagnostic] = field(default_factory=set, repr=False)  # a warning is said once per build

    def warn(
        self,
        code: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> Diagnostic:
        return self.say(Diagnostic.of(code, message, path=path, line=line, column=column, hint=hint))

    def say(self, diagnostic: Diagnostic) -> Diagnostic:
        """Report a warning made elsewhere (a printer rule's, say), once per build."""
        if diagnostic.severity != "warning":  # a build's errors are exceptions, its infos are info()
            raise ValueError(f"{diagnostic.code} is not a warning")
        if diagnostic in self._said:  # two backends meeting one problem (the interior and the cover)
            return diagnostic
        self._said.add(diagnostic)
        self.items.append(diagnostic)
        if self.on_report is not None:
            self.on_report(diagnostic)
        return diagnostic

    def info(self, code: str, message: str, *, path: str | None = None, line: int | None = None) -> Diagnostic:
        """An information line (severity "info" in the registry): shown, never counted as a warning."""
        if code_info(code).severity != "info":
            raise ValueError(f"{code} is not an information code")
        return self._inform(Diagnostic(code, "info", message, path, line))

    def _inform(self, diagnostic: Diagnostic) -> Diagnostic:
        self.infos.append(diagnostic)
        if self.on_info is not None:
            self.on_info(diagnostic, code_info(diagnostic.code).verbose_only)
        return diagnostic

    def replay(self, other: Diagnostics) -> None:
        """Say again, in order, what another collector heard (a helper process's, a cached read's)."""
        for diagnostic in other.items:
            self.say(diagnostic)
        for diagnostic in other.infos:
            self._inform(diagnostic)

    def codes(self) -> list[str]:
        return [d.code for d in self.items]

    def __len__(self) -> int:
        return len(self.items)
