"""Addresses in manuscripts: which links a book may keep, which sources are remote, and where a
relative image path points in the project."""

from __future__ import annotations

import posixpath
import re

# Links a reader may follow out of a book; anything else (javascript:, file:, data:) is not kept.
SAFE_LINK = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)
# An address with a scheme (or a protocol-relative //host): on the network, never fetched.
REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def is_safe_link(href: str) -> bool:
    return SAFE_LINK.match(href) is not None


def is_remote(src: str) -> bool:
    return REMOTE.match(src) is not None


def image_src(manuscript_rel: str, src: str) -> str:
    """An image path written in a manuscript, made project-relative; remote and absolute ones are
    kept as written, for the image check to refuse by name (M005)."""
    if is_remote(src) or src.startswith("/"):
        return src
    return posixpath.normpath(posixpath.join(posixpath.dirname(manuscript_rel), src))
