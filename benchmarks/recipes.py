"""How well every ganlib recipe trains, over seeds no test was tuned on.

    python -m benchmarks.recipes                  # every recipe, 10 seeds
    python -m benchmarks.recipes --only ring --seeds 3

2-D targets: the VEEGAN / PacGAN protocol (2,500 samples, a sample is high
quality within 3 standard deviations of a mode). Images: Frechet distance
on ganlib's classifier features to the training images, divided by the
floor (held-out real images against the same reference), and the classes
the classifier finds among the fakes. Writes a markdown table (and JSON)
to benchmarks/recipes-<machine>.md.
"""
import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import torch

from ganlib import recipes
from ganlib.data import grid_target, ring_target
from ganlib.metrics import mode_coverage, sample_points
from ganlib.speed import cpu_threads
from ganlib.train import train

FIRST_SEED = 100  # the tests and the tuning used seeds below 100
POINT_TARGETS = {"ring": ring_target, "grid": grid_target}
IMAGE_SETS = ("mnist", "fashion_mnist", "flowers")


def machine() -> str:
    """The CPU (or GPU) this runs on, for the file name and the table."""
    if torch.cuda.is_available():
        return torch.cuda.get_device_name()
    return f"cpu-{platform.machine()}-{os.cpu_count()}-cores"


def point_row(name: str, seed: int, folder: Path) -> dict:
    """Train one 2-D recipe from seed; its mode-coverage scores."""
    target = POINT_TARGETS[name]()
    data = target.sample(10_000, rng=torch.Generator()
                         .manual_seed(seed))
    generator, discriminator, settings = getattr(
        recipes, f"{name}_recipe")(seed=seed)
    with cpu_threads(1):  # tiny matrices: one thread is fastest
        start = time.perf_counter()
        train(generator, discriminator, data, settings)
        seconds = time.perf_counter() - start
    score = mode_coverage(sample_points(generator, seed=seed), target)
    return {"recipe": name, "seed": seed, "seconds": seconds,
            "modes": score.modes_covered, "num_modes": score.num_modes,
            "high_quality": score.high_quality_share,
            "reverse_kl": score.reverse_kl}


def image_row(name: str, seed: int, folder: Path) -> dict:
    """Train one image recipe from seed; Frechet ratio and classes."""
    from ganlib.features import feature_classifier
    from ganlib.image_metrics import held_out_quality

    data, held_out = image_sets(name)
    classifier = feature_classifier(data)
    generator, discriminator, settings = getattr(
        recipes, f"{name}_recipe")(seed=seed)
    curve, clock = [], {"start": time.perf_counter(), "paused": 0.0}

    def score(step, generator, *_):  # a quarter of the run: a table row
        if step % (settings.num_steps // 4):
            return
        pause = time.perf_counter()
        seconds = pause - clock["start"] - clock["paused"]
        fakes = sample_points(generator, 2000, seed=seed)  # eval mode
        quality = held_out_quality(fakes, data, held_out, classifier)
        curve.append({"step": step, "seconds": seconds, **quality})
        clock["paused"] += time.perf_counter() - pause

    train(generator, discriminator, data.images, settings, on_step=score)
    save_samples(generator, folder / f"recipes-{name}-seed{seed}.png",
                 f"{name} recipe, seed {seed}, {settings.num_steps} steps")
    return {"recipe": name, "seed": seed, **curve[-1], "curve": curve}


def save_samples(generator, path: Path, title: str) -> None:
    """64 samples of the trained generator as a PNG grid (eval mode)."""
    from ganlib.plotting import sample_grid
    figure = sample_grid(sample_points(generator, 64, seed=0), nrow=8,
                         title=title)
    figure.savefig(path, dpi=figure.dpi)


def image_sets(name: str):
    """(training images, held-out images) of an image recipe's data."""
    from ganlib.images import flowers, load_images

    if name == "flowers":  # held out: other flowers, drawn from seed 1
        return flowers(6000, seed=0), flowers(2000, seed=1)
    return (load_images(name, download=False),
            load_images(name, download=False, train=False))


def summary_line(name: str, rows: list[dict]) -> str:
    """One markdown row: mean (min to max) over the seeds."""
    def spread(key, digits=3):
        values = [row[key] for row in rows]
        return (f"{statistics.mean(values):.{digits}f} "
                f"({min(values):.{digits}f} to {max(values):.{digits}f})")

    if "modes" in rows[0]:
        full = sum(row["modes"] == row["num_modes"] for row in rows)
        return (f"| {name} | {len(rows)} | {full}/{len(rows)} all "
                f"{rows[0]['num_modes']}, min {min(r['modes'] for r in rows)}"
                f" | {spread('high_quality')} | {spread('reverse_kl')} | "
                f"| | {spread('seconds', 0)} |")
    classes = min(row["classes_covered"] for row in rows)
    return (f"| {name} | {len(rows)} | {classes}/{rows[0]['num_classes']} "
            "classes (min) | | | "
            f"{spread('frechet_distance', 2)} / "
            f"{spread('floor', 2)} | {spread('ratio', 2)} | "
            f"{spread('seconds', 0)} |")


HEADER = ["| recipe | seeds | modes or classes | high quality | reverse KL "
          "| Frechet distance / floor | ratio | seconds |",
          "|---|---|---|---|---|---|---|---|"]


def main(argv=None) -> None:
    """Run the recipes, print and write the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recipes")
    parser.add_argument("--only",
                        default="ring,grid,mnist,fashion_mnist,flowers")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path("benchmarks"))
    args = parser.parse_args(argv)
    slug = machine().lower().replace(" ", "-")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"recipes-{slug}.json"
    # recipes not run this time keep their earlier rows
    results = json.loads(path.read_text()) if path.exists() else {}
    for name in args.only.split(","):
        run = image_row if name in IMAGE_SETS else point_row
        rows = []
        for seed in range(FIRST_SEED, FIRST_SEED + args.seeds):
            rows.append(run(name, seed, args.out))
            print(json.dumps(rows[-1]), flush=True)
        results[name] = rows
        write(results, args.out, slug)


def write(results: dict, folder: Path, slug: str) -> None:
    """The markdown table and the JSON rows, named for this machine."""
    lines = [f"# ganlib's recipes over seeds ({machine()}, torch "
             f"{torch.__version__})", "",
             "2-D recipes train with 1 thread (fastest for tiny MLPs), "
             f"images with {torch.get_num_threads()}.", "",
             "Mean (min to max) over seeds "
             f"{FIRST_SEED} and up. Written by `python -m benchmarks."
             "recipes`.", "", *HEADER]
    lines += [summary_line(name, rows) for name, rows in results.items()]
    curves = [(name, row) for name, rows in results.items() for row in rows
              if "curve" in row]
    if curves:
        lines += ["", "Frechet ratio against training time (seconds of "
                  "training, scoring excluded):", "",
                  "| recipe | seed | step | seconds | Frechet distance | "
                  "floor | ratio | classes |", "|---|---|---|---|---|---|"
                  "---|---|"]
        lines += [f"| {name} | {row['seed']} | {point['step']} | "
                  f"{point['seconds']:.0f} | "
                  f"{point['frechet_distance']:.2f} | {point['floor']:.2f}"
                  f" | {point['ratio']:.1f} | {point['classes_covered']} |"
                  for name, row in curves for point in row["curve"]]
    text = "\n".join(lines) + "\n"
    print(text)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"recipes-{slug}.md").write_text(text)  # after each recipe
    (folder / f"recipes-{slug}.json").write_text(
        json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
