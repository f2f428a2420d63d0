import math

import pytest
import torch

from ganlib.data import grid_target, ring_target
from ganlib.metrics import mode_coverage, reverse_kl_to_uniform, sample_points
from ganlib.models import MLPGenerator


def test_samples_from_the_target_score_like_the_target():
    target = ring_target()
    samples = target.sample(2500, rng=torch.Generator().manual_seed(0))
    score = mode_coverage(samples, target)
    # within 3 std of the mean: P(chi^2_2 <= 9) = 1 - exp(-4.5) = 0.989
    assert score.high_quality_share == pytest.approx(1 - math.exp(-4.5),
                                                     abs=0.01)
    assert score.modes_covered == score.num_modes == 8
    assert score.reverse_kl < 0.01


def test_all_samples_at_one_mode_give_one_mode_and_kl_log_m():
    target = grid_target()
    samples = target.means[3].repeat(2500, 1)
    score = mode_coverage(samples, target)
    assert score.high_quality_share == 1.0
    assert score.modes_covered == 1
    assert score.reverse_kl == pytest.approx(math.log(25))


def test_samples_far_away_are_not_high_quality():
    score = mode_coverage(torch.full((2500, 2), 50.0), ring_target())
    assert score.high_quality_share == 0.0
    assert score.modes_covered == 0
    assert score.reverse_kl == math.inf


def test_high_quality_threshold_is_num_stds_standard_deviations():
    target = ring_target(std=0.1)
    mean = target.means[0]
    inside = mean + torch.tensor([[0.29, 0.0]])
    outside = mean + torch.tensor([[0.31, 0.0]])
    assert mode_coverage(inside, target).high_quality_share == 1.0
    assert mode_coverage(outside, target).high_quality_share == 0.0
    assert mode_coverage(outside, target,
                         num_stds=4.0).high_quality_share == 1.0


def test_half_on_two_modes_gives_kl_log_m_over_2():
    target = ring_target()
    samples = torch.cat([target.means[:1].repeat(5, 1),
                         target.means[1:2].repeat(5, 1)])
    score = mode_coverage(samples, target)
    assert score.modes_covered == 2
    assert score.reverse_kl == pytest.approx(math.log(8 / 2))


def test_reverse_kl_matches_direct_sum():
    counts = torch.tensor([5, 0, 3, 2])
    p = [c / 10 for c in (5, 3, 2)]
    expected = sum(pi * math.log(pi / (1 / 4)) for pi in p)
    assert reverse_kl_to_uniform(counts) == pytest.approx(expected)


def test_wrong_shape_raises_clear_error():
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        mode_coverage(torch.zeros(10, 1, 28, 28), ring_target())


def test_sample_points_is_deterministic_per_seed():
    generator = MLPGenerator(hidden_dim=8)
    a = sample_points(generator, 100, seed=1)
    assert a.shape == (100, 2)
    assert torch.equal(a, sample_points(generator, 100, seed=1))
    assert not torch.equal(a, sample_points(generator, 100, seed=2))
