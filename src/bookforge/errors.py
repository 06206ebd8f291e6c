"""The error family: one class per kind of failure, each with a stable exit code."""

from __future__ import annotations

# Exit codes are part of the public interface (scripts and CI depend on them); never renumber.
EXIT_BUG = 1
EXIT_USAGE = 2


class BookforgeError(Exception):
    """A failure the user can fix; printed as one compiler-style line, never a traceback."""

    exit_code = EXIT_BUG
    label = "error"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.hint = hint

    def where(self) -> str:
        """`path:line:column` as far as it is known, or an empty string."""
        return format_location(self.path, self.line, self.column)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class ConfigError(BookforgeError):
    """book.toml unreadable, an unknown key, a value of the wrong type or range."""

    exit_code = 3


class ManuscriptError(BookforgeError):
    """A manuscript that is missing, unreadable or undecodable."""

    exit_code = 4


class ThemeError(BookforgeError):
    """A theme or stylesheet that does not exist."""

    exit_code = 5


class BuildError(BookforgeError):
    """A backend could not produce its output."""

    exit_code = 6


class BrokenOutputError(BuildError):
    """`bookforge check` found a built file broken: the exit code of a build that failed to write it."""


class MissingDependencyError(BookforgeError):
    """A program or system library bookforge needs is not installed."""

    exit_code = 7


class StrictModeError(BookforgeError):
    """Warnings were reported and --strict turns them into a failure."""

    exit_code = 8


class DeliveryError(BookforgeError):
    """`bookforge send` could not deliver: no e-reader, a refused login, an unreachable server."""

    exit_code = 9


class SchedulerError(BookforgeError):
    """The Dask scheduler `bookforge batch --scheduler` names is not there, or is not one."""

    exit_code = EXIT_USAGE  # a wrong --scheduler is a wrong command line


class BatchFailedError(BookforgeError):
    """`bookforge batch` finished, but some of its books failed (each is a line and a report row)."""

    exit_code = 10


def format_location(path: str | None, line: int | None = None, column: int | None = None) -> str:
    """Render `path:line:column`, dropping the parts that are unknown."""
    if not path:
        return ""
    out = str(path)
    if line:
        out += f":{line}"
        if column:
            out += f":{column}"
    return out
