"""pypdf streams by their stored bytes: the one place that relies on pypdf's private `StreamObject._data`.

The assembler copies parts' streams into the book as they are stored (still deflated: decoding
and encoding again would cost time and change nothing), and pypdf offers no public way to read or
set those bytes. tests/test_library_adapters.py fails loudly when a pypdf release changes this.
"""

from __future__ import annotations

from pypdf.generic import DecodedStreamObject, StreamObject


def stored_bytes(stream: StreamObject) -> bytes:
    """A stream's bytes as they stand in the file (still filtered), without decoding them."""
    return stream._data if stream._data is not None else b""


def stream_of(stored: bytes) -> DecodedStreamObject:
    """A new stream whose file bytes are `stored`, as given (its /Filter, if any, is the caller's)."""
    stream = DecodedStreamObject()
    stream._data = stored
    return stream
