"""A WeasyPrint URL fetcher that reads only files inside allowed folders, and data: URIs."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    """WeasyPrint catches this, skips the resource and logs it; we report it as a warning."""


class ProjectFetcher(URLFetcher):
    """Serve file: URLs under the allowed roots (the project, the bundled fonts) and data: URIs.

    Everything else — http(s), ftp, files outside the project, symlinks that lead out — is refused
    without touching the network or the file system.
    """

    def __init__(self, roots: list[str], pictures=None) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = [Path(root).resolve() for root in roots]
        self.refused: list[str] = []
        # (bytes, mime) → (bytes, mime) for every picture fetched: PDF/X separates them to CMYK.
        self.pictures = pictures

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return self._data(url)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return self._response(url, path.read_bytes(), mime)
        self.refused.append(url)
        raise RefusedURL(f"bookforge does not fetch {url[:80]}")

    def _data(self, url: str) -> URLFetcherResponse:
        header, _, payload = url[5:].partition(",")
        mime = header.split(";")[0] or "text/plain"
        data = base64.b64decode(payload) if header.endswith(";base64") else unquote(payload).encode()
        return self._response(url, data, mime)

    def _response(self, url: str, data: bytes, mime: str) -> URLFetcherResponse:
        if self.pictures is not None and mime.startswith("image/"):
            data, mime = self.pictures(data, mime)
        return URLFetcherResponse(url, data, {"Content-Type": mime})
