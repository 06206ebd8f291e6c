"""KEPUB: the EPUB with Kobo's reading-system markup, for Kobo e-readers (build/<title>.kepub.epub)."""

from __future__ import annotations

from pathlib import Path

from . import BuildContext


class KepubBackend:
    name = "kepub"
    suffix = ".kepub.epub"

    def build(self, ctx: BuildContext) -> Path:
        from ..output import atomic_output
        from ..transforms.kobo import kepubify
        from .epub import build_epub_bytes

        # The Kindle checks belong to the EPUB: a KEPUB built beside it would only repeat them.
        data = build_epub_bytes(ctx, document_transform=kepubify, kindle_checks=False)
        with atomic_output(ctx.output, ctx.project.rel(ctx.output)) as handle:
            handle.write(data)
        return ctx.output
