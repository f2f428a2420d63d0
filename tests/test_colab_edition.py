"""The notebooks Colab opens (colab/): up to date with book/, every answer
folded behind "Show solution", no hidden test, no solution in the
student's copy."""
import re

import nbformat
import pytest

from scripts.book_files import BOOK, notebooks, repository_url
from scripts.colab_edition import (COLAB, FORM_TITLE, colab_markdown,
                                   stale_files)
from test_student import notebook_text, solutions, squeeze

CHAPTERS = notebooks()


def colab_cells(edition: str, chapter):
    path = COLAB / edition / "book" / chapter.name
    return nbformat.read(path, as_version=4).cells


def test_colab_folder_is_up_to_date_with_the_chapters():
    stale = stale_files()
    assert not stale, (f"{len(stale)} stale notebooks under colab/, e.g. "
                       f"{stale[0]}: run `make colab` and commit colab/")


def test_markdown_for_colab_folds_the_answer_and_keeps_the_exercise():
    source = ("Before.\n\n```{exercise} Count\n:label: ex-count\n\n"
              "How many?\n```\n\n% BEGIN SOLUTION\n"
              "````{solution} ex-count\n:class: dropdown\n\nThree:\n\n"
              "```python\nprint(3)\n```\n````\n% END SOLUTION\n\n"
              "```{note}\nLine one\nline two.\n```")
    assert colab_markdown(source) == (
        "Before.\n\n**Exercise: Count**\n\nHow many?\n\n"
        "<details><summary>Show solution</summary>\n\nThree:\n\n"
        "```python\nprint(3)\n```\n\n</details>\n\n"
        "> **Note.** Line one\n> line two.")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_instructor_colab_folds_every_answer_and_hides_the_tests(chapter):
    book = nbformat.read(chapter, as_version=4).cells
    colab = colab_cells("instructor", chapter)
    assert len(colab) == len(book)
    answers = sum("### BEGIN SOLUTION" in c.source for c in book)
    forms = [c for c in colab if c.metadata.get("cellView") == "form"]
    assert answers and len(forms) == answers
    assert all(c.source.startswith(FORM_TITLE + "\n") for c in forms)
    written = sum(c.source.count("{solution}") for c in book)
    text = "\n".join(c.source for c in colab)
    assert text.count("<details><summary>Show solution") == written
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS",
                   "{solution}", "{exercise}", ":class: dropdown"):
        assert marker not in text, f"{chapter.stem}: {marker!r} in Colab"
    # the answers are all there, only folded: the notebook still runs
    for solution in solutions(chapter):
        assert squeeze(solution) in squeeze(text), solution[:80]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_colab_has_stubs_and_no_solution(chapter):
    path = COLAB / "student" / "book" / chapter.name
    text = squeeze(notebook_text(path))
    assert squeeze("# YOUR CODE HERE\nraise NotImplementedError()") in text
    for marker in ("HIDDEN TESTS", "{solution}", "Show solution"):
        assert squeeze(marker) not in text, f"{chapter.stem}: {marker!r}"
    leaked = [s for s in solutions(chapter) if squeeze(s) in text]
    assert not leaked, f"{chapter.stem}: solution in the student's Colab"
    assert not any(re.match(r"^%", line) for c in colab_cells(
        "student", chapter) if c.cell_type == "markdown"
        for line in c.source.splitlines())


@pytest.mark.parametrize("edition", ["instructor", "student"])
def test_instructors_page_links_every_chapter_in_colab(edition):
    page = (BOOK / "instructors.md").read_text()
    owner_repo = repository_url().removeprefix("https://github.com/")
    for chapter in CHAPTERS:
        url = (f"https://colab.research.google.com/github/{owner_repo}"
               f"/blob/main/colab/{edition}/book/{chapter.name}")
        assert f"]({url})" in page, f"instructors.md lacks {url}"
