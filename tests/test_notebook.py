import inspect
import linecache

import pytest

from ganlib import notebook
from ganlib.notebook import budget, is_quick, show_source


def test_show_source_plain_text_is_the_real_source():
    source = show_source(budget)
    assert repr(source) == ("# ganlib/notebook.py\n"
                            + inspect.getsource(budget))


def test_show_source_html_is_highlighted_and_names_the_file():
    page = show_source(is_quick)._repr_html_()
    assert "ganlib/notebook.py" in page
    assert 'class="highlight ganlib-source"' in page
    assert ".ganlib-source" in page  # scoped pygments styles
    assert '<span class="k">def</span>' in page  # keyword highlighted


def test_show_source_of_a_module():
    assert "def show_source" in repr(show_source(notebook))


def test_show_source_of_a_notebook_function():
    namespace = {"__name__": "__main__"}
    code = "def answer(x):\n    return 2 * x\n"
    filename = "/tmp/ipykernel_0/cell.py"  # how IPython names cells
    linecache.cache[filename] = (len(code), None, code.splitlines(True),
                                 filename)
    exec(compile(code, filename, "exec"), namespace)
    assert repr(show_source(namespace["answer"])) == (
        "# this notebook\n" + code)


def test_show_source_rejects_objects_without_source():
    with pytest.raises(TypeError, match="cannot find the source of 3"):
        show_source(3)


def test_quick_mode_reads_environment(monkeypatch):
    monkeypatch.setenv("GANLIB_QUICK", "1")
    assert is_quick()
    assert budget(full=2000, quick=20) == 20


@pytest.mark.parametrize("value", [None, "0", "yes"])
def test_full_mode_unless_quick_is_exactly_one(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("GANLIB_QUICK", raising=False)
    else:
        monkeypatch.setenv("GANLIB_QUICK", value)
    assert not is_quick()
    assert budget(full=2000, quick=20) == 2000
