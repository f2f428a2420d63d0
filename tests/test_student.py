"""The student edition: stubs instead of solutions, nothing leaks, and a
real nbgrader run gives full marks to the solutions and zero to the stubs.
"""
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from scripts.book_files import BOOK, ROOT, repository_url
from scripts.student_book import STUDENT, STUDENT_HTML, build_student_book

CHAPTERS = sorted(BOOK.glob("*.ipynb"))
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION",
                      re.DOTALL)
MARKDOWN_SOLUTION = re.compile(
    r"% BEGIN SOLUTION\n(.*?)\n% END SOLUTION", re.DOTALL)


def cells(path: Path):
    return nbformat.read(path, as_version=4).cells


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def graded_chapters() -> list[Path]:
    return [p for p in CHAPTERS
            if any(nbgrader_meta(c).get("grade") for c in cells(p))]


def squeeze(text: str) -> str:
    """Text with all white space removed, for leak searches."""
    return re.sub(r"\s+", "", text)


CODE_BLOCK = re.compile(r"^```+[a-z]+\n(.*?)^```", re.MULTILINE | re.DOTALL)


def solutions(path: Path) -> list[str]:
    """The code of every solution in a chapter: the answer cells' solution
    regions and the code blocks in the solution dropdowns."""
    found = []
    for cell in cells(path):
        found += SOLUTION.findall(cell.source)
        for dropdown in MARKDOWN_SOLUTION.findall(cell.source):
            found += CODE_BLOCK.findall(dropdown)
    return [s for s in found if len(squeeze(s)) > 12]


def notebook_text(path: Path) -> str:
    """What a reader of a notebook sees: sources and text outputs."""
    parts = []
    for cell in cells(path):
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
            parts.append(output.get("data", {}).get("text/html", ""))
    return "\n".join(parts)


def page_text(path: Path) -> str:
    """What a reader of a web page sees: its text without tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def edition_text(book: Path, site: Path) -> list[str]:
    """Every notebook, page and web page of an edition, squeezed."""
    texts = [notebook_text(p) for p in book.glob("*.ipynb")]
    texts += [p.read_text() for p in book.glob("*.md")]
    texts += [page_text(p) for p in site.rglob("*.html")]
    return [squeeze(t) for t in texts]


def leaked(path: Path, texts: list[str]) -> list[str]:
    """The solutions of a chapter found in any of the texts."""
    return [s for s in solutions(path)
            if any(squeeze(s) in text for text in texts)]


# --- the sources are nbgrader-compatible ----------------------------------

@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_solutions_sit_in_nbgrader_solution_regions(path):
    for cell in cells(path):
        if "### BEGIN SOLUTION" in cell.source:
            assert nbgrader_meta(cell).get("solution"), (
                f"{path.name}: a solution region in a cell without "
                "nbgrader solution metadata:\n" + cell.source[:200])
        if cell.cell_type == "markdown" and "{solution}" in cell.source:
            assert MARKDOWN_SOLUTION.search(cell.source), (
                f"{path.name}: wrap the {{solution}} dropdown in "
                "'% BEGIN SOLUTION' / '% END SOLUTION' lines:\n"
                + cell.source[:200])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_each_chapter_has_a_graded_exercise_with_hidden_tests(path):
    checks = [c for c in cells(path) if nbgrader_meta(c).get("grade")]
    assert checks, f"{path.name} has no graded check cell"
    for cell in checks:
        meta = nbgrader_meta(cell)
        assert meta.get("points", 0) > 0 and meta.get("locked")
        assert "### BEGIN HIDDEN TESTS" in cell.source


def fence_problems(markdown: str) -> list[str]:
    """Directives whose own ``` fence would be closed by a code block's."""
    problems, fence = [], None
    for line in markdown.split("\n"):
        opening = re.match(r"^(`{3,})\{(exercise|solution)\}", line)
        if opening:
            fence = opening.group(1)
        elif fence and re.match(r"^`{3,}[^`\s]", line):  # ```python
            if len(re.match(r"^`+", line).group(0)) >= len(fence):
                problems.append(line)
        elif fence and line.strip() == fence:
            fence = None
    return problems


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_directives_holding_code_use_a_longer_fence(path):
    for cell in cells(path):
        if cell.cell_type == "markdown":
            assert not fence_problems(cell.source), (
                f"{path.name}: a code block inside an exercise or "
                "solution closes it early; open the directive with "
                "four backticks (````{solution}):\n" + cell.source[:300])


