"""2-D target distributions and on-device batching.

The 2-D targets keep their own coordinates (they are not images): the ring
has radius 1, the grid spans [-4, 4]^2, as in the mode-coverage protocol of
VEEGAN and PacGAN. A data set that fits in memory is kept on the device as
ONE tensor and batched there with ``random_batch``: no DataLoader.
"""
import math
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """Equal-weight mixture of isotropic Gaussians: means (M, 2), one std."""
    means: Tensor
    std: float

    @property
    def num_modes(self) -> int:
        """Number of Gaussians M."""
        return self.means.shape[0]

    def sample(self, num_samples: int, *,
               rng: torch.Generator | None = None) -> Tensor:
        """(num_samples, 2) points: a random mode each, plus Gaussian noise."""
        return self.sample_with_modes(num_samples, rng=rng)[0]

    def sample_with_modes(self, num_samples: int, *,
                          rng: torch.Generator | None = None
                          ) -> tuple[Tensor, Tensor]:
        """(num_samples, 2) points and the mode (num_samples,) of each."""
        modes = torch.randint(self.num_modes, (num_samples,),
                              generator=rng, device=self.means.device)
        noise = torch.randn(num_samples, self.means.shape[1],
                            generator=rng, device=self.means.device)
        return self.means[modes] + self.std * noise, modes

    def to(self, device: torch.device | str) -> "GaussianMixture":
        """The same mixture with its means on ``device``."""
        return GaussianMixture(self.means.to(device), self.std)


def ring_target(*, num_modes: int = 8, radius: float = 1.0,
                std: float = 0.01) -> GaussianMixture:
    """num_modes Gaussians evenly spaced on a circle of ``radius``."""
    angles = 2 * math.pi * torch.arange(num_modes) / num_modes
    means = radius * torch.stack([angles.cos(), angles.sin()], dim=1)
    return GaussianMixture(means, std)


def grid_target(*, side: int = 5, spacing: float = 2.0,
                std: float = 0.05) -> GaussianMixture:
    """side x side Gaussians on a centred grid; default means {-4..4}^2."""
    coords = (torch.arange(side) - (side - 1) / 2) * spacing
    xs, ys = torch.meshgrid(coords, coords, indexing="ij")
    means = torch.stack([xs.flatten(), ys.flatten()], dim=1)
    return GaussianMixture(means, std)


def two_moons(num_samples: int, *, noise: float = 0.05,
              rng: torch.Generator | None = None) -> Tensor:
    """(N, 2) two interleaved half circles, coordinates as scikit-learn's."""
    device = rng.device if rng is not None else None
    angle = math.pi * torch.rand(num_samples, generator=rng,
                                 device=device)
    upper = torch.arange(num_samples, device=device) % 2 == 0  # half each
    # upper moon: (cos a, sin a); lower moon: (1 - cos a, 0.5 - sin a)
    x = torch.where(upper, angle.cos(), 1 - angle.cos())
    y = torch.where(upper, angle.sin(), 0.5 - angle.sin())
    points = torch.stack([x, y], dim=1)
    return points + noise * torch.randn(num_samples, 2, generator=rng,
                                        device=device)


def spiral(num_samples: int, *, noise: float = 0.02, turns: float = 1.5,
           rng: torch.Generator | None = None) -> Tensor:
    """(N, 2) points on an Archimedean spiral of radius t, angle 2 pi turns t.

    t is uniform in [0, 1], so the spiral fits in the unit disc.
    """
    device = rng.device if rng is not None else None
    t = torch.rand(num_samples, generator=rng, device=device)
    angle = 2 * math.pi * turns * t
    points = torch.stack([t * angle.cos(), t * angle.sin()], dim=1)
    return points + noise * torch.randn(num_samples, 2, generator=rng,
                                        device=device)


def scale_to_unit_range(x: Tensor, low: float, high: float) -> Tensor:
    """Map values in [low, high] linearly to [-1, 1] (low -> -1, high -> 1)."""
    if not high > low:
        raise ValueError(f"scale_to_unit_range needs high > low, got "
                         f"low={low}, high={high}. For 8-bit images use "
                         "low=0, high=255.")
    if not x.is_floating_point():  # uint8 would wrap around in 2 * x
        x = x.float()
    return 2 * (x - low) / (high - low) - 1


def random_batch(data: Tensor, batch_size: int, *,
                 rng: torch.Generator | None = None) -> Tensor:
    """(batch_size, ...) random rows of ``data``, with replacement."""
    if batch_size < 1 or len(data) == 0:
        raise ValueError(f"random_batch needs batch_size >= 1 and non-empty "
                         f"data, got batch_size={batch_size}, "
                         f"len(data)={len(data)}.")
    if rng is not None and rng.device.type != data.device.type:
        raise ValueError(
            f"The rng is on {rng.device} but the data is on "
            f"{data.device}. Make the rng with "
            f"torch.Generator(device=data.device).")
    index = torch.randint(len(data), (batch_size,), generator=rng,
                          device=data.device)
    return data[index]
