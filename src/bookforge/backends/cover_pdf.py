"""The print cover backend: the full-wrap cover PDF, its spine sized by the interior's page count."""

from __future__ import annotations

import io
import os
from pathlib import Path

from ..cover.print_cover import make_print_cover
from ..diagnostics import Diagnostics
from ..errors import BuildError
from ..output import atomic_output
from . import BuildContext, BuildOptions, Built
from .pdf import build_pdf  # the PDF backend's module; WeasyPrint is loaded only when it lays out


class CoverPdfBackend:
    def build(self, ctx: BuildContext) -> Built:
        pages, source = interior_pages(ctx)
        variant = ctx.project.config.pdf.variant or None
        cover = make_print_cover(ctx.project, ctx.book, ctx.theme, ctx.diagnostics, pages, ctx.build_time, variant)
        with atomic_output(ctx.output, ctx.project.rel(ctx.output)) as handle:
            handle.write(cover.data)
        g = cover.geometry
        return Built(
            ctx.output,
            {
                **cover.stats,
                "pages": pages,
                "pages_from": source,
                "spine": g.spine,
                "width": g.width,
                "height": g.height,
            },
        )


def interior_pages(ctx: BuildContext) -> tuple[int, str]:
    """The interior's page count and where it came from: given (`pages`), the PDF built earlier in
    this run, or the interior laid out now (the PDF backend's part cache makes a repeat quick; the
    count is the layout's, the assembled file is thrown away); that layout's warnings belong to
    the interior's own build, not to the cover."""
    given = ctx.options.pages
    if given is not None:
        return given, "given"
    from pypdf import PdfReader  # only to count the pages of a PDF built earlier in this run
    from pypdf.errors import PdfReadError

    earlier = ctx.built.get("pdf")
    if earlier is not None:
        try:
            return len(PdfReader(earlier.path).pages), "built"
        except (OSError, PdfReadError) as exc:
            raise BuildError(f"cannot count the pages of {ctx.project.rel(earlier.path)}: {exc}") from None
    options = BuildOptions(jobs=ctx.options.jobs, no_cache=ctx.options.no_cache)
    interior = BuildContext(
        ctx.project,
        ctx.book,
        ctx.theme,
        Diagnostics(),
        Path(os.devnull),
        ctx.build_time,
        options,
        render_cache=ctx.render_cache,
        cover=ctx.cover,
    )
    return build_pdf(interior, io.BytesIO())["pages"], "laid out"
