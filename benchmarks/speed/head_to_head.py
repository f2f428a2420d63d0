"""ganlib against pytorch/examples' loop, side by side, interleaved.

`python -m benchmarks.speed.head_to_head [--quick] [--device cpu]`

For the 64 px DCGAN (flowers, 3 channels) and the 28 px one (digits),
each repeat times the reference loop and then each ganlib path on fresh
models, in turn, so a slow spell of the machine falls on all of them
alike. A row reports the median ms per step over the repeats and their
spread ((max - min) / median). Its ratio to the reference is taken
within each repeat (the reference's ms over the row's, measured minutes
apart at most), so a machine that drifts slower or faster over the whole
run moves both alike; the row reports the median of these ratios and
their spread. Every timed run does its warm-up steps first, and a whole
untimed round runs before the timed repeats: a process's first runs pay
one-off costs (fresh memory pages, thread pools, oneDNN's kernel caches)
that the later ones do not.
"""

import argparse
import statistics
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from benchmarks.speed import cases, reference
from benchmarks.speed.report import counted, write_result_files
from benchmarks.speed.run import device_name, load_data, new_models
from benchmarks.speed.summary import plan_text
from benchmarks.speed.timing import time_loop, time_train
from ganlib import cpu_layout
from ganlib.speed import speed_plan
from ganlib.train import pick_device


@dataclass(frozen=True)
class Plan:
    """How much to measure."""
    repeats: int
    warmup_rounds: int  # untimed rounds of every row before the repeats
    warmup: int
    steps: dict  # {model: timed steps per run}
    batch_size: int
    num_images: int  # PNG files for the reference's DataLoader


REFERENCE = "reference: pytorch/examples loop"  # its row's label
MODEL_NAMES = {"dcgan64": "64 px DCGAN (flowers, 3 channels)",
               "dcgan28": "28 px DCGAN (digits, 1 channel)"}
# The 28 px DCGAN's steps are about 10 times quicker: it times 5 times as
# many, so that every run on a 2-core CPU lasts 8 seconds or more and a
# short slow spell of the machine weighs on it about as on a 64 px run.
FULL = Plan(repeats=7, warmup_rounds=1, warmup=3,
            steps={"dcgan64": 30, "dcgan28": 150}, batch_size=64,
            num_images=512)
# On a GPU a step takes milliseconds, but torch.compile can add tens of
# seconds to each run's warm-up steps, and benchmarks/gpu_check.sh gives
# the whole head-to-head about two minutes: fewer repeats of more steps.
FULL_GPU = Plan(repeats=5, warmup_rounds=1, warmup=10,
                steps={"dcgan64": 100, "dcgan28": 100}, batch_size=64,
                num_images=512)
QUICK = Plan(repeats=2, warmup_rounds=0, warmup=1,
             steps={"dcgan64": 1, "dcgan28": 1}, batch_size=8,
             num_images=32)


def ganlib_paths(device: torch.device) -> list[tuple[str, object]]:
    """ganlib's candidate paths on this device: (label, TrainSettings)."""
    fast = cases.fast_settings(device)
    paths = [("ganlib fast path", fast)]
    bf16 = cases.with_speed(fast, cpu_bf16=True)
    if device.type == "cpu" and speed_plan(bf16.speed, device) \
            != speed_plan(fast.speed, device):
        paths.append(("ganlib fast path + cpu_bf16", bf16))
    return paths


def time_reference(model: str, images, folder: Path, device, plan) -> float:
    """ms per step of the reference loop (DataLoader of PNGs) on fresh
    models."""
    loader = reference.image_folder_loader(
        folder, image_size=images.shape[-1], batch_size=plan.batch_size,
        channels=images.shape[1])
    batches = reference.loader_batches(loader)
    generator, discriminator = new_models(model, device)
    loop = reference.ReferenceLoop(generator, discriminator, device)
    timing = time_loop(loop, batches, device, warmup=plan.warmup,
                       steps=plan.steps[model])
    batches.close()  # stops the DataLoader workers
    return 1000 * timing.seconds / timing.num_steps


