"""Conditional GANs: the class label as an extra input to both players.

Mirza and Osindero (2014) give the generator and the discriminator the
label y too: G(z | y) draws a sample of class y, D(x | y) judges whether x
is a real sample *of class y*. Here the label travels with the sample as
one-hot values attached to it (extra features for points, extra constant
planes for images), so ``ganlib.train`` runs unchanged: the real data set
carries its labels, and the generator attaches the label it was asked for.

The generator picks its label from its own noise: z holds noise_dim values
and K more, and y is the argmax of those K. The argmax of K independent,
identically distributed continuous values is uniform over the K classes
(every position is equally likely to hold the largest; ties have
probability 0). So fakes come with balanced labels: use data whose classes
are balanced too, or D can tell real from fake by label frequency alone.
"""
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlib.data import GaussianMixture
from ganlib.models import DCGANDiscriminator, MLPDiscriminator, device_of
from ganlib.noise import fixed_noise


def _check_labels(labels: Tensor, num_classes: int, size: int) -> None:
    """Raise a clear ValueError unless labels are size ints in [0, K)."""
    if num_classes < 2:
        raise ValueError(f"num_classes must be >= 2, got {num_classes}.")
    if labels.ndim != 1 or len(labels) != size:
        raise ValueError(
            f"labels must have shape ({size},), one class per sample, got "
            f"{tuple(labels.shape)}.")
    if labels.dtype.is_floating_point or labels.dtype == torch.bool:
        raise ValueError(f"labels must be integers (torch.long), got "
                         f"{labels.dtype}. Use labels.long().")
    if size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1}, got values from "
            f"{labels.min().item()} to {labels.max().item()}. Check "
            f"num_classes or number the classes from 0.")


def attach_labels(data: Tensor, labels: Tensor, num_classes: int) -> Tensor:
    """(N, D) -> (N, D + K) one-hot columns; (N, C, H, W) -> K label planes."""
    if data.ndim not in (2, 4):
        raise ValueError(
            f"data must be points (N, D) or images (N, C, H, W), got shape "
            f"{tuple(data.shape)}.")
    _check_labels(labels, num_classes, len(data))
    one_hot = F.one_hot(labels.to(data.device), num_classes).to(data.dtype)
    if data.ndim == 4:  # plane k is all ones for class k, all zeros else
        one_hot = one_hot[:, :, None, None].expand(
            -1, -1, data.shape[2], data.shape[3])
    return torch.cat([data, one_hot], dim=1)


def split_labels(x: Tensor, num_classes: int) -> tuple[Tensor, Tensor]:
    """Undo attach_labels: (samples without labels, labels (N,) long)."""
    if x.ndim not in (2, 4) or x.shape[1] <= num_classes:
        raise ValueError(
            f"expected points (N, D + {num_classes}) or images (N, C + "
            f"{num_classes}, H, W) from attach_labels, got shape "
            f"{tuple(x.shape)}.")
    data, one_hot = x[:, :-num_classes], x[:, -num_classes:]
    if x.ndim == 4:
        one_hot = one_hot.mean(dim=(2, 3))  # each plane is constant
    return data, one_hot.argmax(dim=1)


class ConditionalGenerator(nn.Module):
    """Wrap a generator of latent_dim = noise_dim + K: z -> (sample, y)."""

    def __init__(self, base: nn.Module, *, num_classes: int):
        super().__init__()
        if num_classes < 2 or base.latent_dim <= num_classes:
            raise ValueError(
                f"the base generator needs latent_dim = noise_dim + "
                f"num_classes with noise_dim >= 1 and num_classes >= 2; got "
                f"latent_dim={base.latent_dim}, num_classes={num_classes}.")
        self.base, self.num_classes = base, num_classes
        self.latent_dim = base.latent_dim  # what train() samples
        self.noise_dim = base.latent_dim - num_classes

    def forward(self, z: Tensor) -> Tensor:
        """(B, noise_dim + K) -> attach_labels(G(noise | y), y)."""
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(
                f"ConditionalGenerator expects z of shape (batch, "
                f"{self.latent_dim}) = noise_dim {self.noise_dim} + "
                f"{self.num_classes} label values, got {tuple(z.shape)}.")
        labels = z[:, self.noise_dim:].argmax(dim=1)  # uniform over K
        fake = self.generate(z[:, :self.noise_dim], labels)
        return attach_labels(fake, labels, self.num_classes)

    def generate(self, z_noise: Tensor, labels: Tensor) -> Tensor:
        """(B, noise_dim) noise, (B,) labels -> (B, ...) samples of them."""
        if z_noise.ndim != 2 or z_noise.shape[1] != self.noise_dim:
            raise ValueError(
                f"generate expects z_noise of shape (batch, "
                f"{self.noise_dim}), got {tuple(z_noise.shape)}.")
        _check_labels(labels, self.num_classes, len(z_noise))
        one_hot = F.one_hot(labels.to(z_noise.device), self.num_classes)
        return self.base(torch.cat([z_noise, one_hot.to(z_noise.dtype)],
                                   dim=1))


def conditional_mlp_discriminator(*, num_classes: int, data_dim: int = 2,
                                  **kwargs) -> MLPDiscriminator:
    """An MLPDiscriminator for points with K one-hot columns attached."""
    return MLPDiscriminator(data_dim=data_dim + num_classes, **kwargs)


def conditional_dcgan_discriminator(*, num_classes: int, channels: int = 1,
                                    **kwargs) -> DCGANDiscriminator:
    """A DCGANDiscriminator for images with K label planes attached."""
    return DCGANDiscriminator(channels=channels + num_classes, **kwargs)


def sample_labelled(target: GaussianMixture, num_samples: int, *,
                    rng: torch.Generator | None = None
                    ) -> tuple[Tensor, Tensor]:
    """(N, 2) points of target.sample and the mode (N,) each came from."""
    return target.sample_with_modes(num_samples, rng=rng)


def nearest_mode(points: Tensor, target: GaussianMixture) -> Tensor:
    """(N,) index of the mode whose mean is closest to each point."""
    means = target.means.to(points.device, points.dtype)
    return torch.cdist(points, means).argmin(dim=1)


@torch.no_grad()
def class_accuracy(generator: ConditionalGenerator,
                   target: GaussianMixture, *, samples_per_class: int = 500,
                   seed: int = 0) -> Tensor:
    """(K,) share of class-c samples that land nearest mode c."""
    device = device_of(generator)
    labels = torch.arange(generator.num_classes).repeat_interleave(
        samples_per_class)
    z_noise = fixed_noise(len(labels), generator.noise_dim, seed=seed,
                          device=device)
    points = generator.generate(z_noise, labels.to(device))
    hits = nearest_mode(points.float().cpu(), target) == labels
    return hits.float().reshape(-1, samples_per_class).mean(dim=1)
