"""One process against two (torchrun), in ms per training step.

`python -m benchmarks.processes [--rounds 3] [--out benchmarks]`

For the ring's MLPs and a DCGAN on the 16 px digits, each round runs, in
turn: one process with 1 thread, one with 2 threads, and 2 processes of
1 thread each under torchrun (gloo). A run's time per step is read
inside train() from a warm-up step to the last, so start-up is left out.
The table gives the median over the rounds and the range; it is written
to `benchmarks/processes-<device>.md`.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

from benchmarks.speed.report import device_slug
from benchmarks.speed.run import device_name

# name: (batch, warm-up steps, last step)
RUNS = {"ring": (256, 100, 600), "digits": (64, 20, 100)}
SETUPS = (("1 process, 1 thread", 1, 1), ("1 process, 2 threads", 1, 2),
          ("2 processes, 1 thread each", 2, 1))
DESCRIPTIONS = {"ring": "ring MLPs (3 x 128), batch 256",
                "digits": "DCGAN, width 64, on the 16 px digits, batch 64"}


def worker(name: str) -> None:
    """Train one run (in this process, or in each of torchrun's) and
    print process 0's ms per step after the warm-up."""
    from ganlib.data import ring_target
    from ganlib.distributed import process_group, rank
    from ganlib.images import load_images
    from ganlib.models import (DCGANDiscriminator, DCGANGenerator,
                               MLPDiscriminator, MLPGenerator)
    from ganlib.settings import TrainSettings
    from ganlib.train import train

    batch, warm, steps = RUNS[name]
    torch.manual_seed(0)
    if name == "ring":
        data = ring_target().sample(10_000,
                                    rng=torch.Generator().manual_seed(0))
        generator, discriminator = MLPGenerator(), MLPDiscriminator()
    else:
        data = load_images("digits").images
        size = data.shape[-1]
        generator = DCGANGenerator(channels=1, image_size=size, width=64)
        discriminator = DCGANDiscriminator(channels=1, image_size=size,
                                           width=64)
    marks = {}

    def clock(step, *rest):
        marks[step] = time.perf_counter()

    with process_group("cpu"):
        train(generator, discriminator, data,
              TrainSettings(num_steps=steps, batch_size=batch, device="cpu",
                            progress=False, log_every=10), on_step=clock)
        if rank() == 0:
            seconds = (marks[steps] - marks[warm]) / (steps - warm)
            print(f"ms_per_step {1000 * seconds:.2f}")


def time_setup(name: str, processes: int, threads: int) -> float:
    """ms per step of one run of `name` with this many processes."""
    launcher = ([sys.executable, "-m", "torch.distributed.run",
                 "--nproc_per_node", str(processes)] if processes > 1
                else [sys.executable])
    command = launcher + ["-m", "benchmarks.processes", "--worker", name]
    environment = dict(os.environ, OMP_NUM_THREADS=str(threads))
    output = subprocess.run(command, env=environment, check=True,
                            capture_output=True, text=True).stdout
    line = next(x for x in output.splitlines()
                if x.startswith("ms_per_step"))
    return float(line.split()[1])


def markdown(times: dict, rounds: int) -> str:
    """The table: median (range) per run and set-up."""
    lines = [f"Device: **{device_name(torch.device('cpu'))}**; torch "
             f"{torch.__version__}; {rounds} rounds, set-ups in turn; "
             "median ms per step (range).", "",
             "| run | " + " | ".join(label for label, _, _ in SETUPS)
             + " |", "|---|" + "---:|" * len(SETUPS)]
    for name, rows in times.items():
        cells = [f"{statistics.median(v):.1f} ({min(v):.1f} to "
                 f"{max(v):.1f})" for v in rows.values()]
        lines.append(f"| {DESCRIPTIONS[name]} | " + " | ".join(cells)
                     + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.processes",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default="benchmarks")
    parser.add_argument("--worker", choices=sorted(RUNS),
                        help=argparse.SUPPRESS)  # one run, for the driver
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return ""
    times = {name: {label: [] for label, _, _ in SETUPS} for name in RUNS}
    for round_ in range(args.rounds):
        for name in RUNS:
            for label, processes, threads in SETUPS:
                times[name][label].append(
                    time_setup(name, processes, threads))
                print(f"round {round_ + 1} {name} {label}: "
                      f"{times[name][label][-1]:.1f} ms", flush=True)
    table = markdown(times, args.rounds)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    slug = device_slug(device_name(torch.device("cpu")))
    path = out / f"processes-{slug}.md"
    path.write_text(table)
    print(table)
    print(f"Wrote {path}")
    return table


if __name__ == "__main__":
    main()
