"""Notebook hygiene: stored outputs clean, metadata stable, Colab cell."""
import nbformat
import pytest

from scripts import hygiene
from scripts.book_files import ROOT, notebooks, toc_files
from scripts.colab_cell import expected_source, first_code_cell, sync
from scripts.execute_notebooks import cell_seconds, strip_churn

NOTEBOOKS = notebooks()


def test_every_page_in_the_toc_exists():
    missing = [name for name in toc_files()
               if not any((ROOT / name).with_suffix(suffix).exists()
                          for suffix in (".md", ".ipynb"))]
    assert not missing, f"_toc.yml names pages that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = set(toc_files())
    absent = [p.name for p in NOTEBOOKS
              if str(p.relative_to(ROOT).with_suffix("")) not in listed]
    assert not absent, f"add these notebooks to _toc.yml: {absent}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean(path):
    problems = hygiene.problems(path)
    assert not problems, "\n".join(problems)


def test_colab_cell_names_the_repository_in_config():
    source = expected_source("https://example.org/someone/fork")
    assert "ganlib @ git+https://example.org/someone/fork" in source
    assert source.splitlines()[0].startswith("# In Colab only")


def test_sync_replaces_a_stale_colab_cell_and_keeps_the_rest():
    stale = expected_source("https://example.org/old/url")
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A chapter"),
        nbformat.v4.new_code_cell(stale),
        nbformat.v4.new_code_cell("import torch")])
    assert sync(notebook, expected_source())
    assert first_code_cell(notebook).source == expected_source()
    assert [c.source for c in notebook.cells[2:]] == ["import torch"]
    assert not sync(notebook, expected_source())  # now in sync


def test_sync_inserts_the_colab_cell_when_missing():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import torch")])
    assert sync(notebook, expected_source())
    assert [c.source for c in notebook.cells] == [
        expected_source(), "import torch"]


def test_sync_puts_the_colab_cell_below_the_title_hidden_on_the_site():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(expected_source()),
        nbformat.v4.new_markdown_cell("# A chapter"),
        nbformat.v4.new_code_cell("import torch")])
    assert sync(notebook, expected_source())
    assert [c.source for c in notebook.cells] == [
        "# A chapter", expected_source(), "import torch"]
    assert notebook.cells[1].metadata["tags"] == ["remove-cell"]
    assert not sync(notebook, expected_source())


def test_every_chapter_has_its_colab_cell_below_its_title():
    for path in notebooks():
        notebook = nbformat.read(path, as_version=4)
        title, install = notebook.cells[:2]
        assert title.source.startswith("# "), path.name
        assert install.source == expected_source(), path.name
        assert "remove-cell" in install.metadata.get("tags", []), path.name


def executed_notebook(*sources, outputs=()):
    """A notebook whose code cells ran in order, with given outputs."""
    cells = [nbformat.v4.new_code_cell(s, execution_count=i)
             for i, s in enumerate((expected_source(),) + sources, 1)]
    cells[-1].outputs = list(outputs)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3"}
    return notebook


def all_problems(notebook):
    return [p for check in hygiene.CHECKS for p in check(notebook)]


def test_a_clean_notebook_has_no_problems():
    assert all_problems(executed_notebook("x = 1")) == []


def test_a_stored_error_output_is_a_problem():
    error = nbformat.v4.new_output(
        "error", ename="ValueError", evalue="bad", traceback=[])
    problems = all_problems(executed_notebook("raise ValueError", outputs=[
        error]))
    assert any("stored error ValueError: bad" in p for p in problems)


def test_timing_metadata_and_widget_state_are_problems():
    notebook = executed_notebook("x = 1")
    notebook.cells[1].metadata["execution"] = {"iopub.status.idle": "x"}
    notebook.metadata["widgets"] = {"state": {}}
    assert len(hygiene.churning_metadata(notebook)) == 2


def test_strip_churn_keeps_the_png_still_of_a_widget():
    view = {hygiene.WIDGET_VIEW: {"model_id": "f680a0c3"},
            "image/png": "iVBORw0KGgo=", "text/plain": "Slider"}
    output = nbformat.v4.new_output("display_data", data=view)
    notebook = executed_notebook("slider", outputs=[output])
    notebook.cells[1].metadata["execution"] = {"iopub.status.idle": "x"}
    assert hygiene.churning_metadata(notebook)
    strip_churn(notebook)
    assert hygiene.churning_metadata(notebook) == []
    assert set(notebook.cells[1].outputs[0].data) == {"image/png",
                                                      "text/plain"}


def test_cells_run_out_of_order_are_a_problem():
    notebook = executed_notebook("x = 1", "y = 2")
    notebook.cells[2].execution_count = 1
    assert hygiene.unexecuted_cells(notebook)


