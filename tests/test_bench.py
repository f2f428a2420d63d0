"""The speed benchmark: measured FLOPs against closed forms; a --quick run."""

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from benchmarks.speed import cases
from benchmarks.speed.flops import (counted_flops, counter_is_exact,
                                    forward_flops, peak_flops,
                                    reference_step_flops, step_flops)
from benchmarks.speed.report import device_slug, markdown
from ganlib.models import DCGANDiscriminator, DCGANGenerator
from ganlib.speed import cpu_has_native_bf16, speed_plan

REPO_ROOT = Path(__file__).resolve().parents[1]


class LinearGenerator(nn.Module):
    """G(z) = one nn.Linear: the GAN whose step FLOPs are easy by hand."""

    def __init__(self, latent_dim: int, data_dim: int):
        super().__init__()
        self.latent_dim = latent_dim
        self.layer = nn.Linear(latent_dim, data_dim)

    def forward(self, z):
        return self.layer(z)


def test_a_linear_layer_costs_2nab_forward_and_twice_that_backward():
    n, a, b = 3, 5, 7
    layer = nn.Linear(a, b)
    forward = 2 * n * a * b
    assert forward_flops(layer, torch.randn(n, a)) == forward // n
    x = torch.randn(n, a, requires_grad=True)
    # backward: one product for the inputs' gradient, one for the weights'
    assert counted_flops(lambda: layer(x).sum().backward()) == 3 * forward
    # inputs that need no gradient: only the weights' product is left
    x = torch.randn(n, a)
    assert counted_flops(lambda: layer(x).sum().backward()) == 2 * forward


def test_a_linear_gans_training_step_matches_its_closed_form():
    latent, dim = 3, 5
    generator, discriminator = LinearGenerator(latent, dim), nn.Linear(dim, 1)
    g, d = 2 * latent * dim, 2 * dim  # forward FLOPs per sample
    # D step: G forward, D forward on real and fake, D backward for its
    #   weights only (real images and detached fakes need no gradient).
    # G step: G forward, D forward, D backward for its inputs only (D is
    #   frozen), G backward for its weights (z needs no gradient).
    closed_form = (g + 2 * d + 2 * d) + (g + d + d + g)
    assert closed_form == 6 * latent * dim + 12 * dim
    for n in (2, 8):
        measured = step_flops(generator, discriminator,
                              torch.randn(n, latent), torch.randn(n, dim))
        assert measured == closed_form


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


# torch 2.1 miscounts transposed convolutions' backward (fixed in 2.2)
needs_exact_counter = pytest.mark.skipif(
    not counter_is_exact(), reason="this torch miscounts transposed convs")


def test_the_counter_check_agrees_with_the_closed_form():
    up = nn.ConvTranspose2d(4, 2, 4, 2, 1, bias=False)
    x = torch.randn(2, 4, 3, 3, requires_grad=True)
    counted = counted_flops(lambda: up(x).sum().backward())
    assert counter_is_exact() == (counted == 3 * 2 * 2 * (4 * 9) * (16 * 2))


