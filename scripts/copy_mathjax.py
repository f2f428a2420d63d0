"""Copy MathJax 3 (tex-svg, one file) from the django-static-mathjax package.

Usage: python -m scripts.copy_mathjax DESTINATION_FILE
The book serves math from its own build, so pages typeset offline.
"""
import shutil
import sys
from pathlib import Path

import mathjax

SOURCE = (Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
          / "tex-svg.js")


def main(destination: str) -> int:
    target = Path(destination)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
