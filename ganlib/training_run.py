"""The machinery behind ``ganlib.train``: device, RNG, logs, checkpoints.

One ``torch.Generator`` on the device draws every batch, every z and the
gradient penalty's mixing weights; it is saved in checkpoints with the
step, so a resumed run draws exactly what an uninterrupted one would.
Losses are summed on the device and read (``.item``/``.tolist``, a host
sync) only every ``log_every`` steps.
"""
import contextlib
import warnings
from dataclasses import asdict, fields
from pathlib import Path

import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from ganlib.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ganlib.data import random_batch
from ganlib.noise import sample_noise

# Settings that change what a run computes: a resume must keep them.
RESULT_SETTINGS = ("batch_size", "discriminator_steps", "generator_lr",
                   "discriminator_lr", "betas", "lr_decay", "objective",
                   "noise", "seed")


class TrainingRun:
    """State of one run: models and data on the device, optimizers, RNG."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module,
                 data: Tensor, settings, *, device: torch.device, history):
        self.settings, self.device, self.history = settings, device, history
        self.on_cuda = device.type == "cuda"  # CUDA-only switches need it
        self.cpu_bf16 = (settings.cpu_bf16 and device.type == "cpu"
                         and cpu_has_native_bf16())
        # NHWC: on CUDA when asked; on a bf16 CPU, oneDNN's fast layout
        self.nhwc = (settings.channels_last and self.on_cuda) or self.cpu_bf16
        self.generator = self._prepare(generator)
        self.discriminator = self._prepare(discriminator)
        self.data = self._prepare_data(data)  # moved to the device ONCE
        self.rng = torch.Generator(device=device).manual_seed(settings.seed)
        self.generator_optimizer = self._adam(generator,
                                              settings.generator_lr)
        self.discriminator_optimizer = self._adam(discriminator,
                                                  settings.discriminator_lr)
        self.fixed_noise = self.noise(settings.num_fixed_samples)
        self.step, self.window_count = 0, 0
        self.window = torch.zeros(4, device=device)  # sums of row values
        path = settings.checkpoint_path
        if path is not None and Path(path).exists():
            self._resume(load_checkpoint(path, generator=generator,
                                         discriminator=discriminator))
        else:
            self._keep_samples()  # what the untrained generator makes
        compile_ = ((lambda m: torch.compile(m, mode=settings.compile_mode))
                    if settings.compile else (lambda m: m))
        self.generator_fn = compile_(self.generator)
        objective = settings.objective  # penalties need double backward,
        penalised = (objective.gradient_penalty_weight > 0  # which compiled
                     or objective.r1_weight > 0)  # modules do not support
        self.discriminator_fn = (self.discriminator if penalised
                                 else compile_(self.discriminator))

    def _prepare(self, model: nn.Module) -> nn.Module:
        """The model on the device (NHWC if channels_last on CUDA)."""
        model = model.to(self.device)
        if self.nhwc:
            model = model.to(memory_format=torch.channels_last)
        return model

    def _prepare_data(self, data: Tensor) -> Tensor:
        """The data set as one tensor on the device."""
        if not isinstance(data, Tensor) or data.ndim < 2 or len(data) == 0:
            raise ValueError(
                f"train needs the data as one non-empty tensor (N, ...), "
                f"got {type(data).__name__}. For an ImageData pass "
                f"data.images; for a target pass target.sample(10_000).")
        data = data.to(self.device, torch.float32)
        if data.ndim == 4 and self.nhwc:
            data = data.contiguous(memory_format=torch.channels_last)
        return data

    def _adam(self, model: nn.Module, lr: float) -> torch.optim.Adam:
        """Adam with the settings' betas; the fused kernel on CUDA."""
        fused = True if self.settings.fused_adam and self.on_cuda else None
        return torch.optim.Adam(model.parameters(), lr=lr,
                                betas=self.settings.betas, fused=fused)

    def scale_learning_rates(self, factor: float) -> None:
        """Set both optimizers' lrs to factor times the settings' lrs."""
        for optimizer, lr in ((self.generator_optimizer,
                               self.settings.generator_lr),
                              (self.discriminator_optimizer,
                               self.settings.discriminator_lr)):
            for group in optimizer.param_groups:
                group["lr"] = lr * factor

    def autocast(self):
        """bf16 autocast on CUDA with mixed_precision (or cpu_bf16)."""
        if self.settings.mixed_precision and self.on_cuda:
            return torch.autocast("cuda", dtype=torch.bfloat16)
        if self.cpu_bf16:
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

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

    def progress_bar(self) -> tqdm:
        """The remaining steps, with a bar unless progress=False."""
        total = self.settings.num_steps
        self.bar = tqdm(range(self.step, total), initial=self.step,
                        total=total, disable=not self.settings.progress,
                        desc="training", unit="step")
        return self.bar

    def record(self, step: int, d_loss: Tensor, g_loss: Tensor,
               real_logits: Tensor, fake_logits: Tensor) -> None:
        """Add one step to the logs; samples and checkpoints when due."""
        row = torch.stack([d_loss.float(), g_loss.float(),
                           torch.sigmoid(real_logits.float()).mean(),
                           torch.sigmoid(fake_logits.float()).mean()])
        self.window += row  # stays on the device: no sync here
        self.window_count, self.step = self.window_count + 1, step
        last, s = step == self.settings.num_steps, self.settings
        if step % s.log_every == 0 or last:
            self._log_row()
        if step % s.sample_every == 0 or last:
            self._keep_samples()
        if s.checkpoint_path and (step % s.checkpoint_every == 0 or last):
            save_checkpoint(s.checkpoint_path, self.state())

    def _log_row(self) -> None:
        """Turn the window's sums into one history row (one host sync)."""
        means = (self.window / self.window_count).tolist()
        self.history.add_row(self.step, means)
        self.window.zero_()
        self.window_count = 0
        self.bar.set_postfix(d_loss=f"{means[0]:.3f}",
                             g_loss=f"{means[1]:.3f}", refresh=False)

    @torch.no_grad()
    def _keep_samples(self) -> None:
        """Store G(fixed noise) on the CPU, once per step."""
        if self.history.samples and self.history.samples[-1][0] == self.step:
            return
        # train mode, as pytorch/examples dcgan: BatchNorm uses batch stats
        fake = self.generator(self.fixed_noise).float().cpu()
        self.history.samples.append((self.step, fake))

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


def cpu_has_native_bf16() -> bool:
    """True on a CPU with bf16 instructions (AVX512-BF16, AMX): oneDNN's."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch without oneDNN
        return False


def settings_summary(settings) -> dict:
    """Settings as plain values (the objective by its functions' names)."""
    summary = {}
    for item in fields(settings):
        value = getattr(settings, item.name)
        if item.name == "objective":
            value = (f"{value.discriminator_loss.__name__}, "
                     f"{value.generator_loss.__name__}, gradient penalty "
                     f"{value.gradient_penalty_weight}, R1 {value.r1_weight}")
        summary[item.name] = value
    return summary


def _warn_if_settings_differ(saved: dict, settings) -> None:
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
