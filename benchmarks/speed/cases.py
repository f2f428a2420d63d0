"""What the benchmark runs: budgets, models, data and training settings."""

from dataclasses import dataclass, replace

import torch

from ganlib.models import (DCGANDiscriminator, DCGANGenerator,
                           MLPDiscriminator, MLPGenerator)
from ganlib.settings import TrainSettings
from ganlib.speed import Speed, speed_plan

NEVER = 10 ** 9  # "sample_every": no fixed-noise samples while timing

# The plain ganlib path: data on the device, fp32, plain Adam, no
# compile, a host sync every step.
PLAIN_SPEED = Speed(mixed_precision=False, channels_last=False,
                    cpu_bf16=False, fused_adam=False, compile=False,
                    compile_mode=None)
PLAIN = TrainSettings(speed=PLAIN_SPEED, log_every=1, sample_every=NEVER,
                      progress=False)


def with_speed(settings: TrainSettings, **switches) -> TrainSettings:
    """settings with these fields of its Speed changed."""
    return replace(settings, speed=replace(settings.speed, **switches))


# Each switch on its own, turned on over the plain path.
SWITCHES = (
    ("+ mixed precision", with_speed(PLAIN, mixed_precision=True)),
    ("+ channels_last", with_speed(PLAIN, channels_last=True)),
    ("+ bf16 on a CPU with bf16 units", with_speed(PLAIN, cpu_bf16=True)),
    ("+ fused Adam", with_speed(PLAIN, fused_adam=True)),
    ("+ no per-step host sync", replace(PLAIN, log_every=100)),
    ("+ torch.compile", with_speed(PLAIN, compile=True)),
    # CUDA graphs replay a whole step's kernels at once; CUDA only.
    ("+ torch.compile, CUDA graphs",
     with_speed(PLAIN, compile=True, compile_mode="reduce-overhead")),
)


@dataclass(frozen=True)
class Budget:
    """How long to measure; one per mode and device kind."""
    name: str
    batch_size: int  # (a) vs (b) and the ablation: 64 as in the example
    warmup: int  # untimed steps first (compile, cuDNN autotuning)
    steps: int  # timed steps of ganlib's loop
    reference_steps: int  # timed steps of the reference loop
    # flowers in the data set (PNG files for the loader): at least the
    # reference's warm-up and timed steps' batches, so that its timed
    # steps lie in one epoch. An epoch starts the DataLoader's workers,
    # once per hundreds of steps on a real data set, not per a few.
    num_images: int
    scaling_batches: tuple[int, ...]  # ganlib alone at these batch sizes
    measure_compile: bool  # torch.compile costs ~20 s per model on a CPU
    quality_steps: int  # steps per quality run; 0 skips the check
    quality_image_size: int  # flowers size for the quality check
    quality_samples: int  # generated images per Frechet distance


BUDGETS = {
    # --quick tests the code, not the speed: small batches, 1 timed step.
    ("quick", "cpu"): Budget("quick-cpu", 8, 1, 1, 2, 64, (16,), False,
                             0, 32, 256),
    ("quick", "cuda"): Budget("quick-cuda", 64, 3, 5, 5, 512, (256,),
                              True, 0, 64, 256),
    # A 64 px step at batch 1024 takes ~12 s on 2 CPU cores: few steps.
    ("full", "cpu"): Budget("full-cpu", 64, 1, 3, 3, 512, (256, 1024),
                            True, 100, 32, 1000),
    ("full", "cuda"): Budget("full-cuda", 64, 20, 200, 100, 8192,
                             (256, 1024), True, 2000, 64, 2000),
}


def pick_budget(quick: bool, device: torch.device) -> Budget:
    """The budget for this mode on this kind of device."""
    kind = "cuda" if device.type == "cuda" else "cpu"
    return BUDGETS[("quick" if quick else "full", kind)]


def fast_settings(device: torch.device) -> TrainSettings:
    """ganlib's way (b): every switch that pays on this device turned on.

    mixed precision (bf16, or fp16 on GPUs before the A100),
    channels_last and fused Adam (they act on CUDA only),
    one host sync per 100 steps, and torch.compile on a GPU: it pays
    there; on a CPU it is slower and costs ~20 s of warm-up (see its
    ablation row). Its CUDA-graph mode and cpu_bf16 are measured on their
    own in the ablation and are not part of (b).
    """
    speed = replace(PLAIN_SPEED, mixed_precision=True, channels_last=True,
                    fused_adam=True, compile=device.type == "cuda")
    return replace(PLAIN, speed=speed, log_every=100)


def acts_on(settings: TrainSettings, device: torch.device) -> bool:
    """True if settings differ from the plain path in what runs on device.

    A Speed switch that ganlib ignores on this device (speed_plan drops
    it) does not act; CUDA graphs act on CUDA only.
    """
    if settings.speed.compile_mode is not None and device.type != "cuda":
        return False
    same_but_speed = replace(settings, speed=PLAIN_SPEED)  # log_every
    return (same_but_speed != PLAIN or speed_plan(settings.speed, device)
            != speed_plan(PLAIN_SPEED, device))


def switches_for(device: torch.device, budget: Budget):
    """The ablation's (label, settings) that act on this device."""
    for label, settings in SWITCHES:
        if settings.speed.compile and not budget.measure_compile:
            continue
        if acts_on(settings, device):
            yield label, settings


def dcgan64():
    """pytorch/examples' netG and netD (3.58 M and 2.77 M parameters)."""
    return (DCGANGenerator(latent_dim=100, channels=3, image_size=64,
                           width=64),
            DCGANDiscriminator(channels=3, image_size=64, width=64))


def dcgan28():
    """The course's 28 px DCGAN for one-channel digits."""
    return (DCGANGenerator(latent_dim=100, channels=1, image_size=28),
            DCGANDiscriminator(channels=1, image_size=28))


def mlp2d():
    """The 2-D MLP GAN (3 hidden layers of 128)."""
    return MLPGenerator(latent_dim=2), MLPDiscriminator()


def example_inputs(name: str, batch_size: int = 2
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """(z, x) batches for counting a model's FLOPs on the CPU.

    At least 2 samples: batch norm needs 2 in train mode.
    """
    if name == "mlp2d":
        return torch.randn(batch_size, 2), torch.randn(batch_size, 2)
    size, channels = (64, 3) if name == "dcgan64" else (28, 1)
    return (torch.randn(batch_size, 100),
            torch.randn(batch_size, channels, size, size))


MODELS = {"dcgan64": dcgan64, "dcgan28": dcgan28, "mlp2d": mlp2d}
