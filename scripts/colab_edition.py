"""The notebooks that Colab opens, one folder per edition (make colab).

    python -m scripts.colab_edition          # rewrite colab/
    python -m scripts.colab_edition --check  # exit 1 if colab/ is stale

Colab opens a notebook from the repository by its URL, and shows it as
it is: it knows neither MyST's directives nor nbgrader's markers. So the
chapters are published twice more, under colab/ (committed, so each has
a URL; tests/test_colab_edition.py fails while they are stale):

- colab/instructor/book/NAME.ipynb, where the website's Colab button
  points: every graded answer cell is a Colab form titled "Show
  solution", whose code stays hidden until the reader opens it, and the
  hidden tests are gone;
- colab/student/book/NAME.ipynb, where the student edition's Colab
  button points: the student edition (scripts/student_edition.py).

In both, the exercises' MyST blocks become plain markdown, each written
answer a <details> block ("Show solution") that Colab keeps folded, and
MyST comment lines (nbgrader's "% BEGIN SOLUTION") go.
"""
import re
import sys
from pathlib import Path

import nbformat

from scripts.book_files import ROOT, notebooks
from scripts.site_answers import (SHOW, SOLUTION, without_hidden_output,
                                  without_markers)
from scripts.student_edition import student_notebook

COLAB = ROOT / "colab"
EDITIONS = ("instructor", "student")
FORM_TITLE = f"# @title {SHOW}"
# A fenced MyST directive, ``` or :::, up to the same fence closing it.
DIRECTIVE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+)\}[ \t]*(?P<argument>.*?)"
    r"[ \t]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL)
OPTION = re.compile(r"^:[\w-]+:.*\n", re.MULTILINE)  # a directive's option
MYST_COMMENT = re.compile(r"^%.*\n?", re.MULTILINE)
ADMONITIONS = {"note": "Note", "tip": "Tip", "warning": "Warning",
               "important": "Important"}


def directive_as_markdown(match: re.Match) -> str:
    """One MyST directive block as markdown that Colab renders."""
    name, argument = match["name"], match["argument"]
    body = OPTION.sub("", match["body"], count=0).strip("\n")
    if name == "exercise":
        return f"**Exercise: {argument}**\n\n{body}"
    if name == "solution":
        return (f"<details><summary>{SHOW}</summary>\n\n{body}\n\n"
                f"</details>")
    if name in ADMONITIONS:
        return f"> **{ADMONITIONS[name]}.** " + body.replace("\n", "\n> ")
    return match[0]  # figures and the rest: as MyST wrote them


def colab_markdown(source: str) -> str:
    """A markdown cell's text as Colab shows it."""
    source = MYST_COMMENT.sub("", source)
    return DIRECTIVE.sub(directive_as_markdown, source).strip("\n")


def colab_notebook(notebook):
    """A notebook for Colab (changed in place, returned): answers folded."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = colab_markdown(cell.source)
        elif SOLUTION[0] in cell.source:
            cell.source = f"{FORM_TITLE}\n{without_markers(cell.source)}"
            cell.metadata["cellView"] = "form"  # Colab: code folded
        elif "### BEGIN HIDDEN TESTS" in cell.source:
            cell.source = without_markers(cell.source)
            without_hidden_output(cell.outputs)
    return notebook


def edition_notebook(path: Path, edition: str) -> str:
    """The text of one chapter's Colab notebook in one edition."""
    notebook = nbformat.read(path, as_version=4)
    if edition == "student":
        student_notebook(notebook, path.name)
    return nbformat.writes(colab_notebook(notebook)) + "\n"


def expected_files() -> dict[Path, str]:
    """Every file colab/ should hold, with its text."""
    return {COLAB / edition / "book" / path.name:
            edition_notebook(path, edition)
            for edition in EDITIONS for path in notebooks()}


def stale_files() -> list[Path]:
    """The files under colab/ that are missing, different or extra."""
    expected = expected_files()
    present = set(COLAB.rglob("*.ipynb")) if COLAB.exists() else set()
    wrong = [path for path, text in expected.items()
             if not path.is_file() or path.read_text() != text]
    return sorted(wrong + [path for path in present - set(expected)])


def write() -> None:
    """Rewrite colab/ from book/."""
    expected = expected_files()
    for path in set(COLAB.rglob("*.ipynb")) - set(expected):
        path.unlink()
    for path, text in expected.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        stale = stale_files()
        for path in stale:
            print("stale:", path.relative_to(ROOT))
        if stale:
            sys.exit("colab/ is out of date: run `make colab`")
    elif sys.argv[1:]:
        sys.exit("usage: python -m scripts.colab_edition [--check]")
    else:
        write()
        print(f"wrote {len(expected_files())} notebooks under colab/")
