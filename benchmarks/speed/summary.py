"""One benchmark run as a dict: its figures, the goals and the notes."""

import os
from dataclasses import asdict

import torch

from benchmarks.speed import cases
from benchmarks.speed.report import counted
from ganlib import cpu_layout
from ganlib.settings import TrainSettings
from ganlib.speed import SpeedPlan, speed_plan


def goals(name: str, ratio: float, rows: list[dict]) -> dict:
    """ganlib's two speed goals (for one H100) against these figures.

    The ratio is at the budget's batch size (64 except in --quick).
    """
    big = [row["flop_share"] for row in rows
           if row["model"] == "dcgan64" and row["batch_size"] == 1024]
    share = big[0] if big else None
    return {"device_is_h100": "H100" in name,
            "ratio_at_batch_64": {"goal": 10.0, "value": ratio,
                                  "met": ratio >= 10.0},
            "flop_share_at_batch_1024": {
                "goal": 0.30, "value": share,
                "met": None if share is None else share >= 0.30}}


def plan_text(plan: SpeedPlan) -> str:
    """What a SpeedPlan does on its device, in words."""
    compiled = ("no torch.compile" if not plan.compile else
                f"torch.compile (mode {plan.compile_mode or 'default'})")
    return ", ".join((
        precision_text(plan),
        {None: "the layout ganlib's timing chose for each model (below; "
               f"NHWC only where at least {1 - cpu_layout.MARGIN:.0%} "
               "faster)",
         True: "channels_last", False: "NCHW"}[plan.channels_last],
        "fused Adam" if plan.fused_adam else "plain Adam", compiled))


def precision_text(plan: SpeedPlan) -> str:
    """'bfloat16 autocast', 'float16 autocast with loss scaling', or why
    fp32 on a GPU."""
    if plan.autocast_dtype == torch.float16:
        return "float16 autocast with loss scaling"
    if plan.autocast_dtype is not None:
        dtype = str(plan.autocast_dtype).removeprefix("torch.")
        return f"{dtype} autocast"
    if plan.device.type == "cuda":
        major, minor = torch.cuda.get_device_capability(plan.device)
        return (f"fp32 (compute capability {major}.{minor}: no tensor "
                f"cores)")
    return "fp32"


def notes(name: str, device, budget, context: dict, rows: list,
          fast: TrainSettings) -> list:
    """What the figures mean and what was left out, in plain words."""
    flops = context["flops"]
    measured = {row["name"] for row in rows}
    left_out = [label for label, _ in cases.SWITCHES
                if label not in measured]
    lines = [
        "Training FLOPs per sample, measured by torch's FlopCounterMode "
        "over one D step and one G step of ganlib.train (matrix products "
        "and convolutions, forward and backward): DCGAN 64 px "
        f"{flops['dcgan64']['training_step'] / 1e9:.2f} GFLOP, 28 px "
        f"{flops['dcgan28']['training_step'] / 1e9:.3f} GFLOP, 2-D MLP "
        f"{flops['mlp2d']['training_step'] / 1e3:.0f} kFLOP. The "
        "reference's step is "
        f"{flops['dcgan64']['reference_step'] / 1e9:.2f} GFLOP: its G step "
        "scores the fake batch of its D step, where ganlib draws a fresh "
        "one (one G forward less), and computes the gradients of D's "
        "weights, which ganlib's skips (D is frozen there; one D forward's "
        "worth more); its rows' FLOP rates use its own count.",
        f"Timed {budget.steps} steps of ganlib ({budget.reference_steps} "
        f"of the reference) after {counted(budget.warmup, 'warm-up step')}.",
        "The reference trains ganlib's DCGANGenerator/DCGANDiscriminator, "
        "layer for layer pytorch/examples' netG/netD (netD without its "
        "Sigmoid; BCEWithLogitsLoss).",
        f"Fast path (b): log_every={fast.log_every}, {fast.speed}; on "
        f"{device.type} that is "
        f"{plan_text(speed_plan(fast.speed, device))}."]
    peak = context["peak_flops"]
    if peak is None:
        lines.append("No peak FLOP rate is known for this device (a CPU "
                     "or an unlisted GPU): the share is n/a.")
    else:
        lines.append(f"Share of peak = achieved FLOP/s / {peak / 1e12:.0f}"
                     f" TFLOP/s, the dense bf16 tensor peak of {name} "
                     "(vendor datasheet).")
    if left_out:
        lines.append("Not measured here (the switch does not act on this "
                     "device, or this budget leaves torch.compile out): "
                     + "; ".join(left_out) + ".")
    if "H100" not in name:
        lines.append("ganlib's speed goals (10x at batch 64, 30% of peak "
                     "at batch 1024) are for one H100, not this device.")
    return lines


def summarize(name: str, device, budget, context: dict, rows: list,
              quality: dict, fast: TrainSettings) -> dict:
    """Every figure of one benchmark run, ready for JSON."""
    fast_row = next(row for row in rows if row["name"].startswith("(b)"))
    ratio = fast_row["images_per_second"] / context["reference"]
    # Other jobs on the machine slow every row: keep the evidence.
    load = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return {"device": name, "device_type": device.type,
            "load_average_1_5_15_min": load,
            "torch": torch.__version__, "threads": torch.get_num_threads(),
            "budget": asdict(budget), "peak_flops": context["peak_flops"],
            "flops_per_sample": context["flops"],
            "reference_images_per_second": context["reference"],
            "ganlib_images_per_second": fast_row["images_per_second"],
            "ratio": ratio, "goals": goals(name, ratio, rows),
            "speed": rows, "quality": quality,
            "notes": notes(name, device, budget, context, rows, fast)}
