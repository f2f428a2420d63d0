"""The Frechet distance between two Gaussians, and between two feature sets.

d^2 = ||mu_a - mu_b||^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)) for Gaussians
N(mu_a, S_a) and N(mu_b, S_b): the 2-Wasserstein distance between them.
FID is this distance between Gaussians fitted to features of real and
generated images.
"""
import torch
from torch import Tensor


def gaussian_frechet_distance(mean_a: Tensor, cov_a: Tensor, mean_b: Tensor,
                              cov_b: Tensor) -> float:
    """||mu_a - mu_b||^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))."""
    mean_a, mean_b = mean_a.double(), mean_b.double()
    cov_a, cov_b = cov_a.double(), cov_b.double()
    values, vectors = torch.linalg.eigh(cov_a)  # S_a = V diag(values) V^T
    sqrt_a = vectors @ torch.diag(values.clamp(min=0).sqrt()) @ vectors.T
    # S_a^(1/2) S_b S_a^(1/2) is symmetric and has the eigenvalues of S_a S_b
    middle = torch.linalg.eigvalsh(sqrt_a @ cov_b @ sqrt_a).clamp(min=0)
    trace_sqrt = middle.sqrt().sum()  # tr (S_a S_b)^(1/2)
    distance = ((mean_a - mean_b) ** 2).sum() \
        + torch.trace(cov_a) + torch.trace(cov_b) - 2 * trace_sqrt
    return max(distance.item(), 0.0)  # rounding can dip just below 0


def frechet_distance(features_a: Tensor, features_b: Tensor) -> float:
    """Frechet distance of Gaussians fitted to (N, D) and (M, D) features."""
    features_a, features_b = features_a.double(), features_b.double()
    return gaussian_frechet_distance(
        features_a.mean(0), torch.cov(features_a.T),
        features_b.mean(0), torch.cov(features_b.T))
