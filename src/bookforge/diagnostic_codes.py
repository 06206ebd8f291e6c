"""Every diagnostic code bookforge can say: its severity, title, usual remedy and who says it."""

from __future__ import annotations

from dataclasses import dataclass

# The stages that say diagnostics, in the order a book goes through them (docs/diagnostics.md
# groups the codes by the first stage that says each).
STAGES: dict[str, str] = {
    "project": "Finding the book: book.toml and the manuscripts (every command)",
    "read": "Reading the manuscripts (every command)",
    "epub": "Building the EPUB (epub, kepub, azw3)",
    "kindle": "Building the EPUB or AZW3: what Kindle and Send to Kindle refuse",
    "pdf": "Laying out the PDF",
    "cover": "Making the cover (the generated one, or the print cover)",
    "lint": "`bookforge check`: manuscript lint",
    "check": "`bookforge check`: book.toml, manuscripts and the built files",
}

# `info` lines are not problems: never counted as warnings nor failed by --strict.
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Code:
    """What a diagnostic code means: the registry's entry for it."""

    severity: str  # the usual one (a built file's problem may be said as a warning when it is mild)
    title: str  # one line: what it is about
    hint: str  # what the user can usually do about it (a diagnostic's own hint is more precise)
    stages: tuple[str, ...]  # keys of STAGES, the ones that say it
    verbose_only: bool = False  # an information line shown only with -v

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES or not self.stages or not set(self.stages) <= set(STAGES):
            raise ValueError(f"bad registry entry {self!r}")


def _warning(title: str, hint: str, *stages: str) -> Code:
    return Code("warning", title, hint, stages)


def _error(title: str, hint: str, *stages: str) -> Code:
    return Code("error", title, hint, stages)


def _info(title: str, hint: str, *stages: str, verbose_only: bool = False) -> Code:
    return Code("info", title, hint, stages, verbose_only)


