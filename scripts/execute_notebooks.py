"""Re-execute chapter notebooks in place at the FULL budget (make notebooks).

Usage: python -m scripts.execute_notebooks [book/NAME.ipynb ...]
(no arguments: every notebook in book/). Outputs are stored for the
website and each notebook's slowest cells are printed; timing metadata
and widget state are left out so that a re-run changes only what the
cells really print.
"""
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from scripts.book_files import notebooks
from scripts.colab_cell import expected_source, sync
from scripts.colab_edition import write as write_colab_edition
from scripts.hygiene import WIDGET_VIEW


def merge_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) outputs into one: how printed
    text is split into chunks depends on timing, not on the notebook."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None
                and previous.output_type == "stream"
                and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def strip_churn(notebook) -> None:
    """Drop what changes on every run: timings, widget state and views,
    and the chunks printed text happened to arrive in.

    A widget view names a random model id, and without the stored state
    it cannot be shown anyway: the image/png still next to it remains.
    """
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)


def timestamp(text: str) -> datetime:
    """A kernel's ISO time stamp ("...Z" for UTC) as a datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def cell_seconds(notebook) -> list[tuple[float, int]]:
    """(seconds, cell index) of every code cell that recorded its timing,
    slowest first."""
    timings = []
    for index, cell in enumerate(notebook.cells):
        execution = cell.metadata.get("execution", {})
        start = execution.get("iopub.execute_input")
        end = execution.get("shell.execute_reply")
        if start and end:
            seconds = (timestamp(end) - timestamp(start)).total_seconds()
            timings.append((seconds, index))
    return sorted(timings, reverse=True)


def execute(path: Path) -> None:
    """Run one notebook top to bottom in its folder and write it back,
    printing its slowest cells."""
    notebook = nbformat.read(path, as_version=4)
    sync(notebook, expected_source())
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=None,
        record_timing=True, store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python"}
    for seconds, index in cell_seconds(notebook)[:3]:
        print(f"{path}: cell {index} took {seconds:.0f} s")
    strip_churn(notebook)
    nbformat.write(notebook, path)


def main(arguments: list[str]) -> int:
    os.environ.pop("GANLIB_QUICK", None)  # the website shows full runs
    paths = [Path(a) for a in arguments] or notebooks()
    for path in paths:
        start = time.perf_counter()
        execute(path)
        print(f"{path}: {time.perf_counter() - start:.0f} s")
    write_colab_edition()  # colab/ follows the chapters' new outputs
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
