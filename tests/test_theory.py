import math

import pytest
import torch

from ganlib import losses, theory

GRID = torch.linspace(-12.0, 12.0, 20001, dtype=torch.float64)


def normal(mean, std):
    return theory.gaussian_density(GRID, mean, std)


def test_gaussian_density_integrates_to_one():
    assert torch.trapezoid(normal(1.0, 0.7), GRID).item() == \
        pytest.approx(1.0, abs=1e-9)


def test_optimal_discriminator_is_one_half_when_densities_are_equal():
    p = normal(0.0, 1.0)
    assert torch.allclose(theory.optimal_discriminator(p, p),
                          torch.full_like(p, 0.5))


def test_optimal_discriminator_matches_its_formula():
    p_data = torch.tensor([0.0, 1.0, 3.0, 0.0])
    p_g = torch.tensor([2.0, 1.0, 1.0, 0.0])
    expected = torch.tensor([0.0, 0.5, 0.75, 0.5])  # both 0 -> 1/2
    assert torch.equal(theory.optimal_discriminator(p_data, p_g), expected)


def test_optimal_discriminator_rejects_negative_density():
    with pytest.raises(ValueError, match="negative"):
        theory.optimal_discriminator(torch.tensor([-1.0]),
                                     torch.tensor([1.0]))


def test_value_at_equilibrium_is_minus_log_4():
    p = normal(0.5, 1.3)
    assert theory.optimal_value(p, p, GRID) == \
        pytest.approx(-math.log(4), abs=1e-8)


def test_constant_one_half_discriminator_scores_minus_log_4_for_any_g():
    half = torch.full_like(GRID, 0.5)
    value = theory.value_function(half, normal(0, 1), normal(3, 0.5), GRID)
    assert value == pytest.approx(-math.log(4), abs=1e-8)


@pytest.mark.parametrize("mean_g, std_g", [(1.0, 1.0), (-2.0, 0.5),
                                           (0.3, 2.0), (5.0, 1.0)])
def test_optimal_value_is_minus_log4_plus_twice_jsd(mean_g, std_g):
    p_data, p_g = normal(0.0, 1.0), normal(mean_g, std_g)
    jsd = theory.jensen_shannon(p_data, p_g, GRID)
    assert theory.optimal_value(p_data, p_g, GRID) == \
        pytest.approx(-math.log(4) + 2 * jsd, abs=1e-8)


def test_optimal_value_agrees_with_value_function_at_d_star():
    p_data, p_g = normal(0.0, 1.0), normal(1.0, 1.5)
    d_star = theory.optimal_discriminator(p_data, p_g)
    assert theory.optimal_value(p_data, p_g, GRID) == pytest.approx(
        theory.value_function(d_star, p_data, p_g, GRID), abs=1e-10)


def test_optimal_discriminator_beats_any_other_discriminator():
    p_data, p_g = normal(0.0, 1.0), normal(1.5, 0.8)
    best = theory.optimal_value(p_data, p_g, GRID)
    d_star = theory.optimal_discriminator(p_data, p_g)
    for other_curve in (torch.full_like(GRID, 0.5), torch.sigmoid(GRID)):
        for weight in (0.01, 0.3, 1.0):
            other = (1 - weight) * d_star + weight * other_curve
            assert theory.value_function(other, p_data, p_g, GRID) < best


def test_jsd_is_zero_for_equal_densities():
    p = normal(0.0, 1.0)
    assert theory.jensen_shannon(p, p, GRID) == pytest.approx(0.0, abs=1e-12)


def test_jsd_approaches_log_2_for_disjoint_densities():
    jsd = theory.jensen_shannon(normal(-6.0, 0.3), normal(6.0, 0.3), GRID)
    assert jsd == pytest.approx(math.log(2), abs=1e-8)
    assert jsd <= math.log(2) + 1e-12


def test_jsd_is_symmetric_and_between_zero_and_log_2():
    p, q = normal(0.0, 1.0), normal(1.0, 2.0)
    forward = theory.jensen_shannon(p, q, GRID)
    assert forward == pytest.approx(theory.jensen_shannon(q, p, GRID))
    assert 0.0 < forward < math.log(2)


def test_kl_of_two_gaussians_matches_closed_form():
    m1, s1, m2, s2 = 0.0, 1.0, 1.0, 2.0
    closed = math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5
    assert theory.kl_divergence(normal(m1, s1), normal(m2, s2), GRID) == \
        pytest.approx(closed, abs=1e-8)


def test_half_overlapping_boxes_match_the_hand_computed_answer():
    x = torch.linspace(0.0, 3.0, 30001, dtype=torch.float64)
    p_data = 0.5 * ((x >= 0) & (x <= 2)).double()  # uniform on [0, 2]
    p_g = 0.5 * ((x >= 1) & (x <= 3)).double()  # uniform on [1, 3]
    d_star = theory.optimal_discriminator(p_data, p_g)
    assert (d_star[x < 1] == 1).all() and (d_star[x > 2] == 0).all()
    assert (d_star[(x > 1) & (x < 2)] == 0.5).all()
    assert theory.jensen_shannon(p_data, p_g, x) == pytest.approx(
        0.5 * math.log(2), abs=1e-4)
    assert theory.optimal_value(p_data, p_g, x) == pytest.approx(
        -math.log(2), abs=1e-4)


def test_grid_must_be_increasing():
    with pytest.raises(ValueError, match="increasing"):
        theory.jensen_shannon(torch.ones(3), torch.ones(3),
                              torch.tensor([0.0, 2.0, 1.0]))


def test_value_function_rejects_logits():
    with pytest.raises(ValueError, match="sigmoid"):
        theory.value_function(torch.full_like(GRID, 2.0), normal(0, 1),
                              normal(0, 1), GRID)


def per_logit_gradient(loss_fn, logits):
    logits = logits.clone().requires_grad_(True)
    # the losses average over the batch: scale back to one logit's gradient
    (loss_fn(logits.unsqueeze(1)) * logits.numel()).backward()
    return logits.grad


def test_gradient_formulas_match_autograd_of_ganlib_losses():
    logits = torch.linspace(-10.0, 10.0, 41, dtype=torch.float64)
    assert torch.allclose(
        per_logit_gradient(losses.minimax_generator_loss, logits),
        theory.minimax_generator_gradient(logits))
    assert torch.allclose(
        per_logit_gradient(losses.nonsaturating_generator_loss, logits),
        theory.nonsaturating_generator_gradient(logits))


def test_minimax_gradient_vanishes_when_discriminator_rejects_fakes():
    confident_reject = torch.tensor([-10.0])  # D(G(z)) = 4.5e-5
    assert theory.minimax_generator_gradient(confident_reject).abs() < 1e-4
    assert theory.nonsaturating_generator_gradient(
        confident_reject).abs() > 0.99
