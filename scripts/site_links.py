"""Read the built HTML: pages, the links they make and the ids they hold."""
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("script", "src"),
                   ("img", "src"), ("iframe", "src"), ("source", "src")}
NOT_FILES = ("mailto:", "javascript:", "data:", "tel:")


class PageParser(HTMLParser):
    """Collects (tag, url) for every link and every id on a page."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in LINK_ATTRIBUTES and value is not None:
                self.links.append((tag, value))
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value or "")


def parse(path: Path) -> PageParser:
    """Parse one built HTML file."""
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def site_pages(root: Path) -> list[Path]:
    """Every HTML page of the site (not theme assets or sources)."""
    skip = {"_static", "_sources", "_images", "_sphinx_design_static"}
    return sorted(p for p in root.rglob("*.html")
                  if not skip & set(p.relative_to(root).parts))


def is_external(url: str) -> bool:
    """True for http(s) and protocol-relative URLs."""
    return urlsplit(url).scheme in ("http", "https") or url.startswith("//")


def resolve(root: Path, page: Path, url: str) -> tuple[Path, str] | None:
    """(target file, #fragment) of a relative URL, None if not a file."""
    if is_external(url) or url.startswith(NOT_FILES):
        return None
    base = "http://site/" + page.relative_to(root).as_posix()
    parts = urlsplit(urljoin(base, url))
    path = unquote(parts.path).lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return root / path, parts.fragment


def broken_links(root: Path, page: Path, parser: PageParser,
                 ids_of) -> list[str]:
    """Links from page whose file or #anchor does not exist."""
    broken = []
    for tag, url in parser.links:
        target = resolve(root, page, url)
        if target is None:
            continue
        path, fragment = target
        if not path.is_file():
            broken.append(f"<{tag}> {url}: no file {path.relative_to(root)}")
        elif fragment and path.suffix == ".html" and \
                fragment not in ids_of(path):
            broken.append(f"<{tag}> {url}: no #{fragment} in {path.name}")
    return broken
