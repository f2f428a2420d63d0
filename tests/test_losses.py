import math

import pytest
import torch
import torch.nn.functional as F

from ganlib import losses
from ganlib.losses import (HINGE, LEAST_SQUARES, MINIMAX, NONSATURATING,
                           WGAN_GP, Objective, bce_discriminator_loss,
                           gradient_penalty, hinge_discriminator_loss,
                           hinge_generator_loss,
                           least_squares_discriminator_loss,
                           least_squares_generator_loss,
                           minimax_generator_loss,
                           nonsaturating_generator_loss, r1_penalty,
                           wasserstein_critic_loss,
                           wasserstein_generator_loss)

LOG2 = math.log(2)


def logits(seed, n=16):
    return 3 * torch.randn(n, 1, generator=torch.Generator().manual_seed(seed))


def test_zero_logits_give_bce_discriminator_loss_of_2_log_2():
    zeros = torch.zeros(8, 1)
    assert bce_discriminator_loss(zeros, zeros).item() == pytest.approx(
        2 * LOG2)


def test_generator_losses_at_zero_logits():
    zeros = torch.zeros(8, 1)
    assert nonsaturating_generator_loss(zeros).item() == pytest.approx(LOG2)
    assert minimax_generator_loss(zeros).item() == pytest.approx(-LOG2)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("real_label", [1.0, 0.9])
def test_bce_discriminator_loss_matches_bce_on_probabilities(seed,
                                                            real_label):
    real, fake = logits(seed), logits(seed + 10)
    p_real, p_fake = torch.sigmoid(real), torch.sigmoid(fake)
    by_torch = (F.binary_cross_entropy(p_real,
                                       torch.full_like(p_real, real_label))
                + F.binary_cross_entropy(p_fake, torch.zeros_like(p_fake)))
    y = real_label
    by_hand = (-(y * p_real.log() + (1 - y) * (1 - p_real).log()).mean()
               - (1 - p_fake).log().mean())
    ours = bce_discriminator_loss(real, fake, real_label=real_label)
    torch.testing.assert_close(ours, by_torch)
    torch.testing.assert_close(ours, by_hand)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generator_losses_match_hand_formulas(seed):
    fake = logits(seed)
    d_fake = torch.sigmoid(fake)
    torch.testing.assert_close(minimax_generator_loss(fake),
                               (1 - d_fake).log().mean())
    torch.testing.assert_close(nonsaturating_generator_loss(fake),
                               -d_fake.log().mean())
    torch.testing.assert_close(
        nonsaturating_generator_loss(fake),
        F.binary_cross_entropy(d_fake, torch.ones_like(d_fake)))


def test_losses_match_their_closed_form_for_huge_logits():
    # softplus(200) = 200 and softplus(-200) = 0 to float precision: the
    # log-sigmoid forms give exact values where sigmoid would round to 0.
    huge = torch.tensor([[-200.0], [200.0]])
    # real: E[softplus(-l)] = (200 + 0) / 2; fake: E[softplus(l)], the same
    assert bce_discriminator_loss(huge, huge).item() == pytest.approx(200.0)
    assert minimax_generator_loss(huge).item() == pytest.approx(-100.0)
    assert nonsaturating_generator_loss(huge).item() == pytest.approx(100.0)


def generator_loss_gradient(loss_fn, logit):
    fake = torch.tensor([[logit]], requires_grad=True)
    loss_fn(fake).backward()
    return fake.grad.item()


def test_saturating_gradient_vanishes_while_nonsaturating_does_not():
    # D(G(z)) = sigmoid(-10), about 4.5e-5: the discriminator rejects fakes.
    saturating = generator_loss_gradient(minimax_generator_loss, -10.0)
    nonsaturating = generator_loss_gradient(nonsaturating_generator_loss,
                                            -10.0)
    d = torch.sigmoid(torch.tensor(-10.0)).item()
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l); d/dl -log sigmoid(l) = -(1-s)
    assert saturating == pytest.approx(-d, rel=1e-4)
    assert nonsaturating == pytest.approx(-(1 - d), rel=1e-4)
    assert abs(saturating) < 1e-4
    assert abs(nonsaturating) > 0.99
    # and it keeps vanishing as D(G(z)) -> 0
    assert abs(generator_loss_gradient(minimax_generator_loss, -20.0)) < 1e-8


