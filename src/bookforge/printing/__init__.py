"""What print asks of a book, known without laying it out: the page geometry, the printer's rules,
which characters the fonts can draw, the PDF/X output intent. The PDF backend and the print cover
build with these; `bookforge check` holds built files to them without loading the backend
(WeasyPrint's layout, the assembler, the font merger)."""
