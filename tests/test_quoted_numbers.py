"""Every decimal number the prose quotes comes from the chapter's run.

A number such as 0.93, 168.86 or 93.4% in a chapter's text or captions
must appear among the chapter's stored outputs (or in its code, where it
is a setting such as a learning rate). Numbers inside math ($...$) and
inline code are formulas and names, not results, and are skipped; so are
the constants listed in KNOWN below, each derived in the text. A quoted
number left behind when a re-run changes the results fails here.
"""
import json
import re
from pathlib import Path

import pytest

from scripts.book_files import notebooks

# Derived in the text, not measured: the share of a 2-D Gaussian within
# 1, 2 and 3 standard deviations (evaluation); 2 log 2, log 2, log 4 and
# their negatives (real_or_fake, repeat).
KNOWN = {"0.393", "0.865", "0.989", "1.39", "0.69", "0.693", "1.386",
         "0.6931"}

# Printed results that the text rounds, per chapter: the output has the
# full number (3,576,704 parameters; a length of 7.07; 1,841,...).
ROUNDED = {"generator": {"3.6"}, "noise": {"7.1"}, "training_data": {"1.84"}}

MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", re.DOTALL)
NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?%|\d[\d,]*\.\d+)")


def prose(cell) -> str:
    """A markdown cell's text, or a code cell's figure caption."""
    if cell["cell_type"] == "markdown":
        return "".join(cell["source"])
    figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
    return figure.get("caption", "")


def evidence(notebook) -> str:
    """All printed outputs and code of a notebook, as one string."""
    parts = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        parts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            data = output.get("data", {})
            parts.append("".join(data.get("text/plain", "")))
    return "\n".join(parts)


def forms(number: str) -> list[str]:
    """Ways an output may print the quoted number."""
    plain = number.replace(",", "")
    if not plain.endswith("%"):
        return [plain, number]
    value = float(plain[:-1])
    return [plain, f"{value / 100:.2f}", f"{value / 100:.3f}",
            f"{value / 100:.4f}", f"{value / 100:.1%}"]


def quoted_numbers(text: str) -> list[str]:
    return NUMBER.findall(MATH.sub(" ", text))


def missing_numbers(path: Path) -> list[str]:
    notebook = json.loads(path.read_text())
    printed = evidence(notebook)
    missing, rounded = [], ROUNDED.get(path.stem, set())
    for index, cell in enumerate(notebook["cells"]):
        for number in quoted_numbers(prose(cell)):
            if number in KNOWN | rounded or number.rstrip("%") in KNOWN:
                continue
            if not any(form in printed for form in forms(number)):
                missing.append(f"cell {index}: {number}")
    return missing


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_every_quoted_number_is_in_the_stored_outputs(path):
    missing = missing_numbers(path)
    assert not missing, (
        f"{path.name} quotes numbers that no output of the chapter prints "
        f"(stale after a re-run?): {', '.join(missing)}")


def test_a_stale_number_is_caught(tmp_path):
    cells = [{"cell_type": "code", "source": ["print(1)"], "metadata": {},
              "outputs": [{"output_type": "stream", "text": ["FD 168.86\n"]}]},
             {"cell_type": "markdown", "metadata": {},
              "source": ["The distance is 174.37, $0.5$ in math, 168.86."]}]
    path = tmp_path / "chapter.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    assert missing_numbers(path) == ["cell 1: 174.37"]


def test_a_percentage_is_read_with_its_percent_sign():
    assert quoted_numbers("94.8% of them, 7% more, 0.5 and $0.25$") == [
        "94.8%", "7%", "0.5"]


def test_percentages_match_shares_printed_as_fractions():
    assert "0.93" in forms("93%") and "93.4%" in forms("93.4%")
