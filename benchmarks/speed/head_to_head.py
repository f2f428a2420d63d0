"""ganlib against pytorch/examples' loop, side by side, interleaved.

`python -m benchmarks.speed.head_to_head [--quick] [--device cpu]`

For the 64 px DCGAN (flowers, 3 channels) and the 28 px one (digits),
each repeat trains the reference loop and each ganlib path on fresh
models, the loops taking turns of a few seconds (benchmarks/speed/
turns.py), so a slow stretch of the machine falls on all of them alike.
Each loop's first turn warms it up, untimed. A row reports the median ms
per step over the repeats and their spread ((max - min) / median). Its
ratio to the reference is taken within each repeat (the reference's ms
over the row's), so a machine that drifts slower or faster over the
whole run moves both alike; the row reports the median of these ratios
and their spread.
"""

import argparse
import functools
import statistics
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from benchmarks.speed import cases, reference
from benchmarks.speed.report import counted, write_result_files
from benchmarks.speed.run import device_name, load_data, new_models
from benchmarks.speed.summary import plan_text
from benchmarks.speed.turns import Loop, time_in_turns
from ganlib import cpu_layout
from ganlib.speed import speed_plan
from ganlib.train import pick_device, train


@dataclass(frozen=True)
class Plan:
    """How much to measure. Every loop of a repeat warms up for one
    untimed turn, then takes its timed turns; the reference's image
    folder holds one turn's batches, so each of its turns is an epoch."""
    repeats: int
    turns: dict  # {model: timed turns of every loop in a repeat}
    turn_steps: dict  # {model: steps per turn}
    batch_size: int

    def steps(self, model: str) -> int:
        """Timed steps of each loop in a repeat."""
        return self.turns[model] * self.turn_steps[model]

    def run_steps(self, model: str) -> int:
        """Steps a loop runs: its warm-up turn, then its timed turns."""
        return self.turn_steps[model] + self.steps(model)

    def num_images(self, model: str) -> int:
        """Images in the data (and PNG files for the reference): one
        turn's batches."""
        return self.turn_steps[model] * self.batch_size


REFERENCE = "reference: pytorch/examples loop"  # its row's label
MODEL_NAMES = {"dcgan64": "64 px DCGAN (flowers, 3 channels)",
               "dcgan28": "28 px DCGAN (digits, 1 channel)"}
# A turn lasts a few seconds on a 2-core CPU: 8 steps of the 64 px DCGAN,
# 24 of the 28 px one, whose steps are about 10 times quicker (and whose
# 1,797 digits hold 24 batches of 64, not more).
FULL = Plan(repeats=7, turns={"dcgan64": 4, "dcgan28": 6},
            turn_steps={"dcgan64": 8, "dcgan28": 24}, batch_size=64)
# On a GPU a step takes milliseconds, but torch.compile adds tens of
# seconds to the first warm-up turn, each reference turn starts its
# workers, and benchmarks/gpu_check.sh gives the whole head-to-head about
# two minutes: few repeats of 100 timed steps.
FULL_GPU = Plan(repeats=5, turns={"dcgan64": 4, "dcgan28": 5},
                turn_steps={"dcgan64": 25, "dcgan28": 20}, batch_size=64)
QUICK = Plan(repeats=2, turns={"dcgan64": 2, "dcgan28": 2},
             turn_steps={"dcgan64": 1, "dcgan28": 1}, batch_size=8)


def ganlib_paths(device: torch.device) -> list[tuple[str, object]]:
    """ganlib's candidate paths on this device: (label, TrainSettings)."""
    fast = cases.fast_settings(device)
    paths = [("ganlib fast path", fast)]
    bf16 = cases.with_speed(fast, cpu_bf16=True)
    if device.type == "cpu" and speed_plan(bf16.speed, device) \
            != speed_plan(fast.speed, device):
        paths.append(("ganlib fast path + cpu_bf16", bf16))
    return paths


