"""Bad input and interrupted runs, tried as a hostile but fair user would.

Every probe below is something a user can do by mistake. Each one must
end in one of two ways: the run trains correctly, or it stops BEFORE the
first step (or at the step where things went wrong) with one clear line
that says what was wrong and what to do, and no saved work is damaged.
The command-line probes also check that no traceback is shown.
"""
import dataclasses
import os
import signal
import stat
import subprocess
import sys
import time

import pytest
import torch
from torch import nn

from ganlib.checkpoint import (CheckpointError, load_checkpoint,
                               save_checkpoint)
from ganlib.cli import main
from ganlib.data import ring_target
from ganlib.models import (DCGANDiscriminator, DCGANGenerator,
                           MLPDiscriminator, MLPGenerator)
from ganlib.train import TrainSettings, pick_device, train
from ganlib.training_run import TrainingDivergedError, TrainingInterrupted

TINY = TrainSettings(num_steps=10, batch_size=16, log_every=5,
                     sample_every=5, generator_lr=1e-3,
                     discriminator_lr=1e-3, progress=False)


def ring_data(seed=0):
    return ring_target().sample(512, rng=torch.Generator().manual_seed(seed))


def tiny_models(**discriminator_options):
    torch.manual_seed(0)
    return (MLPGenerator(hidden_dim=16),
            MLPDiscriminator(hidden_dim=16, **discriminator_options))


def weights(model):
    return [tensor.clone() for tensor in model.state_dict().values()]


def assert_same(first, second):
    assert len(first) == len(second)
    for a, b in zip(first, second):
        assert torch.equal(a, b)


def cli_error(capsys, *args):
    """Run the CLI in-process; its exit status and its one error line."""
    code = main(["train", "--no-progress", *args])
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    return code, err


def argparse_error(capsys, *args):
    """An option argparse refuses: exit 2 and the line that says why."""
    with pytest.raises(SystemExit) as stop:
        main(["train", *args])
    assert stop.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


# ---- Command line: options ------------------------------------------------

@pytest.mark.parametrize("option, value", [
    ("--steps", "0"), ("--batch-size", "0"), ("--lr", "0"),
    ("--lr", "-1e-3"), ("--width", "0"), ("--checkpoint-every", "0"),
    ("--steps", "ten")])
def test_cli_refuses_options_that_cannot_train(capsys, tmp_path, option,
                                               value):
    line = argparse_error(capsys, "--data", "ring", "--out",
                          str(tmp_path / "run"), f"{option}={value}")
    assert f"argument {option}: expected a number greater than 0" in line
    assert not (tmp_path / "run").exists()  # nothing started


def test_cli_steps_is_the_number_of_steps_run(capsys, tmp_path):
    code, _ = cli_error(capsys, "--data", "moons", "--steps", "1",
                        "--batch-size", "8", "--out", str(tmp_path / "r"))
    assert code == 0
    assert load_checkpoint(tmp_path / "r" / "checkpoint.pt")["step"] == 1


@pytest.mark.parametrize("option, value, says", [
    ("--data-root", "somewhere", "--data-root is read only for mnist"),
    ("--width", "8", "--width sets a DCGAN's width, for image data")])
def test_cli_refuses_options_the_data_set_does_not_use(capsys, tmp_path,
                                                       option, value, says):
    code, err = cli_error(capsys, "--data", "ring", "--out",
                          str(tmp_path / "run"), option, value)
    assert code == 2 and err.startswith(f"error: {says}")
    assert "Leave it out." in err


@pytest.mark.parametrize("device, says", [
    ("nonsense", "Unknown device 'nonsense'. Use 'cuda', 'mps' or 'cpu'"),
    pytest.param("cuda", "this torch sees no CUDA device here",
                 marks=pytest.mark.skipif(torch.cuda.is_available(),
                                          reason="this machine has CUDA"))])
def test_cli_refuses_a_device_it_cannot_use(capsys, tmp_path, device, says):
    code, err = cli_error(capsys, "--data", "ring", "--steps", "1", "--out",
                          str(tmp_path / "run"), "--device", device)
    assert code == 2 and says in err and len(err.splitlines()) == 1


