"""Graders for the training-loop chapter: one D step, one G step.

Each check builds a small 2-D GAN, leaves stale gradients in the models
(as the other player's step does in a real loop), runs the student's step
and ganlib.train's own step on identical copies, and compares the weights.
"""
import copy

import torch
from torch import nn

from gancheck.core import expect_close, fail, passed, run_student
from ganlib.data import ring_target
from ganlib.losses import (HINGE, LEAST_SQUARES, NONSATURATING,
                           bce_discriminator_loss)
from ganlib.models import MLPDiscriminator, MLPGenerator
from ganlib.train import discriminator_step, generator_step

# What each objective's two losses are called, and their formulas.
LOSS_NAMES = {
    NONSATURATING: (("the BCE discriminator loss", "bce_discriminator_loss("
                     "discriminator(real), discriminator(fake))"),
                    ("the non-saturating generator loss",
                     "nonsaturating_generator_loss(discriminator("
                     "generator(z)))")),
    LEAST_SQUARES: (("the least-squares discriminator loss",
                     "0.5 * ((discriminator(real) - 1) ** 2).mean() + "
                     "0.5 * (discriminator(fake) ** 2).mean()"),
                    ("the least-squares generator loss",
                     "0.5 * ((discriminator(generator(z)) - 1) ** 2)"
                     ".mean()")),
    HINGE: (("the hinge discriminator loss", "hinge_discriminator_loss("
             "discriminator(real), discriminator(fake))"),
            ("the hinge generator loss", "hinge_generator_loss("
             "discriminator(generator(z)))")),
}


def _d_hint(objective) -> str:
    return (f"fake = generator(z).detach(); loss = "
            f"{LOSS_NAMES[objective][0][1]}; optimizer.zero_grad(); "
            "loss.backward(); optimizer.step(); return loss")


def _g_hint(objective) -> str:
    return (f"loss = {LOSS_NAMES[objective][1][1]}; optimizer.zero_grad(); "
            "loss.backward(); optimizer.step(); return loss")


def _game(seed: int, batch_size: int):
    """Small G and D, a real batch and noise z, all from the seed."""
    rng = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        generator = MLPGenerator(latent_dim=2, hidden_dim=16, num_layers=2)
        discriminator = MLPDiscriminator(hidden_dim=16, num_layers=2)
    real = ring_target().sample(batch_size, rng=rng)
    z = torch.randn(batch_size, 2, generator=rng)
    return generator, discriminator, real, z


def _leave_stale_gradients(generator, discriminator, real, z) -> None:
    """Fill both models' .grad as a previous step without cleanup would."""
    bce_discriminator_loss(discriminator(real),
                           discriminator(generator(z))).backward()


def _weights(model: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.allclose(x, y, atol=1e-7, rtol=1e-5)
               for x, y in zip(a, b))


def _has_gradient(model: nn.Module) -> bool:
    return any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.parameters())