def reference_loop(model: str, images, folder: Path, device,
                   plan: Plan) -> Loop:
    """The reference loop on fresh models, made when its first turn
    begins. Its data are the example's: a DataLoader of PNG files, whose
    2 worker processes start with each epoch and stop at its end.

    Each of its turns is one epoch (the folder holds one turn's batches),
    so no worker lives while another loop has its turn: a process that
    forks them slows down as it writes to memory the workers still share,
    which would charge ganlib for the reference's workers. The start and
    end of an epoch are left out of the time: a real data set has
    hundreds of steps to an epoch, not a turn's few.
    """
    def run(turns):
        loader = reference.image_folder_loader(
            folder, image_size=images.shape[-1], batch_size=plan.batch_size,
            channels=images.shape[1])
        generator, discriminator = new_models(model, device)
        step = reference.ReferenceLoop(generator, discriminator, device)
        done = 0
        while done < plan.run_steps(model):
            with turns.untimed():  # the epoch's workers start
                batches = iter(loader)
                real, _ = next(batches)
            for index in range(len(loader)):  # the example's `for` loop
                if index:
                    real, _ = next(batches)
                step(real)
                done += 1
                if index == len(loader) - 1:
                    with turns.untimed():  # the epoch ends: workers stop
                        next(batches, None)
                turns.step_done(done)
    return run


def ganlib_loop(model: str, images, settings, device, plan: Plan) -> Loop:
    """ganlib.train with these settings on fresh models, made when its
    first turn begins. It runs one step more, untimed: train's last step
    also logs and draws the fixed-noise samples, which is not the loop."""
    settings = replace(settings, batch_size=plan.batch_size,
                       device=str(device),
                       num_steps=plan.run_steps(model) + 1)

    def run(turns):
        generator, discriminator = new_models(model, device)
        train(generator, discriminator, images, settings,
              on_step=lambda step, *models_and_history:
              turns.step_done(step))
    return run


def time_repeat(model: str, images, folder: Path, device, plan: Plan,
                paths: list) -> dict[str, float]:
    """{row: ms per step} of one repeat, in which the reference and every
    ganlib path, each on fresh models, take turns."""
    loops = {REFERENCE: reference_loop(model, images, folder, device, plan)}
    for label, settings in paths:
        loops[label] = ganlib_loop(model, images, settings, device, plan)
    seconds = time_in_turns(loops, device, warmup=plan.turn_steps[model],
                            turn_steps=plan.turn_steps[model],
                            turns=plan.turns[model])
    return {label: 1000 * sum(turns) / plan.steps(model)
            for label, turns in seconds.items()}


def measure(device: torch.device, plan: Plan, log=print,
            save=None) -> dict:
    """Every model's rows: {model: {label: [ms per step, one a repeat]}}.

    save(times), where given, is called after every timed repeat with the
    rows so far, so a run stopped by a time limit leaves what it measured.
    """
    times = {}
    for model in MODEL_NAMES:
        num_images = plan.num_images(model)
        images = load_data(model, num_images)[:num_images]
        paths = ganlib_paths(device)
        if any(settings.speed.compile for _, settings in paths):
            # Compiled from cold in the first repeat's warm-up turn; the
            # later repeats' fresh models reuse that code where dynamo's
            # guards allow, or compile again in their own warm-up turn.
            torch._dynamo.reset()
        rows = times[model] = {REFERENCE: []}
        rows.update({label: [] for label, _ in paths})
        with tempfile.TemporaryDirectory() as folder:
            reference.write_image_folder(images, Path(folder))
            for repeat in range(plan.repeats):
                ms = time_repeat(model, images, Path(folder), device, plan,
                                 paths)
                for label, value in ms.items():
                    rows[label].append(value)
                log(f"{model} repeat {repeat + 1}: " + ", ".join(
                    f"{label} {value:.0f} ms" for label, value in ms.items()))
                if save:
                    save(times)
    return times


def summarize(times: dict, device: torch.device, plan: Plan) -> dict:
    """Medians, spreads and ratios to the reference, with the context.
    Models without a timed repeat yet are left out."""
    models = {}
    for model, rows in times.items():
        reference_ms = rows[REFERENCE]
        if not reference_ms:
            continue
        models[model] = []
        for label, values in rows.items():
            ratios = [base / ms for base, ms in zip(reference_ms, values)]
            models[model].append(
                {"name": label, "ms_per_step": values,
                 "median_ms": statistics.median(values),
                 "spread": spread(values), "ratios": ratios,
                 "vs_reference": statistics.median(ratios),
                 "ratio_spread": spread(ratios)})
    paths = {label: plan_text(speed_plan(settings.speed, device))
             for label, settings in ganlib_paths(device)}
    return {"device": device_name(device), "torch": torch.__version__,
            "threads": torch.get_num_threads(), "plan": plan.__dict__,
            "paths": paths, "layouts": chosen_layouts(device, plan),
            "models": models}


def spread(values: list[float]) -> float:
    """(max - min) / median: how far a row's repeats lie apart."""
    return (max(values) - min(values)) / statistics.median(values)