def test_another_kernel_is_a_problem():
    notebook = executed_notebook("x = 1")
    notebook.metadata["kernelspec"] = {"name": "conda-env-gan"}
    assert hygiene.kernel(notebook)


def test_strip_churn_joins_printed_text_split_into_chunks():
    chunks = [nbformat.v4.new_output("stream", name="stdout", text=text)
              for text in ("latent_dim:", " 10\n")]
    error = nbformat.v4.new_output("stream", name="stderr", text="warn\n")
    notebook = executed_notebook("print", outputs=chunks + [error])
    strip_churn(notebook)
    outputs = notebook.cells[1].outputs
    assert [(o.name, o.text) for o in outputs] == [
        ("stdout", "latent_dim: 10\n"), ("stderr", "warn\n")]


def shown_sources(path):
    """(file, code) of every ganlib source a notebook shows."""
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain", "")
            if text.startswith("# ganlib/"):
                origin, _, code = text.partition("\n")
                yield origin[2:], code


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_shown_library_source_is_the_current_source(path):
    # show_source's stored output must still be the code the tests run:
    # after a change to ganlib, `make notebooks` refreshes it.
    for origin, code in shown_sources(path):
        assert code in (ROOT / origin).read_text(), (
            f"{path.name} shows an old version of {origin}: run "
            f"`make notebooks` (or scripts.execute_notebooks {path})")


def test_every_chapter_shows_ganlib_source():
    missing = [p.name for p in notebooks() if not any(shown_sources(p))]
    assert not missing, f"chapters that show no ganlib source: {missing}"


def image_outputs(cell) -> list:
    """The outputs of a code cell that show a picture."""
    return [o for o in cell.get("outputs", [])
            if o.output_type in ("display_data", "execute_result")
            and ("image/png" in o.data
                 or "<img" in o.data.get("text/html", ""))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_is_numbered_with_a_caption(path):
    # A cell showing one picture carries myst-nb figure metadata, so the
    # website numbers it (Fig. 6.2) and it can be cross-referenced.
    cells = nbformat.read(path, as_version=4).cells
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or not image_outputs(cell):
            continue
        figure = cell.metadata.get("mystnb", {}).get("figure", {})
        if len(image_outputs(cell)) == 1:
            assert figure.get("caption") and figure.get("name", "").startswith(
                "fig-"), f"{path.name} cell {index}: add mystnb.figure"
        else:  # several pictures: a caption paragraph right after
            assert cells[index + 1].source.startswith("**Figure"), (
                f"{path.name} cell {index}: caption its pictures")


def test_figure_names_are_unique_across_the_book():
    names = [c.metadata["mystnb"]["figure"]["name"] for p in NOTEBOOKS
             for c in nbformat.read(p, as_version=4).cells
             if "figure" in c.metadata.get("mystnb", {})]
    assert len(names) == len(set(names))


def test_cell_seconds_reads_the_recorded_timing_slowest_first():
    notebook = executed_notebook("fast = 1", "slow = 2")
    for cell, (start, end) in zip(notebook.cells[1:], [
            ("2026-01-01T10:00:00.000Z", "2026-01-01T10:00:01.500Z"),
            ("2026-01-01T10:00:02.000Z", "2026-01-01T10:01:02.000Z")]):
        cell.metadata["execution"] = {"iopub.execute_input": start,
                                      "shell.execute_reply": end}
    assert cell_seconds(notebook) == [(60.0, 2), (1.5, 1)]
    strip_churn(notebook)
    assert cell_seconds(notebook) == []  # the stored notebook keeps none


def test_test_markers_live_in_cell_tags_not_in_the_code_readers_see():
    # nbval reads "nbval-check-output" from the tags as from a comment
    for path in notebooks():
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            assert "NBVAL_" not in cell.source, (path.name, index)
    tagged = [cell for path in notebooks()
              for cell in nbformat.read(path, as_version=4).cells
              if "nbval-check-output" in cell.metadata.get("tags", [])]
    assert len(tagged) >= 40  # the cells whose outputs nbval compares


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_picture_has_alt_text_that_is_not_its_caption(path):
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if not any("image/png" in output.get("data", {})
                   for output in cell.get("outputs", [])):
            continue
        meta = cell.metadata.get("mystnb", {})
        alt = meta.get("image", {}).get("alt", "")
        caption = meta.get("figure", {}).get("caption", "")
        where = f"{path.stem} cell {index}"
        assert len(alt) >= 40, (
            f"{where}: an image without alt text: add metadata "
            "mystnb.image.alt saying what it shows")
        assert alt[:40] not in caption, f"{where}: alt text repeats caption"
