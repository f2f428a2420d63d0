"""What a training run is told (TrainSettings) and what it reports (History).

Both sit at the bottom of ganlib: the loop (train.py), its machinery
(training_run.py) and the step trainer widget all import them from here.
"""
from dataclasses import dataclass, field
from typing import NamedTuple

from torch import Tensor

from ganlib.losses import NONSATURATING, Objective
from ganlib.speed import Speed

LR_DECAYS = ("constant", "linear")


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
    objective: Objective = NONSATURATING  # losses and penalties to use
    noise: str = "normal"  # latent noise: "normal" or "uniform" in [-1, 1]
    seed: int = 0  # seeds batches, noise, fixed noise (not the weights)
    device: str | None = None  # None: cuda, then mps, then cpu
    log_every: int = 10  # steps per history row (and per host sync)
    sample_every: int = 100  # steps between samples on the fixed noise
    num_fixed_samples: int = 64  # how many fixed-noise samples to keep
    checkpoint_path: str | None = None  # resume from / save to this file
    checkpoint_every: int = 500  # steps between checkpoints
    progress: bool = True  # tqdm progress bar (pass False in notebooks)
    speed: Speed = Speed()  # speed switches: ganlib/speed.py

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


class Row(NamedTuple):
    """One step's values (or a window's means), in History's column order.

    The scores are ``objective.score`` of D's outputs: the probability
    D(x) for BCE objectives, the raw critic score for the others.
    """
    discriminator_loss: Tensor | float
    generator_loss: Tensor | float
    real_score: Tensor | float  # mean score of real samples
    fake_score: Tensor | float  # mean score of fakes


@dataclass
class History:
    """What happened during training, one row every ``log_every`` steps."""
    step: list[int] = field(default_factory=list)  # steps done at each row
    discriminator_loss: list[float] = field(default_factory=list)
    generator_loss: list[float] = field(default_factory=list)
    # mean objective.score of real samples and of fakes: D(x) and
    # D(G(z)) for BCE objectives, the raw critic scores for the others
    real_score: list[float] = field(default_factory=list)
    fake_score: list[float] = field(default_factory=list)
    # (step, fixed-noise samples on the CPU), every sample_every steps
    samples: list[tuple[int, Tensor]] = field(default_factory=list)

    def add_row(self, step: int, row: Row) -> None:
        """Append one row of plain numbers after ``step`` steps."""
        self.step.append(step)
        for name, value in row._asdict().items():
            getattr(self, name).append(float(value))