@pytest.mark.parametrize("seed", [0, 1])
def test_least_squares_losses_match_hand_formulas(seed):
    real, fake = logits(seed), logits(seed + 1)
    by_hand = 0.5 * (real - 1).pow(2).mean() + 0.5 * fake.pow(2).mean()
    torch.testing.assert_close(
        least_squares_discriminator_loss(real, fake), by_hand)
    torch.testing.assert_close(
        least_squares_discriminator_loss(real, fake),
        0.5 * F.mse_loss(real, torch.ones_like(real))
        + 0.5 * F.mse_loss(fake, torch.zeros_like(fake)))
    torch.testing.assert_close(least_squares_generator_loss(fake),
                               0.5 * (fake - 1).pow(2).mean())
    perfect = least_squares_discriminator_loss(torch.ones(4, 1),
                                               torch.zeros(4, 1))
    assert perfect.item() == 0.0


def test_hinge_losses_closed_form():
    real = torch.tensor([[2.0], [0.5], [-1.0]])
    fake = torch.tensor([[-2.0], [0.0], [1.0]])
    # real: max(0, 1 - f) = 0, 0.5, 2 -> mean 2.5/3; fake: 0, 1, 2 -> 1
    expected = 2.5 / 3 + 1.0
    assert hinge_discriminator_loss(real, fake).item() == pytest.approx(
        expected)
    assert hinge_generator_loss(fake).item() == pytest.approx(
        -fake.mean().item())


def test_wasserstein_losses_closed_form():
    real, fake = torch.tensor([[3.0], [1.0]]), torch.tensor([[0.5], [-0.5]])
    assert wasserstein_critic_loss(real, fake).item() == pytest.approx(-2.0)
    assert wasserstein_generator_loss(fake).item() == pytest.approx(0.0)


def linear_critic(weight):
    return lambda x: (x.flatten(start_dim=1) @ weight).unsqueeze(1)


@pytest.mark.parametrize("shape", [(32, 2), (8, 1, 4, 4)])
def test_gradient_penalty_of_linear_critic(shape):
    dim = math.prod(shape[1:])
    direction = torch.randn(dim, generator=torch.Generator().manual_seed(0))
    direction = direction / direction.norm()
    real, fake = torch.randn(shape), torch.randn(shape)
    # ||w|| = 1: the gradient is w everywhere, (1 - 1)^2 = 0
    unit = gradient_penalty(linear_critic(direction), real, fake)
    assert unit.item() == pytest.approx(0.0, abs=1e-10)
    # ||w|| = 2: (2 - 1)^2 = 1
    double = gradient_penalty(linear_critic(2 * direction), real, fake)
    assert double.item() == pytest.approx(1.0, abs=1e-6)


def test_gradient_penalty_trains_the_critic_and_is_seeded():
    critic = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(),
                                 torch.nn.Linear(8, 1))
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    a = gradient_penalty(critic, real, fake,
                         rng=torch.Generator().manual_seed(3))
    b = gradient_penalty(critic, real, fake,
                         rng=torch.Generator().manual_seed(3))
    assert a.item() == b.item()
    a.backward()
    assert critic[0].weight.grad.abs().sum() > 0


def test_r1_penalty_of_linear_discriminator_is_squared_weight_norm():
    weight = torch.tensor([3.0, -4.0])
    penalty = r1_penalty(linear_critic(weight), torch.randn(10, 2))
    assert penalty.item() == pytest.approx(25.0)