def time_ganlib(model: str, images, settings, device, plan) -> float:
    """ms per step of ganlib.train with these settings on fresh models."""
    settings = replace(settings, batch_size=plan.batch_size,
                       device=str(device))
    generator, discriminator = new_models(model, device)
    timing = time_train(generator, discriminator, images, settings,
                        warmup=plan.warmup, steps=plan.steps[model])
    return 1000 * timing.seconds / timing.num_steps


def measure(device: torch.device, plan: Plan, log=print,
            save=None) -> dict:
    """Every model's rows: {model: {label: [ms per step, one a repeat]}}.

    save(times), where given, is called after every timed repeat with the
    rows so far, so a run stopped by a time limit leaves what it measured.
    """
    times = {}
    for model in MODEL_NAMES:
        images = load_data(model, plan.num_images)[:plan.num_images]
        rows = times[model] = {REFERENCE: []}
        paths = ganlib_paths(device)
        rows.update({label: [] for label, _ in paths})
        with tempfile.TemporaryDirectory() as folder:
            reference.write_image_folder(images, Path(folder))
            for repeat in range(plan.warmup_rounds + plan.repeats):
                timed = repeat >= plan.warmup_rounds
                ms = {REFERENCE: time_reference(model, images, Path(folder),
                                                device, plan)}
                for label, settings in paths:
                    ms[label] = time_ganlib(model, images, settings, device,
                                            plan)
                if timed:
                    for label, value in ms.items():
                        rows[label].append(value)
                name = (f"repeat {repeat + 1 - plan.warmup_rounds}"
                        if timed else f"warm-up round {repeat + 1}")
                log(f"{model} {name}: " + ", ".join(
                    f"{label} {value:.0f} ms" for label, value in ms.items()))
                if timed and save:
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
    bf16 = speed_plan(cases.with_speed(cases.fast_settings(device),
                                       cpu_bf16=True).speed, device)
    if bf16.channels_last is not None:
        return {}
    layouts = {}
    for model in MODEL_NAMES:
        generator, discriminator = new_models(model, device)
        images = load_data(model, plan.batch_size)[:plan.batch_size]
        key = cpu_layout.models_key(generator, discriminator, images.shape,
                                    bf16.autocast_dtype)
        choice = cpu_layout.read_choices().get(key)
        if choice is not None:
            layouts[model] = choice
    return layouts


def short_name(model: str) -> str:
    """'64 px DCGAN' for 'dcgan64'."""
    return MODEL_NAMES[model].split(" (")[0]


def markdown(result: dict) -> str:
    """The result as a markdown page fragment (for book/speed.md)."""
    plan = result["plan"]
    lines = [
        f"Device: **{result['device']}**; torch {result['torch']}; "
        f"{result['threads']} CPU threads. After "
        f"{counted(plan['warmup_rounds'], 'untimed warm-up round')} of every "
        f"row, each of {plan['repeats']} repeats times every row in turn on "
        f"fresh models: {counted(plan['warmup'], 'warm-up step')}, then "
        + " or ".join(f"{counted(steps, 'timed step')} ({short_name(model)})"
                      for model, steps in plan["steps"].items())
        + f" at batch {plan['batch_size']}. Median over the "
        f"repeats; spread = (max - min) / median. x reference: the "
        f"median over the repeats of the reference's ms over the row's "
        f"in the same repeat, with the spread of those ratios.", ""]
    for label, text in result["paths"].items():
        lines.append(f"- {label}: {text}")
    for model, choice in result.get("layouts", {}).items():
        chosen = "channels_last" if choice["channels_last"] else "NCHW"
        lines.append(
            f"- layout chosen for the {MODEL_NAMES[model]}: {chosen} "
            f"(measured by ganlib before its first run, ms per step: "
            f"NCHW {choice['ms_nchw']}, NHWC {choice['ms_nhwc']})")
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
