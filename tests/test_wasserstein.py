import pytest
import torch

from ganlib import theory
from ganlib.wasserstein import earth_mover_densities, earth_mover_samples

GRID = torch.linspace(-12.0, 12.0, 24001, dtype=torch.float64)


def test_samples_shifted_by_c_are_c_apart():
    a = torch.randn(1000, generator=torch.Generator().manual_seed(0))
    assert earth_mover_samples(a, a + 2.5) == pytest.approx(2.5)
    assert earth_mover_samples(a, a) == 0.0


def test_samples_pair_the_sorted_values():
    # sorted a = 0, 1, 5; sorted b = 2, 3, 4: moves 2 + 2 + 1 = 5, mean 5/3
    a, b = torch.tensor([5.0, 0.0, 1.0]), torch.tensor([3.0, 4.0, 2.0])
    assert earth_mover_samples(a, b) == pytest.approx(5 / 3)


def test_two_point_masses_are_their_distance_apart():
    for theta in (0.1, 1.0, 4.0):
        a, b = torch.zeros(10), torch.full((10,), theta)
        assert earth_mover_samples(a, b) == pytest.approx(theta)


def test_densities_of_shifted_gaussians_are_the_shift_apart():
    # W1(N(m1, s^2), N(m2, s^2)) = |m1 - m2|
    p = theory.gaussian_density(GRID, -1.0, 0.5)
    q = theory.gaussian_density(GRID, 2.0, 0.5)
    assert earth_mover_densities(p, q, GRID) == pytest.approx(3.0, abs=1e-6)


def test_densities_with_another_spread():
    # W1(N(0, s1^2), N(0, s2^2)) = |s1 - s2| sqrt(2 / pi)
    p = theory.gaussian_density(GRID, 0.0, 1.0)
    q = theory.gaussian_density(GRID, 0.0, 2.0)
    assert earth_mover_densities(p, q, GRID) == pytest.approx(
        (2 / torch.pi) ** 0.5, abs=1e-6)


def test_samples_agree_with_densities_for_large_samples():
    rng = torch.Generator().manual_seed(1)
    a = torch.randn(200_000, generator=rng, dtype=torch.float64)
    b = 2 * torch.randn(200_000, generator=rng, dtype=torch.float64) + 1
    exact = earth_mover_densities(theory.gaussian_density(GRID, 0.0, 1.0),
                                  theory.gaussian_density(GRID, 1.0, 2.0),
                                  GRID)
    assert earth_mover_samples(a, b) == pytest.approx(exact, rel=0.02)


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="same non-zero size"):
        earth_mover_samples(torch.zeros(3), torch.zeros(4))
    with pytest.raises(ValueError, match="one shape"):
        earth_mover_densities(torch.ones(3), torch.ones(4), torch.arange(3.))
