"""Keep every notebook's first code cell (Colab install) in sync.

The repository URL is written once, in _config.yml. Run
`python -m scripts.colab_cell` after changing it; the test
tests/test_notebooks_meta.py fails while any notebook differs.
"""
import sys

import nbformat

from scripts.book_files import notebooks, repository_url

MARKER = "# In Colab only: install ganlib"
TEMPLATE = '''\
# In Colab only: install ganlib (Colab's own torch stays as it is).
import sys
if "google.colab" in sys.modules:
    import subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    "ganlib @ git+{url}"],
                   check=True)
    # ganlib's widgets need ipywidgets 8, newer than Colab's own copy,
    # which Colab renders only with its custom widget manager.
    from google.colab import output
    output.enable_custom_widget_manager()'''


def expected_source(url: str | None = None) -> str:
    """The exact text of the Colab install cell for this repository."""
    return TEMPLATE.format(url=url or repository_url())


def first_code_cell(notebook) -> nbformat.NotebookNode | None:
    """The first code cell of a notebook, or None when it has none."""
    code = [c for c in notebook.cells if c.cell_type == "code"]
    return code[0] if code else None


def sync(notebook, source: str) -> bool:
    """Make the first code cell the install cell; True when it changed."""
    cell = first_code_cell(notebook)
    if cell is not None and cell.source.startswith(MARKER):
        if cell.source == source:
            return False
        cell.source = source
        return True
    position = notebook.cells.index(cell) if cell else len(notebook.cells)
    notebook.cells.insert(position, nbformat.v4.new_code_cell(source))
    return True


def main() -> int:
    source = expected_source()
    for path in notebooks():
        notebook = nbformat.read(path, as_version=4)
        if sync(notebook, source):
            nbformat.write(notebook, path)
            print(f"updated the Colab install cell of {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
