"""Set up an nbgrader course directory from the book's chapters.

    python -m scripts.nbgrader_course DIR

Writes DIR/nbgrader_config.py (from instructors/nbgrader_config.py) and
DIR/source/<chapter>/<chapter>.ipynb for every chapter with a graded
exercise. Then, in DIR: `nbgrader generate_assignment <chapter>
--create`, collect submissions, `nbgrader autograde <chapter>`.
"""
import shutil
import sys
from pathlib import Path

import nbformat

from scripts.book_files import ROOT, notebooks

CONFIG = ROOT / "instructors" / "nbgrader_config.py"


def is_graded(path: Path) -> bool:
    """True when the chapter has at least one nbgrader check cell."""
    cells = nbformat.read(path, as_version=4).cells
    return any(c.metadata.get("nbgrader", {}).get("grade") for c in cells)


def make_course(course: Path) -> list[str]:
    """Write the course directory; the assignment names (chapters)."""
    course.mkdir(parents=True, exist_ok=True)
    root_line = f"c.CourseDirectory.root = {str(course.resolve())!r}\n"
    (course / "nbgrader_config.py").write_text(
        CONFIG.read_text() + root_line)
    names = []
    for path in notebooks():
        if is_graded(path):
            folder = course / "source" / path.stem
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, folder / path.name)
            names.append(path.stem)
    return names


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m scripts.nbgrader_course DIR")
    for name in make_course(Path(sys.argv[1])):
        print("assignment:", name)
