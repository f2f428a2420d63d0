"""The built website (make book) checked in headless Chromium.

Every page: math typeset by the bundled MathJax, every image loads, every
internal link and #anchor exists, nothing loads from another host, axe-core
finds no serious or critical accessibility violation, and the page keeps
within its weight and first-paint budget. The same browser checks run on
the student edition's website (make student). A screenshot of each page,
and what it cost to load (JSON), go to _build/screenshots/. Run by `make
test` after `make book` and `make student`; without Chromium it fails and
says how to install it.
"""
import functools
import json
import re

import pytest

from scripts.book_files import BUILD_HTML, ROOT, notebooks, repository_url
from scripts.site_browser import INSTALL_HINT, chromium, probe, serve
from scripts.site_links import (broken_links, is_external, parse,
                                site_pages)
from scripts.student_book import STUDENT_HTML

SCREENSHOTS = ROOT / "_build" / "screenshots"
PAGES = site_pages(BUILD_HTML)
STUDENT_PAGES = site_pages(STUDENT_HTML) if STUDENT_HTML.is_dir() else []
# What one page may cost, measured in headless Chromium from the local
# server: every file it loads (MathJax and the theme's icon font script,
# about 3.6 MB, come with every page that has math) and the time to its
# first contentful paint. The largest page, repeat (two animations), was
# about 7.5 MB with a first paint near 0.7 s on a 2-core CPU.
PAGE_BYTES_BUDGET = 9_000_000
FIRST_PAINT_BUDGET_MS = 3_000
SERIOUS = ("serious", "critical")  # axe-core's two worst impact levels
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


def check_in_browser(found: dict, name: str) -> None:
    """What every page of either edition must pass in the browser."""
    assert not found["untypeset"], f"math left as TeX: {found['untypeset']}"
    raw = [marker for marker in RAW_TEX if marker in found["text"]]
    assert not raw, f"raw TeX {raw} in the visible text of {name}"
    assert not found["broken_images"], (
        f"images that do not load: {found['broken_images']}")
    serious = [f"{v['impact']} {v['id']} ({v['count']}x): {v['help']}; "
               f"e.g. {v['nodes'][0]}"
               for v in found["violations"] if v["impact"] in SERIOUS]
    assert not serious, (f"axe-core on {name}:\n" + "\n".join(serious))
    assert found["search_fields"] <= 1, (
        f"{name} shows {found['search_fields']} search boxes at once")
    keys = found["keyboard"]
    assert not keys["unreachable"], (
        f"animation controls a keyboard cannot reach on {name}: "
        f"{keys['unreachable']}")
    assert keys["stepping"] == keys["players"], (
        f"{keys['players'] - keys['stepping']} animation player(s) on "
        f"{name} do not step to the next frame")
    load = found["load"]
    assert 0 < load["bytes"] <= PAGE_BYTES_BUDGET, (
        f"{name} loads {load['bytes']:,} bytes in {load['files']} files, "
        f"over the budget of {PAGE_BYTES_BUDGET:,}")
    assert load["first_paint_ms"] is not None, f"{name} never painted"
    assert load["first_paint_ms"] <= FIRST_PAINT_BUDGET_MS, (
        f"{name}: first paint after {load['first_paint_ms']:.0f} ms, "
        f"over the budget of {FIRST_PAINT_BUDGET_MS} ms")


def probe_page(browser, server, name: str, prefix: str = "") -> dict:
    """Probe one page; keep its screenshot and its load figures."""
    stem = prefix + name.replace("/", "_").removesuffix(".html")
    png = SCREENSHOTS / f"{stem}.png"
    png.unlink(missing_ok=True)
    found = probe(browser, server, name, png)
    png.with_suffix(".json").write_text(json.dumps(
        {"load": found["load"], "violations": found["violations"]},
        indent=1))
    assert png.is_file() and png.stat().st_size > 10_000, (
        f"no screenshot of {name}")
    return found


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_in_browser(page, browser, server):
    name = page_id(page)
    found = probe_page(browser, server, name)
    if name == "book/intro.html":  # the intro has math: the probe sees it
        assert found["math"] >= 5
    if name == "book/repeat.html":  # the ring's and the DCGAN's players
        assert found["keyboard"]["players"] >= 2
    check_in_browser(found, name)


@pytest.fixture(scope="module")
def student_server():
    assert STUDENT_PAGES, (
        f"no student website in {STUDENT_HTML}: run `make student` first")
    server = serve(STUDENT_HTML)
    yield server
    server.shutdown()


def test_the_student_edition_is_built():
    assert (STUDENT_HTML / "book" / "intro.html").is_file(), (
        f"no student website in {STUDENT_HTML}: run `make student` first")


@pytest.mark.parametrize("page", STUDENT_PAGES,
                         ids=lambda p: p.relative_to(STUDENT_HTML).as_posix())
def test_student_page_in_browser(page, browser, student_server):
    name = page.relative_to(STUDENT_HTML).as_posix()
    check_in_browser(probe_page(browser, student_server, name, "student_"),
                     name)


def test_the_accessibility_check_sees_a_violation(browser, tmp_path):
    # axe-core really runs: a page with an image without alt text and
    # grey-on-white text fails it.
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>bad</title></head>'
        '<body><main><img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP'
        '///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"><p style="color:#bbb">'
        'faint</p></main></body></html>')
    server = serve(tmp_path)
    try:
        found = probe(browser, server, "bad.html", tmp_path / "bad.png")
    finally:
        server.shutdown()
    failed = {v["id"] for v in found["violations"] if v["impact"] in SERIOUS}
    assert {"image-alt", "color-contrast"} <= failed, found["violations"]


def test_the_keyboard_check_sees_an_unreachable_control(browser, tmp_path):
    # A player whose "next" button is taken out of the tab order, and
    # whose buttons do nothing, fails the keyboard check.
    (tmp_path / "player.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>player</title></head>'
        '<body><main><div class="ganlib-animation"><img src="data:image/'
        'gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRA'
        'A7" alt="a frame"><button data-action="first" aria-label="first '
        'frame">|&lt;</button><button data-action="next" tabindex="-1" '
        'aria-label="next frame">&gt;|</button></div></main></body>'
        '</html>')
    server = serve(tmp_path)
    try:
        found = probe(browser, server, "player.html",
                      tmp_path / "player.png")
    finally:
        server.shutdown()
    assert found["keyboard"] == {"players": 1,
                                 "unreachable": ["next frame"],
                                 "stepping": 0}


def test_every_image_has_alt_text_not_a_file_name():
    bad = []
    for page in PAGES:
        for match in re.finditer(r'<img\b[^>]*>', page.read_text()):
            alt = re.search(r'\balt="([^"]*)"', match[0])
            if alt is None or len(alt[1]) < 4 or alt[1].endswith(
                    (".png", ".jpg", ".jpeg", ".svg", ".gif")):
                bad.append(f"{page_id(page)}: {match[0][:120]}")
    assert not bad, "images without real alt text:\n" + "\n".join(bad)


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
