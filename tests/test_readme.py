"""The README's first Python example runs and really learns the ring."""
import re

from ganlib.speed import cpu_threads

from scripts.book_files import ROOT

# as tests/test_recipes.py: well inside what the recipe reached over seeds
RING_MIN_HIGH_QUALITY = 0.90


def first_python_block(text: str) -> str:
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


def test_readme_example_trains_a_gan_that_covers_the_ring(capsys):
    code = first_python_block((ROOT / "README.md").read_text())
    namespace = {}
    with cpu_threads(1):  # tiny MLPs: extra threads only contend
        exec(compile(code, "README.md", "exec"), namespace)
    coverage = namespace["mode_coverage"](
        namespace["sample_points"](namespace["generator"]),
        namespace["target"])
    # the ring recipe, seed 0 (see tests/test_recipes.py for the margins)
    assert coverage.modes_covered == 8, coverage
    assert coverage.high_quality_share >= RING_MIN_HIGH_QUALITY, coverage
    assert "ModeCoverage(" in capsys.readouterr().out
