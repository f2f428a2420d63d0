"""The unit tests and the notebooks under other versions of the packages.

    python -m scripts.version_matrix [--only minimum|colab] [--out DIR]

`requirements.txt` pins the set the book is built and tested with; the
readers have others. For each set below this builds a throwaway virtual
environment (Python 3.11), installs the set, ganlib without its
dependencies and the test tools, then runs the unit tests (those that
need the built website left out) and every notebook at the quick budget
(nbval), and writes a summary table and the logs to DIR. It downloads a
few GB and takes about half an hour a set on a 2-core CPU, so it is not
part of `make test`.

- minimum: the lowest versions pyproject.toml declares;
- colab: the versions Google Colab shipped when this was written (its
  torch and torchvision are CUDA builds there; here they run on the CPU).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.book_files import ROOT

SETS = {
    "minimum": ["torch==2.1.2", "torchvision==0.16.2", "numpy==1.24.4",
                "matplotlib==3.9.0", "scikit-learn==1.2.2",
                "ipywidgets==8.0.7", "ipycanvas==0.13.0", "tqdm==4.60.0",
                "pillow==9.5.0"],
    "colab": ["torch==2.8.0", "torchvision==0.23.0", "numpy==2.0.2",
              "matplotlib==3.10.0", "scikit-learn==1.6.1",
              "ipywidgets==8.1.7", "ipycanvas==0.14.3", "tqdm==4.67.1",
              "pillow==11.3.0"],
}
# What the tests and nbval need besides ganlib's own dependencies.
TEST_TOOLS = ["pytest==9.2.0", "nbval==0.11.0", "ipykernel==7.4.0",
              "nbformat", "nbclient", "pyyaml", "nbgrader==0.9.6",
              "django-static-mathjax==3.2.2.1"]  # MathJax for the editions
# Tests that read the built website or the student edition's build.
NEEDS_THE_SITE = ["tests/test_site.py", "tests/test_student.py"]
PYTHON = "python3.11"


def run(command: list[str], log: Path, **kwargs) -> int:
    """Run command, its output appended to log; its exit status."""
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        return subprocess.run(command, stdout=out, stderr=subprocess.STDOUT,
                              cwd=ROOT, **kwargs).returncode


def counts(log: Path) -> str:
    """pytest's last summary line in log ('12 passed, 1 failed in ...')."""
    lines = [x for x in log.read_text().splitlines()
             if re.search(r"\d+ (passed|failed|error)", x)]
    return lines[-1].strip("= ") if lines else "no pytest summary"


def check_set(name: str, pins: list[str], out: Path) -> dict:
    """Install one set in a fresh venv and run the tests there."""
    log = out / f"version-matrix-{name}.log"
    log.write_text(f"set {name}: {' '.join(pins)}\n")
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        venv = Path(scratch) / "venv"
        python = str(venv / "bin" / "python")
        installed = (run([PYTHON, "-m", "venv", str(venv)], log) == 0
                     and run([python, "-m", "pip", "install", "-q", *pins,
                              *TEST_TOOLS], log) == 0
                     and run([python, "-m", "pip", "install", "-q",
                              "--no-deps", "."],
                             log) == 0)
        if not installed:
            return {"set": name, "pins": pins, "installed": False,
                    "unit": "not run", "notebooks": "not run",
                    "minutes": (time.monotonic() - start) / 60}
        run([python, "-m", "pip", "freeze"], log)
        unit_log = out / f"version-matrix-{name}-unit.log"
        unit_log.write_text("")
        run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "--continue-on-collection-errors", "tests",
             *[f"--ignore={t}" for t in NEEDS_THE_SITE]], unit_log)
        book_log = out / f"version-matrix-{name}-notebooks.log"
        book_log.write_text("")
        run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "--nbval-lax", "--nbval-current-env",
             "--nbval-cell-timeout=600", "book"], book_log,
            env=dict(os.environ, GANLIB_QUICK="1",
                     PATH=f"{venv}/bin:{os.environ['PATH']}"))
    return {"set": name, "pins": pins, "installed": True,
            "unit": counts(unit_log), "notebooks": counts(book_log),
            "minutes": (time.monotonic() - start) / 60}


def markdown(results: list[dict]) -> str:
    lines = ["| set | versions | unit tests | notebook cells | minutes |",
             "|---|---|---|---|---:|"]
    for r in results:
        installed = "" if r["installed"] else " (install failed)"
        lines.append(f"| {r['set']}{installed} | {', '.join(r['pins'])} | "
                     f"{r['unit']} | {r['notebooks']} | "
                     f"{r['minutes']:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(prog="python -m scripts.version_matrix",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SETS))
    parser.add_argument("--out", default="_build/version-matrix")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = [args.only] if args.only else list(SETS)
    results = []
    for name in names:
        results.append(check_set(name, SETS[name], out))
        print(markdown(results[-1:]), flush=True)
    table = markdown(results)
    (out / "version-matrix.md").write_text(table)
    print(table)
    return table


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
