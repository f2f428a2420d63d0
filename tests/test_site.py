"""The built website (make book) checked in headless Chromium.

Every page: math typeset by the bundled MathJax, every image loads, every
internal link and #anchor exists, nothing loads from another host. A
screenshot of each page goes to _build/screenshots/. Run by `make test`
after `make book`; without Chromium it fails and says how to install it.
"""
import functools

import pytest

from scripts.book_files import BUILD_HTML, ROOT, notebooks, repository_url
from scripts.site_browser import INSTALL_HINT, chromium, probe, serve
from scripts.site_links import (broken_links, is_external, parse,
                                site_pages)

SCREENSHOTS = ROOT / "_build" / "screenshots"
PAGES = site_pages(BUILD_HTML)
RAW_TEX = ("$$", "\\(", "\\)", "\\[", "\\]", "\\begin{", "\\frac")


@pytest.fixture(scope="module")
def browser() -> str:
    executable = chromium()
    if executable is None:
        pytest.fail(INSTALL_HINT)
    return executable


@pytest.fixture(scope="module")
def server():
    server = serve(BUILD_HTML)
    yield server
    server.shutdown()


@functools.cache
def parsed(path):
    return parse(path)


def page_id(path) -> str:
    return path.relative_to(BUILD_HTML).as_posix()


def test_the_book_is_built():
    assert (BUILD_HTML / "index.html").is_file(), (
        "no built site in _build/html: run `make book` first")
    assert (BUILD_HTML / "book" / "intro.html").is_file()


def test_chromium_is_installed():
    assert chromium() is not None, INSTALL_HINT


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_in_browser(page, browser, server):
    name = page_id(page)
    png = SCREENSHOTS / (name.replace("/", "_").removesuffix(".html")
                         + ".png")
    png.unlink(missing_ok=True)
    found = probe(browser, server, name, png)
    assert not found["untypeset"], f"math left as TeX: {found['untypeset']}"
    if name == "book/intro.html":  # the intro has math: the probe sees it
        assert found["math"] >= 5
    raw = [marker for marker in RAW_TEX if marker in found["text"]]
    assert not raw, f"raw TeX {raw} in the visible text of {name}"
    assert not found["broken_images"], (
        f"images that do not load: {found['broken_images']}")
    assert png.is_file() and png.stat().st_size > 10_000, (
        f"no screenshot of {name}")


def test_internal_links_and_anchors_resolve():
    ids_of = lambda path: parsed(path).ids  # noqa: E731
    broken = [f"{page_id(page)}: {problem}" for page in PAGES
              for problem in broken_links(BUILD_HTML, page, parsed(page),
                                          ids_of)]
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_nothing_loads_from_another_host():
    external = [f"{page_id(page)}: <{tag}> {url}" for page in PAGES
                for tag, url in parsed(page).links
                if tag != "a" and is_external(url)]
    assert not external, ("the site must work offline, but pages load:\n"
                          + "\n".join(external))


def test_mathjax_is_served_by_the_site():
    script = BUILD_HTML / "_static" / "mathjax" / "tex-svg.js"
    assert script.is_file() and script.stat().st_size > 1_000_000
    intro = (BUILD_HTML / "book" / "intro.html").read_text()
    assert intro.count("mathjax/tex-svg.js") == 1  # loaded exactly once


def test_search_finds_a_word_of_the_intro(browser, server):
    found = probe(browser, server, "search.html?q=counterfeiter",
                  SCREENSHOTS / "search_counterfeiter.png")
    assert any(url.split("?")[0].endswith("/book/intro.html")
               for url in found["search_results"]), (
        f"searching for a word of the intro found {found['search_results']}")


def test_bibliography_lists_every_reference():
    bib = (ROOT / "book" / "references.bib").read_text()
    page = (BUILD_HTML / "book" / "bibliography.html").read_text()
    entries = page.count('class="citation"')
    assert entries == bib.count("\n@") + bib.startswith("@")
    assert "generative adversarial nets" in page.lower()


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.name)
def test_colab_and_download_buttons_open_the_notebook(notebook):
    page = (BUILD_HTML / "book" / notebook.with_suffix(".html").name)
    links = [url for tag, url in parsed(page).links if tag == "a"]
    owner_repo = repository_url().removeprefix("https://github.com/")
    colab = (f"https://colab.research.google.com/github/{owner_repo}"
             f"/blob/main/colab/instructor/book/{notebook.name}")
    assert colab in links, f"no Colab button to {colab}"
    assert (ROOT / "colab" / "instructor" / "book" / notebook.name).is_file()
    assert any(url.endswith(f"_sources/book/{notebook.name}")
               for url in links), "no download (.ipynb) button"


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.stem)
def test_answers_wait_behind_a_click_and_hidden_tests_never_show(notebook):
    html = (BUILD_HTML / "book" / f"{notebook.stem}.html").read_text()
    for marker in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "END SOLUTION",
                   "NBVAL_", "In Colab only"):
        assert marker not in html, f"{notebook.stem} shows {marker!r}"
    answers = notebook.read_text().count("### BEGIN SOLUTION")
    assert html.count("Show solution") == answers, notebook.stem
