"""A Sphinx extension: on the website, exercise answers wait behind a click.

The chapters are the instructor's notebooks: a graded exercise's answer
cell holds its solution between nbgrader's ``### BEGIN SOLUTION`` markers,
and its check cell may hold hidden tests. As the website reads each
notebook (Sphinx's "source-read" event, before MyST-NB parses it), this
extension

- collapses every answer cell's code behind a "Show solution" button
  (MyST-NB's "hide-input" tag with its own prompt), without nbgrader's
  solution marker lines, and
- deletes the lines between ``### BEGIN HIDDEN TESTS`` and
  ``### END HIDDEN TESTS``, so no page shows them, and what they printed:
  a hidden check prints the same "Correct: ..." line as the visible one
  above it, so a line such a cell has already printed is dropped.

The notebooks themselves are not changed: nbgrader, nbval and Colab read
them as they are. Written answers are already ``{solution}`` dropdowns.
"""
import json

SHOW, HIDE = "Show solution", "Hide solution"
SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TESTS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def without_markers(source: str) -> str:
    """source less nbgrader's solution marker lines and every hidden-tests
    block, its own marker lines included."""
    kept, hidden = [], False
    for line in source.splitlines(keepends=True):
        if line.strip() == HIDDEN_TESTS[0]:
            hidden = True
        elif line.strip() == HIDDEN_TESTS[1]:
            hidden = False
        elif not hidden and line.strip() not in SOLUTION:
            kept.append(line)
    return "".join(kept).rstrip("\n")


def without_hidden_output(outputs: list) -> list:
    """A check cell's outputs less the lines its hidden tests printed:
    each line of printed text is kept once, where it first appears (a
    hidden check repeats the visible check's "Correct: ..." line)."""
    seen = set()
    for output in outputs:
        if output.get("output_type") != "stream":
            continue
        text = output["text"]
        lines = (text if isinstance(text, list)
                 else text.splitlines(keepends=True))
        kept = []
        for line in lines:
            if line.rstrip("\n") not in seen:
                kept.append(line)
                seen.add(line.rstrip("\n"))
        output["text"] = "".join(kept)
    return outputs


def for_the_website(notebook: dict) -> dict:
    """The notebook as the website shows it (changed in place)."""
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if SOLUTION[0] in source:  # the student edition has none
            metadata = cell.setdefault("metadata", {})
            tags = metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
            metadata.setdefault("mystnb", {}).update(
                code_prompt_show=SHOW, code_prompt_hide=HIDE)
        if HIDDEN_TESTS[0] in source:
            without_hidden_output(cell.get("outputs", []))
        if SOLUTION[0] in source or HIDDEN_TESTS[0] in source:
            cell["source"] = without_markers(source)
    return notebook


def rewrite_notebook(app, docname: str, source: list) -> None:
    """Sphinx's source-read handler: rewrite notebooks, leave pages be."""
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    source[0] = json.dumps(for_the_website(json.loads(source[0])))


def setup(app):
    app.connect("source-read", rewrite_notebook)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
