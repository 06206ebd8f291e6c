"""The preview's routes: its page and assets, the state, the book's files, page images, the event stream."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .events import Broker
from .paths import book_member
from .security import LOOPBACK_NAMES, Guard
from .state import PreviewState

STATIC = Path(__file__).parent / "static"
_PAGE_DIGEST = re.compile(r"[0-9a-f]{20}")
NOT_FOUND = PlainTextResponse("not found", 404)
FRESH = {"cache-control": "no-store"}  # the book changes under the same names: never keep a copy


def create_app(
    state: PreviewState, broker: Broker, allowed_hosts: frozenset[str] = LOOPBACK_NAMES, any_address: bool = False
) -> Guard:
    """The Starlette application, behind the guard (`any_address`: see Guard)."""

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=FRESH)

    async def current(request: Request) -> Response:
        return JSONResponse(state.snapshot(), headers=FRESH)

    async def book_file(request: Request) -> Response:
        book = state.book
        name = book_member(request.path_params["name"], book.files) if book else None
        if book is None or name is None:
            return NOT_FOUND
        return Response(book.files[name], media_type=book.media_type(name), headers=FRESH)

    async def page_image(request: Request) -> Response:
        digest = request.path_params["digest"]
        image = await run_in_threadpool(state.pages.image, digest) if _PAGE_DIGEST.fullmatch(digest) else None
        if image is None:
            return NOT_FOUND
        # A page's name is the hash of what it shows: the same name is always the same picture.
        return Response(image, media_type="image/png", headers={"cache-control": "max-age=31536000, immutable"})

    async def events(request: Request) -> Response:
        first = {"event": "state", "data": json.dumps(state.snapshot(), ensure_ascii=False)}
        return EventSourceResponse(broker.stream(first), ping=15, headers=FRESH)

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/api/state", current),
            Route("/events", events),
            Route("/book/{name:path}", book_file),
            Route("/pages/{digest}.png", page_image),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    )
    return Guard(app, allowed_hosts, any_address)