def test_grade_ids_are_unique_across_the_book():
    ids = [nbgrader_meta(c)["grade_id"] for p in CHAPTERS for c in cells(p)
           if nbgrader_meta(c)]
    assert len(ids) == len(set(ids))


# --- the student edition --------------------------------------------------

@pytest.fixture(scope="module")
def student_html():
    return build_student_book()


def test_student_edition_has_stubs_and_no_hidden_tests(student_html):
    for path in graded_chapters():
        text = (STUDENT / "book" / path.name).read_text()
        assert "raise NotImplementedError()" in text
        assert "# YOUR CODE HERE" in text
        assert "HIDDEN TESTS" not in text
        assert "{solution}" not in text


def test_the_leak_search_finds_every_solution_in_the_instructor_edition():
    # The search below must be able to fail: on the instructor edition
    # (the sources and the website `make book` built) it finds them all.
    site = ROOT / "_build" / "html"
    if not site.exists():
        subprocess.run(["make", "book"], cwd=ROOT, check=True)
    notebooks = [squeeze(notebook_text(p)) for p in BOOK.glob("*.ipynb")]
    pages = [squeeze(page_text(p)) for p in site.rglob("*.html")]
    for path in CHAPTERS:
        assert solutions(path), f"{path.name}: no solution code found"
        for texts in (notebooks, pages):
            missing = set(solutions(path)) - set(leaked(path, texts))
            assert not missing, f"{path.name}: search misses {missing}"


def test_no_solution_leaks_into_student_notebooks_or_website(student_html):
    texts = edition_text(STUDENT / "book", student_html)
    for path in CHAPTERS:
        assert not leaked(path, texts), f"{path.name}: solution leaked"


def test_student_pages_have_no_solution_dropdowns(student_html):
    for page in student_html.glob("book/*.html"):
        assert "solution" not in re.findall(
            r'class="[^"]*(solution)[^"]*"', page.read_text()), page.name


def test_student_pages_open_the_students_notebooks_in_colab(student_html):
    owner_repo = repository_url().removeprefix("https://github.com/")
    for path in CHAPTERS:
        page = (student_html / "book" / path.with_suffix(".html").name)
        colab = (f"https://colab.research.google.com/github/{owner_repo}"
                 f"/blob/main/colab/student/book/{path.name}")
        assert colab in page.read_text(), f"{path.stem}: no {colab}"
        assert (ROOT / "colab" / "student" / "book" / path.name).is_file()


# --- a real nbgrader run --------------------------------------------------

def nbgrader(course: Path, *arguments: str) -> None:
    """Run one nbgrader command in the course directory; fail loudly."""
    # nbgrader runs the `alembic` command: the venv's bin must be on PATH.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = dict(os.environ, GANLIB_QUICK="1", PATH=path)
    command = [sys.executable, "-m", "nbgrader", *arguments]
    done = subprocess.run(command, cwd=course, env=env, text=True,
                          capture_output=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory, student_html):
    """A course where "solutions" handed in the instructor edition and
    "stubs" the untouched student edition, autograded by nbgrader."""
    from scripts.nbgrader_course import make_course
    root = tmp_path_factory.mktemp("course")
    names = make_course(root)
    for student in ("solutions", "stubs"):
        nbgrader(root, "db", "student", "add", student)
    for name in names:
        nbgrader(root, "generate_assignment", name, "--create", "--force")
        for student, source in (("solutions", BOOK), ("stubs",
                                                       STUDENT / "book")):
            folder = root / "submitted" / student / name
            folder.mkdir(parents=True)
            shutil.copy2(source / f"{name}.ipynb", folder)
        nbgrader(root, "autograde", name, "--force")
    return root, names


