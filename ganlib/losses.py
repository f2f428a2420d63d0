"""GAN losses as plain functions of logits (or critic scores).

Notation: x real data, z noise, G the generator, D(x) = sigmoid(l(x)) the
discriminator's probability that x is real, l its logit, f a critic's raw
score (WGAN, hinge, least squares use the raw output), E the batch mean.
log sigmoid(l) = -softplus(-l) and log(1 - sigmoid(l)) = -softplus(l) keep
every loss finite for large logits.
"""
from dataclasses import dataclass, replace
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor


def bce_discriminator_loss(real_logits: Tensor, fake_logits: Tensor, *,
                           real_label: float = 1.0) -> Tensor:
    """Binary cross-entropy of D on real and fake logits, (B, 1) -> ().

    L_D = -E_x[y log D(x) + (1 - y) log(1 - D(x))] - E_z[log(1 - D(G(z)))]
    with x a real sample, z noise, G(z) a fake, D = sigmoid(logit) the
    probability of "real", y = real_label (1, or 0.9 for one-sided label
    smoothing), E a mean over the batch. Logits of 0 give 2 log 2.
    """
    # y = real_label (1.0, or e.g. 0.9 for one-sided label smoothing)
    targets = torch.full_like(real_logits, real_label)
    # -E[y log D(x) + (1 - y) log(1 - D(x))]: real images should score y
    real_loss = F.binary_cross_entropy_with_logits(real_logits, targets)
    # -E[log(1 - D(G(z)))]: fakes should score 0
    fake_loss = F.binary_cross_entropy_with_logits(
        fake_logits, torch.zeros_like(fake_logits))
    return real_loss + fake_loss


def minimax_generator_loss(fake_logits: Tensor) -> Tensor:
    """The original (saturating) generator loss, (B, 1) logits -> ().

    L_G = E_z[log(1 - D(G(z)))], minimised by G; z noise, G(z) a fake,
    D = sigmoid(logit). Its gradient vanishes when D(G(z)) -> 0, that is
    exactly when D confidently rejects the fakes, early in training.
    """
    # log(1 - sigmoid(l)) = -softplus(l)
    return (-F.softplus(fake_logits)).mean()


def nonsaturating_generator_loss(fake_logits: Tensor) -> Tensor:
    """The non-saturating generator loss, (B, 1) logits -> ().

    L_G = -E_z[log D(G(z))]; z noise, G(z) a fake, D = sigmoid(logit).
    Same fixed point as the minimax loss, but a strong gradient while D
    rejects the fakes.
    """
    # -log sigmoid(l) = softplus(-l)
    return F.softplus(-fake_logits).mean()


def least_squares_discriminator_loss(real_scores: Tensor,
                                     fake_scores: Tensor) -> Tensor:
    """Least-squares (LSGAN) D loss, (B, 1) scores -> ().

    L_D = 1/2 E_x[(f(x) - 1)^2] + 1/2 E_z[f(G(z))^2]; f the raw score
    (no sigmoid), x real, G(z) fake: reals are pushed to 1, fakes to 0.
    """
    real_loss = 0.5 * ((real_scores - 1) ** 2).mean()  # 1/2 E[(f(x)-1)^2]
    fake_loss = 0.5 * (fake_scores ** 2).mean()  # 1/2 E[f(G(z))^2]
    return real_loss + fake_loss


def least_squares_generator_loss(fake_scores: Tensor) -> Tensor:
    """Least-squares (LSGAN) G loss, (B, 1) scores -> ().

    L_G = 1/2 E_z[(f(G(z)) - 1)^2]; f the raw score of a fake G(z).
    """
    return 0.5 * ((fake_scores - 1) ** 2).mean()  # 1/2 E[(f(G(z)) - 1)^2]


def hinge_discriminator_loss(real_scores: Tensor,
                             fake_scores: Tensor) -> Tensor:
    """Hinge D loss, (B, 1) scores -> ().

    L_D = E_x[max(0, 1 - f(x))] + E_z[max(0, 1 + f(G(z)))]; f the raw
    score, x real, G(z) fake: only scores inside the margin [-1, 1] (or on
    the wrong side) are penalised.
    """
    real_loss = F.relu(1 - real_scores).mean()  # E[max(0, 1 - f(x))]
    fake_loss = F.relu(1 + fake_scores).mean()  # E[max(0, 1 + f(G(z)))]
    return real_loss + fake_loss


def hinge_generator_loss(fake_scores: Tensor) -> Tensor:
    """Hinge G loss, (B, 1) scores -> (): L_G = -E_z[f(G(z))], f raw."""
    return -fake_scores.mean()


def wasserstein_critic_loss(real_scores: Tensor,
                            fake_scores: Tensor) -> Tensor:
    """WGAN critic loss, (B, 1) scores -> ().

    L_f = E_z[f(G(z))] - E_x[f(x)]; f the critic's raw score, x real,
    G(z) fake. Minus L_f estimates the Wasserstein-1 distance when f is
    1-Lipschitz (kept so by the gradient penalty).
    """
    return fake_scores.mean() - real_scores.mean()