@needs_exact_counter
def test_dcgan64_step_is_the_layer_sum_forward_and_backward():
    generator = DCGANGenerator(latent_dim=100, channels=3, image_size=64)
    discriminator = DCGANDiscriminator(channels=3, image_size=64)
    # MACs: C_in * C_out * 4 * 4 * (input pixels for G, output for D)
    g_macs = (100 * 512 * 16 * 1 + 512 * 256 * 16 * 16
              + 256 * 128 * 16 * 64 + 128 * 64 * 16 * 256
              + 64 * 3 * 16 * 1024)
    d_macs = (3 * 64 * 16 * 1024 + 64 * 128 * 16 * 256
              + 128 * 256 * 16 * 64 + 256 * 512 * 16 * 16 + 512 * 16)
    z, x = torch.randn(2, 100), torch.randn(2, 3, 64, 64)
    forward_g, forward_d = 2 * g_macs, 2 * d_macs
    assert forward_flops(generator, z) == forward_g
    assert forward_flops(discriminator, x) == forward_d
    # Two G forwards (D step, G step), one G backward (G step); three D
    # forwards, two D backwards in the D step, and in the G step one
    # through frozen D, which computes its inputs' gradient only (as much
    # as a forward pass). No backward computes the gradient of z (G's
    # first layer) or of the real images and detached fakes (D's first
    # layer in the D step).
    first_g, first_d = 2 * 100 * 512 * 16, 2 * 3 * 64 * 16 * 1024
    closed_form = (2 * forward_g + (2 * forward_g - first_g)
                   + 3 * forward_d + 2 * (2 * forward_d - first_d)
                   + forward_d)
    assert closed_form == 4 * forward_g + 8 * forward_d - first_g \
        - 2 * first_d
    assert step_flops(generator, discriminator, z, x) == closed_form
    # pytorch/examples' G step scores the D step's fakes (one G forward
    # less) and computes D's weight gradients too (as much as a forward)
    assert reference_step_flops(generator, discriminator, x) \
        == closed_form - forward_g + forward_d


def test_counting_flops_leaves_the_models_as_they_were():
    generator = DCGANGenerator(latent_dim=8, channels=1, image_size=16)
    discriminator = DCGANDiscriminator(channels=1, image_size=16)
    models = (generator, discriminator)
    before = [{k: v.clone() for k, v in model.state_dict().items()}
              for model in models]
    forward_flops(generator, torch.randn(4, 8))
    step_flops(generator, discriminator, torch.randn(4, 8),
               torch.randn(4, 1, 16, 16))
    for model, saved in zip(models, before):
        assert model.training
        for key, value in model.state_dict().items():
            assert torch.equal(value, saved[key]), key


@pytest.mark.parametrize("name, flops", [
    ("NVIDIA H100 80GB HBM3", 989e12), ("NVIDIA H100 PCIe", 756e12),
    ("NVIDIA H200", 989e12), ("NVIDIA A100-SXM4-80GB", 312e12),
    ("Tesla T4", 65e12), ("CPU x86_64 2 cores", None),
    ("Some Unknown GPU", None)])
def test_peak_flops_come_from_the_datasheet_table(name, flops):
    assert peak_flops(name) == flops


def test_device_slug_makes_a_file_name():
    assert device_slug("NVIDIA H100 80GB HBM3") == "nvidia-h100-80gb-hbm3"


def test_the_ablation_measures_only_switches_that_act_on_the_device(
        monkeypatch):
    budget = cases.BUDGETS[("full", "cpu")]
    on_cpu = dict(cases.switches_for(torch.device("cpu"), budget))
    monkeypatch.setattr(torch.cuda, "get_device_capability",
                        lambda device=None: (6, 1))  # a GTX 1080: fp32
    on_pascal = dict(cases.switches_for(torch.device("cuda"), budget))
    assert "+ mixed precision" not in on_pascal
    assert "+ channels_last" in on_pascal
    monkeypatch.setattr(torch.cuda, "get_device_capability",
                        lambda device=None: (7, 5))  # a T4: fp16
    on_t4 = dict(cases.switches_for(torch.device("cuda"), budget))
    assert "+ mixed precision" in on_t4
    monkeypatch.setattr(torch.cuda, "get_device_capability",
                        lambda device=None: (9, 0))  # an H100
    on_cuda = dict(cases.switches_for(torch.device("cuda"), budget))
    cuda_only = {"+ mixed precision", "+ channels_last", "+ fused Adam",
                 "+ torch.compile, CUDA graphs"}
    assert cuda_only <= set(on_cuda) and not cuda_only & set(on_cpu)
    assert {"+ no per-step host sync", "+ torch.compile"} <= set(on_cpu)
    assert ("+ bf16 on a CPU with bf16 units" in on_cpu) == (
        cpu_has_native_bf16())
    assert "+ bf16 on a CPU with bf16 units" not in on_cuda
    quick = cases.BUDGETS[("quick", "cpu")]
    assert not any(settings.speed.compile for _, settings
                   in cases.switches_for(torch.device("cpu"), quick))


