"""Notebook helpers: show ganlib's real source, and quick vs full budgets.

The book shows the library's own code with `show_source`, so the code a
reader reads is the code the tests run. `budget` picks a small value when
the environment variable GANLIB_QUICK is "1" (the tests set it) and the
full value otherwise (the website build).
"""
import html
import inspect
import os
from pathlib import Path

QUICK_ENV = "GANLIB_QUICK"


class Source:
    """Source code displayed highlighted in HTML and as plain text."""

    def __init__(self, code: str, origin: str) -> None:
        self.code = code  # the exact text of the function or class
        self.origin = origin  # e.g. "ganlib/losses.py"

    def __repr__(self) -> str:
        return f"# {self.origin}\n{self.code}"

    def _repr_html_(self) -> str:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer

        # Styles are scoped to this block so that they work in Jupyter,
        # Colab and the website alike (the book theme styles .highlight).
        formatter = HtmlFormatter(cssclass="highlight ganlib-source")
        style = formatter.get_style_defs(".ganlib-source")
        caption = f"<p><code>{html.escape(self.origin)}</code></p>"
        body = highlight(self.code, PythonLexer(), formatter)
        return f"<style>{style}</style>{caption}{body}"


def _origin(obj) -> str:
    """Where obj is defined: "ganlib/losses.py", or "this notebook"."""
    if getattr(obj, "__module__", None) == "__main__":
        return "this notebook"
    obj = inspect.unwrap(obj)  # a decorated function's own file
    path = Path(inspect.getsourcefile(obj) or "unknown file").resolve()
    package_root = Path(__file__).resolve().parent.parent
    if path.is_relative_to(package_root):
        return path.relative_to(package_root).as_posix()
    return path.name


def show_source(obj) -> Source:
    """Displayable source of a function, class or module (inspect)."""
    try:
        code = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise TypeError(
            f"show_source cannot find the source of {obj!r} ({error}). "
            "Pass a Python function, class or module defined in a file."
        ) from error
    return Source(code, _origin(obj))


def is_quick() -> bool:
    """True when the environment variable GANLIB_QUICK is "1"."""
    return os.environ.get(QUICK_ENV, "") == "1"


def budget(*, full, quick):
    """Return `quick` in quick mode (GANLIB_QUICK=1), else `full`."""
    return quick if is_quick() else full
