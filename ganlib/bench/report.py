"""Write the benchmark's figures as JSON and as a markdown table."""

import json
import re
from pathlib import Path

COLUMNS = ("run", "model", "batch", "samples/s", "ms/step", "x reference",
           "peak GPU MiB", "share of peak FLOP/s")


def device_slug(device_name: str) -> str:
    """'NVIDIA H100 80GB HBM3' -> 'nvidia-h100-80gb-hbm3' (file names)."""
    return re.sub(r"[^a-z0-9]+", "-", device_name.lower()).strip("-")


def _cell(value: float | None, digits: int = 0) -> str:
    """A number for the table, or 'n/a' where there is none (CPU)."""
    if value is None:
        return "n/a"
    if abs(value) < 100:  # slow CPU rates: keep a decimal
        digits = max(digits, 1)
    return f"{value:,.{digits}f}"


def table_row(row: dict) -> str:
    """One markdown table row for one measured configuration."""
    share = row["flop_share"]
    cells = (row["name"], row["model"], str(row["batch_size"]),
             _cell(row["images_per_second"]), _cell(row["ms_per_step"], 1),
             "n/a" if row["vs_reference"] is None
             else f"{row['vs_reference']:.2f}x",
             _cell(row["peak_memory_mib"]),
             "n/a" if share is None else f"{100 * share:.1f}%")
    return "| " + " | ".join(cells) + " |"


def quality_lines(quality: dict) -> list[str]:
    """The same-results check as a short markdown list."""
    if quality.get("skipped"):
        return [f"Quality check skipped: {quality['skipped']}"]
    lines = [f"Quality check: {quality['model']}, {quality['num_steps']} "
             f"steps, batch {quality['batch_size']}; Frechet distance on "
             f"ganlib's classifier features (lower is better):", ""]
    for run in quality["runs"]:
        lines.append(f"- {run['name']}: {run['frechet_distance']:.3f}")
    lines.append(f"- real vs real (the floor): "
                 f"{quality['runs'][0]['real_vs_real']:.3f}")
    lines += ["", f"Fast path minus fp32 path (same seed): "
              f"{quality['difference']:+.3f}; run-to-run noise (fp32, two "
              f"seeds): {quality['noise']:.3f}. Same quality within noise: "
              f"**{'yes' if quality['within_noise'] else 'no'}**."]
    return lines


def markdown(result: dict) -> str:
    """The whole result as a markdown page fragment."""
    lines = [f"Device: **{result['device']}**; torch {result['torch']}; "
             f"{result['threads']} CPU threads; budget "
             f"`{result['budget']['name']}`.", "",
             f"ganlib (b) / reference (a) at batch "
             f"{result['budget']['batch_size']}: "
             f"**{result['ratio']:.2f}x**.", *goal_lines(result["goals"]),
             "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    lines += [table_row(row) for row in result["speed"]]
    lines += [""] + [f"- {note}" for note in result["notes"]]
    load = result.get("load_average_1_5_15_min")
    if load is not None:
        lines.append(f"- Load average of the machine at the end (1, 5, "
                     f"15 min): {load[0]:.1f}, {load[1]:.1f}, "
                     f"{load[2]:.1f}.")
    lines += [""] + quality_lines(result["quality"])
    return "\n".join(lines) + "\n"


def goal_lines(goals: dict) -> list[str]:
    """The speed goals, judged only on the device they are set for."""
    if not goals["device_is_h100"]:
        return []
    ratio = goals["ratio_at_batch_64"]
    share = goals["flop_share_at_batch_1024"]
    verdict = {True: "met", False: "NOT met", None: "not measured"}
    share_text = ("n/a" if share["value"] is None
                  else f"{100 * share['value']:.1f}%")
    return ["", f"Goals on one H100: (b)/(a) >= 10x: "
            f"**{verdict[ratio['met']]}**; >= 30% of peak FLOP/s at batch "
            f"1024: **{verdict[share['met']]}** ({share_text})."]


def write_results(result: dict, folder: Path, *, suffix: str = "") -> Path:
    """Write results-<device><suffix>.json and .md; return the .json path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"results-{device_slug(result['device'])}{suffix}"
    path = folder / f"{stem}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    (folder / f"{stem}.md").write_text(markdown(result))
    return path


def goals(name: str, ratio: float, rows: list[dict]) -> dict:
    """The two speed goals (set for one H100) against these figures.

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


def notes(name: str, device, budget, context: dict, fast: dict) -> list:
    """What the figures mean and what was left out, in plain words."""
    flops = context["flops"]
    lines = [
        "Training FLOPs per sample = 3 F_G + 9 F_D (forward conv/linear "
        "FLOPs of G and D; backward = 2x forward): DCGAN 64 px "
        f"{flops['dcgan64']['training_step'] / 1e9:.2f} GFLOP, 28 px "
        f"{flops['dcgan28']['training_step'] / 1e9:.3f} GFLOP, 2-D MLP "
        f"{flops['mlp2d']['training_step'] / 1e3:.0f} kFLOP.",
        f"Timed {budget.steps} steps of ganlib ({budget.reference_steps} "
        f"of the reference) after {budget.warmup} warm-up steps.",
        "The reference trains ganlib's DCGANGenerator/DCGANDiscriminator, "
        "layer for layer pytorch/examples' netG/netD (netD without its "
        "Sigmoid; BCEWithLogitsLoss).",
        "Fast path (b) switches: " + ", ".join(
            f"{key}={value}" for key, value in fast.items()
            if key not in ("sample_every", "progress")) + "."]
    peak = context["peak_flops"]
    if peak is None:
        lines.append("No peak FLOP rate is known for this device (a CPU "
                     "or an unlisted GPU): the share is n/a.")
    else:
        lines.append(f"Share of peak = achieved FLOP/s / {peak / 1e12:.0f}"
                     f" TFLOP/s, the dense bf16 tensor peak of {name} "
                     "(vendor datasheet).")
    if device.type != "cuda":
        lines.append("bf16 autocast, channels_last and fused Adam act on "
                     "CUDA only in ganlib.train: not measured here, so "
                     "the fast path runs in fp32 on this device.")
    if not budget.measure_compile:
        lines.append("torch.compile is not measured in this budget.")
    if "H100" not in name:
        lines.append("The speed goals (10x at batch 64, 30% of peak at "
                     "batch 1024) are for one H100, not this device.")
    return lines


def summarize(name: str, device, budget, context: dict, rows: list,
              quality: dict) -> dict:
    """Every figure of one benchmark run, ready for JSON."""
    from dataclasses import asdict

    import torch

    import os

    fast = next(row for row in rows if row["name"].startswith("(b)"))
    ratio = fast["images_per_second"] / context["reference"]
    # Other jobs on the machine slow every row: keep the evidence.
    load = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return {"device": name, "device_type": device.type,
            "load_average_1_5_15_min": load,
            "torch": torch.__version__, "threads": torch.get_num_threads(),
            "budget": asdict(budget), "peak_flops": context["peak_flops"],
            "flops_per_sample": context["flops"],
            "reference_images_per_second": context["reference"],
            "ganlib_images_per_second": fast["images_per_second"],
            "ratio": ratio, "goals": goals(name, ratio, rows),
            "speed": rows, "quality": quality,
            "notes": notes(name, device, budget, context,
                           fast["settings"])}