@pytest.fixture(scope="module")
def quick_result(tmp_path_factory):
    """One `python -m benchmarks.speed --quick` run on the CPU."""
    if not counter_is_exact():
        pytest.skip("this torch miscounts transposed convs: no benchmark")
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.speed", "--quick", "--device",
         "cpu", "--out", str(out)], capture_output=True, text=True,
        timeout=300, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    [path] = out.glob("results-*-quick.json")
    return json.loads(path.read_text()), path, done.stdout


def test_a_benchmark_stopped_before_its_end_leaves_the_rows_it_measured(
        monkeypatch):
    # benchmarks/gpu_check.sh stops each benchmark at a time limit: the
    # result is written after every row, and says where it stopped.
    from benchmarks.speed import run
    if not counter_is_exact():
        pytest.skip("this torch miscounts transposed convs: no benchmark")

    class TimeLimit(Exception):
        pass

    def stopped(*args, **kwargs):
        raise TimeLimit

    monkeypatch.setattr(run.quality, "check", stopped)
    saved = []
    with pytest.raises(TimeLimit):
        run.run_benchmark(torch.device("cpu"),
                          cases.BUDGETS[("quick", "cpu")],
                          log=lambda line: None,
                          save=lambda result: saved.append(
                              json.loads(json.dumps(result))))
    names = [[row["name"] for row in result["speed"]] for result in saved]
    # one save per row from (b) on, each with one row more than the last
    first_b = next(i for i, name in enumerate(names[-1])
                   if name.startswith("(b)"))
    assert len(saved) == len(names[-1]) - first_b
    assert [len(row_names) for row_names in names] == list(
        range(first_b + 1, len(names[-1]) + 1))
    assert all(result["quality"] == run.STOPPED_BEFORE_QUALITY
               for result in saved)
    assert "the run stopped before its quality check" in markdown(saved[-1])


