"""The preview's guard: loopback Host names only (DNS rebinding), no other site's pages on the event
stream, and the headers that keep a browser to the preview's own script."""

from __future__ import annotations

import ipaddress
import re

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})

# The preview's page runs its own script and nothing else; the book's documents run none at all
# (they are the EPUB's, sanitised as it is; this says so to the browser too).
APP_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
BOOK_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "media-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


# name[:port]: a bracketed IPv6 address, or a name or IPv4 address of letters, digits, "-" and ".";
# a port of digits only. Anything else ("127.0.0.1:80@evil", "a:b:c", "[::1]x") is no Host at all.
_HOST = re.compile(r"(?P<name>\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::[0-9]+)?", re.IGNORECASE)


def host_name(host: str) -> str | None:
    """The name in a Host header, without its port ("[::1]:8000" → "[::1]"), lower case;
    None for a header that is not `name[:port]`."""
    match = _HOST.fullmatch(host)
    return match["name"].lower() if match else None


def is_ip_literal(name: str) -> bool:
    """An IPv4 address, or a bracketed IPv6 one: a Host no DNS answer stands behind."""
    try:
        if name.startswith("["):
            return name.endswith("]") and isinstance(ipaddress.ip_address(name[1:-1]), ipaddress.IPv6Address)
        return isinstance(ipaddress.ip_address(name), ipaddress.IPv4Address)
    except ValueError:
        return False


class Guard:
    """ASGI middleware: refuses a foreign Host (421) or Origin (403), adds the security headers.

    A Host is one of `allowed_hosts`, or, with `any_address` (serving on an address other machines
    reach), any IP address: a rebinding attack needs a name of its own, never a bare address."""

    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str] = LOOPBACK_NAMES, any_address: bool = False) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts
        self.any_address = any_address

    def allows(self, host: str) -> bool:
        name = host_name(host)
        return name is not None and (name in self.allowed_hosts or (self.any_address and is_ip_literal(name)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        host = headers.get("host", "")
        if not self.allows(host):
            # A page of another site whose name was re-pointed at 127.0.0.1 (DNS rebinding).
            await PlainTextResponse("this preview answers only to localhost", 421)(scope, receive, send)
            return
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"http://{host.lower()}":
            await PlainTextResponse("requests from other sites are refused", 403)(scope, receive, send)
            return
        policy = BOOK_POLICY if scope["path"].startswith("/book/") else APP_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    *HEADERS,
                    (b"content-security-policy", policy.encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
