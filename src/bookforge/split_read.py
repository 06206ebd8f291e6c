"""Reading a big book on two cores: a forked copy of this process reads every other manuscript
while this one reads the rest; its stories come back pickled, and every warning is said in
manuscript order, as if one process had read them all."""

from __future__ import annotations

import os
import pickle
import struct
import traceback
from collections.abc import Callable
from typing import TypeVar

from .diagnostics import Diagnostics
from .errors import BookforgeError
from .forking import fork_helper, read_exactly, reap, stop, worth_forking, write_all

I = TypeVar("I")  # what is read: a manuscript
T = TypeVar("T")  # what reading it gives: a story
_LENGTH = struct.Struct("<Q")


def split_worth_it(sizes: list[int]) -> bool:
    """Several manuscripts, and a fork worth making for their text (see forking.worth_forking)."""
    return len(sizes) >= 2 and worth_forking(sum(sizes))


def read_in_two(items: list[I], read_one: Callable[[I, Diagnostics], T], diagnostics: Diagnostics) -> list[T]:
    """`read_one(item, diagnostics)` for every item, the odd ones in a forked helper. Results and
    warnings keep the items' order; the first error in that order is raised, as a single process
    would have raised it. If the helper dies, its items are read here."""

    def serve(writes: int) -> None:  # the helper: read its half, send it
        outcome = [_attempt(read_one, items[index], helper=True) for index in range(1, len(items), 2)]
        payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        write_all(writes, _LENGTH.pack(len(payload)) + payload)

    forked = fork_helper(serve, "from")
    if forked is None:
        return [read_one(item, diagnostics) for item in items]
    pid, (reads,) = forked
    finished = False
    try:
        mine = {index: _attempt(read_one, items[index]) for index in range(0, len(items), 2)}
        theirs = _receive(reads)
        finished = True
    finally:
        os.close(reads)
        if not finished:
            stop(pid)
        else:
            reap(pid)
    if theirs is None:  # the helper failed: read its half here
        theirs = [_attempt(read_one, items[index]) for index in range(1, len(items), 2)]
    outcomes = {**mine, **dict(zip(range(1, len(items), 2), theirs))}
    results = []
    for index in range(len(items)):
        result, said, error = outcomes[index]
        diagnostics.replay(said)
        if error is not None:
            raise error
        results.append(result)
    return results


def _attempt(read_one, item, helper: bool = False) -> tuple[object, Diagnostics, BaseException | None]:
    """(result, what reading it said, the error it raised): warnings are kept to be said in order.
    A bug's traceback does not survive pickling: the helper writes it into the error's notes."""
    said = Diagnostics()
    try:
        return read_one(item, said), said, None
    except Exception as error:  # noqa: BLE001 - raised again in order, in the parent
        if helper and not isinstance(error, BookforgeError):
            error.add_note("raised in the reading helper process:\n" + "".join(traceback.format_exception(error)))
        return None, said, error


def _receive(fd: int):
    head = read_exactly(fd, _LENGTH.size)
    if head is None:
        return None
    body = read_exactly(fd, _LENGTH.unpack(head)[0])
    if body is None:
        return None
    try:
        return pickle.loads(body)
    except Exception:  # noqa: BLE001 - a helper that died mid-way: read its half here
        return None
