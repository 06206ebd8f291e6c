"""Checks of built files: bookforge's own (built.py) and the W3C's EPUBCheck (epubcheck.py)."""
