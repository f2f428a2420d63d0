"""Keep every notebook's first code cell (Colab install) in sync.

It sits right below the chapter's title and is tagged "remove-cell", so
the website leaves it out while Colab, which opens the notebook itself,
runs it.

The repository URL is written once, in _config.yml. Run
`python -m scripts.colab_cell` after changing it; the test
tests/test_notebooks_meta.py fails while any notebook differs.
"""
import sys

import nbformat

from scripts.book_files import notebooks, repository_url

MARKER = "# In Colab only: install ganlib"
HIDDEN_ON_SITE = "remove-cell"  # Jupyter Book's tag: not on the website
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
    """Make the install cell the first code cell, right below the title,
    tagged "remove-cell" (the website leaves it out; Colab runs it).
    True when the notebook changed."""
    before = nbformat.writes(notebook)
    installs = [c for c in notebook.cells if c.cell_type == "code"
                and c.source.startswith(MARKER)]
    install = installs[0] if installs else nbformat.v4.new_code_cell(source)
    install.source = source
    tags = install.metadata.setdefault("tags", [])
    if HIDDEN_ON_SITE not in tags:
        tags.append(HIDDEN_ON_SITE)
    cells = [c for c in notebook.cells if c not in installs]
    has_title = (bool(cells) and cells[0].cell_type == "markdown"
                 and cells[0].source.startswith("# "))
    cells.insert(1 if has_title else 0, install)
    notebook.cells = cells
    return nbformat.writes(notebook) != before


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
