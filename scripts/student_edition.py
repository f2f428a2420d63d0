"""Make the student edition of the book from the same sources.

    python scripts/student_edition.py OUT_DIR

Copies the book's sources into OUT_DIR and, in every notebook, runs
nbgrader's own preprocessors, as `nbgrader generate_assignment` would:
- each code solution region (### BEGIN SOLUTION ... ### END SOLUTION)
  becomes `# YOUR CODE HERE` + `raise NotImplementedError()`;
- each markdown solution region (% BEGIN SOLUTION ... % END SOLUTION,
  around a {solution} dropdown) is removed;
- hidden tests (### BEGIN HIDDEN TESTS ... ### END HIDDEN TESTS) go;
- the stored outputs of the answer and check cells are cleared.
In the markdown pages (.md), the {solution} dropdowns are removed.
A {solution} left anywhere after that is an error: it would leak.
"""
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

ROOT = Path(__file__).resolve().parent.parent
# Everything a book build reads: configuration, chapters, static files.
SOURCES = ["_config.yml", "_toc.yml", "_static", "book", "benchmarks",
           "scripts/site_answers.py"]  # _config.yml's local extension
# Where each edition's Colab button points (see scripts/colab_edition.py).
INSTRUCTOR_COLAB = "path_to_book: colab/instructor"
STUDENT_COLAB = "path_to_book: colab/student"
TEXT_STUB = "YOUR ANSWER HERE"  # nbgrader's stub for a markdown solution
# A MyST fence (``` or :::, three or more) opening a {solution} directive,
# up to the same fence closing it.
SOLUTION_BLOCK = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{solution\}.*?^(?P=fence)[ \t]*$\n?",
    re.MULTILINE | re.DOTALL,
)


def is_exercise_cell(cell) -> bool:
    """True for an nbgrader answer cell or check cell."""
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("solution") or meta.get("grade"))


def student_notebook(notebook, name: str = "notebook"):
    """The student edition of one notebook (changed in place, returned)."""
    resources = {}
    # Markdown solutions carry no nbgrader metadata (nbgrader would want
    # them graded by hand), hence enforce_metadata=False.
    ClearSolutions(enforce_metadata=False, text_stub=TEXT_STUB).preprocess(
        notebook, resources)
    ClearHiddenTests().preprocess(notebook, resources)
    notebook.cells = [cell for cell in notebook.cells
                      if not (cell.cell_type == "markdown"
                              and cell.source.strip() == TEXT_STUB)]
    for cell in notebook.cells:
        if "{solution}" in cell.source:
            raise ValueError(
                f"{name}: a {{solution}} is not inside '% BEGIN SOLUTION' "
                f"/ '% END SOLUTION' lines, so it would reach students:\n"
                f"{cell.source[:300]}")
        if cell.cell_type == "code" and is_exercise_cell(cell):
            cell.outputs = []
            cell.execution_count = None
    return notebook


def copy_sources(out_dir: Path) -> None:
    """A fresh copy of everything the book build reads, in out_dir."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, out_dir / name,
                            ignore=shutil.ignore_patterns(
                                "_checkpoints", ".ipynb_checkpoints"))
        elif source.exists():
            (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, out_dir / name)


def make_student_edition(out_dir: Path) -> list[Path]:
    """Write the student edition's sources to out_dir; its notebooks."""
    copy_sources(out_dir)
    config = out_dir / "_config.yml"  # its Colab button: the student's
    text = config.read_text()
    if INSTRUCTOR_COLAB not in text:
        raise ValueError(f"_config.yml does not say {INSTRUCTOR_COLAB!r}")
    config.write_text(text.replace(INSTRUCTOR_COLAB, STUDENT_COLAB))
    for page in sorted((out_dir / "book").glob("*.md")):
        page.write_text(SOLUTION_BLOCK.sub("", page.read_text()))
    notebooks = sorted((out_dir / "book").glob("*.ipynb"))
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(student_notebook(notebook, path.name), path)
    return notebooks


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/student_edition.py OUT_DIR")
    for path in make_student_edition(Path(sys.argv[1]).resolve()):
        print("student edition:", path)
