"""The training loop: k discriminator steps, one generator step, repeat.

Read top to bottom: settings, device, the two steps, the history, the loop.
The same loop trains every variant: a GAN differs only in the Objective
(losses and penalties) and the models it is given. Speed switches that only
make sense on a CUDA GPU (mixed_precision, fused_adam, channels_last) do
nothing elsewhere, and cpu_bf16 acts only on a CPU with native bf16
(AVX512-BF16 or AMX), so the same settings run on CPU, MPS and CUDA.
"""
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import Tensor, nn

from ganlib.losses import (NONSATURATING, Objective, gradient_penalty,
                           r1_penalty)
from ganlib.training_run import TrainingRun


@dataclass(frozen=True)
class TrainSettings:
    """How to train; change one with ``dataclasses.replace(settings, ...)``."""
    num_steps: int = 2000  # generator updates in the whole run
    batch_size: int = 64  # real samples (and fakes) per step
    discriminator_steps: int = 1  # k: D updates per G update
    generator_lr: float = 2e-4  # Adam learning rate of G (DCGAN paper)
    discriminator_lr: float = 2e-4  # Adam learning rate of D
    betas: tuple[float, float] = (0.5, 0.999)  # Adam; beta1=0.5 as in DCGAN
    lr_decay: str = "constant"  # or "linear": both lrs fall to 0 at the end
    objective: Objective = NONSATURATING  # losses (and penalties) to use
    noise: str = "normal"  # latent noise: "normal" or "uniform" in [-1, 1]
    seed: int = 0  # seeds batches, noise, fixed noise (not the weights)
    device: str | None = None  # None: cuda, then mps, then cpu
    mixed_precision: bool = True  # bf16 autocast; CUDA only, else ignored
    channels_last: bool = False  # NHWC images; CUDA only, else ignored
    cpu_bf16: bool = False  # bf16 autocast + NHWC on a CPU with bf16 units
    fused_adam: bool = True  # one fused Adam kernel; CUDA only
    compile: bool = False  # torch.compile G and D (D not with penalties)
    compile_mode: str | None = None  # "reduce-overhead": CUDA graphs too
    log_every: int = 10  # steps per history row (and per host sync)
    sample_every: int = 100  # steps between samples on the fixed noise
    num_fixed_samples: int = 64  # how many fixed-noise samples to keep
    checkpoint_path: str | None = None  # resume from / save to this file
    checkpoint_every: int = 500  # steps between checkpoints
    progress: bool = True  # tqdm progress bar (pass False in notebooks)

    def __post_init__(self):
        """Refuse settings that cannot run, saying which one and why."""
        for name in ("batch_size", "discriminator_steps", "log_every",
                     "sample_every", "checkpoint_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got "
                                 f"{getattr(self, name)}.")
        if self.num_steps < 0:
            raise ValueError(f"num_steps must be >= 0, got {self.num_steps}.")
        if self.noise not in ("normal", "uniform"):
            raise ValueError(f"noise must be 'normal' or 'uniform', got "
                             f"{self.noise!r}.")
        if self.lr_decay not in LR_DECAYS:
            raise ValueError(f"lr_decay must be one of {LR_DECAYS}, got "
                             f"{self.lr_decay!r}.")


LR_DECAYS = ("constant", "linear")


def learning_rate_factor(settings: TrainSettings, step: int) -> float:
    """What the lrs are multiplied by before update ``step`` (0-based).

    "linear": 1 - step / num_steps, from 1 at the start towards 0 at the
    end; the shrinking steps let G settle on sharp modes instead of
    circling them. "constant": always 1.
    """
    if settings.lr_decay == "linear":
        return 1 - step / settings.num_steps
    return 1.0


