"""bookforge: story manuscripts in, anthology EPUB and print PDF out."""

__version__ = "0.1.0"
