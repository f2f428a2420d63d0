"""Data-parallel training on 2 CPU processes with gloo, as torchrun runs it.

2 processes with torchrun's environment (RANK, WORLD_SIZE, ...) are
spawned once for the module and run everything but one resume, which
torchrun itself runs: its start-up costs seconds per run. Every process
uses 1 thread.
"""
import contextlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp

from ganlib.checkpoint import load_checkpoint
from ganlib.cli import main
from ganlib.data import ring_target
from ganlib.distributed import (check_batch_split, process_device,
                                process_group)
from ganlib.losses import NONSATURATING, WGAN_GP, r1_term
from ganlib.models import MLPDiscriminator, MLPGenerator
from ganlib.settings import TrainSettings
from ganlib.speed import Speed, cpu_threads, speed_plan
from ganlib.train import train
from ganlib.training_run import TrainingInterrupted, TrainingRun

REPO = Path(__file__).resolve().parents[1]
# PYTHONPATH: the processes import this checkout's ganlib from any folder
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       "PYTHONPATH": str(REPO)}
SETTINGS = TrainSettings(num_steps=5, batch_size=64, discriminator_steps=2,
                         generator_lr=1e-3, discriminator_lr=1e-3,
                         log_every=1, num_fixed_samples=16, progress=False,
                         device="cpu")
OBJECTIVES = {"nonsaturating": NONSATURATING,
              "r1": NONSATURATING.with_penalty(r1_term, 0.5),
              "wgan_gp": WGAN_GP}
# Measured: after 5 rounds the weights of 2 processes at batch 32 and of
# 1 process at batch 64 differed by at most 1.6e-7, the losses by 1.2e-7
# (float32 sums added in another order); without the gradient average
# the weights differed by 8e-3.
TOLERANCE = 1e-5
DCGAN = ["train", "--data", "digits", "--width", "8", "--batch-size", "16",
         "--no-progress"]


def mlp_models():
    torch.manual_seed(0)
    return MLPGenerator(hidden_dim=32), MLPDiscriminator(hidden_dim=32)


def ring_data():
    return ring_target().sample(1000, rng=torch.Generator().manual_seed(0))


def mlp_run(objective):
    """(all weights as one vector, losses per step) of a 5-step run."""
    generator, discriminator = mlp_models()
    history = train(generator, discriminator, ring_data(),
                    replace(SETTINGS, objective=objective))
    weights = torch.cat([p.detach().flatten() for p in
                         (*generator.parameters(),
                          *discriminator.parameters())])
    losses = torch.tensor([history.discriminator_loss,
                           history.generator_loss])
    return weights, losses


def first_batch():
    """The real rows and the z this process trains its first step on."""
    run = TrainingRun(*mlp_models(), ring_data(), SETTINGS,
                      speed_plan(Speed(), torch.device("cpu")))
    return run.real_batch(), run.noise()


def interrupted_run(rank, path):
    """Process 1 alone gets a Ctrl-C after step 2; (step, saved) where
    the run stopped."""
    def ctrl_c_in_process_1(step, *models_and_history):
        if rank == 1 and step == 2:
            os.kill(os.getpid(), signal.SIGINT)

    try:
        train(*mlp_models(), ring_data(),
              replace(SETTINGS, checkpoint_path=str(path)),
              on_step=ctrl_c_in_process_1)
    except TrainingInterrupted as stop:
        return stop.step, stop.saved
    return None


