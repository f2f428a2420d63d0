"""pytest configuration for the whole repository.

Its presence puts the repository root on sys.path, so tests can import
the build scripts as `scripts.<name>`.
"""
