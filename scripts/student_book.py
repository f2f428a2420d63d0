"""Build the student edition's website (make student).

    python -m scripts.student_book

Writes the student edition's sources to _build/student (see
scripts/student_edition.py) and builds its website, with the same
offline MathJax and the same warnings-as-errors rules as the main book,
into _build/student/_build/html.
"""
import subprocess
import sys
from pathlib import Path

from scripts.book_files import ROOT
from scripts.copy_mathjax import main as copy_mathjax
from scripts.student_edition import make_student_edition

STUDENT = ROOT / "_build" / "student"
STUDENT_HTML = STUDENT / "_build" / "html"
MATHJAX = Path("_build/mathjax_extra/_static/mathjax/tex-svg.js")


def build_student_book() -> Path:
    """Write the student sources and build their website; its html dir."""
    make_student_edition(STUDENT)
    copy_mathjax(str(STUDENT / MATHJAX))
    jb = Path(sys.executable).parent / "jb"  # jupyter-book's command
    subprocess.run([str(jb), "build", str(STUDENT), "-W", "-n", "--all"],
                   check=True)
    return STUDENT_HTML


if __name__ == "__main__":
    print("student website:", build_student_book())
