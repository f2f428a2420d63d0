"""scripts/site_answers.py: what the website makes of an exercise's cells."""
import nbformat

from scripts.site_answers import for_the_website

ANSWER = """def double(x):
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION"""
CHECK = """check(double)
### BEGIN HIDDEN TESTS
check(double, seed=1)
### END HIDDEN TESTS"""


def notebook_with(*sources, **nbgrader):
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    for cell in cells:
        cell.metadata["nbgrader"] = dict(nbgrader)
    return nbformat.v4.new_notebook(cells=cells)


def test_an_answer_is_collapsed_behind_show_solution_without_markers():
    notebook = for_the_website(notebook_with(ANSWER, solution=True))
    [cell] = notebook["cells"]
    assert cell["source"] == "def double(x):\n    return 2 * x"
    assert cell["metadata"]["tags"] == ["hide-input"]
    assert cell["metadata"]["mystnb"] == {
        "code_prompt_show": "Show solution",
        "code_prompt_hide": "Hide solution"}


def test_hidden_tests_are_cut_and_the_visible_check_stays():
    notebook = for_the_website(notebook_with(CHECK, grade=True))
    [cell] = notebook["cells"]
    assert cell["source"] == "check(double)"
    assert "tags" not in cell["metadata"]  # a check stays in view


def test_a_student_answer_cell_is_left_as_it_is():
    student = "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    notebook = for_the_website(notebook_with(student, solution=True))
    [cell] = notebook["cells"]
    assert cell["source"] == student and "tags" not in cell["metadata"]


def test_what_the_hidden_tests_printed_is_cut_too():
    notebook = notebook_with(CHECK, grade=True)
    notebook.cells[0].outputs = [nbformat.v4.new_output(
        "stream", name="stdout",
        text="Correct: doubles.\nCorrect: doubles.\n")]
    [cell] = for_the_website(notebook)["cells"]
    assert cell["outputs"][0]["text"] == "Correct: doubles.\n"


def test_a_cell_without_hidden_tests_keeps_every_line_it_printed():
    notebook = notebook_with("print('a'); print('a')")
    notebook.cells[0].outputs = [nbformat.v4.new_output(
        "stream", name="stdout", text="a\na\n")]
    [cell] = for_the_website(notebook)["cells"]
    assert cell["outputs"][0]["text"] == "a\na\n"
