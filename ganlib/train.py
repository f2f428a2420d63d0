"""The training loop: k discriminator steps, one generator step, repeat.

Read top to bottom: the learning-rate schedule, the device, the two
steps, one round of them, and the loop. The same loop trains every
variant: a GAN differs only in its Objective (losses and penalties) and
the models it is given. How the run uses the hardware (bf16, NHWC,
compile) is planned once, before the loop, in ganlib/speed.py; what it
keeps (RNG, logs, samples, checkpoints) lives in ganlib/training_run.py.
"""
from typing import Callable

import torch
from torch import Tensor, nn

from ganlib.losses import Objective
from ganlib.models import frozen
from ganlib.settings import History, Row, TrainSettings
from ganlib.speed import NO_LOSS_SCALING, GradScaler, speed_plan
from ganlib.training_run import TrainingRun


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
        return _available_device(preferred)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _available_device(name: str) -> torch.device:
    """torch.device(name), or a ValueError saying why it cannot be used."""
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise ValueError(f"Unknown device {name!r}. Use 'cuda', 'mps' or "
                         f"'cpu', or leave it unset for the best one.") \
            from None
    available = {"cpu": True, "cuda": torch.cuda.is_available(),
                 "mps": torch.backends.mps.is_available()}
    if not available.get(device.type, True):
        raise ValueError(f"Device {name!r} was asked for, but this torch "
                         f"sees no {device.type.upper()} device here. Use "
                         f"'cpu', or leave the device unset.")
    if device.type == "cuda" and device.index is not None \
            and device.index >= torch.cuda.device_count():
        raise ValueError(f"Device {name!r} does not exist: this machine has "
                         f"{torch.cuda.device_count()} CUDA device(s).")
    return device


def discriminator_step(generator: nn.Module, discriminator: nn.Module,
                       optimizer: torch.optim.Optimizer, real: Tensor,
                       z: Tensor, objective: Objective, *,
                       rng: torch.Generator | None = None,
                       scaler: GradScaler = NO_LOSS_SCALING
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
    for penalty in objective.penalties:  # e.g. WGAN-GP's gradient penalty
        loss = loss + penalty.weight * penalty.term(discriminator, real,
                                                    fake, rng)
    optimizer.zero_grad(set_to_none=True)
    # The scaler does nothing but in fp16 (GPUs older than the A100): see
    # SpeedPlan.loss_scaler. Without it: loss.backward(); optimizer.step()
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.detach(), real_logits.detach(), fake_logits.detach()


def generator_step(generator: nn.Module, discriminator: nn.Module,
                   optimizer: torch.optim.Optimizer, z: Tensor,
                   objective: Objective, *,
                   scaler: GradScaler = NO_LOSS_SCALING
                   ) -> tuple[Tensor, Tensor]:
    """One G update; returns (loss, fake_logits), detached."""
    # ------------------------------------------------------------------
    # Update G: minimise objective.generator_loss(D(G(z))).
    # Non-saturating: maximise log D(G(z)). No .detach() here: the
    # gradient must flow through D into G. Only G's optimizer steps, so
    # D's weights are frozen: backward passes the gradient through D's
    # layers to G without computing D's own (which nothing would use).
    # ------------------------------------------------------------------
    with frozen(discriminator):
        fake_logits = discriminator(generator(z))  # (B, 1)
    loss = objective.generator_loss(fake_logits)
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()  # as in discriminator_step
    scaler.step(optimizer)
    scaler.update()
    return loss.detach(), fake_logits.detach()


def training_round(generator: nn.Module, discriminator: nn.Module,
                   generator_optimizer: torch.optim.Optimizer,
                   discriminator_optimizer: torch.optim.Optimizer,
                   real_batch: Callable[[], Tensor],
                   noise: Callable[[], Tensor], objective: Objective, *,
                   discriminator_steps: int = 1,
                   rng: torch.Generator | None = None,
                   scaler: GradScaler = NO_LOSS_SCALING) -> Row:
    """k D steps, then one G step; the last D step's and G's values.

    real_batch() and noise() draw a fresh batch each time they are called,
    in this order: real, z for every D step, then z for the G step.
    """
    for _ in range(discriminator_steps):  # k D steps per G step
        d_loss, real_logits, fake_logits = discriminator_step(
            generator, discriminator, discriminator_optimizer, real_batch(),
            noise(), objective, rng=rng, scaler=scaler)
    g_loss, _ = generator_step(generator, discriminator, generator_optimizer,
                               noise(), objective, scaler=scaler)
    return Row(d_loss, g_loss, objective.score(real_logits.float()).mean(),
               objective.score(fake_logits.float()).mean())


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
    speed = speed_plan(settings.speed, pick_device(settings.device),
                       penalties=bool(settings.objective.penalties))
    # Models and data on the device, Adam, one seeded RNG, fixed noise,
    # and the resume from a checkpoint: see ganlib/training_run.py.
    run = TrainingRun(generator, discriminator, data, settings, speed)
    objective = settings.objective
    # The loop calls G and D compiled when settings.speed asks (the same
    # weights); the run keeps the models themselves for samples and saves.
    generator = speed.compiled(generator)
    discriminator = speed.compiled(
        discriminator, double_backward=bool(objective.penalties))
    for step in run.remaining_steps():  # G updates done before this one
        run.scale_learning_rates(learning_rate_factor(settings, step))
        with speed.autocast():
            row = training_round(
                generator, discriminator, run.generator_optimizer,
                run.discriminator_optimizer, run.real_batch, run.noise,
                objective, discriminator_steps=settings.discriminator_steps,
                rng=run.rng, scaler=run.scaler)
        run.log(step + 1, row)  # one History row every log_every steps
        if run.is_due(settings.sample_every):
            run.keep_samples()  # G(fixed noise), on the CPU
        if settings.checkpoint_path and run.is_due(settings.checkpoint_every):
            run.save_checkpoint()
        if on_step is not None:
            on_step(step + 1, run.generator, run.discriminator, run.history)
    run.finish()
    return run.history
