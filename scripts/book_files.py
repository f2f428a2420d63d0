"""Where the book's files are: repository root, notebooks, config."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
BUILD_HTML = ROOT / "_build" / "html"


def notebooks() -> list[Path]:
    """Every chapter notebook under book/, sorted by name."""
    return sorted(p for p in BOOK.glob("*.ipynb"))


def repository_url() -> str:
    """The repository URL, written once in _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return config["repository"]["url"].rstrip("/")


def toc_files() -> list[str]:
    """Every file named in _toc.yml (root first), without extension."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]]
    for part in toc.get("parts", []):
        names += [chapter["file"] for chapter in part["chapters"]]
    return names
