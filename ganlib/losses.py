"""GAN losses as plain functions of logits (or critic scores).

Notation: x real data, z noise, G the generator, D(x) = sigmoid(l(x)) the
discriminator's probability that x is real, l its logit, f a critic's raw
score (WGAN, hinge, least squares use the raw output), E the batch mean.
log sigmoid(l) = -softplus(-l) and log(1 - sigmoid(l)) = -softplus(l) keep
every loss finite for large logits.
"""
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor


def bce_discriminator_loss(real_logits: Tensor, fake_logits: Tensor, *,
                           real_label: float = 1.0) -> Tensor:
    """-E[y log D(x)+(1-y)log(1-D(x))] - E[log(1-D(G(z)))]; y = real_label."""
    # y = real_label (1.0, or e.g. 0.9 for one-sided label smoothing)
    targets = torch.full_like(real_logits, real_label)
    # -E[y log D(x) + (1 - y) log(1 - D(x))]: real images should score y
    real_loss = F.binary_cross_entropy_with_logits(real_logits, targets)
    # -E[log(1 - D(G(z)))]: fakes should score 0
    fake_loss = F.binary_cross_entropy_with_logits(
        fake_logits, torch.zeros_like(fake_logits))
    return real_loss + fake_loss


def minimax_generator_loss(fake_logits: Tensor) -> Tensor:
    """E[log(1 - D(G(z)))], to minimise (saturates when D(G(z)) -> 0)."""
    # log(1 - sigmoid(l)) = -softplus(l)
    return (-F.softplus(fake_logits)).mean()


def nonsaturating_generator_loss(fake_logits: Tensor) -> Tensor:
    """-E[log D(G(z))]: strong gradient while D rejects the fakes."""
    # -log sigmoid(l) = softplus(-l)
    return F.softplus(-fake_logits).mean()


def least_squares_discriminator_loss(real_scores: Tensor,
                                     fake_scores: Tensor) -> Tensor:
    """LSGAN: 1/2 E[(f(x) - 1)^2] + 1/2 E[f(G(z))^2]."""
    real_loss = 0.5 * ((real_scores - 1) ** 2).mean()  # 1/2 E[(f(x)-1)^2]
    fake_loss = 0.5 * (fake_scores ** 2).mean()  # 1/2 E[f(G(z))^2]
    return real_loss + fake_loss


def least_squares_generator_loss(fake_scores: Tensor) -> Tensor:
    """LSGAN: 1/2 E[(f(G(z)) - 1)^2]."""
    return 0.5 * ((fake_scores - 1) ** 2).mean()  # 1/2 E[(f(G(z)) - 1)^2]


def hinge_discriminator_loss(real_scores: Tensor,
                             fake_scores: Tensor) -> Tensor:
    """E[max(0, 1 - f(x))] + E[max(0, 1 + f(G(z)))]."""
    real_loss = F.relu(1 - real_scores).mean()  # E[max(0, 1 - f(x))]
    fake_loss = F.relu(1 + fake_scores).mean()  # E[max(0, 1 + f(G(z)))]
    return real_loss + fake_loss


def hinge_generator_loss(fake_scores: Tensor) -> Tensor:
    """-E[f(G(z))]."""
    return -fake_scores.mean()


def wasserstein_critic_loss(real_scores: Tensor,
                            fake_scores: Tensor) -> Tensor:
    """E[f(G(z))] - E[f(x)]: minus the critic's Wasserstein-1 estimate."""
    return fake_scores.mean() - real_scores.mean()


def wasserstein_generator_loss(fake_scores: Tensor) -> Tensor:
    """-E[f(G(z))]."""
    return -fake_scores.mean()


def gradient_penalty(critic: Callable[[Tensor], Tensor], real: Tensor,
                     fake: Tensor, *,
                     generator: torch.Generator | None = None) -> Tensor:
    """WGAN-GP: E[(||grad f(x_hat)||_2 - 1)^2], x_hat = e x + (1-e) G(z)."""
    # e ~ U[0, 1], one per sample, broadcast over the other dimensions
    shape = (real.shape[0],) + (1,) * (real.ndim - 1)
    e = torch.rand(shape, generator=generator, device=real.device,
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
    """R1: E[||grad_x l(x)||^2] on real data (gamma/2 goes in the weight)."""
    x = real.detach().requires_grad_(True)
    # grad_x l(x), the slope of the logit at each real sample
    (grad,) = torch.autograd.grad(discriminator(x).sum(), x,
                                  create_graph=True)
    return grad.flatten(start_dim=1).pow(2).sum(dim=1).mean()  # E[||.||^2]


@dataclass(frozen=True)
class Objective:
    """A GAN variant: D loss (real, fake) -> scalar, G loss, penalties."""
    discriminator_loss: Callable[[Tensor, Tensor], Tensor]
    generator_loss: Callable[[Tensor], Tensor]
    gradient_penalty_weight: float = 0.0  # lambda of WGAN-GP (10 there)
    r1_weight: float = 0.0  # gamma / 2 of R1 (Mescheder et al. 2018)


MINIMAX = Objective(bce_discriminator_loss, minimax_generator_loss)
NONSATURATING = Objective(bce_discriminator_loss,
                          nonsaturating_generator_loss)
LEAST_SQUARES = Objective(least_squares_discriminator_loss,
                          least_squares_generator_loss)
HINGE = Objective(hinge_discriminator_loss, hinge_generator_loss)
WGAN_GP = Objective(wasserstein_critic_loss, wasserstein_generator_loss,
                    gradient_penalty_weight=10.0)
