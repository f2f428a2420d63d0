"""The machinery behind ``ganlib.train``: RNG, logs, samples, checkpoints.

One ``torch.Generator`` on the device draws every batch, every z and the
gradient penalty's mixing weights; it is saved in checkpoints with the
step, so a resumed run draws exactly what an uninterrupted one would.
Losses are summed on the device and read (``.tolist``, a host sync) only
every ``log_every`` steps.

A run refuses what cannot train before its first step (data with NaN,
images outside [-1, 1], a checkpoint it cannot write), stops with
TrainingDivergedError when the losses or weights turn NaN (the last good
checkpoint is kept), and on Ctrl-C finishes the round, saves and stops.

Under torchrun (see ganlib/distributed.py) each process trains on its own
rows of every batch with the models made DistributedDataParallel; the
losses are averaged over the processes before they are logged, so every
process keeps the same History, stops at the same step on divergence or
Ctrl-C (in any of them), and process 0 alone writes the checkpoint and
shows the progress bar.
"""
import contextlib
import hashlib
import math
import signal
import threading
import warnings
from dataclasses import asdict, fields, replace
from pathlib import Path

import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from ganlib.checkpoint import (CheckpointError, check_writable,
                               load_checkpoint, load_model_states,
                               save_checkpoint)
from ganlib.cpu_layout import choose_channels_last
from ganlib.data import random_batch
from ganlib.distributed import (any_process, average, check_batch_split,
                                main_process_first, make_data_parallel,
                                rank, shard,
                                synchronise_batch_norm, wait_for_all,
                                world_size)
from ganlib.images import check_images
from ganlib.noise import sample_noise
from ganlib.settings import History, Row, TrainSettings
from ganlib.speed import SpeedPlan

# Settings that change what a run computes: a resume must keep them.
RESULT_SETTINGS = ("batch_size", "discriminator_steps", "generator_lr",
                   "discriminator_lr", "betas", "lr_decay", "objective",
                   "noise", "seed")
# What a checkpoint must hold for a run to resume from it.
RESUME_KEYS = ("generator", "discriminator", "generator_optimizer",
               "discriminator_optimizer", "rng", "step", "history", "window",
               "window_count", "fixed_noise", "settings")


class TrainingDivergedError(RuntimeError):
    """The losses or weights became NaN or infinite; nothing bad was saved."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C: the run finished its round, saved (with a checkpoint_path)
    and stopped after ``step``; ``str()`` says how to go on."""

    def __init__(self, message: str, *, step: int, saved: bool):
        super().__init__(message)
        self.step, self.saved = step, saved


