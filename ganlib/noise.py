"""The noise z a generator starts from: sampling, interpolation, truncation.

Pass a seeded ``torch.Generator`` to get the same z (and so the same
generated sample) every time.
"""
import torch
from torch import Tensor

NOISE_KINDS = ("normal", "uniform")


def _device(rng: torch.Generator | None, device) -> torch.device:
    """The explicit device, else the rng's, else the CPU."""
    if device is not None:
        return torch.device(device)
    return rng.device if rng is not None else torch.device("cpu")


def sample_noise(batch_size: int, latent_dim: int, *, kind: str = "normal",
                 rng: torch.Generator | None = None,
                 device: torch.device | str | None = None) -> Tensor:
    """(batch_size, latent_dim) z: standard normal, or uniform in [-1, 1]."""
    shape, device = (batch_size, latent_dim), _device(rng, device)
    if kind == "normal":
        return torch.randn(shape, generator=rng, device=device)
    if kind == "uniform":  # U[0, 1) stretched to [-1, 1)
        return 2 * torch.rand(shape, generator=rng, device=device) - 1
    raise ValueError(f"Unknown noise kind {kind!r}; use one of "
                     f"{NOISE_KINDS}.")


def fixed_noise(count: int, latent_dim: int, *, seed: int = 0,
                kind: str = "normal",
                device: torch.device | str | None = None) -> Tensor:
    """(count, latent_dim) z drawn on the CPU from ``seed``, on ``device``.

    Drawn on the CPU, the same seed gives the same z (and so the same
    samples) on every device.
    """
    rng = torch.Generator().manual_seed(seed)
    z = sample_noise(count, latent_dim, kind=kind, rng=rng)
    return z.to(device) if device is not None else z


def _as_times(t, like: Tensor) -> Tensor:
    """t (float, list or tensor) as a (T, 1) column on like's device."""
    return torch.as_tensor(t, dtype=like.dtype,
                           device=like.device).reshape(-1, 1)


def lerp(z0: Tensor, z1: Tensor, t) -> Tensor:
    """(T, D) points (1 - t) z0 + t z1 on the straight line, z0, z1: (D,)."""
    t = _as_times(t, z0)
    return (1 - t) * z0 + t * z1


def slerp(z0: Tensor, z1: Tensor, t) -> Tensor:
    """(T, D) points on the great-circle arc from z0 to z1, z0, z1: (D,).

    slerp(t) = sin((1 - t) w) / sin(w) z0 + sin(t w) / sin(w) z1, where w is
    the angle between z0 and z1. Between two z of equal norm every point
    keeps that norm, which a Gaussian z of high dimension almost always has;
    the straight line (lerp) passes closer to the origin, where z is rare.
    """
    cos_w = torch.dot(z0, z1) / (z0.norm() * z1.norm())
    w = torch.arccos(cos_w.clamp(-1.0, 1.0))  # angle between z0 and z1
    if torch.sin(w).abs() < 1e-6:  # (anti)parallel: no unique arc
        return lerp(z0, z1, t)
    t = _as_times(t, z0)
    return (torch.sin((1 - t) * w) * z0 + torch.sin(t * w) * z1) / torch.sin(w)


def truncated_noise(batch_size: int, latent_dim: int, *, threshold: float,
                    rng: torch.Generator | None = None,
                    device: torch.device | str | None = None) -> Tensor:
    """(B, latent_dim) normal z with every |value| <= threshold (resampled).

    The truncation trick: values outside [-threshold, threshold] are drawn
    again, trading variety for samples closer to the typical one.
    """
    if threshold <= 0:
        raise ValueError(f"threshold must be > 0, got {threshold}; "
                         "try 0.5 to 2.")
    z = sample_noise(batch_size, latent_dim, rng=rng,
                     device=device)
    outside = z.abs() > threshold
    while outside.any():
        z[outside] = torch.randn(int(outside.sum()), generator=rng,
                                 device=z.device)
        outside = z.abs() > threshold
    return z
