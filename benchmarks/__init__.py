"""Measurements of ganlib that are too long for the tests (see README)."""
