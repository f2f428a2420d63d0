"""Mode coverage on 2-D targets, the VEEGAN / PacGAN protocol.

Draw 2,500 samples from the generator. A sample is *high quality* when it
lies within ``num_stds`` (3) standard deviations of the nearest mode's mean.
A mode is *covered* when at least ``min_count`` (1) high-quality samples
land on it. The *reverse KL* compares the histogram p of high-quality
samples over the M modes with the uniform one:

    KL(p || uniform) = sum_m p_m log(p_m / (1 / M)) = sum_m p_m log(M p_m)

0 when every mode gets the same share, log(M) when all land on one mode.
"""
import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ganlib.data import GaussianMixture
from ganlib.models import device_of, evaluating
from ganlib.noise import fixed_noise

NUM_SAMPLES = 2500  # the protocol's sample count (Srivastava et al. 2017)


@dataclass
class ModeCoverage:
    """Mode-coverage scores of one set of generated 2-D samples."""
    high_quality_share: float  # in [0, 1]: share within num_stds of a mode
    modes_covered: int  # modes with >= min_count high-quality samples
    num_modes: int  # M, the target's number of modes
    reverse_kl: float  # KL(p || uniform) >= 0; inf if nothing is HQ


def mode_coverage(samples: Tensor, target: GaussianMixture, *,
                  num_stds: float = 3.0, min_count: int = 1) -> ModeCoverage:
    """Score (N, 2) samples against a Gaussian mixture's modes."""
    if samples.ndim != 2 or samples.shape[1] != target.means.shape[1]:
        raise ValueError(
            f"samples must have shape (N, {target.means.shape[1]}), got "
            f"{tuple(samples.shape)}. Pass generated points, not images.")
    samples = samples.detach().to("cpu", torch.float64)
    means = target.means.to("cpu", torch.float64)  # (M, 2)
    distances = torch.cdist(samples, means)  # (N, M)
    nearest_distance, nearest_mode = distances.min(dim=1)  # (N,), (N,)
    high_quality = nearest_distance <= num_stds * target.std  # (N,) bool
    counts = torch.bincount(nearest_mode[high_quality],
                            minlength=len(means))  # (M,) HQ per mode
    return ModeCoverage(
        high_quality_share=high_quality.double().mean().item(),
        modes_covered=int((counts >= min_count).sum()),
        num_modes=len(means),
        reverse_kl=reverse_kl_to_uniform(counts))


def reverse_kl_to_uniform(counts: Tensor) -> float:
    """KL(p || uniform) for a histogram of counts (M,); inf when empty."""
    total = counts.sum()
    if total == 0:
        return math.inf
    p = counts.double() / total  # (M,) mode histogram
    terms = p * torch.log(p * len(p))  # p_m log(M p_m)
    return terms.nan_to_num(0.0).sum().item()  # 0 log 0 = 0


@torch.no_grad()
def sample_points(generator: nn.Module, num_samples: int = NUM_SAMPLES, *,
                  seed: int = 0, noise: str = "normal") -> Tensor:
    """(num_samples, data_dim) points from ``generator``, on the CPU."""
    z = fixed_noise(num_samples, generator.latent_dim, seed=seed, kind=noise,
                    device=device_of(generator))
    with evaluating(generator):
        return generator(z).float().cpu()
