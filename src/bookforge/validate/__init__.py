"""Validators for built files: EPUBCheck now; bookforge's own checks later."""
