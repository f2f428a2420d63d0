"""The benchmark: FLOP counts by hand, and one --quick run end to end."""

import json
import subprocess
import sys

import pytest
import torch
from torch import nn

from ganlib.bench.flops import (forward_flops, layer_flops, peak_flops,
                                step_flops)
from ganlib.bench.report import device_slug
from ganlib.models import DCGANDiscriminator, DCGANGenerator


def test_conv_flops_match_a_hand_count():
    conv = nn.Conv2d(3, 8, kernel_size=3, padding=1, bias=False)
    # 8 x 5 x 5 outputs, each a sum of 3 x 3 x 3 products: 2 FLOPs a MAC.
    assert forward_flops(conv, torch.randn(2, 3, 5, 5)) == 2 * 27 * 200


def test_transposed_conv_costs_what_its_adjoint_conv_costs():
    up = nn.ConvTranspose2d(4, 2, 4, 2, 1, bias=False)  # 3x3 -> 6x6
    down = nn.Conv2d(2, 4, 4, 2, 1, bias=False)  # 6x6 -> 3x3
    # Hand count: 4 x 3 x 3 input values, each spread over 4 x 4 x 2.
    hand = 2 * (4 * 9) * (16 * 2)
    assert forward_flops(up, torch.randn(2, 4, 3, 3)) == hand
    assert forward_flops(down, torch.randn(2, 2, 6, 6)) == hand


def test_linear_flops_are_two_per_weight():
    layer = nn.Linear(5, 7)
    x = torch.randn(2, 5)
    assert layer_flops(layer, x, layer(x)) == 2 * 5 * 7


def test_dcgan64_flops_match_the_layer_by_layer_sum():
    generator = DCGANGenerator(latent_dim=100, channels=3, image_size=64)
    discriminator = DCGANDiscriminator(channels=3, image_size=64)
    # MACs: C_in * C_out * 4 * 4 * (input pixels for G, output for D)
    g_macs = (100 * 512 * 16 * 1 + 512 * 256 * 16 * 16
              + 256 * 128 * 16 * 64 + 128 * 64 * 16 * 256
              + 64 * 3 * 16 * 1024)
    d_macs = (3 * 64 * 16 * 1024 + 64 * 128 * 16 * 256
              + 128 * 256 * 16 * 64 + 256 * 512 * 16 * 16 + 512 * 16)
    forward_g = forward_flops(generator, torch.randn(2, 100))
    forward_d = forward_flops(discriminator, torch.randn(2, 3, 64, 64))
    assert (forward_g, forward_d) == (2 * g_macs, 2 * d_macs)
    step = step_flops(forward_g, forward_d)
    assert step == 3 * forward_g + 9 * forward_d
    assert 2.4e9 < step < 2.6e9  # about 2.5 GFLOP (../shared/FACTS.md)


def test_counting_flops_leaves_the_model_as_it_was():
    generator = DCGANGenerator(latent_dim=8, channels=1, image_size=16)
    before = {k: v.clone() for k, v in generator.state_dict().items()}
    forward_flops(generator, torch.randn(4, 8))
    assert generator.training
    for key, value in generator.state_dict().items():
        assert torch.equal(value, before[key]), key


@pytest.mark.parametrize("name, flops", [
    ("NVIDIA H100 80GB HBM3", 989e12), ("NVIDIA H100 PCIe", 756e12),
    ("NVIDIA H200", 989e12), ("NVIDIA A100-SXM4-80GB", 312e12),
    ("Tesla T4", 65e12), ("CPU x86_64 2 cores", None),
    ("Some Unknown GPU", None)])
def test_peak_flops_come_from_the_datasheet_table(name, flops):
    assert peak_flops(name) == flops


def test_device_slug_makes_a_file_name():
    assert device_slug("NVIDIA H100 80GB HBM3") == "nvidia-h100-80gb-hbm3"


@pytest.fixture(scope="module")
def quick_result(tmp_path_factory):
    """One `python -m ganlib.bench --quick` run on the CPU."""
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "-m", "ganlib.bench", "--quick", "--device", "cpu",
         "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    [path] = out.glob("results-*-quick.json")
    return json.loads(path.read_text()), path, done.stdout