def test_quick_run_writes_its_json_as_the_markdown_table(quick_result):
    result, path, stdout = quick_result
    page = path.with_suffix(".md").read_text()
    assert page == markdown(result) and page in stdout
    table = [line for line in page.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + len(result["speed"])  # header + one per row
    for line, row in zip(table[1:], result["speed"]):
        assert line.startswith(f"| {row['name']} | {row['model']} | "
                               f"{row['batch_size']} |")
    assert result["device_type"] == "cpu"


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
        # the reference loop's rows use its own step's count
        reference = row["name"].startswith(("(a) reference", "reference +"))
        step = row["flops_counted_on"]
        assert step == ("reference_step" if reference else "training_step")
        flops = result["flops_per_sample"][row["model"]][step]
        assert row["achieved_flops"] == pytest.approx(
            row["images_per_second"] * flops)
    assert result["goals"]["flop_share_at_batch_1024"]["met"] is None
    assert "n/a" in path.with_suffix(".md").read_text()


def test_quick_run_says_which_switches_it_used(quick_result):
    result, _, _ = quick_result
    fast = next(row for row in result["speed"]
                if row["name"] == "(b) ganlib fast path")
    assert fast["settings"] == {"log_every": 100, "mixed_precision": True,
                                "channels_last": True, "cpu_bf16": False,
                                "fused_adam": True, "compile": False,
                                "compile_mode": None}
    notes = "\n".join(result["notes"])
    assert "Fast path (b): log_every=100, Speed(mixed_precision=True" in notes
    assert "on cpu that is fp32, NCHW, plain Adam, no torch.compile" in notes
    assert "+ fused Adam" in notes  # measured on CUDA only: left out


def test_quality_check_compares_fast_and_fp32_paths(monkeypatch, tmp_path):
    from dataclasses import replace

    from benchmarks.speed import quality
    from benchmarks.speed.report import quality_lines

    monkeypatch.setenv("GANLIB_CACHE", str(tmp_path))  # fresh classifier
    cpu = torch.device("cpu")
    budget = replace(cases.BUDGETS[("full", "cpu")], quality_steps=2,
                     quality_image_size=16, quality_samples=32)
    fast = cases.fast_settings(cpu)
    checked = quality.check(cpu, budget, fast, log=lambda line: None)
    fast_fd, fp32_fd, other_seed = (run["frechet_distance"]
                                    for run in checked["runs"])
    assert checked["difference"] == pytest.approx(fast_fd - fp32_fd)
    assert checked["noise"] == pytest.approx(abs(fp32_fd - other_seed))
    # On a CPU the fast path's switches plan the plain path's arithmetic.
    assert speed_plan(fast.speed, cpu) == speed_plan(cases.PLAIN.speed, cpu)
    assert fast_fd == fp32_fd and checked["within_noise"]
    assert "within noise: **yes**" in "\n".join(quality_lines(checked))


def test_goals_are_judged_only_on_an_h100():
    from benchmarks.speed.report import goal_lines
    from benchmarks.speed.summary import goals

    rows = [{"model": "dcgan64", "batch_size": 1024, "flop_share": 0.35}]
    on_h100 = goals("NVIDIA H100 80GB HBM3", 12.5, rows)
    assert on_h100["ratio_at_batch_64"]["met"]
    assert on_h100["flop_share_at_batch_1024"]["met"]
    assert "**met**" in goal_lines(on_h100)[1]
    slow = goals("NVIDIA H100 PCIe", 9.9, [dict(rows[0], flop_share=0.2)])
    assert not slow["ratio_at_batch_64"]["met"]
    assert goal_lines(slow)[1].count("NOT met") == 2
    assert goal_lines(goals("CPU x86_64 2 cores", 1.0, [])) == []


def test_every_budget_times_the_reference_within_one_epoch():
    for budget in cases.BUDGETS.values():
        batches = budget.num_images // budget.batch_size
        assert budget.warmup + budget.reference_steps <= batches, budget.name


def test_head_to_head_reports_median_and_spread_of_its_repeats(
        monkeypatch):
    from benchmarks.speed import head_to_head

    repeats = []

    def fake_repeat(model, images, folder, device, plan, paths):
        repeats.append(model)
        assert len(images) == plan.num_images(model)  # one turn's batches
        reference_ms = {"dcgan64": 1000.0, "dcgan28": 100.0}[model]
        return {head_to_head.REFERENCE: reference_ms + 1 + len(repeats),
                "ganlib fast path": {"dcgan64": 500.0, "dcgan28": 80.0}[model]}

    plan = head_to_head.Plan(repeats=3, turns={"dcgan64": 2, "dcgan28": 5},
                             turn_steps={"dcgan64": 1, "dcgan28": 2},
                             batch_size=4)
    assert plan.steps("dcgan28") == 10 and plan.num_images("dcgan28") == 8
    cpu = torch.device("cpu")
    monkeypatch.setattr(head_to_head, "time_repeat", fake_repeat)
    monkeypatch.setattr(head_to_head, "ganlib_paths",
                        lambda device: [("ganlib fast path",
                                         cases.fast_settings(device))])
    pages = []  # the page written after every timed repeat
    times = head_to_head.measure(
        cpu, plan, log=lambda line: None,
        save=lambda so_far: pages.append(head_to_head.markdown(
            head_to_head.summarize(so_far, cpu, plan))))
    assert len(pages) == 6  # 3 repeats of each model
    assert ("**64 px DCGAN (flowers, 3 channels)** (the run stopped after "
            "1 of 3 repeats)") in pages[0]
    assert ("**28 px DCGAN (digits, 1 channel)**: not measured (the run "
            "stopped first)") in pages[0]
    assert "stopped" not in pages[-1]
    # the 3 repeats of each model, one model after the other
    assert repeats == ["dcgan64"] * 3 + ["dcgan28"] * 3
    result = head_to_head.summarize(times, cpu, plan)
    reference_row, ganlib_row = result["models"]["dcgan64"]
    assert reference_row["ms_per_step"] == [1002.0, 1003.0, 1004.0]
    assert reference_row["median_ms"] == 1003.0
    assert reference_row["spread"] == pytest.approx(2 / 1003)
    # the ratio is taken within each repeat, then its median
    assert ganlib_row["ratios"] == pytest.approx([2.004, 2.006, 2.008])
    assert ganlib_row["vs_reference"] == pytest.approx(2.006)
    assert ganlib_row["ratio_spread"] == pytest.approx(0.004 / 2.006)
    page = head_to_head.markdown(result)
    assert "| ganlib fast path | 500.0 | 0% | 2.01 | 0% |" in page
    assert ("Each of 3 repeats trains every row on fresh models at batch "
            "4, the rows taking turns (one thread working at a time): one "
            "untimed warm-up turn each, then 2 timed turns of 1 step (64 px "
            "DCGAN) or 5 timed turns of 2 steps (28 px DCGAN).") in page


def test_a_plan_runs_whole_turns():
    from benchmarks.speed import head_to_head

    for plan in (head_to_head.FULL, head_to_head.FULL_GPU,
                 head_to_head.QUICK):
        for model in head_to_head.MODEL_NAMES:
            assert plan.steps(model) >= 2 * plan.turn_steps[model]
    # the 28 px DCGAN's data are the 1,797 digits: a turn's batches fit
    assert head_to_head.FULL.num_images("dcgan28") <= 1797
    # at least 20 timed steps of every loop on a CPU
    assert min(map(head_to_head.FULL.steps, head_to_head.MODEL_NAMES)) >= 20


def test_the_reference_stops_its_workers_before_every_turn_ends(tmp_path):
    """Live DataLoader workers would slow the loops whose turn comes next
    (their process forked them and still shares its memory with them)."""
    import multiprocessing

    from benchmarks.speed import head_to_head, reference
    from benchmarks.speed.run import load_data

    plan = head_to_head.Plan(repeats=1, turns={"dcgan28": 2},
                             turn_steps={"dcgan28": 2},
                             batch_size=4)
    images = load_data("dcgan28", 8)[:8]
    reference.write_image_folder(images, tmp_path)
    seen, untimed = {}, []

    class Turns:  # records, at every step's end, the live worker processes
        def step_done(self, step):
            seen[step] = len(multiprocessing.active_children())

        @contextlib.contextmanager
        def untimed(self):
            untimed.append(len(seen))
            yield

    loop = head_to_head.reference_loop("dcgan28", images, tmp_path,
                                       torch.device("cpu"), plan)
    loop(Turns())
    assert list(seen) == [1, 2, 3, 4, 5, 6]  # warm-up turn, 2 timed turns
    assert seen[2] == seen[4] == seen[6] == 0  # an epoch's end: none left
    assert seen[1] == seen[3] == seen[5] == 2  # mid-epoch: the 2 workers
    # untimed: each epoch's start (after 0, 2, 4 steps) and end
    assert untimed == [0, 1, 2, 3, 4, 5]


def test_head_to_head_quick_run_measures_both_models(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.speed.head_to_head", "--quick",
         "--device", "cpu", "--out", str(tmp_path)], capture_output=True,
        text=True, timeout=300, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    [path] = tmp_path.glob("head-to-head-*-quick.json")
    result = json.loads(path.read_text())
    for model in ("dcgan64", "dcgan28"):
        rows = result["models"][model]
        assert rows[0]["name"] == "reference: pytorch/examples loop"
        assert all(len(row["ms_per_step"]) == 2 and row["median_ms"] > 0
                   for row in rows)


def test_the_gpu_check_script_parses_and_says_how_to_call_it():
    script = REPO_ROOT / "benchmarks" / "gpu_check.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    called = subprocess.run(["bash", str(script)], capture_output=True,
                            text=True)
    assert called.returncode != 0
    assert "usage: bash benchmarks/gpu_check.sh OUT_FOLDER" in called.stderr


