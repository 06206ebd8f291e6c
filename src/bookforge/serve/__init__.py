"""`bookforge serve`: the book as readers will see it, in a browser, rebuilt live as the author saves."""