def test_r1_penalty_matches_finite_differences():
    discriminator = torch.nn.Sequential(torch.nn.Linear(2, 4),
                                        torch.nn.Tanh(),
                                        torch.nn.Linear(4, 1)).double()
    real = torch.randn(3, 2, dtype=torch.float64)
    eps, total = 1e-6, 0.0
    for row in real:
        for axis in range(2):
            step = torch.zeros(2, dtype=torch.float64)
            step[axis] = eps
            slope = (discriminator(row + step) - discriminator(row - step))
            total += (slope.item() / (2 * eps)) ** 2
    assert r1_penalty(discriminator, real).item() == pytest.approx(
        total / 3, rel=1e-6)


def softplus(x):
    return math.log1p(math.exp(x))


@pytest.mark.parametrize("objective,d_loss,g_loss", [
    # real logit r = 2, fake logit f = -1
    (MINIMAX, softplus(-2) + softplus(-1), -softplus(-1)),  # log(1 - D)
    (NONSATURATING, softplus(-2) + softplus(-1), softplus(1)),  # -log D
    (LEAST_SQUARES, 0.5 * 1 ** 2 + 0.5 * 1 ** 2, 0.5 * 2 ** 2),
    (HINGE, 0.0 + 0.0, 1.0),  # max(0, 1 - 2) + max(0, 1 - 1); -f
    (WGAN_GP, -1 - 2, 1.0),  # f - r; -f
])
def test_each_objective_computes_its_closed_form(objective, d_loss, g_loss):
    real, fake = torch.full((4, 1), 2.0), torch.full((4, 1), -1.0)
    assert objective.discriminator_loss(real, fake).item() == pytest.approx(
        d_loss)
    assert objective.generator_loss(fake).item() == pytest.approx(g_loss)


def test_objectives_log_probabilities_for_logits_and_raw_critic_scores():
    scores = torch.tensor([-2.0, 0.0, 3.0])
    for objective in (MINIMAX, NONSATURATING):
        torch.testing.assert_close(objective.score(scores),
                                   torch.sigmoid(scores))
    for objective in (LEAST_SQUARES, HINGE, WGAN_GP):
        torch.testing.assert_close(objective.score(scores), scores)


def test_wgan_gp_adds_ten_times_the_gradient_penalty():
    # A linear critic with |w| = 3 has gradient norm 3 everywhere:
    # penalty (3 - 1)^2 = 4, weighted by lambda = 10.
    (penalty,) = WGAN_GP.penalties
    critic = linear_critic(torch.tensor([3.0, 0.0]))
    real, fake = torch.randn(5, 2), torch.randn(5, 2)
    assert penalty.weight * penalty.term(critic, real, fake, None).item() \
        == pytest.approx(40.0)
    assert NONSATURATING.penalties == ()


def test_with_penalty_returns_a_new_objective_with_the_term_added():
    with_r1 = NONSATURATING.with_penalty(losses.r1_term, 2.5)
    critic = linear_critic(torch.tensor([3.0, 4.0]))  # ||w||^2 = 25
    (penalty,) = with_r1.penalties
    real = torch.randn(6, 2)
    assert penalty.weight * penalty.term(critic, real, real, None).item() \
        == pytest.approx(62.5)
    assert with_r1.discriminator_loss is NONSATURATING.discriminator_loss
    assert NONSATURATING.penalties == ()  # the original is unchanged
    assert isinstance(with_r1, Objective)


def test_every_loss_returns_a_scalar():
    real, fake = logits(0), logits(1)
    for name in dir(losses):
        fn = getattr(losses, name)
        if name.endswith("_discriminator_loss") or name.endswith(
                "_critic_loss"):
            assert fn(real, fake).shape == ()
        elif name.endswith("_generator_loss"):
            assert fn(fake).shape == ()


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_penalties_backpropagate_through_a_dcgan_critic(spectral_norm):
    from ganlib.models import DCGANDiscriminator
    critic = DCGANDiscriminator(channels=1, image_size=16, width=4,
                                batch_norm=False,
                                spectral_norm=spectral_norm)
    real, fake = torch.rand(4, 1, 16, 16), torch.rand(4, 1, 16, 16)
    penalty = gradient_penalty(critic, real, fake) + r1_penalty(critic, real)
    penalty.backward()
    grads = [p.grad for p in critic.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert sum(g.abs().sum() for g in grads) > 0
