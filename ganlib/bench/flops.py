"""Count a GAN's matmul FLOPs and look up the device's peak FLOP rate."""

import torch
from torch import nn

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


def layer_flops(layer: nn.Module, x: torch.Tensor, y: torch.Tensor) -> int:
    """Multiply-add FLOPs (2 per MAC) of one conv/linear for ONE sample."""
    if isinstance(layer, nn.Conv2d):
        kernel = layer.kernel_size[0] * layer.kernel_size[1]
        macs_per_output = layer.in_channels // layer.groups * kernel
        return 2 * macs_per_output * y[0].numel()  # y[0]: (C_out, H, W)
    if isinstance(layer, nn.ConvTranspose2d):
        # Every input pixel is spread over a k x k patch of every output
        # channel: C_in * H_in * W_in * k * k * C_out / groups MACs.
        kernel = layer.kernel_size[0] * layer.kernel_size[1]
        out_per_group = layer.out_channels // layer.groups
        return 2 * x[0].numel() * kernel * out_per_group
    if isinstance(layer, nn.Linear):
        return 2 * layer.in_features * layer.out_features * (
            y[0].numel() // layer.out_features)
    return 0


def forward_flops(model: nn.Module, example: torch.Tensor) -> int:
    """Conv + linear FLOPs of model's forward pass per sample.

    example: a batch of >= 2 inputs (batch norm needs 2 in train mode).
    Batch norm, activations and losses are not counted (they are a few
    percent and are memory-bound), as usual for a model-FLOP count.
    """
    total = 0

    def count(layer, inputs, output):
        nonlocal total
        total += layer_flops(layer, inputs[0], output)

    counted = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
    hooks = [m.register_forward_hook(count) for m in model.modules()
             if isinstance(m, counted)]
    was_training = model.training
    try:
        model.eval()  # keep batch-norm running statistics untouched
        with torch.no_grad():
            model(example)
    finally:
        model.train(was_training)
        for hook in hooks:
            hook.remove()
    return total


def step_flops(generator_flops: int, discriminator_flops: int) -> int:
    """Model FLOPs of one D step + one G step, per sample of the batch.

    Backward costs 2x forward (gradients for inputs and weights).
      D step: G forward (1), D forward + backward on real and fake
              (2 x 3 = 6 D forwards).
      G step: D forward + backward (3) and G backward (2): the fake of
              the D step is reused, as in pytorch/examples.
    Total = 3 F_G + 9 F_D. A loop that draws G(z) again for the G step
    does one more F_G; that recomputation is not counted (conservative).
    """
    return 3 * generator_flops + 9 * discriminator_flops
