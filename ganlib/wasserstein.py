"""The earth mover's (Wasserstein-1) distance in one dimension.

Picture p as piles of earth and q as holes of the same total size. W1 is
the least work (amount of earth times distance carried) that fills the
holes with the piles. In 1-D the cheapest plan never crosses paths: the
i-th smallest grain goes to the i-th smallest hole, so

    W1(p, q) = integral over x of |F_p(x) - F_q(x)|       (densities)
             = 1/n sum_i |a_(i) - b_(i)|                   (n samples each)

with F the cumulative distribution functions and a_(i), b_(i) the i-th
smallest of the samples a and b. WGAN (Arjovsky et al. 2017) trains G on
an estimate of W1 made by a critic in any number of dimensions.
"""
import torch
from torch import Tensor


def earth_mover_samples(a: Tensor, b: Tensor) -> float:
    """W1 of two 1-D samples of equal size n: mean |sorted a - sorted b|."""
    if a.ndim != 1 or b.ndim != 1 or a.numel() != b.numel() or not len(a):
        raise ValueError(f"earth_mover_samples needs two 1-D samples of the "
                         f"same non-zero size, got shapes {tuple(a.shape)} "
                         f"and {tuple(b.shape)}; flatten them or draw as "
                         "many of each.")
    # the i-th smallest of a is carried to the i-th smallest of b
    return (a.sort().values - b.sort().values).abs().mean().item()


def earth_mover_densities(p: Tensor, q: Tensor, x: Tensor) -> float:
    """W1 of two densities on a sorted 1-D grid x: integral |F_p - F_q|.

    Each density is normalised to total mass 1 on the grid first; F is
    its running integral (trapezoids), so a grid that covers both
    densities' mass gives W1 to within the grid's spacing.
    """
    if x.ndim != 1 or p.shape != x.shape or q.shape != x.shape:
        raise ValueError(f"p, q and the grid x must be 1-D of one shape, "
                         f"got {tuple(p.shape)}, {tuple(q.shape)}, "
                         f"{tuple(x.shape)}; evaluate both densities on x.")
    if (p < 0).any() or (q < 0).any() or not (x[1:] > x[:-1]).all():
        raise ValueError("densities must be >= 0 and x strictly increasing.")
    steps = x[1:] - x[:-1]

    def cdf(density: Tensor) -> Tensor:
        areas = (density[1:] + density[:-1]) / 2 * steps  # trapezoids
        running = torch.cat([areas.new_zeros(1), areas.cumsum(0)])
        return running / running[-1]  # F(x), from 0 to 1

    return torch.trapezoid((cdf(p) - cdf(q)).abs(), x).item()
