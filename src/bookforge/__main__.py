"""`python -m bookforge`."""

from .cli import main

main()
