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
    return ["", f"ganlib's speed goals on one H100: (b)/(a) >= 10x: "
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


def counted(number: int, noun: str) -> str:
    """'1 warm-up step', '3 warm-up steps'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def write_result_files(result: dict, folder: Path, name: str, text: str,
                       *, suffix: str = "", show: bool = True) -> Path:
    """Write <name>-<device><suffix>.json (result) and .md (text), print
    the text (show), and return their common stem."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{name}-{device_slug(result['device'])}{suffix}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    stem.with_suffix(".md").write_text(text)
    if show:
        print(text)
        print(f"Wrote {stem}.json and {stem}.md")
    return stem
