"""Run every measurement of the benchmark and gather one result dict."""

import os
import platform
import tempfile
from dataclasses import asdict, replace

import torch

from benchmarks.speed import cases, quality, reference, summary
from benchmarks.speed.flops import (check_counter, forward_flops,
                                    peak_flops, reference_step_flops,
                                    step_flops)
from benchmarks.speed.timing import Timing, time_loop, time_train
from ganlib.settings import TrainSettings


def device_name(device: torch.device) -> str:
    """The GPU's name, or the CPU's architecture and core count."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"CPU {platform.machine()} {os.cpu_count()} cores"


def model_flops(name: str) -> dict:
    """Measured FLOPs per sample: G and D forward, one training step of
    ganlib (and, for the 64 px DCGAN, one of the reference loop)."""
    generator, discriminator = cases.MODELS[name]()
    z, x = cases.example_inputs(name)
    flops = {"generator_forward": forward_flops(generator, z),
             "discriminator_forward": forward_flops(discriminator, x),
             "training_step": step_flops(generator, discriminator, z, x)}
    if name == "dcgan64":
        flops["reference_step"] = reference_step_flops(generator,
                                                       discriminator, x)
    return flops


def settings_record(settings: TrainSettings) -> dict:
    """The switches of one ganlib row, for the JSON: Speed and log_every."""
    return {"log_every": settings.log_every, **asdict(settings.speed)}


def load_data(name: str, num_images: int) -> torch.Tensor:
    """Training data for each benchmarked model, on the CPU."""
    from ganlib.data import ring_target
    from ganlib.images import digits, flowers

    if name == "dcgan64":
        return flowers(num_images, image_size=64, seed=0).images
    if name == "dcgan28":
        return digits(image_size=28).images
    return ring_target().sample(10_000, rng=torch.Generator()
                                .manual_seed(0))


def new_models(name: str, device: torch.device):
    """Fresh models with the same initial weights for every run."""
    torch.manual_seed(0)
    generator, discriminator = cases.MODELS[name]()
    return generator.to(device), discriminator.to(device)


def make_row(name: str, model: str, batch_size: int, timing: Timing,
             context: dict, settings: dict, *,
             step: str = "training_step") -> dict:
    """One measured configuration with every figure derived from it; its
    FLOP rate from the count of `step` ("reference_step" for the
    reference loop)."""
    rate = batch_size * timing.num_steps / timing.seconds
    flops = context["flops"][model][step]
    peak, reference_rate = context["peak_flops"], context.get("reference")
    return {"name": name, "model": model, "batch_size": batch_size,
            "images_per_second": rate, "seconds": timing.seconds,
            "timed_steps": timing.num_steps, "flops_counted_on": step,
            "ms_per_step": 1000 * timing.seconds / timing.num_steps,
            "peak_memory_mib": timing.peak_memory_mib,
            "achieved_flops": rate * flops,
            "flop_share": None if peak is None else rate * flops / peak,
            "vs_reference": None if reference_rate is None
            or model != "dcgan64" else rate / reference_rate,
            "settings": settings}


def reference_rows(images, device, budget, context) -> list[dict]:
    """(a) the example's loop, then the same loop with data on device."""
    batch_size = budget.batch_size
    with tempfile.TemporaryDirectory() as folder:
        root = reference.write_image_folder(images, folder)
        loader = reference.image_folder_loader(root, batch_size=batch_size)
        batches = reference.loader_batches(loader)
        timing = _time_reference(batches, device, budget)
        batches.close()  # stops the DataLoader workers
    context["reference"] = timing.num_steps * batch_size / timing.seconds
    rows = [make_row("(a) reference: pytorch/examples loop", "dcgan64",
                     batch_size, timing, context,
                     {"data": "DataLoader, 2 workers, PIL transforms",
                      "precision": "fp32", "host_sync": "every step"},
                     step="reference_step")]
    on_device = reference.device_batches(images.to(device), batch_size)
    timing = _time_reference(on_device, device, budget)
    rows.append(make_row("reference + data kept on the device", "dcgan64",
                         batch_size, timing, context,
                         {"data": "one tensor on the device",
                          "precision": "fp32", "host_sync": "every step"},
                         step="reference_step"))
    return rows


