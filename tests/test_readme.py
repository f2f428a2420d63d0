"""The README's first Python example runs and really learns the ring."""
import re

import torch

from scripts.book_files import ROOT


def first_python_block(text: str) -> str:
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


def test_readme_example_trains_a_gan_that_covers_the_ring(capsys):
    code = first_python_block((ROOT / "README.md").read_text())
    namespace = {}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny MLPs: extra threads only contend
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        torch.set_num_threads(threads)
    coverage = namespace["mode_coverage"](
        namespace["sample_points"](namespace["generator"]),
        namespace["target"])
    assert coverage.modes_covered >= 7, coverage
    assert "ModeCoverage(" in capsys.readouterr().out
