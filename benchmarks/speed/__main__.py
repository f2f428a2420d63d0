"""`python -m benchmarks.speed [--quick] [--device cuda] [--out folder]`."""

import argparse

from benchmarks.speed.cases import pick_budget
from benchmarks.speed.report import markdown, write_results
from benchmarks.speed.run import run_benchmark
from ganlib.train import pick_device


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print its table, write results-<device>.*."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.speed",
                                     description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="a few steps only, to test the benchmark")
    parser.add_argument("--device", default=None,
                        help="cuda, cpu ... (default: the best there is)")
    parser.add_argument("--out", default="benchmarks",
                        help="folder for results-<device>.json and .md")
    args = parser.parse_args(argv)
    device = pick_device(args.device)
    budget = pick_budget(args.quick, device)
    print(f"ganlib benchmark on {device}, budget {budget.name}")
    suffix = "-quick" if args.quick else ""
    # Written after every row too: a run stopped by a time limit (as in
    # benchmarks/gpu_check.sh) leaves the rows it measured.
    result = run_benchmark(device, budget, save=lambda so_far: write_results(
        so_far, args.out, suffix=suffix))
    path = write_results(result, args.out, suffix=suffix)
    print(markdown(result))
    print(f"Wrote {path} and {path.with_suffix('.md')}")
    return result


if __name__ == "__main__":
    main()
