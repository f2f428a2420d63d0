"""Generators and discriminators: MLPs for 2-D points, DCGANs for images.

Every generator has ``.latent_dim``; every discriminator returns LOGITS of
shape (B, 1): apply ``torch.sigmoid`` to read them as probabilities.
"""
import math
from contextlib import contextmanager

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm as _sn

IMAGE_SIZES = (16, 28, 32, 64)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable numbers (weights and biases) in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def device_of(model: nn.Module) -> torch.device:
    """The device of a model's first parameter."""
    return next(model.parameters()).device


@contextmanager
def evaluating(model: nn.Module):
    """Run model in eval mode without gradients, then restore its mode."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)


@contextmanager
def frozen(model: nn.Module):
    """Within the block, model's weights need no gradient: a graph built
    here carries the gradient through the model to its inputs, and
    backward skips the products for the model's own weights (about half
    of its backward pass; under torchrun, their exchange too). Each
    weight's requires_grad is restored after.
    """
    weights = [w for w in model.parameters() if w.requires_grad]
    for weight in weights:
        weight.requires_grad_(False)
    try:
        yield model
    finally:
        for weight in weights:
            weight.requires_grad_(True)


def dcgan_init_(module: nn.Module) -> None:
    """DCGAN init in place: conv weights N(0, .02), BatchNorm N(1, .02), 0."""
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(_raw_weight(layer), 0.0, 0.02)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.BatchNorm2d):
            nn.init.normal_(layer.weight, 1.0, 0.02)
            nn.init.zeros_(layer.bias)


def _check_noise(z: Tensor, latent_dim: int, name: str) -> None:
    """Raise a clear ValueError unless z holds latent_dim values per row."""
    if z.ndim < 2 or z[0].numel() != latent_dim:
        raise ValueError(f"{name} expects noise of shape (batch, "
                         f"{latent_dim}), got {tuple(z.shape)}. Sample it "
                         f"with sample_noise(batch_size, {latent_dim}).")


def _raw_weight(layer: nn.Module) -> Tensor:
    """The stored weight, also under a spectral-norm parametrization."""
    if parametrize.is_parametrized(layer, "weight"):
        return layer.parametrizations.weight.original
    return layer.weight


class MLPGenerator(nn.Module):
    """(B, latent_dim) noise -> (B, data_dim) points; linear output layer."""

    def __init__(self, *, latent_dim: int = 2, hidden_dim: int = 128,
                 num_layers: int = 3, data_dim: int = 2):
        super().__init__()
        self.latent_dim = latent_dim
        layers, width_in = [], latent_dim
        for _ in range(num_layers):  # num_layers hidden layers
            layers += [nn.Linear(width_in, hidden_dim), nn.ReLU()]
            width_in = hidden_dim
        # No tanh: 2-D targets keep their own coordinates (grid up to +-4).
        layers.append(nn.Linear(width_in, data_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        """(B, latent_dim) -> (B, data_dim)."""
        _check_noise(z, self.latent_dim, "MLPGenerator")
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """(B, data_dim) points -> (B, 1) logits."""

    def __init__(self, *, data_dim: int = 2, hidden_dim: int = 128,
                 num_layers: int = 3, spectral_norm: bool = False):
        super().__init__()
        self.data_dim = data_dim
        wrap = _sn if spectral_norm else (lambda layer: layer)
        layers, width_in = [], data_dim
        for _ in range(num_layers):  # num_layers hidden layers
            layers += [wrap(nn.Linear(width_in, hidden_dim)),
                       nn.LeakyReLU(0.2)]
            width_in = hidden_dim
        layers.append(wrap(nn.Linear(width_in, 1)))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """(B, data_dim) -> (B, 1) logits."""
        if x.ndim != 2 or x.shape[1] != self.data_dim:
            raise ValueError(
                f"MLPDiscriminator expects points of shape (batch, "
                f"{self.data_dim}), got {tuple(x.shape)}. Reshape the input "
                f"or build the model with data_dim={x.shape[-1]}.")
        return self.net(x)


def _stages(image_size: int) -> tuple[int, int]:
    """(start size, number of 2x up/down-sampling stages) for image_size."""
    if image_size not in IMAGE_SIZES:
        raise ValueError(f"image_size must be one of {IMAGE_SIZES}, got "
                         f"{image_size}. Resize the images to one of these.")
    start = 7 if image_size == 28 else 4  # 28 = 7 * 2 * 2
    return start, int(math.log2(image_size // start))


class DCGANGenerator(nn.Module):
    """(B, latent_dim) noise -> (B, channels, size, size) images in [-1, 1]."""

    def __init__(self, *, latent_dim: int = 100, channels: int = 1,
                 image_size: int = 64, width: int = 64):
        super().__init__()
        self.latent_dim, self.channels = latent_dim, channels
        self.image_size = image_size
        start, stages = _stages(image_size)
        width_out = width * 2 ** (stages - 1)  # 64 px: width * 8
        # Project z, seen as a 1x1 image, to start x start (4x4 or 7x7).
        layers = [nn.ConvTranspose2d(latent_dim, width_out, start, 1, 0,
                                     bias=False),
                  nn.BatchNorm2d(width_out), nn.ReLU(True)]
        for _ in range(stages - 1):  # each stage doubles height and width
            layers += [nn.ConvTranspose2d(width_out, width_out // 2, 4, 2, 1,
                                          bias=False),
                       nn.BatchNorm2d(width_out // 2), nn.ReLU(True)]
            width_out //= 2
        layers += [nn.ConvTranspose2d(width_out, channels, 4, 2, 1,
                                      bias=False), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        dcgan_init_(self)

    def forward(self, z: Tensor) -> Tensor:
        """(B, latent_dim) -> (B, C, H, W) in [-1, 1]."""
        _check_noise(z, self.latent_dim, "DCGANGenerator")
        return self.net(z.reshape(z.shape[0], self.latent_dim, 1, 1))


class DCGANDiscriminator(nn.Module):
    """(B, channels, size, size) images -> (B, 1) logits (no sigmoid)."""

    def __init__(self, *, channels: int = 1, image_size: int = 64,
                 width: int = 64, spectral_norm: bool = False,
                 batch_norm: bool = True):
        super().__init__()
        self.channels, self.image_size = channels, image_size
        start, stages = _stages(image_size)
        # DCGAN: no BatchNorm on the first layer, which sees the images.
        layers = [nn.Conv2d(channels, width, 4, 2, 1, bias=False),
                  nn.LeakyReLU(0.2, inplace=True)]
        for i in range(stages - 1):  # each stage halves height and width
            width_in, width_out = width * 2 ** i, width * 2 ** (i + 1)
            layers.append(nn.Conv2d(width_in, width_out, 4, 2, 1, bias=False))
            if batch_norm:  # WGAN-GP critics go without (batch_norm=False)
                layers.append(nn.BatchNorm2d(width_out))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
        # start x start (4x4 or 7x7) -> 1x1: one logit per image.
        layers.append(nn.Conv2d(width * 2 ** (stages - 1), 1, start, 1, 0,
                                bias=False))
        self.net = nn.Sequential(*layers)
        dcgan_init_(self)  # before spectral norm wraps the weights
        if spectral_norm:
            for layer in self.net:
                if isinstance(layer, nn.Conv2d):
                    _sn(layer)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, H, W) -> (B, 1) logits."""
        expected = (self.channels, self.image_size, self.image_size)
        if x.ndim != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(
                f"DCGANDiscriminator expects images of shape (batch, "
                f"{', '.join(map(str, expected))}), got {tuple(x.shape)}. "
                "Check channels and image_size of the data and the model.")
        return self.net(x).reshape(x.shape[0], 1)