def pick_device(preferred: str | None = None) -> torch.device:
    """``preferred`` if given, else CUDA, then Apple MPS, then the CPU."""
    if preferred is not None:
        return torch.device(preferred)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def discriminator_step(generator: nn.Module, discriminator: nn.Module,
                       optimizer: torch.optim.Optimizer, real: Tensor,
                       z: Tensor, objective: Objective, *,
                       rng: torch.Generator | None = None
                       ) -> tuple[Tensor, Tensor, Tensor]:
    """One D update; returns (loss, real_logits, fake_logits), detached."""
    # ------------------------------------------------------------------
    # Update D: minimise objective.discriminator_loss(D(x), D(G(z))).
    # For BCE that is: maximise log D(x) + log(1 - D(G(z))).
    # ------------------------------------------------------------------
    # .detach() cuts the fakes loose from G: this step trains D alone, so
    # no gradient should flow back into G (and computing it would waste
    # time). G's weights stay exactly as they are.
    fake = generator(z).detach()
    real_logits = discriminator(real)  # (B, 1)
    fake_logits = discriminator(fake)  # (B, 1)
    loss = objective.discriminator_loss(real_logits, fake_logits)
    if objective.gradient_penalty_weight > 0:  # WGAN-GP
        loss = loss + objective.gradient_penalty_weight * gradient_penalty(
            discriminator, real, fake, rng=rng)
    if objective.r1_weight > 0:  # R1 (gamma / 2 is the weight)
        loss = loss + objective.r1_weight * r1_penalty(discriminator, real)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.detach(), real_logits.detach(), fake_logits.detach()


def generator_step(generator: nn.Module, discriminator: nn.Module,
                   optimizer: torch.optim.Optimizer, z: Tensor,
                   objective: Objective) -> tuple[Tensor, Tensor]:
    """One G update; returns (loss, fake_logits), detached."""
    # ------------------------------------------------------------------
    # Update G: minimise objective.generator_loss(D(G(z))).
    # Non-saturating: maximise log D(G(z)). No .detach() here: the
    # gradient must flow through D into G. D's weights get gradients too,
    # but only G's optimizer steps; D's are cleared before its next step.
    # ------------------------------------------------------------------
    fake_logits = discriminator(generator(z))  # (B, 1)
    loss = objective.generator_loss(fake_logits)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.detach(), fake_logits.detach()


@dataclass
class History:
    """What happened during training, one row every ``log_every`` steps."""
    step: list[int] = field(default_factory=list)  # steps done at each row
    discriminator_loss: list[float] = field(default_factory=list)
    generator_loss: list[float] = field(default_factory=list)
    real_score: list[float] = field(default_factory=list)  # mean D(x)
    fake_score: list[float] = field(default_factory=list)  # mean D(G(z))
    # (step, fixed-noise samples on the CPU), every sample_every steps
    samples: list[tuple[int, Tensor]] = field(default_factory=list)

    def add_row(self, step: int, means: list[float]) -> None:
        """Append one row: step and the four window means, in field order."""
        self.step.append(step)
        for name, value in zip(ROW_FIELDS, means):
            getattr(self, name).append(value)


ROW_FIELDS = ("discriminator_loss", "generator_loss", "real_score",
              "fake_score")
OnStep = Callable[[int, nn.Module, nn.Module, History], None]


def train(generator: nn.Module, discriminator: nn.Module, data: Tensor,
          settings: TrainSettings = TrainSettings(), *,
          on_step: OnStep | None = None) -> History:
    """Train a GAN on ``data`` (N, ...) and return its History.

    With a checkpoint_path that exists, the run resumes from it and goes on
    exactly as an uninterrupted run would (same seed, same device). A run
    also logs a row and keeps samples at its last step, so extending a
    finished run to more num_steps matches an uninterrupted one when the
    old num_steps is a multiple of log_every and sample_every (and
    lr_decay is "constant": a linear decay is spread over num_steps).
    """
    # Device, data on it, RNG, optimizers, fixed noise, resume: see
    # ganlib/training_run.py. The algorithm itself is the loop below.
    run = TrainingRun(generator, discriminator, data, settings,
                      device=pick_device(settings.device), history=History())
    objective, k = settings.objective, settings.discriminator_steps
    for step in run.progress_bar():  # step = G updates done before this one
        run.scale_learning_rates(learning_rate_factor(settings, step))
        with run.autocast():
            for _ in range(k):  # k discriminator steps per generator step
                d_loss, real_logits, fake_logits = discriminator_step(
                    run.generator_fn, run.discriminator_fn,
                    run.discriminator_optimizer, run.real_batch(),
                    run.noise(), objective, rng=run.rng)
            g_loss, _ = generator_step(
                run.generator_fn, run.discriminator_fn,
                run.generator_optimizer, run.noise(), objective)
        run.record(step + 1, d_loss, g_loss, real_logits, fake_logits)
        if on_step is not None:
            on_step(step + 1, generator, discriminator, run.history)
    run.finish()
    return run.history