class TrainingRun:
    """State of one run: models and data on the device, optimizers, RNG."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module,
                 data: Tensor, settings: TrainSettings, speed: SpeedPlan):
        _check_models(generator, discriminator)
        _check_rates(settings)
        check_batch_split(settings.batch_size, world_size())
        self.settings, self.device = settings, speed.device
        self.history = History()
        data = _checked_data(data)
        with main_process_first():  # measured once, the others read it
            speed = _with_layout(speed, generator, discriminator, data,
                                 settings.batch_size)
        self.generator = speed.place(generator).train()  # BatchNorm learns
        self.discriminator = speed.place(discriminator).train()
        for model in (self.generator, self.discriminator):
            synchronise_batch_norm(model, self.device)
        self.data_summary = data_summary(data)
        self.data = speed.place_data(data)  # moved ONCE
        self.rng = torch.Generator(device=self.device).manual_seed(
            settings.seed)
        self.generator_optimizer = speed.adam(
            generator, settings.generator_lr, settings.betas)
        self.discriminator_optimizer = speed.adam(
            discriminator, settings.discriminator_lr, settings.betas)
        self.scaler = speed.loss_scaler()  # on in fp16 only
        self.fixed_noise = self.noise(settings.num_fixed_samples)
        self.step, self.window_count = 0, 0
        self.window = torch.zeros(len(Row._fields), device=self.device)
        self.saved_step = None  # the step of the last checkpoint written
        self.interrupted = False
        path = settings.checkpoint_path
        if path is not None and Path(path).is_file():
            self._resume(path, load_checkpoint(path))
        else:
            if path is not None:
                check_writable(path)  # now, not at the first save
            self.keep_samples()  # what the untrained generator makes
        for model in (self.generator, self.discriminator):
            make_data_parallel(model, self.device)  # after a resume

    def scale_learning_rates(self, factor: float) -> None:
        """Set both optimizers' lrs to factor times the settings' lrs."""
        for optimizer, lr in ((self.generator_optimizer,
                               self.settings.generator_lr),
                              (self.discriminator_optimizer,
                               self.settings.discriminator_lr)):
            for group in optimizer.param_groups:
                group["lr"] = lr * factor

    def real_batch(self) -> Tensor:
        """This process's rows of batch_size random real samples (all of
        them when it trains alone), drawn on the device."""
        return shard(random_batch(self.data, self.settings.batch_size,
                                  rng=self.rng))

    def noise(self, batch_size: int | None = None) -> Tensor:
        """(batch_size, latent_dim) z drawn on the device; without a
        batch_size, this process's rows of a training batch's z."""
        z = sample_noise(batch_size or self.settings.batch_size,
                         self.generator.latent_dim,
                         kind=self.settings.noise, rng=self.rng,
                         device=self.device)
        return z if batch_size else shard(z)

    def remaining_steps(self):
        """The steps still to run, with a bar unless progress=False.

        While they run, Ctrl-C (SIGINT) only raises a flag: the round in
        progress finishes, the run saves a checkpoint and then raises
        TrainingInterrupted. A second Ctrl-C interrupts at once. Under
        torchrun, which passes one Ctrl-C on to every process, all of them
        stop after the same round when any one was interrupted.
        """
        total = self.settings.num_steps
        self.bar = tqdm(range(self.step, total), initial=self.step,
                        total=total, desc="training", unit="step",
                        disable=not self.settings.progress or rank() != 0)
        with self._stopping_on_ctrl_c():
            for step in self.bar:
                yield step  # the loop runs one whole round
                stop = any_process(self.interrupted)  # in every process
                if stop and self.step < total:
                    self._stop_after_interrupt()

    @contextlib.contextmanager
    def _stopping_on_ctrl_c(self):
        """Catch the first SIGINT while the steps run (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield  # signal handlers can only be set in the main thread
            return
        previous = signal.getsignal(signal.SIGINT)

        def on_ctrl_c(signum, frame):
            self.interrupted = True
            signal.signal(signal.SIGINT, previous)  # a second one stops now

        signal.signal(signal.SIGINT, on_ctrl_c)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _stop_after_interrupt(self) -> None:
        """Save (with a checkpoint_path) and raise TrainingInterrupted."""
        self.bar.close()
        path = self.settings.checkpoint_path
        if path is None:
            raise TrainingInterrupted(
                f"Interrupted after step {self.step}. No checkpoint_path was "
                f"set, so nothing was saved; the models keep their weights.",
                step=self.step, saved=False)
        if self.saved_step != self.step:
            self.save_checkpoint()
        raise TrainingInterrupted(
            f"Interrupted after step {self.step}; saved {path}. Train again "
            f"with the same settings and checkpoint_path to go on.",
            step=self.step, saved=True)

    def is_due(self, every: int) -> bool:
        """True every ``every`` steps, and at the run's last step."""
        return (self.step % every == 0
                or self.step == self.settings.num_steps)

    def log(self, step: int, row: Row) -> None:
        """Add step ``step``'s row to the window; a History row when due
        (the window's means over all the processes' rows)."""
        self.window += torch.stack([value.float() for value in row])
        self.window_count, self.step = self.window_count + 1, step
        if not self.is_due(self.settings.log_every):
            return  # the sums stay on the device: no host sync
        means = Row(*(average(self.window) / self.window_count).tolist())
        bad = [name for name, value in means._asdict().items()
               if not math.isfinite(value)]
        if bad:
            raise TrainingDivergedError(self._diverged(
                f"{bad[0].replace('_', ' ')} is {getattr(means, bad[0])}"))
        self.history.add_row(self.step, means)
        self.window.zero_()
        self.window_count = 0
        self.bar.set_postfix(d_loss=f"{means.discriminator_loss:.3f}",
                             g_loss=f"{means.generator_loss:.3f}",
                             refresh=False)

    @torch.no_grad()
    def keep_samples(self) -> None:
        """Store G(fixed noise) on the CPU, once per step."""
        if self.history.samples and self.history.samples[-1][0] == self.step:
            return
        # train mode, as pytorch/examples dcgan: BatchNorm uses batch stats
        fake = self.generator(self.fixed_noise).float().cpu()
        self.history.samples.append((self.step, fake))

    def save_checkpoint(self) -> None:
        """Write everything a resumed run needs to checkpoint_path; refuse
        (TrainingDivergedError) to write NaN or infinite weights.

        Every process calls it; process 0 writes (the weights are the same
        in all) while the others wait, so none reads a half-written file.
        """
        weights = [*self.generator.parameters(),
                   *self.discriminator.parameters()]
        finite = torch.stack([w.detach().isfinite().all() for w in weights])
        if not finite.all():  # one host sync per checkpoint
            raise TrainingDivergedError(self._diverged(
                "weights are NaN or infinite"))
        average(self.window)  # the sums so far over all the processes
        if rank() == 0:
            save_checkpoint(self.settings.checkpoint_path, self.state())
        wait_for_all()
        self.saved_step = self.step

    def _diverged(self, what: str) -> str:
        """The message of a TrainingDivergedError at this step."""
        path = self.settings.checkpoint_path
        if self.saved_step is not None:
            kept = (f"The last good checkpoint, {path} (step "
                    f"{self.saved_step}), is kept.")
        elif path is not None and Path(path).is_file():
            kept = f"The checkpoint {path} is kept as it was."
        else:
            kept = "No checkpoint was written."
        return (f"Training diverged by step {self.step}: the {what}. {kept} "
                f"Lower the learning rates, or look for NaN in the models.")

    def finish(self) -> None:
        """Close the progress bar."""
        self.bar.close()

    def state(self) -> dict:
        """Everything a resumed run needs to continue exactly."""
        return {
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "generator_optimizer": self.generator_optimizer.state_dict(),
            "discriminator_optimizer":
                self.discriminator_optimizer.state_dict(),
            "loss_scaler": self.scaler.state_dict(),  # {} when off
            "rng": self.rng.get_state(), "step": self.step,
            "history": asdict(self.history),
            "window": self.window.cpu(), "window_count": self.window_count,
            "fixed_noise": self.fixed_noise.cpu(),
            "settings": settings_summary(self.settings),
            "data": self.data_summary}

    def _resume(self, path: str, state: dict) -> None:
        """Continue from a checkpoint; refuse, changing nothing, one that
        is not a training run, was trained on other data or does not fit."""
        missing = [key for key in RESUME_KEYS if key not in state]
        if missing:
            raise CheckpointError(
                f"{path} is not a training checkpoint (it lacks "
                f"{', '.join(missing)}), so a run cannot resume from it. "
                f"Use a file written by ganlib.train, or a new "
                f"checkpoint_path.")
        saved_data = state.get("data")  # older checkpoints did not say
        if saved_data is not None and saved_data != self.data_summary:
            raise CheckpointError(
                f"{path} was trained on other data ({_describe(saved_data)};"
                f" this run has {_describe(self.data_summary)}). Resume with "
                f"the data it was trained on, or use a new checkpoint_path.")
        if state["step"] > self.settings.num_steps:
            raise CheckpointError(
                f"{path} has already trained {state['step']} steps, more "
                f"than num_steps={self.settings.num_steps}. Set num_steps "
                f"to at least {state['step']}, or use a new "
                f"checkpoint_path.")
        _warn_if_settings_differ(state["settings"], self.settings)
        try:  # the run's own optimizers first: the models stay untouched
            self.generator_optimizer.load_state_dict(
                state["generator_optimizer"])
            self.discriminator_optimizer.load_state_dict(
                state["discriminator_optimizer"])
        except (ValueError, KeyError) as error:
            raise CheckpointError(
                f"The checkpoint's optimizer state does not fit these "
                f"models ({error}). Use a new checkpoint_path.") from error
        load_model_states({"generator": self.generator,
                           "discriminator": self.discriminator}, state)
        if state.get("loss_scaler"):  # a run in fp16 (older: none)
            self.scaler.load_state_dict(state["loss_scaler"])
        self.rng.set_state(state["rng"])
        self.step, self.window_count = state["step"], state["window_count"]
        self.saved_step = self.step
        self.window = state["window"].to(self.device)
        self.fixed_noise = state["fixed_noise"].to(self.device)
        for name, values in state["history"].items():
            setattr(self.history, name, list(values))


def _with_layout(speed: SpeedPlan, generator: nn.Module,
                 discriminator: nn.Module, data: Tensor,
                 batch_size: int) -> SpeedPlan:
    """The plan with its image layout decided: a plan that leaves it open
    (bf16 on a CPU) gets the faster layout for these models, measured
    once on this machine (ganlib/cpu_layout.py)."""
    if speed.channels_last is not None:
        return speed
    return replace(speed, channels_last=choose_channels_last(
        generator, discriminator, data, batch_size, speed.autocast_dtype))


def _check_models(generator: nn.Module, discriminator: nn.Module) -> None:
    """ValueError unless G has .latent_dim and both have weights."""
    if not isinstance(getattr(generator, "latent_dim", None), int):
        raise ValueError(
            f"train needs a generator with an int .latent_dim (the size of "
            f"the noise it takes); {type(generator).__name__} has none. Set "
            f"self.latent_dim in its __init__.")
    if generator.latent_dim < 1:
        raise ValueError(f"The generator's latent_dim must be >= 1, got "
                         f"{generator.latent_dim}.")
    for name, model in (("generator", generator),
                        ("discriminator", discriminator)):
        if not any(p.requires_grad for p in model.parameters()):
            raise ValueError(
                f"The {name} ({type(model).__name__}) has no trainable "
                f"weights. Give it at least one layer with parameters.")
        empty = [key for key, p in model.named_parameters() if p.numel() == 0]
        if empty:
            raise ValueError(
                f"The {name} ({type(model).__name__}) has layers without "
                f"weights ({empty[0]} has shape "
                f"{tuple(model.get_parameter(empty[0]).shape)}): a size "
                f"such as width, hidden_dim or channels is 0. Build it with "
                f"sizes of at least 1.")


def _check_rates(settings: TrainSettings) -> None:
    """ValueError unless both learning rates are positive numbers."""
    for name in ("generator_lr", "discriminator_lr"):
        lr = getattr(settings, name)
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError(f"{name} must be a positive number, got {lr}. "
                             f"The DCGAN paper uses 2e-4.")


def data_summary(data: Tensor) -> dict:
    """The data's shape and a hash of up to 4,096 of its samples, evenly
    spaced: what a checkpoint records to recognise the data it saw."""
    rows = torch.linspace(0, len(data) - 1, min(len(data), 4096)).long()
    picked = data[rows.to(data.device)].detach().float().cpu().contiguous()
    digest = hashlib.sha256(picked.numpy().tobytes()).hexdigest()[:16]
    return {"shape": list(data.shape), "digest": digest}


def _describe(summary: dict) -> str:
    """'10,000 samples of shape (2,)' for a data_summary."""
    count, *sample = summary["shape"]
    return f"{count:,} samples of shape {tuple(sample)}"


def _checked_data(data: Tensor) -> Tensor:
    """The data set itself, or a clear error when it cannot be trained on."""
    if not isinstance(data, Tensor) or len(data) == 0:
        raise ValueError(
            f"train needs the data as one non-empty tensor (N, ...), "
            f"got {type(data).__name__}. For an ImageData pass "
            f"data.images; for a target pass target.sample(10_000).")
    if data.ndim < 2:
        raise ValueError(
            f"train needs one row per sample, shape (N, features), got "
            f"{tuple(data.shape)}. For one number per sample pass "
            f"data.unsqueeze(1).")
    if not data.is_floating_point():
        raise ValueError(
            f"train needs float data, got {data.dtype}. For 0..255 pixels "
            f"use scale_to_unit_range(images.float(), 0, 255).")
    finite = data.isfinite().reshape(len(data), -1).all(dim=1)
    if not finite.all():
        first = int((~finite).nonzero()[0])
        raise ValueError(
            f"The data holds NaN or infinite values in "
            f"{int((~finite).sum()):,} of {len(data):,} samples (the first "
            f"is sample {first}). Remove or repair them before training.")
    if data.ndim == 4:
        check_images(data)  # images in [-1, 1], as G's tanh makes them
    return data


def settings_summary(settings: TrainSettings) -> dict:
    """Settings as plain values (the objective by its functions' names)."""
    summary = {}
    for item in fields(settings):
        value = getattr(settings, item.name)
        if item.name == "objective":
            value = ", ".join(
                [value.discriminator_loss.__name__,
                 value.generator_loss.__name__,
                 *(f"{penalty.term.__name__} x {penalty.weight}"
                   for penalty in value.penalties)])
        if item.name == "speed":
            value = asdict(value)
        summary[item.name] = value
    return summary


def _warn_if_settings_differ(saved: dict, settings: TrainSettings) -> None:
    """Warn when a resume changes settings that change the result."""
    now = settings_summary(settings)
    changed = [name for name in RESULT_SETTINGS
               if name in saved and saved[name] != now[name]]
    if changed:
        warnings.warn(
            f"Resuming with other settings than the checkpoint's: "
            f"{', '.join(changed)}. The run will not match an "
            f"uninterrupted one (saved learning rates are kept).",
            stacklevel=3)