def test_the_same_quality_check_reports_what_it_can_see(monkeypatch,
                                                        tmp_path):
    from benchmarks.speed import same_quality

    # fake Frechet distances: (path's dtype, steps, seed) -> distance
    def fake_frechet(settings, seed, steps, data, classifier):
        bf16 = settings.speed.cpu_bf16
        return {600: 100.0 + seed + (0.5 if bf16 else 0.0),
                150: 300.0 + seed}[steps]

    monkeypatch.setattr(same_quality, "frechet_after", fake_frechet)
    result = same_quality.main(["--steps", "600", "--seeds", "3",
                                "--out", str(tmp_path)])
    assert result["noise"] == 2.0  # seeds 0..2 of fp32: 100, 101, 102
    assert result["effect"] == 200.0 and result["can_see"]
    assert result["difference"] == 0.5 and result["same_quality"]
    assert result["difference_standard_error"] == 0.0  # 0.5 on every seed
    page = next(tmp_path.glob("same-quality-*.md")).read_text()
    assert "| fp32, 600 steps | 100.00 | 101.00 | 102.00 | 101.00 |" in page
    assert "the check can see it: **yes**" in page

    def noisy(settings, seed, steps, data, classifier):  # noise > effect
        return {600: 100.0 + 50 * seed, 150: 120.0 + 50 * seed}[steps]

    monkeypatch.setattr(same_quality, "frechet_after", noisy)
    blind = same_quality.main(["--steps", "600", "--seeds", "2",
                               "--out", str(tmp_path)])
    assert not blind["can_see"] and not blind["same_quality"]