# Codes are stable: tools and `--strict` users match on them, so a code is never reused for a
# different problem, and never removed.
CODES: dict[str, Code] = {
    # Manuscripts, as every command reads them.
    "M000": _error(
        "a manuscript is missing, unreadable or undecodable (the error a build stops at)",
        "the message names the file; a build says the same and stops with exit code 4",
        "check",
    ),
    "M001": _warning(
        "manuscript was not UTF-8 and was decoded as Windows-1252",
        "save the file as UTF-8 to make sure every character is what you meant",
        "read",
    ),
    "M002": _warning(
        "invisible or control characters removed", "nothing to do: an editor or a copy-paste left them behind", "read"
    ),
    "M003": _warning("manuscript has no text", "check that this is the right file", "read"),
    "M004": _warning(
        "story has no title; one was made from the file name",
        'add a `Title:` line at the top, or title = "…" in its [[story]] entry',
        "read",
    ),
    "M005": _warning(
        "an image or link outside the project or on the network was not used (never fetched)",
        "put the file inside the project and refer to it by a relative path",
        "read",
    ),
    "M006": _warning(
        "a scene break at the start or end of a chapter was dropped",
        "nothing to separate there; remove the break marks to silence this",
        "read",
    ),
    "M007": _warning(
        "a header field's value was not understood and was ignored",
        "the message says which value; see docs/manuscripts.md for the header fields",
        "read",
    ),
    "M008": _warning("manuscript decoded from UTF-16", "save the file as UTF-8 to silence this", "read"),
    "M009": _warning(
        "soft hyphens pasted from a web page removed",
        "hyphenation is done by the e-reader and the PDF layout; no need to mark it",
        "read",
    ),
    "M010": _warning(
        "a Markdown footnote is defined but never called (or reached only from notes nothing calls)",
        "call it with [^name] in the text, or remove its definition",
        "read",
    ),
    "M011": _warning(
        "Markdown syntax bookforge does not read was kept as typed (a pandoc grid table, raw HTML, an "
        "Obsidian embed of another note)",
        "write it in the Markdown bookforge reads (see docs/manuscripts.md)",
        "read",
    ),
    "M012": _warning(
        "a Markdown footnote calls itself (directly or through another note); that call was left out",
        "remove the call from the note's own text",
        "read",
    ),
    "H001": _warning(
        "scripts, event handlers or `javascript:` links removed from an HTML manuscript",
        "nothing in the HTML is run or fetched; the text around it is kept",
        "read",
    ),
    "H002": _warning(
        "an image in an HTML manuscript has no alternative text",
        'describe the picture in the <img> tag: alt="…"',
        "read",
    ),
    "H003": _warning(
        "an HTML document's own table of contents (a word processor's, with page numbers) was left out",
        "nothing to do: the book makes its own contents",
        "read",
    ),
    "H004": _warning(
        "HTML attributes whose names are not names (`{{foo}}`, `@click`) removed",
        "fill in or remove the template's placeholders",
        "read",
    ),
    "D001": _warning(
        "something in a Word document the book does not carry was left out (an embedded object, a chart "
        "or SmartArt, a linked image, an EMF or WMF drawing, an embedded document, the document's own "
        "table of contents)",
        "paste a picture of it, or its text, into the document instead",
        "read",
    ),
    "D002": _warning(
        "an image in a Word document has no alternative text",
        "in Word: right-click the picture → Edit Alt Text",
        "read",
    ),
    "D003": _warning(
        "a Word symbol character (Insert → Symbol) has no Unicode equivalent",
        "insert the character itself (Insert → Symbol, from a Unicode font)",
        "read",
    ),
    "F001": _warning(
        "words of the manuscript that did not reach the book",
        "please report it, with the manuscript: a reader lost text it was given",
        "read",
    ),
    "I002": _info(
        "a story's title or author was taken from the Word document's properties",
        "give the title or author in the manuscript or its [[story]] entry to choose another",
        "read",
    ),
    "I003": _info(
        "a placeholder in the Word document's properties was ignored",
        "nothing to do: a title like 'Document1' or an account name is not used",
        "read",
        verbose_only=True,
    ),
    # The project: book.toml and the manuscripts folder.
    "C000": _error(
        "book.toml is unreadable or has a wrong value (the error a build stops at)",
        "the message names the key and its line; a build says the same and stops with exit code 3",
        "check",
    ),
    "C001": _warning(
        "book has several stories but no title was given", 'set title = "…" in [book], or pass --title "…"', "read"
    ),
    "C002": _warning(
        "a story listed twice in book.toml", "remove one of the [[story]] entries if that was not meant", "project"
    ),
    "I001": _info(
        "a lock file, backup or system file beside the manuscripts was skipped",
        "nothing to do: bookforge never reads them",
        "project",
        verbose_only=True,
    ),
    # Building the book.
    "T000": _error(
        "the theme is unknown, or its theme.toml or a stylesheet is wrong (the error a build stops at)",
        "the message names the file and line; a build says the same and stops with exit code 5",
        "check",
    ),
    "T001": _warning(
        "a stylesheet or image outside the project or on the network (never fetched)",
        "put the file inside the project; bookforge never fetches from the network",
        "epub",
        "pdf",
        "cover",
    ),
    "K001": _warning(
        "CSS custom properties, which Send to Kindle rejects",
        "write the value itself in each rule instead of a var()",
        "kindle",
    ),
    "K002": _warning(
        "image over 5 MB, which Kindle refuses",
        "save it smaller (JPEG at 2560 px on the long side is plenty)",
        "kindle",
    ),
    "K003": _warning(
        "EPUB over 50 MB, the Send to Kindle e-mail limit",
        "make the images smaller, or send the book by cable",
        "kindle",
    ),
    "K004": _warning(
        "a WOFF or WOFF2 font (Kindle embeds only OpenType and TrueType)", "use the .otf or .ttf file", "kindle"
    ),
    "P001": _warning(
        "WeasyPrint reported a problem while laying out the PDF",
        "check styles/ and the images in the manuscripts",
        "pdf",
        "cover",
    ),
    "P002": _warning(
        "PDF/X variant without a CMYK output intent",
        "set [pdf] output-intent to your printer's CMYK profile (.icc)",
        "pdf",
        "cover",
    ),
    "P003": _warning(
        "`[pdf] cover` ignored in a PDF made for a printer (bleed, marks or PDF/X)",
        "printers take the cover as a file of its own: bookforge cover --print",
        "pdf",
    ),
    "P004": _warning(
        "no installed font has the characters of a script the book uses: they would be blank in the PDF",
        "install a font for that script (e.g. Noto)",
        "pdf",
        "check",
    ),
    "P005": _warning(
        "the interior's page count is outside what `[pdf] printer` takes (KDP: 24 to 828 pages), or odd "
        "for a print cover",
        "add or remove pages, or choose a printer that binds books of this length",
        "pdf",
        "cover",
        "check",
    ),
    "P006": _warning(
        "a margin set in `[pdf] margins` is under the printer's minimum for the book's page count",
        'use margins = "auto", which follows the printer, or larger margins',
        "pdf",
        "check",
    ),
    "P007": _warning(
        "too few pages for the printer to put text on the spine (only when book.toml names a printer)",
        "put the title on the front, or add pages if the spine must carry it",
        "check",
    ),
    "I004": _info(
        "the print cover's spine is too narrow for the printer to put text on: it was left blank",
        "put the title on the front, or add pages if the spine must carry it",
        "cover",
    ),
    "V001": _warning(
        "cover image is small (under 1000 px tall)",
        "use a cover at least 1600×2560 px (1000 px tall at the very least)",
        "cover",
    ),
    "V002": _warning(
        "cover image is far from the 1:1.6 shape e-readers expect", "resize or crop it to 1600×2560 px", "cover"
    ),
    "V003": _warning(
        "the generated cover has characters no installed font has",
        "install a font for that script (e.g. Noto), or give a cover image",
        "cover",
    ),
    "V004": _warning(
        "a picture on the print cover is under 300 ppi at its printed size",
        "use a larger picture (300 ppi at the cover's printed size)",
        "cover",
    ),
    "V005": _warning(
        "the print cover's back text is too long for the back and was cut",
        "shorten the back text, or make it smaller",
        "cover",
    ),
    # bookforge check: the manuscripts' lint.
    "L001": _warning(
        "quotation marks that do not balance in a paragraph (a quotation running on into a paragraph "
        "that opens with a quotation mark is fine)",
        "check for a missing or extra quotation mark",
        "lint",
    ),
    "L002": _warning(
        "straight quotes left as typed in a book with `typography = false`",
        "set typography = true in book.toml for curly quotes",
        "lint",
    ),
    "L003": _warning(
        "a scene break inside running dialogue: two blank lines between a line of speech (or a "
        "question) and its answer",
        "if this is one scene, remove one of the blank lines",
        "lint",
    ),
    "L004": _warning(
        "a chapter heading with no text under it",
        "remove the heading, or check that the chapter's text is in the file",
        "lint",
    ),
    "L005": _warning(
        "a paragraph of more than 1,500 words (usually a missing blank line)",
        "a missing blank line between paragraphs is the usual cause",
        "lint",
    ),
    "L006": _warning(
        "a header key that looks misspelt (`Note:`, `Sumary:`), so the line is read as text",
        "the hint names the key it looks like",
        "lint",
    ),
    "L007": _warning(
        "a story without an author (neither in the manuscript, nor `[[story]]`, nor `[book] authors`)",
        'add `Author:` to the manuscript, or author = "…" to its [[story]] entry',
        "lint",
    ),
    "L008": _warning(
        "a paragraph that looks like another language (en, fr, de, es, it) than its story's, without a mark",
        'mark the passage\'s language (language = "…" for a whole story)',
        "lint",
    ),
    "L009": _warning(
        "mojibake: UTF-8 that was once read as Windows-1252 (`â€™`, `Ã©`)",
        "e.g. â€™ is ’ and Ã© is é; fix them in the manuscript",
        "lint",
    ),
    "L010": _warning(
        "an HTML entity typed as text, or double-encoded (`&amp;rsquo;`)",
        "type the character itself (’ for &rsquo;, & for &amp;)",
        "lint",
    ),
    "L011": _warning(
        "an empty scene: two scene-break marks with nothing between them", "remove one of the two break marks", "lint"
    ),
    # bookforge check: the built files.
    "B001": _warning(
        "an output older than the manuscripts, book.toml or styles it is built from",
        "build it again before checking",
        "check",
    ),
    "B002": _warning(
        "a print cover (`build/<title>-cover.pdf`) with no interior PDF beside it to check it against",
        "build the interior PDF too (bookforge build), then check again",
        "check",
    ),
    "E101": _error(
        "the EPUB is not a valid container (mimetype, `container.xml`, package document)",
        "build it again with bookforge; another program may have changed it",
        "check",
    ),
    "E102": _error(
        "a document in the EPUB's reading order does not parse as XML",
        "build it again with bookforge; another program may have changed it",
        "check",
    ),
    "E103": _error(
        "a link, image or stylesheet in the EPUB points at something it does not hold",
        "build it again with bookforge; another program may have changed it",
        "check",
    ),
    "E104": _error(
        "the EPUB's navigation does not list every story",
        "build it again with bookforge; another program may have changed it",
        "check",
    ),
    "P101": _error(
        "a font in the PDF is not embedded",
        "build it again with bookforge; another program may have changed it",
        "check",
    ),
    "P102": _error(
        "the PDF's pages are not the trim size (plus bleed) set in book.toml",
        "build the PDF again after changing [pdf] trim or bleed",
        "check",
    ),
    "P103": _error(
        "the PDF's outline does not have one entry per story", "build the PDF again after changing the stories", "check"
    ),
    "P104": _error(
        "the PDF is unreadable, or has fewer pages than stories (a warning when the page count is only odd)",
        "build the PDF again; an odd page count gets a blank page from the printer",
        "check",
    ),
    "P105": _error(
        "a PDF/X file without a CMYK output intent, or without its PDF/X identification",
        'build it with [pdf] variant = "pdf/x-4" and output-intent = your printer\'s CMYK profile (.icc)',
        "check",
    ),
    "P106": _error(
        "a PDF/X page without a TrimBox, or whose TrimBox or BleedBox is not the trim and bleed (within "
        "0.01in); for the print cover (any variant), a sheet that is not the printer's formula for the "
        "interior's page count: a cover made before pages were added",
        "build the PDF again with bookforge; a PDF changed by another program may have lost its page boxes",
        "check",
    ),
    "P107": _error(
        "a PDF/X file (interior or cover) that draws text, shapes or pictures in plain RGB though it "
        "promises the printer CMYK",
        "build it again with [pdf] output-intent set (bookforge then writes every colour and picture in "
        "the profile's CMYK); in your own styles, colours may also be written as device-cmyk(c m y k)",
        "check",
    ),
    "X001": _warning(
        "EPUBCheck could not run (for instance, Java is missing)",
        "the hint says what to install (Java, or the epubcheck package)",
        "check",
    ),
    "X002": _error(
        "EPUBCheck reported a fatal error or an error (its own message id and location follow)",
        "its own message id and place follow the code",
        "check",
    ),
    "X003": _warning("EPUBCheck reported a warning", "its own message id and place follow the code", "check"),
}


def code_info(code: str) -> Code:
    """The registry's entry for `code`; a code nobody registered is a bug in bookforge."""
    try:
        return CODES[code]
    except KeyError:
        raise ValueError(f"unknown diagnostic code {code!r}") from None
