"""The media types bookforge packages and serves, by file suffix (a leaf)."""

from __future__ import annotations

# Pictures a book may hold: what EPUB 3's core media types allow (Reading Systems must show them).
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
# Fonts a theme's stylesheet may bring.
FONT_TYPES = {
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
# What a stylesheet may link to: its pictures and its fonts.
ASSET_TYPES = IMAGE_TYPES | FONT_TYPES
# Every member of a built EPUB a reader opens: its documents, stylesheets, pictures and fonts.
BOOK_FILE_TYPES = {
    ".xhtml": "application/xhtml+xml",
    ".html": "application/xhtml+xml",
    ".css": "text/css",
} | ASSET_TYPES