def command_line(*args):
    """(exit status, stderr) of ``python -m ganlib`` run in this process."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), \
            contextlib.redirect_stdout(io.StringIO()):
        status = main([*args])
    return status, stderr.getvalue()


def two_process_worker(rank, port, folder):
    """One of 2 processes, with the environment torchrun would give it."""
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2",
                      LOCAL_WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                      MASTER_PORT=str(port))
    torch.set_num_threads(1)
    with process_group("cpu"):
        results = {name: mlp_run(objective)
                   for name, objective in OBJECTIVES.items()}
        results["batch"] = first_batch()
        results["interrupted"] = interrupted_run(
            rank, folder / "interrupted.pt")
        results["whole"] = command_line(*DCGAN, "--steps", "4", "--out",
                                        str(folder / "whole"))
        results["part"] = command_line(*DCGAN, "--steps", "2", "--out",
                                       str(folder / "part"))
        results["refused"] = command_line(
            "train", "--data", "ring", "--batch-size", "63", "--out",
            str(folder / "refused"))
    torch.save(results, folder / f"rank{rank}.pt")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """(what process 0 got, what process 1 got, their folder)."""
    folder = tmp_path_factory.mktemp("two_processes")
    mp.spawn(two_process_worker, args=(free_port(), folder), nprocs=2)
    return (*(torch.load(folder / f"rank{rank}.pt") for rank in (0, 1)),
            folder)


@pytest.mark.parametrize("name", ["nonsaturating", "r1"])
def test_two_processes_at_half_batch_match_one_at_the_whole(
        two_processes, name):
    first, second, _ = two_processes
    with cpu_threads(1):
        weights, losses = mlp_run(OBJECTIVES[name])
    assert torch.equal(first[name][0], second[name][0])  # in step
    assert torch.equal(first[name][1], second[name][1])  # one History
    assert torch.allclose(first[name][0], weights, rtol=0, atol=TOLERANCE)
    assert torch.allclose(first[name][1], losses, rtol=0, atol=TOLERANCE)
    assert losses.shape == (2, 5)  # a row every step


def test_the_gradient_penalty_trains_on_two_processes(two_processes):
    # its mixing weights are drawn at 32 rows, so no match with 1 process
    first, second, _ = two_processes
    assert torch.equal(first["wgan_gp"][0], second["wgan_gp"][0])
    assert first["wgan_gp"][1].isfinite().all()


def test_each_process_trains_on_its_own_rows_of_the_global_batch(
        two_processes):
    first, second, _ = two_processes
    real, z = first_batch()  # one process: the whole batch
    assert torch.equal(torch.cat([first["batch"][0], second["batch"][0]]),
                       real)
    assert torch.equal(torch.cat([first["batch"][1], second["batch"][1]]), z)


def test_ctrl_c_in_one_process_stops_all_after_the_same_step(
        two_processes):
    first, second, folder = two_processes
    assert first["interrupted"] == second["interrupted"] == (2, True)
    assert load_checkpoint(folder / "interrupted.pt")["step"] == 2


def test_only_process_0_reports(two_processes):
    first, second, _ = two_processes
    assert first["whole"] == first["part"] == (0, "")
    assert second["whole"] == second["part"] == (0, "")
    assert first["refused"] == (2, "error: The batch size, 63, does not "
                                "split evenly over 2 processes: use a "
                                "multiple of 2, such as 64.\n")
    assert second["refused"] == (2, "")


def weights(path):
    """The models' weights in a checkpoint, without BatchNorm's running
    statistics (a run that ends keeps samples, which updates those)."""
    state = load_checkpoint(path)
    return {f"{name}.{key}": value for name in ("generator", "discriminator")
            for key, value in state[name].items()
            if "running" not in key and "num_batches" not in key}


def test_torchrun_resumes_a_dcgan_as_if_never_stopped(two_processes,
                                                      tmp_path):
    *_, folder = two_processes
    shutil.copytree(folder / "part", tmp_path / "run")  # 2 of 4 steps
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node",
         "2", "-m", "ganlib", *DCGAN, "--steps", "4", "--out", "run",
         "--resume"], capture_output=True, text=True, env=ENV, cwd=tmp_path,
        timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("wrote") == 1  # process 0 reports
    assert sorted(os.listdir(tmp_path / "run")) == ["checkpoint.pt",
                                                    "samples.png"]
    resumed = weights(tmp_path / "run" / "checkpoint.pt")
    uninterrupted = weights(folder / "whole" / "checkpoint.pt")
    assert all(torch.equal(resumed[key], uninterrupted[key])
               for key in uninterrupted)
    assert load_checkpoint(tmp_path / "run" / "checkpoint.pt")["step"] == 4


def test_check_batch_split():
    check_batch_split(64, 4)
    with pytest.raises(ValueError, match="such as 12"):
        check_batch_split(10, 4)


@pytest.mark.parametrize("device", ["mps", "cuda:1"])
def test_a_device_several_processes_cannot_share_is_refused(device):
    with pytest.raises(ValueError, match="pass --device cpu or --device"):
        process_device(torch.device(device))


def test_more_processes_than_gpus_are_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")
    with pytest.raises(ValueError, match="2 processes on this machine need "
                       "a GPU each, and it has 1"):
        process_device(torch.device("cuda"))
