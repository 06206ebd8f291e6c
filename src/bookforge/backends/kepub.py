"""KEPUB: the EPUB with Kobo's reading-system markup, for Kobo e-readers (build/<title>.kepub.epub)."""

from __future__ import annotations

from ..output import atomic_output
from ..transforms.kobo import kepubify
from . import BuildContext, Built
from .epub import build_epub_bytes


class KepubBackend:
    def build(self, ctx: BuildContext) -> Built:
        # The Kindle checks belong to the EPUB: a KEPUB built beside it would only repeat them.
        data = build_epub_bytes(ctx, document_transform=kepubify, kindle_checks=False)
        with atomic_output(ctx.output, ctx.project.rel(ctx.output)) as handle:
            handle.write(data)
        return Built(ctx.output)
