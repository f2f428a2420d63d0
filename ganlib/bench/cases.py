"""What the benchmark runs: budgets, models, data and training switches."""

from dataclasses import dataclass

import torch

from ganlib.models import (DCGANDiscriminator, DCGANGenerator,
                           MLPDiscriminator, MLPGenerator)

# Switches that ganlib.train applies on CUDA only (it ignores them
# elsewhere), so off CUDA they are not measured.
CUDA_ONLY = ("mixed_precision", "channels_last", "fused_adam")
NEVER = 10 ** 9  # "sample_every": no fixed-noise samples while timing

# The plain ganlib path: data on the device, fp32, a host sync every step.
PLAIN = dict(mixed_precision=False, channels_last=False, fused_adam=False,
             compile=False, log_every=1, sample_every=NEVER, progress=False)
# Each switch on its own, turned on over the plain path.
SWITCHES = (
    ("+ bf16 autocast", {"mixed_precision": True}),
    ("+ channels_last", {"channels_last": True}),
    ("+ fused Adam", {"fused_adam": True}),
    ("+ no per-step host sync", {"log_every": 100}),
    ("+ torch.compile", {"compile": True}),
    # CUDA graphs replay a whole step's kernels at once; CUDA only.
    ("+ torch.compile, CUDA graphs",
     {"compile": True, "compile_mode": "reduce-overhead"}),
)


@dataclass(frozen=True)
class Budget:
    """How long to measure; one per mode and device kind."""
    name: str
    batch_size: int  # (a) vs (b) and the ablation: 64 as in the example
    warmup: int  # untimed steps first (compile, cuDNN autotuning)
    steps: int  # timed steps of ganlib's loop
    reference_steps: int  # timed steps of the reference loop
    num_images: int  # flowers in the data set (PNG files for the loader)
    scaling_batches: tuple[int, ...]  # ganlib alone at these batch sizes
    measure_compile: bool  # torch.compile costs ~20 s per model on a CPU
    quality_steps: int  # steps per quality run; 0 skips the check
    quality_image_size: int  # flowers size for the quality check
    quality_samples: int  # generated images per Frechet distance


BUDGETS = {
    # --quick tests the code, not the speed: small batches, 1 timed step.
    ("quick", "cpu"): Budget("quick-cpu", 8, 1, 1, 2, 64, (16,), False,
                             0, 32, 256),
    ("quick", "cuda"): Budget("quick-cuda", 64, 3, 5, 5, 256, (256,),
                              True, 0, 64, 256),
    # A 64 px step at batch 1024 takes ~12 s on 2 CPU cores: few steps.
    ("full", "cpu"): Budget("full-cpu", 64, 1, 3, 3, 512, (256, 1024),
                            True, 100, 32, 1000),
    ("full", "cuda"): Budget("full-cuda", 64, 20, 200, 100, 2048,
                             (256, 1024), True, 2000, 64, 2000),
}


def pick_budget(quick: bool, device: torch.device) -> Budget:
    """The budget for this mode on this kind of device."""
    kind = "cuda" if device.type == "cuda" else "cpu"
    return BUDGETS[("quick" if quick else "full", kind)]


def fast_settings(device: torch.device) -> dict:
    """ganlib's way: every switch that pays on this device turned on."""
    fast = dict(PLAIN, mixed_precision=True, channels_last=True,
                fused_adam=True, log_every=100)
    # torch.compile pays on a GPU; on a CPU it is slower and costs ~20 s
    # of warm-up (measured: see the ablation row). Its CUDA-graph mode is
    # measured on its own in the ablation, and is not yet in (b).
    fast["compile"] = device.type == "cuda"
    return fast


def switches_for(device: torch.device, budget: Budget):
    """The ablation switches that mean something on this device."""
    for label, switch in SWITCHES:
        if device.type != "cuda" and (set(switch) & set(CUDA_ONLY)
                                      or "compile_mode" in switch):
            continue
        if "compile" in switch and not budget.measure_compile:
            continue
        yield label, switch


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


def example_inputs(name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(z, x) batches of 2 for counting each model's forward FLOPs."""
    if name == "mlp2d":
        return torch.randn(2, 2), torch.randn(2, 2)
    size, channels = (64, 3) if name == "dcgan64" else (28, 1)
    return torch.randn(2, 100), torch.randn(2, channels, size, size)


MODELS = {"dcgan64": dcgan64, "dcgan28": dcgan28, "mlp2d": mlp2d}