def test_the_same_quality_difference_has_its_seed_by_seed_standard_error():
    from benchmarks.speed.same_quality import verdict

    runs = {"fp32": [10.0, 20.0, 30.0], "bf16 CPU path": [11.0, 20.0, 32.0],
            "fp32, 150 steps": [100.0, 90.0, 80.0]}
    result = verdict(runs, steps=600)
    # seed by seed: +1, 0, +2; their stdev is 1, over sqrt(3) seeds
    assert result["difference"] == pytest.approx(1.0)
    assert result["difference_standard_error"] == pytest.approx(3 ** -0.5)
    assert result["noise"] == 20.0 and result["effect"] == 50.0
    assert result["can_see"] and result["same_quality"]


def test_the_processes_benchmark_reads_each_run_and_tabulates_medians(
        monkeypatch, tmp_path):
    from benchmarks import processes

    calls = []

    def fake_run(command, env, check, capture_output, text):
        calls.append((command, env["OMP_NUM_THREADS"]))
        ms = 10.0 * len(calls)
        return subprocess.CompletedProcess(command, 0,
                                           stdout=f"noise\nms_per_step {ms}\n")

    monkeypatch.setattr(processes.subprocess, "run", fake_run)
    table = processes.main(["--rounds", "2", "--out", str(tmp_path)])
    # 2 rounds x 2 runs x 3 set-ups, the 2-process one under torchrun
    assert len(calls) == 12
    assert "torch.distributed.run" in calls[2][0] and calls[2][1] == "1"
    assert calls[1][1] == "2" and "torch.distributed.run" not in calls[1][0]
    # ring, 1 process 1 thread: rounds gave 10 and 70 ms
    assert "| ring MLPs (3 x 128), batch 256 | 40.0 (10.0 to 70.0) |" in table
    assert next(tmp_path.glob("processes-*.md")).read_text() == table
