"""Work-arounds for WeasyPrint bugs that books meet, applied once before the first layout."""

from __future__ import annotations

_applied = False


def apply() -> None:
    """Make WeasyPrint's ::first-letter idempotent (WeasyPrint 70 and earlier).

    WeasyPrint builds a floated first letter (bookforge's drop cap) by changing the paragraph's
    boxes in place when it lays out the first line. When that line is laid out a second time (the
    paragraph did not fit at the foot of a page and moves to the next: an opening paragraph after
    a story's notes), it finds the letter it made and makes a first letter of it again, an inline
    box that floats, and its float layout fails an assertion: the build stopped with a traceback.
    A paragraph whose first letter is already made is left as it is."""
    global _applied
    if _applied:
        return
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    original = getattr(inline, "first_letter_to_box", None)
    if original is None:  # a WeasyPrint whose layout is shaped otherwise: nothing to mend here
        _applied = True
        return

    def first_letter_to_box(box, skip_stack, first_letter_style):
        if first_letter_style and _has_floated_first_letter(box, boxes):
            return skip_stack
        return original(box, skip_stack, first_letter_style)

    inline.first_letter_to_box = first_letter_to_box
    _applied = True


def _has_floated_first_letter(box, boxes) -> bool:
    """Does the box's first line already start with a floated ::first-letter box?"""
    while isinstance(box, boxes.ParentBox) and box.children:
        box = box.children[0]
        if isinstance(box, boxes.BlockBox) and box.element_tag.endswith("::first-letter"):
            return True
    return False