def test_pick_device_names_what_is_wrong():
    with pytest.raises(ValueError, match="Unknown device 'gpu0'"):
        pick_device("gpu0")
    assert pick_device("cpu") == torch.device("cpu")


# ---- Command line: the output folder --------------------------------------

def test_cli_out_that_is_a_file_fails_before_training(capsys, tmp_path):
    (tmp_path / "taken").write_text("not a folder")
    code, err = cli_error(capsys, "--data", "ring", "--out",
                          str(tmp_path / "taken"))
    assert code == 2 and "is a file. Give a folder" in err


def test_cli_out_that_cannot_be_created_fails_before_training(capsys,
                                                               tmp_path):
    (tmp_path / "file").write_text("x")  # a folder cannot be made in it
    code, err = cli_error(capsys, "--data", "ring", "--out",
                          str(tmp_path / "file" / "run"))
    assert code == 2
    assert err.startswith("error: Cannot write a checkpoint to")
    assert "Choose a folder you can write to." in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_cli_out_without_write_permission_fails_before_training(capsys,
                                                                 tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, err = cli_error(capsys, "--data", "ring", "--out",
                          str(locked / "run"))
    assert code == 2 and "Cannot write a checkpoint" in err


def test_library_checks_the_checkpoint_path_before_the_first_step(
        tmp_path):
    (tmp_path / "file").write_text("x")
    steps = []
    settings = dataclasses.replace(
        TINY, checkpoint_path=str(tmp_path / "file" / "checkpoint.pt"))
    with pytest.raises(CheckpointError, match="Cannot write a checkpoint"):
        train(*tiny_models(), ring_data(), settings,
              on_step=lambda step, *rest: steps.append(step))
    assert steps == []
    folder = dataclasses.replace(TINY, checkpoint_path=str(tmp_path))
    with pytest.raises(CheckpointError, match="is a folder. Give a file"):
        train(*tiny_models(), ring_data(), folder)


# ---- Command line: resuming -------------------------------------------------

def test_cli_resume_without_a_run_says_so(capsys, tmp_path):
    code, err = cli_error(capsys, "--data", "ring", "--resume", "--out",
                          str(tmp_path / "never"))
    assert code == 2
    assert "--resume: there is no run in" in err
    assert "Leave out --resume to start one." in err
    assert not (tmp_path / "never").exists()


def test_cli_resume_that_would_not_train_says_so(capsys, tmp_path):
    out = str(tmp_path / "run")
    common = ["--data", "moons", "--batch-size", "8", "--out", out]
    assert cli_error(capsys, *common, "--steps", "6")[0] == 0
    before = (tmp_path / "run" / "checkpoint.pt").read_bytes()
    code, err = cli_error(capsys, *common, "--steps", "3", "--resume")
    assert code == 2
    assert "has already trained 6 steps, so 3 steps adds none" in err
    assert "Pass --steps greater than 6" in err
    assert (tmp_path / "run" / "checkpoint.pt").read_bytes() == before


def test_cli_resume_on_other_data_is_refused(capsys, tmp_path):
    out = str(tmp_path / "run")
    assert cli_error(capsys, "--data", "ring", "--steps", "2", "--out",
                     out, "--batch-size", "8")[0] == 0
    before = (tmp_path / "run" / "checkpoint.pt").read_bytes()
    code, err = cli_error(capsys, "--data", "grid", "--steps", "4", "--out",
                          out, "--batch-size", "8", "--resume")
    assert code == 2
    assert "was trained on other data" in err
    assert "Resume with the data it was trained on" in err
    assert (tmp_path / "run" / "checkpoint.pt").read_bytes() == before


# ---- Command line: data files -------------------------------------------

def test_cli_garbage_mnist_files_give_one_clear_line(capsys, tmp_path):
    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        (raw / name).write_bytes(b"this is not an IDX file at all")
    code, err = cli_error(capsys, "--data", "mnist", "--steps", "1",
                          "--out", str(tmp_path / "run"), "--data-root",
                          str(tmp_path / "data"))
    assert code == 2 and len(err.splitlines()) == 1
    assert "train-images-idx3-ubyte" in err


# ---- The library: data ----------------------------------------------------

def images_0_to_255():
    return torch.randint(0, 256, (32, 1, 16, 16))


@pytest.mark.parametrize("data, says", [
    (images_0_to_255().float(), r"Image values must lie in \[-1, 1\]"),
    (images_0_to_255().to(torch.uint8), "train needs float data, got "
     "torch.uint8. For 0..255 pixels use scale_to_unit_range"),
    (torch.randn(100), r"shape \(N, features\), got \(100,\). For one "
     r"number per sample pass data.unsqueeze\(1\)"),
    (torch.empty(0, 2), "one non-empty tensor")])
def test_train_refuses_data_it_cannot_learn_from(data, says):
    generator = DCGANGenerator(latent_dim=4, image_size=16, width=4)
    discriminator = DCGANDiscriminator(image_size=16, width=4)
    with pytest.raises(ValueError, match=says):
        train(generator, discriminator, data, TINY)


def test_nan_or_inf_in_the_data_is_refused_before_training():
    data = ring_data()
    data[7, 1], data[300, 0] = float("nan"), float("inf")
    with pytest.raises(ValueError, match="NaN or infinite values in 2 of "
                       "512 samples \\(the first is sample 7\\)"):
        train(*tiny_models(), data, TINY)


# ---- The library: models and settings ---------------------------------------

class NoLatentDim(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Linear(2, 2)

    def forward(self, z):
        return self.net(z)


def test_generator_without_latent_dim_is_refused():
    with pytest.raises(ValueError, match="generator with an int "
                       ".latent_dim .*NoLatentDim has none"):
        train(NoLatentDim(), MLPDiscriminator(), ring_data(), TINY)


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
@pytest.mark.parametrize("make_models, says", [
    (lambda: (DCGANGenerator(image_size=16, width=0),
              DCGANDiscriminator(image_size=16, width=4)),
     r"generator \(DCGANGenerator\) has layers without weights \(net.0"),
    (lambda: (MLPGenerator(), MLPDiscriminator(hidden_dim=0)),
     r"discriminator \(MLPDiscriminator\) has layers without weights"),
    (lambda: (MLPGenerator(latent_dim=0), MLPDiscriminator()),
     "latent_dim must be >= 1, got 0")])
def test_models_with_a_size_of_zero_are_refused(make_models, says):
    generator, discriminator = make_models()
    data = (torch.rand(32, 1, 16, 16) * 2 - 1
            if isinstance(generator, DCGANGenerator) else ring_data())
    with pytest.raises(ValueError, match=says):
        train(generator, discriminator, data, TINY)


@pytest.mark.parametrize("name", ["generator_lr", "discriminator_lr"])
@pytest.mark.parametrize("lr", [0.0, -1e-3, float("nan")])
def test_learning_rates_must_be_positive(name, lr):
    settings = dataclasses.replace(TINY, **{name: lr})
    with pytest.raises(ValueError, match=f"{name} must be a positive"):
        train(*tiny_models(), ring_data(), settings)


def test_models_in_eval_mode_are_trained_in_train_mode():
    torch.manual_seed(0)
    generator = DCGANGenerator(latent_dim=4, image_size=16, width=4).eval()
    discriminator = DCGANDiscriminator(image_size=16, width=4).eval()
    batch_norm = next(m for m in generator.modules()
                      if isinstance(m, nn.BatchNorm2d))
    before = batch_norm.running_mean.clone()
    images = torch.rand(64, 1, 16, 16) * 2 - 1
    train(generator, discriminator, images,
          dataclasses.replace(TINY, num_steps=3))
    assert generator.training and discriminator.training
    assert not torch.equal(batch_norm.running_mean, before)  # it learned


# ---- The library: divergence ------------------------------------------------

def poison_at(step_to_poison):
    """An on_step that turns G's first weight into NaN after one step."""
    def on_step(step, generator, discriminator, history):
        if step == step_to_poison:
            with torch.no_grad():
                next(generator.parameters()).fill_(float("nan"))
    return on_step


def test_nan_losses_stop_the_run_at_the_logged_step(tmp_path):
    path = tmp_path / "checkpoint.pt"
    settings = dataclasses.replace(TINY, num_steps=40, log_every=5,
                                   checkpoint_every=10,
                                   checkpoint_path=str(path))
    with pytest.raises(TrainingDivergedError) as error:
        train(*tiny_models(), ring_data(), settings, on_step=poison_at(12))
    message = str(error.value)
    assert message.startswith("Training diverged by step 15: the ")
    assert f"The last good checkpoint, {path} (step 10), is kept." in message
    assert "Lower the learning rates" in message
    state = load_checkpoint(path)
    assert state["step"] == 10
    assert all(tensor.isfinite().all()
               for tensor in state["generator"].values())


def test_nan_weights_are_never_written_over_a_good_checkpoint(tmp_path):
    path = tmp_path / "checkpoint.pt"
    settings = dataclasses.replace(TINY, num_steps=40, log_every=40,
                                   checkpoint_every=1,
                                   checkpoint_path=str(path))
    with pytest.raises(TrainingDivergedError,
                       match="by step 8: the weights are NaN"):
        train(*tiny_models(), ring_data(), settings, on_step=poison_at(7))
    assert load_checkpoint(path)["step"] == 7


def test_cli_run_that_diverges_says_so_in_one_line(capsys, tmp_path):
    code, err = cli_error(capsys, "--data", "moons", "--steps", "50",
                          "--batch-size", "8", "--lr", "1e30",
                          "--checkpoint-every", "5", "--out",
                          str(tmp_path / "run"))
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("error: Training diverged by step ")
    assert not (tmp_path / "run" / "checkpoint.pt").exists()


# ---- The library: checkpoints ---------------------------------------------

def test_a_checkpoint_that_does_not_fit_changes_no_model(tmp_path):
    path = tmp_path / "checkpoint.pt"
    train(*tiny_models(), ring_data(),
          dataclasses.replace(TINY, checkpoint_path=str(path)))
    generator, discriminator = tiny_models(spectral_norm=True)
    torch.manual_seed(5)
    generator = MLPGenerator(hidden_dim=16)  # fits; D does not
    before = weights(generator), weights(discriminator)
    with pytest.raises(CheckpointError, match="discriminator does not fit"):
        load_checkpoint(path, generator=generator,
                        discriminator=discriminator)
    assert_same(weights(generator), before[0])
    assert_same(weights(discriminator), before[1])
    with pytest.raises(CheckpointError, match="does not fit"):
        train(generator, discriminator, ring_data(),
              dataclasses.replace(TINY, num_steps=20,
                                  checkpoint_path=str(path)))
    assert_same(weights(generator), before[0])
    assert_same(weights(discriminator), before[1])


def test_resume_from_a_file_without_a_run_says_what_it_lacks(tmp_path):
    path = tmp_path / "weights.pt"
    generator, discriminator = tiny_models()
    save_checkpoint(path, {"generator": generator.state_dict(),
                           "discriminator": discriminator.state_dict()})
    with pytest.raises(CheckpointError, match="is not a training checkpoint"
                       " \\(it lacks generator_optimizer, .*settings\\)"):
        train(generator, discriminator, ring_data(),
              dataclasses.replace(TINY, checkpoint_path=str(path)))


def test_resume_past_num_steps_is_refused(tmp_path):
    path = tmp_path / "checkpoint.pt"
    train(*tiny_models(), ring_data(),
          dataclasses.replace(TINY, checkpoint_path=str(path)))
    with pytest.raises(CheckpointError, match="has already trained 10 "
                       "steps, more than num_steps=4"):
        train(*tiny_models(), ring_data(),
              dataclasses.replace(TINY, num_steps=4,
                                  checkpoint_path=str(path)))


def test_a_killed_save_leaves_no_temporary_file_behind(tmp_path):
    path = tmp_path / "checkpoint.pt"
    stale = tmp_path / ".checkpoint.pt.abc123.tmp"  # what kill -9 leaves
    stale.write_bytes(b"half a checkpoint")
    save_checkpoint(path, {"step": 1})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]


def test_checkpoints_get_the_same_mode_as_other_files(tmp_path):
    path = tmp_path / "checkpoint.pt"
    save_checkpoint(path, {"step": 1})
    other = tmp_path / "samples.png"
    other.write_bytes(b"png")
    assert stat.S_IMODE(path.stat().st_mode) == \
        stat.S_IMODE(other.stat().st_mode)


# ---- Ctrl-C -----------------------------------------------------------------

def test_ctrl_c_finishes_the_step_saves_and_resumes_exactly(tmp_path):
    settings = dataclasses.replace(TINY, num_steps=20, log_every=4,
                                   sample_every=4, checkpoint_every=100)
    whole = train(*tiny_models(), ring_data(), settings)

    def ctrl_c_at_7(step, *rest):
        if step == 7:
            os.kill(os.getpid(), signal.SIGINT)

    path = tmp_path / "checkpoint.pt"
    stopping = dataclasses.replace(settings, checkpoint_path=str(path))
    # Python's own handler, or SIG_IGN where a shell started the tests in
    # the background: either way, the run puts it back as it found it.
    handler_before = signal.getsignal(signal.SIGINT)
    with pytest.raises(TrainingInterrupted, match="Interrupted after step "
                       "7; saved") as stop:
        train(*tiny_models(), ring_data(), stopping, on_step=ctrl_c_at_7)
    assert stop.value.step == 7 and stop.value.saved
    assert signal.getsignal(signal.SIGINT) is handler_before
    assert load_checkpoint(path)["step"] == 7
    resumed = train(*tiny_models(), ring_data(), stopping)
    assert resumed.step == whole.step
    assert resumed.discriminator_loss == whole.discriminator_loss
    assert torch.equal(resumed.samples[-1][1], whole.samples[-1][1])


def test_cli_ctrl_c_saves_and_says_how_to_go_on(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "ganlib", "train", "--data", "moons",
               "--steps", "1000000", "--batch-size", "8", "--out", "run"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env,
                               stderr=subprocess.PIPE, text=True)
    try:
        seen = ""
        while "training:" not in seen:  # the progress bar: steps running
            seen += process.stderr.read(1)
            assert process.poll() is None, seen
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        err = process.communicate(timeout=60)[1]
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "run the same command with --resume to go on" in err
    step = load_checkpoint(tmp_path / "run" / "checkpoint.pt")["step"]
    assert f"interrupted after step {step}: saved" in err
    assert step > 0


# ---- kill -9 ------------------------------------------------------------------

def test_a_run_killed_at_any_moment_resumes_to_the_same_result(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}

    def command(out, *extra):
        return [sys.executable, "-m", "ganlib", "train", "--data", "moons",
                "--steps", "400", "--batch-size", "8", "--out", out,
                "--checkpoint-every", "3", "--no-progress", *extra]

    subprocess.run(command("whole"), cwd=tmp_path, env=env, check=True,
                   capture_output=True, timeout=300)
    process = subprocess.Popen(command("killed"), cwd=tmp_path, env=env,
                               stderr=subprocess.DEVNULL)
    checkpoint = tmp_path / "killed" / "checkpoint.pt"
    while not checkpoint.exists():  # training has begun
        assert process.poll() is None
        time.sleep(0.01)
    time.sleep(0.2)  # some saves later, at no chosen step
    process.kill()  # SIGKILL: no handler runs, maybe in mid-save
    process.wait()
    assert load_checkpoint(checkpoint)["step"] < 400
    subprocess.run(command("killed", "--resume"), cwd=tmp_path, env=env,
                   check=True, capture_output=True, timeout=300)
    whole = load_checkpoint(tmp_path / "whole" / "checkpoint.pt")
    resumed = load_checkpoint(checkpoint)
    for name in ("generator", "discriminator"):
        assert_same(list(resumed[name].values()),
                    list(whole[name].values()))
    for name, values in whole["history"].items():
        if name != "samples":
            assert resumed["history"][name] == values, name
    assert_same([fake for _, fake in resumed["history"]["samples"]],
                [fake for _, fake in whole["history"]["samples"]])
    assert not list((tmp_path / "killed").glob(".*.tmp"))
