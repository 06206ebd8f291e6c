"""Book → Book transforms run between the readers and the renderer."""
