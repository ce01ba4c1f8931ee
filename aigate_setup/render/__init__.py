"""Results -> text, JSON (and github/sarif for check). One module per command's output; the
shared primitives (colour policy, the JSON envelope, the error line) live in `report`."""
