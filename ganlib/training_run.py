"""The machinery behind ``ganlib.train``: RNG, logs, samples, checkpoints.

One ``torch.Generator`` on the device draws every batch, every z and the
gradient penalty's mixing weights; it is saved in checkpoints with the
step, so a resumed run draws exactly what an uninterrupted one would.
Losses are summed on the device and read (``.tolist``, a host sync) only
every ``log_every`` steps.
"""
import warnings
from dataclasses import asdict, fields
from pathlib import Path

import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from ganlib.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ganlib.data import random_batch
from ganlib.noise import sample_noise
from ganlib.settings import History, Row, TrainSettings
from ganlib.speed import SpeedPlan

# Settings that change what a run computes: a resume must keep them.
RESULT_SETTINGS = ("batch_size", "discriminator_steps", "generator_lr",
                   "discriminator_lr", "betas", "lr_decay", "objective",
                   "noise", "seed")


class TrainingRun:
    """State of one run: models and data on the device, optimizers, RNG."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module,
                 data: Tensor, settings: TrainSettings, speed: SpeedPlan):
        self.settings, self.device = settings, speed.device
        self.history = History()
        self.generator = speed.place(generator)
        self.discriminator = speed.place(discriminator)
        self.data = speed.place_data(_checked_data(data))  # moved ONCE
        self.rng = torch.Generator(device=self.device).manual_seed(
            settings.seed)
        self.generator_optimizer = speed.adam(
            generator, settings.generator_lr, settings.betas)
        self.discriminator_optimizer = speed.adam(
            discriminator, settings.discriminator_lr, settings.betas)
        self.fixed_noise = self.noise(settings.num_fixed_samples)
        self.step, self.window_count = 0, 0
        self.window = torch.zeros(len(Row._fields), device=self.device)
        path = settings.checkpoint_path
        if path is not None and Path(path).exists():
            self._resume(load_checkpoint(path, generator=generator,
                                         discriminator=discriminator))
        else:
            self.keep_samples()  # what the untrained generator makes

    def scale_learning_rates(self, factor: float) -> None:
        """Set both optimizers' lrs to factor times the settings' lrs."""
        for optimizer, lr in ((self.generator_optimizer,
                               self.settings.generator_lr),
                              (self.discriminator_optimizer,
                               self.settings.discriminator_lr)):
            for group in optimizer.param_groups:
                group["lr"] = lr * factor

    def real_batch(self) -> Tensor:
        """(batch_size, ...) random real samples, drawn on the device."""
        return random_batch(self.data, self.settings.batch_size,
                            rng=self.rng)

    def noise(self, batch_size: int | None = None) -> Tensor:
        """(batch_size, latent_dim) z drawn on the device."""
        return sample_noise(batch_size or self.settings.batch_size,
                            self.generator.latent_dim,
                            kind=self.settings.noise, rng=self.rng,
                            device=self.device)

    def remaining_steps(self) -> tqdm:
        """The steps still to run, with a bar unless progress=False."""
        total = self.settings.num_steps
        self.bar = tqdm(range(self.step, total), initial=self.step,
                        total=total, disable=not self.settings.progress,
                        desc="training", unit="step")
        return self.bar

    def is_due(self, every: int) -> bool:
        """True every ``every`` steps, and at the run's last step."""
        return (self.step % every == 0
                or self.step == self.settings.num_steps)

    def log(self, step: int, row: Row) -> None:
        """Add step ``step``'s row to the window; a History row when due."""
        self.window += torch.stack([value.float() for value in row])
        self.window_count, self.step = self.window_count + 1, step
        if not self.is_due(self.settings.log_every):
            return  # the sums stay on the device: no host sync
        means = Row(*(self.window / self.window_count).tolist())
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
        """Write everything a resumed run needs to checkpoint_path."""
        save_checkpoint(self.settings.checkpoint_path, self.state())

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
            "rng": self.rng.get_state(), "step": self.step,
            "history": asdict(self.history),
            "window": self.window.cpu(), "window_count": self.window_count,
            "fixed_noise": self.fixed_noise.cpu(),
            "settings": settings_summary(self.settings)}

    def _resume(self, state: dict) -> None:
        """Continue from a checkpoint (models already loaded)."""
        _warn_if_settings_differ(state["settings"], self.settings)
        try:
            self.generator_optimizer.load_state_dict(
                state["generator_optimizer"])
            self.discriminator_optimizer.load_state_dict(
                state["discriminator_optimizer"])
        except (ValueError, KeyError) as error:
            raise CheckpointError(
                f"The checkpoint's optimizer state does not fit these "
                f"models ({error}). Use a new checkpoint_path.") from error
        self.rng.set_state(state["rng"])
        self.step, self.window_count = state["step"], state["window_count"]
        self.window = state["window"].to(self.device)
        self.fixed_noise = state["fixed_noise"].to(self.device)
        for name, values in state["history"].items():
            setattr(self.history, name, list(values))


def _checked_data(data: Tensor) -> Tensor:
    """The data set itself, or a clear error when it is not one tensor."""
    if not isinstance(data, Tensor) or data.ndim < 2 or len(data) == 0:
        raise ValueError(
            f"train needs the data as one non-empty tensor (N, ...), "
            f"got {type(data).__name__}. For an ImageData pass "
            f"data.images; for a target pass target.sample(10_000).")
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
