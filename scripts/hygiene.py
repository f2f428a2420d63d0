"""Checks that keep stored notebooks clean; each returns a list of problems.

`python -m scripts.hygiene` runs them all (make book does, before
building): a stored error output or stale metadata fails the build.
"""
import sys
from pathlib import Path

import nbformat

from scripts.book_files import notebooks
from scripts.colab_cell import MARKER, expected_source, first_code_cell

MAX_NOTEBOOK_BYTES = 3_000_000
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FIX = "run `make notebooks` (or re-run the notebook top to bottom)"


def code_cells(notebook) -> list[tuple[int, nbformat.NotebookNode]]:
    """(1-based position in the notebook, cell) for every code cell."""
    return [(i, c) for i, c in enumerate(notebook.cells, 1)
            if c.cell_type == "code"]


def error_outputs(notebook) -> list[str]:
    """A stored output that is an error (the website would show it)."""
    return [f"cell {i}: stored error {o.get('ename')}: {o.get('evalue')}; "
            f"fix the cell, then {FIX}"
            for i, cell in code_cells(notebook) for o in cell.outputs
            if o.output_type == "error"]


def progress_bars(notebook) -> list[str]:
    """A stored tqdm bar: pass progress=False in notebooks."""
    return [f"cell {i}: stored progress bar output; pass progress=False"
            for i, cell in code_cells(notebook) for o in cell.outputs
            if o.output_type == "stream" and "it/s]" in o.text]


def unexecuted_cells(notebook) -> list[str]:
    """Every code cell ran, in order from the top (counts go up)."""
    stale, last = [], 0
    for i, cell in code_cells(notebook):
        count = cell.execution_count
        if count is None or count <= last:
            stale.append(i)
        last = count or last
    return [f"cells {stale} not run, or run out of order: {FIX}"
            ] if stale else []


def churning_metadata(notebook) -> list[str]:
    """Timing and widget state change on every run: keep them out."""
    problems = [f"cell {i}: execution timing metadata; {FIX}"
                for i, cell in code_cells(notebook)
                if "execution" in cell.metadata]
    problems += [f"cell {i}: stored widget view (a random id); {FIX}"
                 for i, cell in code_cells(notebook) for o in cell.outputs
                 if WIDGET_VIEW in o.get("data", {})]
    if "widgets" in notebook.metadata:
        problems.append(f"notebook metadata holds widget state; {FIX}")
    return problems


def kernel(notebook) -> list[str]:
    """The kernel is the plain "python3" one that nbval and Colab use."""
    name = notebook.metadata.get("kernelspec", {}).get("name")
    return [] if name == "python3" else [
        f'kernel is {name!r}, not "python3"; {FIX}']


def colab_cell(notebook) -> list[str]:
    """The first code cell is exactly the Colab install cell."""
    cell = first_code_cell(notebook)
    if cell is not None and cell.source == expected_source():
        return []
    if cell is not None and cell.source.startswith(MARKER):
        what = "the Colab install cell differs from _config.yml's URL"
    else:
        what = "the first code cell is not the Colab install cell"
    return [f"{what}; run `python -m scripts.colab_cell`"]


def size(path: Path) -> list[str]:
    """Small notebooks: large ones are slow to open in Colab."""
    nbytes = path.stat().st_size
    return [] if nbytes <= MAX_NOTEBOOK_BYTES else [
        f"{nbytes / 1e6:.1f} MB: keep stored figures and animations small"]


CHECKS = (error_outputs, progress_bars, unexecuted_cells,
          churning_metadata, kernel, colab_cell)


def problems(path: Path) -> list[str]:
    """Every problem found in one notebook file."""
    notebook = nbformat.read(path, as_version=4)
    found = size(path)
    for check in CHECKS:
        found += check(notebook)
    return found


def main() -> int:
    failed = False
    for path in notebooks():
        for problem in problems(path):
            print(f"{path.relative_to(path.parent.parent)}: {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