class _SGDWithoutZeroGrad(torch.optim.SGD):
    """SGD whose zero_grad does nothing, as if a step forgot to call it."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        pass


def _sgd(model: nn.Module, *, zero_grad: bool = True
         ) -> torch.optim.Optimizer:
    # Plain SGD: the update is lr * gradient, so stale gradients show up
    # in the weights (Adam's first step only keeps the gradient's sign).
    optimizer = torch.optim.SGD if zero_grad else _SGDWithoutZeroGrad
    return optimizer(model.parameters(), lr=0.05)


def _reference_d_step(generator, discriminator, real, z, *, zero_grad,
                      objective=NONSATURATING):
    """Loss and D's weights after ganlib's D step (zero_grad=False: as if
    it forgot optimizer.zero_grad())."""
    optimizer = _sgd(discriminator, zero_grad=zero_grad)
    loss, _, _ = discriminator_step(generator, discriminator, optimizer,
                                    real, z, objective)
    return loss, _weights(discriminator)


def _reference_g_step(generator, discriminator, z, *, zero_grad,
                      objective=NONSATURATING):
    """Loss and G's weights after ganlib's G step (zero_grad=False: as if
    it forgot optimizer.zero_grad())."""
    optimizer = _sgd(generator, zero_grad=zero_grad)
    loss, _ = generator_step(generator, discriminator, optimizer, z,
                             objective)
    return loss, _weights(generator)


def _copy(model: nn.Module) -> nn.Module:
    """A deep copy that keeps .grad too (copy.deepcopy drops it)."""
    twin = copy.deepcopy(model)
    for original, copied in zip(model.parameters(), twin.parameters()):
        if original.grad is not None:
            copied.grad = original.grad.clone()
    return twin


def _copies(generator, discriminator):
    return _copy(generator), _copy(discriminator)


def _expect_reference_step(weights, loss, right, stale, *, player: str,
                           other: str, loss_name: str, hint: str) -> None:
    """Fail unless the student's step matches ganlib's own step.

    right and stale are (loss, weights) of ganlib's step from clean
    gradients and of the same step without optimizer.zero_grad().
    """
    if _same(weights, stale[1]):
        raise fail("optimizer.zero_grad missing: gradients accumulated "
                   f"with those left by the last {other} step",
                   "call optimizer.zero_grad() before loss.backward()")
    if not _same(weights, right[1]):
        raise fail(f"{player}'s weights after your step differ from one "
                   f"step on {loss_name}", hint)
    expect_close(loss, right[0], what="the loss you returned", hint=(
        "return the loss computed before optimizer.step()"))


def _check_d_step_once(student_fn, seed: int, batch_size: int,
                       objective) -> None:
    """Run one D step of the student's and compare with the reference."""
    hint = _d_hint(objective)
    generator, discriminator, real, z = _game(seed, batch_size)
    _leave_stale_gradients(generator, discriminator, real, z)
    for p in generator.parameters():
        p.grad = None  # the loop's G step would have cleared these
    right = _reference_d_step(*_copies(generator, discriminator), real, z,
                              zero_grad=True, objective=objective)
    stale = _reference_d_step(*_copies(generator, discriminator), real, z,
                              zero_grad=False, objective=objective)
    g_before, d_before = _weights(generator), _weights(discriminator)
    loss = run_student(student_fn, generator, discriminator,
                       _sgd(discriminator), real, z,
                       name="your discriminator step", hint=hint)
    if not _same(_weights(generator), g_before):
        raise fail("your D step changed the generator's weights: did you "
                   "forget .detach()? Only the discriminator's optimizer "
                   "may step here", hint)
    if _has_gradient(generator):
        raise fail("your D step sent gradients into the generator (its "
                   ".grad is filled): did you forget .detach()?",
                   "fake = generator(z).detach() stops D's loss from "
                   "flowing back into G")
    if _same(_weights(discriminator), d_before):
        raise fail("your D step left the discriminator unchanged",
                   "call optimizer.zero_grad() before loss.backward() "
                   "and optimizer.step() after it")
    _expect_reference_step(_weights(discriminator), loss, right, stale,
                           player="D", other="G",
                           loss_name=LOSS_NAMES[objective][0][0],
                           hint=hint)


def check_discriminator_step(student_fn, *, seed: int = 0,
                             objective=NONSATURATING) -> None:
    """Grade f(generator, discriminator, optimizer, real, z) -> loss, one
    D step on objective's discriminator loss (a ganlib.losses Objective:
    NONSATURATING, LEAST_SQUARES or HINGE)."""
    for batch_size in (8, 32):
        _check_d_step_once(student_fn, seed + batch_size, batch_size,
                           objective)
    passed("your discriminator step updates D only, starts from clean "
           "gradients and leaves G untouched.")


def _check_g_step_once(student_fn, seed: int, batch_size: int,
                       objective) -> None:
    """Run one G step of the student's and compare with the reference."""
    hint = _g_hint(objective)
    generator, discriminator, real, z = _game(seed, batch_size)
    _leave_stale_gradients(generator, discriminator, real, z)
    right = _reference_g_step(*_copies(generator, discriminator), z,
                              zero_grad=True, objective=objective)
    stale = _reference_g_step(*_copies(generator, discriminator), z,
                              zero_grad=False, objective=objective)
    g_before, d_before = _weights(generator), _weights(discriminator)
    loss = run_student(student_fn, generator, discriminator,
                       _sgd(generator), z, name="your generator step",
                       hint=hint)
    if not _same(_weights(discriminator), d_before):
        raise fail("the G step must not update D: it changed the "
                   "discriminator's weights",
                   "step only the optimizer you are given (G's)")
    if _same(_weights(generator), g_before):
        raise fail("your G step left the generator unchanged",
                   "do not .detach() the fakes here: G learns through "
                   "D's gradient; call loss.backward() and "
                   "optimizer.step()")
    _expect_reference_step(_weights(generator), loss, right, stale,
                           player="G", other="D",
                           loss_name=LOSS_NAMES[objective][1][0],
                           hint=hint)


def check_generator_step(student_fn, *, seed: int = 0,
                         objective=NONSATURATING) -> None:
    """Grade f(generator, discriminator, optimizer, z) -> loss, one G step
    on objective's generator loss (see check_discriminator_step)."""
    for batch_size in (8, 32):
        _check_g_step_once(student_fn, seed + batch_size, batch_size,
                           objective)
    passed("your generator step updates G only, through D's judgement, "
           "from clean gradients.")
