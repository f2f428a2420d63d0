"""benchmarks/recipes.py writes the quality table it promises."""
import dataclasses
import json

from benchmarks import recipes as bench
from ganlib import recipes


def shortened(make, num_steps):
    def short(*, seed):
        generator, discriminator, settings = make(seed=seed)
        return recipes.Recipe(generator, discriminator, dataclasses.replace(
            settings, num_steps=num_steps, sample_every=num_steps))
    return short


def test_table_has_a_row_per_recipe_and_a_time_curve(tmp_path, monkeypatch,
                                                     real_mnist):
    monkeypatch.setattr(recipes, "ring_recipe",
                        shortened(recipes.ring_recipe, 40))
    monkeypatch.setattr(recipes, "mnist_recipe",
                        shortened(recipes.mnist_recipe, 8))
    bench.main(["--only", "ring,mnist", "--seeds", "2", "--out",
                str(tmp_path)])
    (table,) = tmp_path.glob("recipes-*.md")
    text = table.read_text()
    assert "| ring | 2 |" in text and "| mnist | 2 |" in text
    rows = json.loads(next(tmp_path.glob("recipes-*.json")).read_text())
    assert [row["seed"] for row in rows["ring"]] == [100, 101]
    assert [p["step"] for p in rows["mnist"][0]["curve"]] == [2, 4, 6, 8]
    assert "| mnist | 101 | 8 |" in text  # the curve's last row
    png = tmp_path / "recipes-mnist-seed101.png"
    assert png.read_bytes()[:4] == b"\x89PNG"  # the samples, to look at
    # a later run of one recipe keeps the other's rows
    bench.main(["--only", "ring", "--seeds", "1", "--out", str(tmp_path)])
    assert "| mnist | 2 |" in table.read_text()
