"""Work-arounds for WeasyPrint bugs that books meet, applied once before the first layout."""

from __future__ import annotations

import hashlib
import io
import uuid

_applied = False
_seed = b""  # what the document being written is made of (set_document): its XMP DocumentID


def apply() -> None:
    """Mend what needs mending (once per process)."""
    global _applied
    if _applied:
        return
    _mend_first_letter()
    _stable_document_id()
    _profile_as_given()
    _applied = True


def set_document(source: str) -> None:
    """Name the document about to be written: its PDF/X-4 DocumentID is derived from it."""
    global _seed
    _seed = hashlib.sha256(source.encode("utf-8", "surrogatepass")).digest()


def _stable_document_id() -> None:
    """WeasyPrint 70 gives a PDF/X-4 file a random xmpMM:DocumentID (uuid4), so two builds of the
    same book differed, and the file identifier hashed from the content with them. The id is made
    from the document instead: the same book, the same bytes."""
    try:
        from weasyprint.pdf import metadata
    except ImportError:
        return
    if hasattr(metadata, "uuid4"):
        metadata.uuid4 = lambda: uuid.UUID(bytes=_seed[:16] or bytes(16), version=4)


def _profile_as_given() -> None:
    """WeasyPrint 70 embeds an ICC profile (a PDF/X output intent) as LittleCMS writes it again,
    with that moment's date in its header: two builds of a book differed. The profile is embedded
    as its file has it, which is also what the printer gave."""
    try:
        from weasyprint.css import ColorProfile
    except ImportError:
        return
    if not hasattr(ColorProfile, "content") or hasattr(ColorProfile, "_bookforge_bytes"):
        return
    original_init = ColorProfile.__init__
    rewritten = ColorProfile.content

    def __init__(self, file_object, *args, **kwargs):
        data = file_object.read() if hasattr(file_object, "read") else None
        original_init(self, io.BytesIO(data) if data is not None else file_object, *args, **kwargs)
        self._bookforge_bytes = data

    ColorProfile.__init__ = __init__
    ColorProfile._bookforge_bytes = None
    ColorProfile.content = property(lambda self: self._bookforge_bytes or rewritten.fget(self))


def _mend_first_letter() -> None:
    """Make WeasyPrint's ::first-letter idempotent (WeasyPrint 70 and earlier).

    WeasyPrint builds a floated first letter (bookforge's drop cap) by changing the paragraph's
    boxes in place when it lays out the first line. When that line is laid out a second time (the
    paragraph did not fit at the foot of a page and moves to the next: an opening paragraph after
    a story's notes), it finds the letter it made and makes a first letter of it again, an inline
    box that floats, and its float layout fails an assertion: the build stopped with a traceback.
    A paragraph whose first letter is already made is left as it is."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    original = getattr(inline, "first_letter_to_box", None)
    if original is None:  # a WeasyPrint whose layout is shaped otherwise: nothing to mend here
        return

    def first_letter_to_box(box, skip_stack, first_letter_style):
        if first_letter_style and _has_floated_first_letter(box, boxes):
            return skip_stack
        return original(box, skip_stack, first_letter_style)

    inline.first_letter_to_box = first_letter_to_box


def _has_floated_first_letter(box, boxes) -> bool:
    """Does the box's first line already start with a floated ::first-letter box?"""
    while isinstance(box, boxes.ParentBox) and box.children:
        box = box.children[0]
        if isinstance(box, boxes.BlockBox) and box.element_tag.endswith("::first-letter"):
            return True
    return False