def _time_reference(batches, device, budget) -> Timing:
    """Time the reference loop on fresh models."""
    generator, discriminator = new_models("dcgan64", device)
    loop = reference.ReferenceLoop(generator, discriminator, device)
    return time_loop(loop, batches, device, warmup=budget.warmup,
                     steps=budget.reference_steps)


def ganlib_row(name, model, batch_size, settings, data, device, budget,
               context) -> dict:
    """Time ganlib.train with these settings at this batch size; one row."""
    settings = replace(settings, batch_size=batch_size, device=str(device))
    generator, discriminator = new_models(model, device)
    timing = time_train(generator, discriminator, data, settings,
                        warmup=budget.warmup, steps=budget.steps)
    return make_row(name, model, batch_size, timing, context,
                    settings_record(settings))


def ablation_plan(device, budget) -> list[tuple[str, TrainSettings]]:
    """Plain ganlib, each switch alone over it, then all of them: (b)."""
    plan = [("ganlib plain (fp32, sync every step)", cases.PLAIN)]
    plan += list(cases.switches_for(device, budget))
    return plan + [("(b) ganlib fast path", cases.fast_settings(device))]


def scaling_plan(budget) -> list[tuple[str, int]]:
    """(model, batch size) of ganlib alone; dcgan64 at 64 is done above."""
    plan = [("dcgan64", size) for size in budget.scaling_batches]
    for model in ("dcgan28", "mlp2d"):
        plan += [(model, size)
                 for size in (budget.batch_size, *budget.scaling_batches)]
    return plan


# What a result written before the quality check says about it.
STOPPED_BEFORE_QUALITY = {"skipped": "the run stopped before its quality "
                                     "check; the rows above are those it "
                                     "measured"}


def run_benchmark(device: torch.device, budget: cases.Budget,
                  log=print, save=None) -> dict:
    """Measure (a) and (b), the ablation, the scaling and the quality.

    save(result), where given, is called after every row from (b) on with
    the result so far, so a run stopped by a time limit leaves the rows it
    measured."""
    check_counter()  # before minutes of timing
    torch.backends.cudnn.benchmark = True  # as pytorch/examples sets it
    name = device_name(device)
    peak = peak_flops(name) if device.type == "cuda" else None
    context = {"peak_flops": peak,
               "flops": {model: model_flops(model) for model in cases.MODELS}}
    data = {model: load_data(model, budget.num_images)
            for model in cases.MODELS}
    rows = reference_rows(data["dcgan64"], device, budget, context)
    for row in rows:
        log(f"{row['name']}: {row['images_per_second']:,.1f} images/s")
    fast = cases.fast_settings(device)

    def result(quality_result: dict) -> dict:
        return summary.summarize(name, device, budget, context, rows,
                                 quality_result, fast)

    def save_so_far():
        if save and any(row["name"].startswith("(b)") for row in rows):
            save(result(STOPPED_BEFORE_QUALITY))

    for label, settings in ablation_plan(device, budget):
        rows.append(ganlib_row(label, "dcgan64", budget.batch_size, settings,
                               data["dcgan64"], device, budget, context))
        log(f"{label}: {rows[-1]['images_per_second']:,.1f} images/s")
        save_so_far()
    for model, batch_size in scaling_plan(budget):
        rows.append(ganlib_row("ganlib fast path", model, batch_size, fast,
                               data[model], device, budget, context))
        log(f"{model}, batch {batch_size}: "
            f"{rows[-1]['images_per_second']:,.1f} samples/s")
        save_so_far()
    return result(quality.check(device, budget, fast, log=log))
