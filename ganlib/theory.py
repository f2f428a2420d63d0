"""The GAN game in closed form, on densities sampled over a 1-D grid.

Goodfellow et al. (2014) analyse the game between a discriminator D and a
generator G through the densities they act on: p_data (the training data)
and p_g (what G produces). This module computes their formulas on density
values so that every equation in the book is pinned by a test:

    D*(x)     = p_data(x) / (p_data(x) + p_g(x))
    V(D, G)   = E_{x~p_data}[log D(x)] + E_{x~p_g}[log(1 - D(x))]
    V(D*, G)  = -log 4 + 2 JSD(p_data || p_g)

Integrals are trapezoid sums over a sorted 1-D grid ``x``; use float64 and
a grid that covers both densities' mass.
"""
import math

import torch
from torch import Tensor

LOG_4 = math.log(4.0)  # -V(D*, G) when p_g = p_data


def gaussian_density(x: Tensor, mean: float, std: float) -> Tensor:
    """Normal density N(mean, std^2) at each point of x (any shape)."""
    if std <= 0:
        raise ValueError(f"std must be positive, got {std}.")
    z = (x - mean) / std
    return torch.exp(-0.5 * z**2) / (std * math.sqrt(2 * math.pi))


def _check_density(name: str, density: Tensor) -> None:
    """Raise ValueError unless density is finite and non-negative."""
    if not torch.isfinite(density).all():
        raise ValueError(f"{name} holds NaN or inf values; pass finite "
                         "density values.")
    if (density < 0).any():
        raise ValueError(f"{name} has negative values; a density is >= 0 "
                         "everywhere.")


def _check_grid(x: Tensor, *densities: Tensor) -> None:
    """Raise ValueError unless x is a sorted 1-D grid matching densities."""
    if x.ndim != 1 or x.numel() < 2:
        raise ValueError(f"x must be a 1-D grid of >= 2 points, got shape "
                         f"{tuple(x.shape)}; build one with torch.linspace.")
    if not (x[1:] > x[:-1]).all():
        raise ValueError("x must be strictly increasing; sort the grid.")
    for density in densities:
        if density.shape != x.shape:
            raise ValueError(f"density values have shape "
                             f"{tuple(density.shape)} but the grid x has "
                             f"{tuple(x.shape)}; evaluate them on x.")


def optimal_discriminator(p_data: Tensor, p_g: Tensor) -> Tensor:
    """D*(x) = p_data / (p_data + p_g) in [0, 1]; 1/2 where both are 0."""
    _check_density("p_data", p_data)
    _check_density("p_g", p_g)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data has shape {tuple(p_data.shape)} but p_g "
                         f"has {tuple(p_g.shape)}; evaluate both on the "
                         "same points.")
    total = p_data + p_g
    # Where neither density has mass, D's value does not enter V: use 1/2.
    safe_total = torch.where(total > 0, total, torch.ones_like(total))
    return torch.where(total > 0, p_data / safe_total,
                       torch.full_like(total, 0.5))


def value_function(discriminator: Tensor, p_data: Tensor, p_g: Tensor,
                   x: Tensor) -> float:
    """V(D,G) = int p_data log D + p_g log(1-D) dx on grid x, in [-inf, 0]."""
    _check_grid(x, discriminator, p_data, p_g)
    _check_density("p_data", p_data)
    _check_density("p_g", p_g)
    if (discriminator < 0).any() or (discriminator > 1).any():
        raise ValueError("discriminator values must be probabilities in "
                         "[0, 1]; apply torch.sigmoid to logits first.")
    # xlogy(0, 0) = 0: no mass means no contribution, even where log D = -inf
    real_term = torch.xlogy(p_data, discriminator)  # p_data(x) log D(x)
    fake_term = torch.xlogy(p_g, 1 - discriminator)  # p_g log(1 - D(x))
    return torch.trapezoid(real_term + fake_term, x).item()


def kl_divergence(p: Tensor, q: Tensor, x: Tensor) -> float:
    """KL(p || q) = int p log(p / q) dx on grid x, in [0, inf] (nats)."""
    _check_grid(x, p, q)
    _check_density("p", p)
    _check_density("q", q)
    integrand = torch.xlogy(p, p) - torch.xlogy(p, q)  # p log p - p log q
    return torch.trapezoid(integrand, x).item()


def jensen_shannon(p: Tensor, q: Tensor, x: Tensor) -> float:
    """JSD(p||q) = KL(p||m)/2 + KL(q||m)/2, m = (p+q)/2; in [0, log 2]."""
    mixture = (p + q) / 2
    return 0.5 * kl_divergence(p, mixture, x) + \
        0.5 * kl_divergence(q, mixture, x)


def optimal_value(p_data: Tensor, p_g: Tensor, x: Tensor) -> float:
    """V(D*, G): the value once D is optimal; equals -log 4 + 2 JSD."""
    _check_grid(x, p_data, p_g)
    optimal_discriminator(p_data, p_g)  # validates both densities
    total = p_data + p_g
    # log D* = log p_data - log(p_data + p_g), log(1 - D*) = log p_g - ...:
    # the same V as value_function(D*, ...), but exact where D* rounds to 1
    real_term = torch.xlogy(p_data, p_data) - torch.xlogy(p_data, total)
    fake_term = torch.xlogy(p_g, p_g) - torch.xlogy(p_g, total)
    return torch.trapezoid(real_term + fake_term, x).item()


def minimax_generator_gradient(fake_logits: Tensor) -> Tensor:
    """d/dl log(1 - sigmoid(l)) = -sigmoid(l): vanishes as D(G(z)) -> 0."""
    return -torch.sigmoid(fake_logits)


def nonsaturating_generator_gradient(fake_logits: Tensor) -> Tensor:
    """d/dl -log sigmoid(l) = -(1 - sigmoid(l)): -> -1 as D(G(z)) -> 0."""
    return -torch.sigmoid(-fake_logits)