def scores(root: Path, names: list[str], student: str) -> dict:
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        return {name: (gradebook.find_submission(name, student).score,
                       gradebook.find_submission(name, student).max_score)
                for name in names}


def test_nbgrader_gives_full_marks_to_the_solutions(course):
    root, names = course
    for name, (score, max_score) in scores(root, names, "solutions").items():
        assert max_score > 0 and score == max_score, name


def test_nbgrader_gives_zero_to_the_stubs(course):
    root, names = course
    for name, (score, max_score) in scores(root, names, "stubs").items():
        assert max_score > 0 and score == 0, name


def test_each_check_fails_on_its_stub_with_its_own_message(course):
    root, names = course
    messages = []
    for name in names:
        path = root / "autograded" / "stubs" / name / f"{name}.ipynb"
        for cell in cells(path):
            if not nbgrader_meta(cell).get("grade"):
                continue
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert errors, f"{name}: check passed on a stub:\n{cell.source}"
            error = errors[0]
            assert error.ename == "ExerciseError", (name, error.ename)
            assert "is not written yet" in error.evalue, error.evalue
            assert "Hint:" in error.evalue, error.evalue
            messages.append(error.evalue)
    assert len(messages) == len(set(messages)), messages


# --- an exercise asks for something the page has not printed --------------

BOILERPLATE = re.compile(
    r"^(\w+\.)?(zero_grad|step|backward)\(\)$|^return\w+$|^def\w+\("
    r"|^[\w=,*]+\):$")  # the last: a def's parameters, continued


def substantial_lines(code: str) -> list[str]:
    """The squeezed lines of a solution worth copying: not comments, not
    optimizer calls, not a bare return or a def's signature."""
    lines = [squeeze(line.split("#")[0]) for line in code.splitlines()]
    return [line for line in lines
            if len(line) >= 16 and not BOILERPLATE.match(line)]


def outside_the_exercises(notebook_cells) -> str:
    """What a chapter prints outside its exercises, squeezed: every cell
    that is neither an nbgrader cell nor a written solution, with its
    outputs (ganlib's source, shown with show_source, included)."""
    parts = []
    for cell in notebook_cells:
        if nbgrader_meta(cell) or MARKDOWN_SOLUTION.search(cell.source):
            continue
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return squeeze("\n".join(parts))


def copied_solution_lines(notebook_cells) -> list[str]:
    solution_code = []
    for cell in notebook_cells:
        solution_code += SOLUTION.findall(cell.source)
        for dropdown in MARKDOWN_SOLUTION.findall(cell.source):
            solution_code += CODE_BLOCK.findall(dropdown)
    printed = outside_the_exercises(notebook_cells)
    return [line for code in solution_code
            for line in substantial_lines(code) if line in printed]


def test_the_copy_search_finds_a_solution_printed_earlier():
    shown = nbformat.v4.new_code_cell("show_source(f)")
    shown.outputs = [nbformat.v4.new_output(
        "stream", text="def f(x):\n    return torch.log1p(torch.exp(-x))\n")]
    answer = nbformat.v4.new_code_cell(
        "def g(x):\n    ### BEGIN SOLUTION\n    y = torch.log1p(torch.exp("
        "-x))\n    optimizer.zero_grad()\n    return y\n"
        "    ### END SOLUTION")
    answer.metadata["nbgrader"] = {"solution": True}
    assert copied_solution_lines([shown, answer]) == []  # `y = ` differs
    answer.source = answer.source.replace("y = torch", "return torch")
    assert copied_solution_lines([shown, answer]) == [
        "returntorch.log1p(torch.exp(-x))"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_solution_line_is_printed_elsewhere_in_its_chapter(path):
    copied = copied_solution_lines(cells(path))
    assert not copied, (f"{path.stem}: these solution lines are printed "
                        f"outside the exercise, so the answer is a copy: "
                        f"{copied}")
