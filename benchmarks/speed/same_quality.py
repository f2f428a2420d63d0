"""Same quality after the same steps: ganlib's bf16 CPU path against fp32.

`python -m benchmarks.speed.same_quality [--steps 600] [--seeds 3]`

The 28 px DCGAN of the head-to-head, on its digits, trained the same
number of steps at batch 64 with ganlib's fp32 path and with its bf16
CPU path (`Speed(cpu_bf16=True)`), from the same seeds. Quality is
ganlib's Frechet distance on its own classifier's features, lower is
better. A check can only rule out a difference it could see, so it also
measures
- the floor: real digits against other real digits;
- the noise: how far the fp32 runs of different seeds lie apart;
- the effect it must be able to see: fp32 runs stopped at a quarter of
  the steps, against the same seeds' full runs.
It can see that effect when the effect is larger than the noise; the two
paths give the same quality when their means differ by less than the
noise. Written to `benchmarks/same-quality-<device>.json` and `.md`.
"""
import argparse
import statistics
from dataclasses import replace

import torch

from benchmarks.speed import cases
from benchmarks.speed.quality import draw_images
from benchmarks.speed.report import write_result_files
from benchmarks.speed.run import device_name
from ganlib.speed import speed_plan

BATCH_SIZE = 64


def frechet_after(settings, seed: int, steps: int, data, classifier) -> float:
    """Frechet distance of a 28 px DCGAN trained `steps` steps from seed."""
    from ganlib.image_metrics import image_quality
    from ganlib.train import train

    torch.manual_seed(seed)
    generator, discriminator = cases.dcgan28()
    settings = replace(settings, num_steps=steps, seed=seed,
                       batch_size=BATCH_SIZE, device="cpu")
    train(generator, discriminator, data.images, settings)
    fake = draw_images(generator, len(data) // 2, torch.device("cpu"))
    return float(image_quality(fake, data, classifier)["frechet_distance"])


def measure(steps: int, seeds: int, log=print) -> dict:
    """Every run's Frechet distance, the floor, the noise and the effect."""
    from ganlib.features import feature_classifier
    from ganlib.image_metrics import image_quality
    from ganlib.images import digits

    data = digits(image_size=28)
    classifier = feature_classifier(data)
    floor = float(image_quality(data.images[:len(data) // 2], data,
                                classifier)["real_vs_real"])
    fp32 = replace(cases.PLAIN, log_every=100)
    bf16 = cases.with_speed(fp32, cpu_bf16=True)
    paths = {"fp32": (fp32, steps), "bf16 CPU path": (bf16, steps),
             f"fp32, {steps // 4} steps": (fp32, steps // 4)}
    runs = {name: [] for name in paths}
    for seed in range(seeds):
        for name, (settings, num_steps) in paths.items():
            runs[name].append(frechet_after(settings, seed, num_steps, data,
                                            classifier))
            log(f"seed {seed} {name}: Frechet {runs[name][-1]:.2f}")
    plan = speed_plan(bf16.speed, torch.device("cpu"))
    return {"device": device_name(torch.device("cpu")),
            "torch": torch.__version__, "steps": steps, "seeds": seeds,
            "batch_size": BATCH_SIZE, "num_samples": len(data) // 2,
            "bf16_precision": str(plan.autocast_dtype), "runs": runs,
            "floor": floor, **verdict(runs, steps)}


def verdict(runs: dict, steps: int) -> dict:
    """The noise, the effect, the difference and what they allow to say.

    The difference of the means is also taken seed by seed (bf16 minus
    fp32 of the same seed), whose standard error says how well the runs
    pin the difference down."""
    full, quarter = runs["fp32"], runs[f"fp32, {steps // 4} steps"]
    noise = max(full) - min(full)
    effect = min(q - f for q, f in zip(quarter, full))
    paired = [b - f for b, f in zip(runs["bf16 CPU path"], full)]
    difference = statistics.mean(paired)  # = the difference of the means
    return {"noise": noise, "effect": effect, "difference": difference,
            "difference_standard_error":
                statistics.stdev(paired) / len(paired) ** 0.5,
            "can_see": noise < effect,
            "same_quality": noise < effect and abs(difference) < noise}


def markdown(result: dict) -> str:
    """The runs and the verdict, for book/speed.md."""
    steps = result["steps"]
    lines = [f"Device: **{result['device']}**; torch {result['torch']}. "
             f"28 px DCGAN on the digits, batch {result['batch_size']}, "
             f"seeds 0 to {result['seeds'] - 1}; Frechet distance of "
             f"{result['num_samples']} samples (lower is better). The bf16 "
             f"path's autocast dtype here: {result['bf16_precision']}.", "",
             "| run | " + " | ".join(f"seed {s}" for s in
                                     range(result["seeds"])) + " | mean |",
             "|---|" + "---:|" * (result["seeds"] + 1)]
    for name, values in result["runs"].items():
        label = name if "steps" in name else f"{name}, {steps} steps"
        lines.append(f"| {label} | " + " | ".join(f"{v:.2f}" for v in values)
                     + f" | {statistics.mean(values):.2f} |")
    lines += ["", f"- floor (real digits against real digits): "
              f"{result['floor']:.2f}",
              f"- noise (fp32, max - min over the seeds): "
              f"{result['noise']:.2f}",
              f"- effect to see (each seed's quarter run minus its full "
              f"run, the smallest): {result['effect']:.2f}; the check can "
              f"see it: **{'yes' if result['can_see'] else 'no'}**",
              f"- bf16 mean minus fp32 mean: {result['difference']:+.2f} "
              f"(standard error from the seed-by-seed differences: "
              f"{result['difference_standard_error']:.2f}); "
              f"same quality within the noise: "
              f"**{'yes' if result['same_quality'] else 'no'}**"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.speed.same_quality",
        description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", default="benchmarks")
    args = parser.parse_args(argv)
    if args.steps < 4 or args.seeds < 2:
        parser.error("--steps must be >= 4 and --seeds >= 2 (the noise "
                     "is the spread over seeds)")
    result = measure(args.steps, args.seeds)
    write_result_files(result, args.out, "same-quality", markdown(result))
    return result


if __name__ == "__main__":
    main()