def chosen_layouts(device: torch.device, plan: Plan) -> dict:
    """{model: the layout a bf16 CPU run chose, with its measured ms}, for
    the models whose layout the run measures (none on a GPU)."""
    choices = cpu_layout.read_choices()
    return {model: choices[key] for model, key
            in layout_keys(device, plan.batch_size).items() if key in choices}


@functools.cache
def layout_keys(device: torch.device, batch_size: int) -> dict:
    """{model: cpu_layout's key for its bf16 run}, for the models whose
    layout a bf16 run measures (none on a GPU). Made once per process: it
    builds the models and loads their data."""
    bf16 = speed_plan(cases.with_speed(cases.fast_settings(device),
                                       cpu_bf16=True).speed, device)
    if bf16.channels_last is not None:
        return {}
    keys = {}
    for model in MODEL_NAMES:
        generator, discriminator = new_models(model, device)
        images = load_data(model, batch_size)[:batch_size]
        keys[model] = cpu_layout.models_key(generator, discriminator,
                                            images.shape, bf16.autocast_dtype)
    return keys


def short_name(model: str) -> str:
    """'64 px DCGAN' for 'dcgan64'."""
    return MODEL_NAMES[model].split(" (")[0]


def markdown(result: dict) -> str:
    """The result as a markdown page fragment (for book/speed.md)."""
    plan = result["plan"]
    turns = " or ".join(
        f"{counted(plan['turns'][model], 'timed turn')} of "
        f"{counted(plan['turn_steps'][model], 'step')} ({short_name(model)})"
        for model in plan["turns"])
    lines = [
        f"Device: **{result['device']}**; torch {result['torch']}; "
        f"{result['threads']} CPU threads. Each of "
        f"{plan['repeats']} repeats trains every row on fresh models at "
        f"batch {plan['batch_size']}, the rows taking turns (one thread "
        f"working at a time): one untimed warm-up turn each, then {turns}. "
        f"The reference reads PNG files through 2 DataLoader workers, as "
        f"the example does; each of its turns is one epoch, whose start "
        f"and end (the workers starting and stopping) are not timed. "
        f"Median over the repeats; spread = (max - min) / median. "
        f"x reference: the median over the repeats of the reference's ms "
        f"over the row's in the same repeat, with the spread of those "
        f"ratios.", ""]
    for label, text in result["paths"].items():
        lines.append(f"- {label}: {text}")
    for model, choice in result.get("layouts", {}).items():
        chosen = "channels_last" if choice["channels_last"] else "NCHW"
        lines.append(
            f"- layout chosen for the {MODEL_NAMES[model]}: {chosen} "
            f"(ganlib's timing on this machine, ms per step: NCHW "
            f"{choice['ms_nchw']}, NHWC {choice['ms_nhwc']}; made before "
            f"the first bf16 run of these models, read from its cache "
            f"since)")
    for model in MODEL_NAMES:
        rows = result["models"].get(model)
        if rows is None:
            lines += ["", f"**{MODEL_NAMES[model]}**: not measured (the run "
                      f"stopped first)"]
            continue
        done = len(rows[0]["ms_per_step"])
        stopped = (f" (the run stopped after {done} of {plan['repeats']} "
                   f"repeats)" if done < plan["repeats"] else "")
        lines += ["", f"**{MODEL_NAMES[model]}**{stopped}", "",
                  "| loop | median ms/step | spread | x reference | "
                  "ratio spread |",
                  "|---|---:|---:|---:|---:|"]
        for row in rows:
            lines.append(f"| {row['name']} | {row['median_ms']:,.1f} | "
                         f"{100 * row['spread']:.0f}% | "
                         f"{row['vs_reference']:.2f} | "
                         f"{100 * row['ratio_spread']:.0f}% |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict:
    """Measure, print the table, write head-to-head-<device>.json/.md."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.speed.head_to_head",
        description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 repeats of 1 step: tests the code only")
    parser.add_argument("--device", default=None)
    parser.add_argument("--out", default="benchmarks")
    args = parser.parse_args(argv)
    device = pick_device(args.device)
    plan = QUICK if args.quick else (
        FULL_GPU if device.type == "cuda" else FULL)
    suffix = "-quick" if args.quick else ""

    def write(times, show=True) -> dict:
        result = summarize(times, device, plan)
        write_result_files(result, args.out, "head-to-head", markdown(result),
                           suffix=suffix, show=show)
        return result

    # Written after every repeat too: a run stopped by a time limit (as in
    # benchmarks/gpu_check.sh) leaves the repeats it measured.
    return write(measure(device, plan,
                         save=lambda so_far: write(so_far, show=False)))


if __name__ == "__main__":
    main()
