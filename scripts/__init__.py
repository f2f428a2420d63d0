"""Build and maintenance scripts for the book (run them from the repo root)."""
