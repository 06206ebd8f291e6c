"""Run bookforge with one speed trick switched off, for the with-and-without rows of tricks.py.

    python benchmarks/without.py TRICK [bookforge arguments …]     # TRICK "nothing" switches nothing off

Both sides of a row start through this file, so the only difference between them is the trick.
The switches patch bookforge from outside: the product keeps no benchmark-only settings.
"""

from __future__ import annotations

import sys
from collections.abc import Callable


def _no_split_read() -> None:
    """Read every manuscript in this process instead of handing every other one to a fork."""
    import bookforge.pipeline

    bookforge.pipeline.split_worth_it = lambda sizes: False


SWITCHES: dict[str, Callable[[], None]] = {
    "nothing": lambda: None,
    "split-read": _no_split_read,
}


def main() -> None:
    trick, *arguments = sys.argv[1:]
    SWITCHES[trick]()
    sys.argv = ["bookforge", *arguments]
    from bookforge.cli import main as bookforge

    bookforge()


if __name__ == "__main__":
    main()