def test_quick_run_writes_every_figure(quick_result):
    result, path, stdout = quick_result
    for key in ("device", "torch", "threads", "budget", "peak_flops",
                "flops_per_sample", "reference_images_per_second",
                "ganlib_images_per_second", "ratio", "goals", "speed",
                "quality", "notes", "load_average_1_5_15_min"):
        assert key in result, key
    assert result["device_type"] == "cpu"
    assert path.with_suffix(".md").read_text() in stdout


def test_quick_run_rates_are_positive_and_the_ratio_is_b_over_a(
        quick_result):
    result, _, _ = quick_result
    rows = result["speed"]
    assert all(row["images_per_second"] > 0 for row in rows)
    names = [row["name"] for row in rows]
    reference = rows[names.index("(a) reference: pytorch/examples loop")]
    fast = rows[names.index("(b) ganlib fast path")]
    assert result["ratio"] == pytest.approx(
        fast["images_per_second"] / reference["images_per_second"])
    assert fast["vs_reference"] == pytest.approx(result["ratio"])
    for row in rows:
        expected = row["batch_size"] * row["timed_steps"] / row["seconds"]
        assert row["images_per_second"] == pytest.approx(expected)


def test_quick_run_covers_ablation_and_scaling(quick_result):
    result, _, _ = quick_result
    names = {row["name"] for row in result["speed"]}
    assert {"reference + data kept on the device",
            "ganlib plain (fp32, sync every step)",
            "+ no per-step host sync"} <= names
    models = {(row["model"], row["batch_size"]) for row in result["speed"]}
    for batch_size in result["budget"]["scaling_batches"]:
        for model in ("dcgan64", "dcgan28", "mlp2d"):
            assert (model, batch_size) in models


def test_quick_run_on_cpu_has_no_invented_gpu_figures(quick_result):
    result, path, _ = quick_result
    assert result["peak_flops"] is None
    for row in result["speed"]:
        assert row["flop_share"] is None and row["peak_memory_mib"] is None
    assert result["goals"]["flop_share_at_batch_1024"]["met"] is None
    assert "n/a" in path.with_suffix(".md").read_text()
    flops = result["flops_per_sample"]["dcgan64"]
    assert flops["training_step"] == (3 * flops["generator_forward"]
                                      + 9 * flops["discriminator_forward"])


def test_quality_check_compares_fast_and_fp32_paths(monkeypatch, tmp_path):
    from dataclasses import replace

    from ganlib.bench import cases, quality
    from ganlib.bench.report import quality_lines

    monkeypatch.setenv("GANLIB_CACHE", str(tmp_path))  # fresh classifier
    cpu = torch.device("cpu")
    budget = replace(cases.BUDGETS[("full", "cpu")], quality_steps=2,
                     quality_image_size=16, quality_samples=32)
    checked = quality.check(cpu, budget, cases.fast_settings(cpu),
                            log=lambda line: None)
    fast, fp32, other_seed = (run["frechet_distance"]
                              for run in checked["runs"])
    assert checked["difference"] == pytest.approx(fast - fp32)
    assert checked["noise"] == pytest.approx(abs(fp32 - other_seed))
    # On a CPU the CUDA-only switches are off: the very same arithmetic.
    assert fast == fp32 and checked["within_noise"]
    assert "within noise: **yes**" in "\n".join(quality_lines(checked))


def test_goals_are_judged_only_on_an_h100():
    from ganlib.bench.report import goal_lines, goals

    rows = [{"model": "dcgan64", "batch_size": 1024, "flop_share": 0.35}]
    on_h100 = goals("NVIDIA H100 80GB HBM3", 12.5, rows)
    assert on_h100["ratio_at_batch_64"]["met"]
    assert on_h100["flop_share_at_batch_1024"]["met"]
    assert "**met**" in goal_lines(on_h100)[1]
    slow = goals("NVIDIA H100 PCIe", 9.9, [dict(rows[0], flop_share=0.2)])
    assert not slow["ratio_at_batch_64"]["met"]
    assert goal_lines(slow)[1].count("NOT met") == 2
    assert goal_lines(goals("CPU x86_64 2 cores", 1.0, [])) == []