def wasserstein_generator_loss(fake_scores: Tensor) -> Tensor:
    """WGAN G loss, (B, 1) scores -> (): L_G = -E_z[f(G(z))], f critic."""
    return -fake_scores.mean()


def gradient_penalty(critic: Callable[[Tensor], Tensor], real: Tensor,
                     fake: Tensor, *,
                     rng: torch.Generator | None = None) -> Tensor:
    """WGAN-GP penalty, real and fake (B, ...) -> ().

    P = E[(||grad_x f(x_hat)||_2 - 1)^2], x_hat = e x + (1 - e) G(z):
    f the critic, x real, G(z) fake, e ~ U[0, 1] one per sample, ||.||_2
    the Euclidean norm over all of a sample's values. Zero for a critic
    with unit-norm gradient; x_hat is detached, so it trains f only.
    """
    # e ~ U[0, 1], one per sample, broadcast over the other dimensions
    shape = (real.shape[0],) + (1,) * (real.ndim - 1)
    e = torch.rand(shape, generator=rng, device=real.device,
                   dtype=real.dtype)
    # x_hat = e x + (1 - e) G(z), a point between a real and a fake sample
    x_hat = (e * real + (1 - e) * fake).detach().requires_grad_(True)
    # grad f(x_hat); create_graph so the penalty itself can be trained on
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat,
                                  create_graph=True)
    # ||grad f(x_hat)||_2, one norm per sample
    norms = grad.flatten(start_dim=1).norm(2, dim=1)
    return ((norms - 1) ** 2).mean()  # E[(||grad|| - 1)^2]


def r1_penalty(discriminator: Callable[[Tensor], Tensor],
               real: Tensor) -> Tensor:
    """R1 penalty on real data, (B, ...) -> ().

    R1 = E_x[||grad_x l(x)||_2^2]; l the discriminator's logit, x real.
    Mescheder et al. add gamma/2 R1 to the D loss:
    ``objective.with_penalty(r1_term, gamma / 2)``. A linear l(x) = w.x
    gives ||w||^2.
    """
    x = real.detach().requires_grad_(True)
    # grad_x l(x), the slope of the logit at each real sample
    (grad,) = torch.autograd.grad(discriminator(x).sum(), x,
                                  create_graph=True)
    return grad.flatten(start_dim=1).pow(2).sum(dim=1).mean()  # E[||.||^2]


def gradient_penalty_term(discriminator: Callable[[Tensor], Tensor],
                          real: Tensor, fake: Tensor,
                          rng: torch.Generator | None) -> Tensor:
    """The gradient penalty as a Penalty term (see gradient_penalty)."""
    return gradient_penalty(discriminator, real, fake, rng=rng)


def r1_term(discriminator: Callable[[Tensor], Tensor], real: Tensor,
            fake: Tensor, rng: torch.Generator | None) -> Tensor:
    """The R1 penalty as a Penalty term (see r1_penalty; fakes unused)."""
    return r1_penalty(discriminator, real)


@dataclass(frozen=True)
class Penalty:
    """A regulariser of D: weight * term(D, real, fake, rng) joins D's loss.

    A new regulariser is a new term function; the loop stays as it is.
    """
    term: Callable[..., Tensor]  # (discriminator, real, fake, rng) -> ()
    weight: float  # lambda of WGAN-GP (10 there); gamma / 2 of R1


def probability(logits: Tensor) -> Tensor:
    """D(x) = sigmoid(logit): what History logs for BCE objectives."""
    return torch.sigmoid(logits)


def raw_score(scores: Tensor) -> Tensor:
    """The critic's raw score f(x): what History logs for other losses."""
    return scores


@dataclass(frozen=True)
class Objective:
    """A GAN variant: D loss (real, fake) -> scalar, G loss, penalties.

    ``score`` maps D's outputs to what History logs as real_score and
    fake_score: a probability for logits, the raw score for a critic.
    """
    discriminator_loss: Callable[[Tensor, Tensor], Tensor]
    generator_loss: Callable[[Tensor], Tensor]
    penalties: tuple[Penalty, ...] = ()  # summed into D's loss
    score: Callable[[Tensor], Tensor] = probability

    def with_penalty(self, term: Callable[..., Tensor],
                     weight: float) -> "Objective":
        """The same objective with weight * term added to D's loss."""
        return replace(self, penalties=(*self.penalties,
                                        Penalty(term, weight)))


MINIMAX = Objective(bce_discriminator_loss, minimax_generator_loss)
NONSATURATING = Objective(bce_discriminator_loss,
                          nonsaturating_generator_loss)
LEAST_SQUARES = Objective(least_squares_discriminator_loss,
                          least_squares_generator_loss, score=raw_score)
HINGE = Objective(hinge_discriminator_loss, hinge_generator_loss,
                  score=raw_score)
WGAN_GP = Objective(wasserstein_critic_loss, wasserstein_generator_loss,
                    score=raw_score).with_penalty(gradient_penalty_term,
                                                  10.0)
