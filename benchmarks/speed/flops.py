"""Measure a GAN's FLOPs and look up the device's peak FLOP rate.

The FLOPs are counted by torch.utils.flop_counter.FlopCounterMode, which
sees every matrix product and convolution that runs, the backward ones
included. It counts 2 FLOPs per multiply-add and leaves out batch norm,
activations, losses and Adam (memory-bound, a few percent), as usual for
a model-FLOP count.
"""

import copy

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from benchmarks.speed.reference import ReferenceLoop
from ganlib.losses import NONSATURATING
from ganlib.train import discriminator_step, generator_step

# Peak dense bf16 tensor-core rate (FLOP/s, no sparsity), from the vendor
# datasheets (NVIDIA H100, H200, A100, L4, L40S, A10, T4, V100). T4 and
# V100 have no bf16: their fp16 tensor rate is listed. Checked in order:
# the first name fragment found in torch.cuda.get_device_name() wins.
PEAK_FLOPS = (
    ("H100 PCIe", 756e12),
    ("H100 NVL", 835e12),
    ("GH200", 989e12),
    ("H200", 989e12),
    ("H100", 989e12),  # SXM, e.g. "NVIDIA H100 80GB HBM3"
    ("A100", 312e12),
    ("L40S", 362e12),
    ("L4", 121e12),
    ("A10", 125e12),
    ("T4", 65e12),
    ("V100", 125e12),
)


def peak_flops(device_name: str) -> float | None:
    """Datasheet peak FLOP/s for a GPU name; None if unknown or a CPU."""
    for fragment, flops in PEAK_FLOPS:
        if fragment in device_name:
            return flops
    return None


def counted_flops(work) -> int:
    """Matmul and convolution FLOPs of calling work(), forward and backward."""
    counter = FlopCounterMode(display=False)
    with counter:
        work()
    return counter.get_total_flops()


def counter_is_exact() -> bool:
    """True if this torch counts a transposed convolution forward and
    backward as its closed form: 3 times the forward. torch 2.1's
    FlopCounterMode miscounts its backward (the DCGAN step came out 3.6
    times too large), so FLOP figures need a later torch."""
    up = nn.ConvTranspose2d(4, 2, 4, 2, 1, bias=False)  # 3x3 -> 6x6
    x = torch.randn(2, 4, 3, 3, requires_grad=True)
    forward = 2 * 2 * (4 * 9) * (16 * 2)  # 2 images, see forward_flops
    return counted_flops(lambda: up(x).sum().backward()) == 3 * forward


def check_counter() -> None:
    """SystemExit with one line if this torch's FLOP counts are wrong."""
    if not counter_is_exact():
        raise SystemExit(
            f"torch {torch.__version__} miscounts the FLOPs of transposed "
            f"convolutions (FlopCounterMode), so the benchmark's FLOP "
            f"figures would be wrong. Run it with torch 2.2 or later.")


def forward_flops(model: nn.Module, example: torch.Tensor) -> int:
    """FLOPs of model's forward pass per sample of the example batch.

    Runs in eval mode without gradients, so the model (batch-norm running
    statistics included) is left as it was.
    """
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            total = counted_flops(lambda: model(example))
    finally:
        model.train(was_training)
    return total // len(example)


def step_flops(generator: nn.Module, discriminator: nn.Module,
               z: torch.Tensor, real: torch.Tensor) -> int:
    """FLOPs of one D step + one G step of ganlib.train, per sample.

    Runs ganlib.train's discriminator_step and generator_step once each on
    copies of the models (fp32, plain Adam, the non-saturating loss) with
    the batches z and real (>= 2 samples: batch norm needs 2), so the
    count is what the loop does: G forward, D forward and backward on the
    real and the fake batch, then G forward again, D forward and backward
    (frozen: its inputs' gradient only) and G backward. Backward skips
    what no weight needs (the gradient of the real images and of z).
    """
    generator = copy.deepcopy(generator).train()
    discriminator = copy.deepcopy(discriminator).train()
    generator_adam = torch.optim.Adam(generator.parameters())
    discriminator_adam = torch.optim.Adam(discriminator.parameters())

    def one_round():
        discriminator_step(generator, discriminator, discriminator_adam,
                           real, z, NONSATURATING)
        generator_step(generator, discriminator, generator_adam, z,
                       NONSATURATING)

    return counted_flops(one_round) // len(z)


def reference_step_flops(generator: nn.Module, discriminator: nn.Module,
                         real: torch.Tensor) -> int:
    """FLOPs of one step of pytorch/examples' loop, per sample.

    Differs from step_flops by one G forward and one D weight gradient:
    the example's G step scores the fake batch its D step drew, where
    ganlib.train draws a fresh one, and computes the gradients of D's
    weights, which ganlib.train's skips (benchmarks/speed/reference.py)."""
    loop = ReferenceLoop(copy.deepcopy(generator).train(),
                         copy.deepcopy(discriminator).train(), real.device)
    return counted_flops(lambda: loop(real)) // len(real)
