"""Graders for the losses chapter: GAN losses written from logits."""
import torch

from ganlib import losses
from gancheck.core import expect_tensor, fail, passed, run_student

_NS_HINT = ("-log D(G(z)) = -log sigmoid(l) = softplus(-l): return "
            "F.softplus(-fake_logits).mean()")
_D_HINT = ("BCE with logits: real logits get target 1, fake logits "
           "target 0; add the two means (F.binary_cross_entropy_with_logits)")
_LARGE_LOGITS = torch.tensor([[-200.0], [-60.0], [60.0], [200.0]])


def _logits(rng: torch.Generator, batch_size: int) -> torch.Tensor:
    """(B, 1) logits spread over [-6, 6], as a discriminator gives them."""
    return 4 * torch.randn(batch_size, 1, generator=rng).clamp(-1.5, 1.5)


def _call(fn, *logits, name: str, hint: str) -> torch.Tensor:
    """Run the student's loss; demand a scalar tensor."""
    value = run_student(fn, *logits, name=name, hint=hint)
    expect_tensor(value, what=f"the value of {name}", hint=hint)
    if value.ndim != 0:
        raise fail(f"{name} returned shape {tuple(value.shape)} where a "
                   "scalar (shape ()) was expected",
                   "average over the batch with .mean()")
    return value


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a.detach().double(), b.detach().double(),
                          atol=1e-5, rtol=1e-4)


def _check_large_logits(fn, reference, *logits, name: str,
                        hint: str) -> None:
    """Fail when large logits give NaN/inf or a clamped, wrong value."""
    leaves = [x.clone().requires_grad_(True) for x in logits]
    value = _call(fn, *leaves, name=name, hint=hint)
    finite = torch.isfinite(value)
    if finite and value.requires_grad:
        value.backward()
        finite = all(x.grad is None or torch.isfinite(x.grad).all()
                     for x in leaves)
    if not finite:
        raise fail(f"{name} gives NaN/inf at large logits (-200 ... 200)",
                   "use softplus / BCE with logits: log(sigmoid(l)) "
                   "rounds to log(0) = -inf in float32")
    expected = reference(*logits)
    if not _close(value, expected):
        raise fail(f"at large logits (-200 ... 200) {name} is "
                   f"{value.item():.5g} where {expected.item():.5g} was "
                   "expected", "nn.BCELoss and clamping cut log(0) off "
                   "at a constant: use softplus / BCE with logits")


def _check_gradient(fn, reference, *logits, name: str, hint: str) -> None:
    """Fail unless autograd through the student's loss matches ours."""
    leaves = [x.clone().requires_grad_(True) for x in logits]
    value = _call(fn, *leaves, name=name, hint=hint)
    if not value.requires_grad:
        raise fail(f"{name} is cut off from the graph: no gradient can "
                   "reach the logits", "build it from the logits with "
                   "torch operations (no .item(), .detach() or "
                   "torch.tensor(...))")
    value.backward()
    expected = [x.clone().requires_grad_(True) for x in logits]
    reference(*expected).backward()
    for got, want in zip(leaves, expected):
        if got.grad is None or not _close(got.grad, want.grad):
            raise fail(f"the gradient of {name} with respect to the "
                       "logits differs from the reference", hint)


def check_nonsaturating_generator_loss(student_fn, *, seed: int = 0):
    """Grade f(fake_logits (B, 1)) -> scalar -E[log D(G(z))]."""
    name = "your generator loss"
    rng = torch.Generator().manual_seed(seed)
    reference = losses.nonsaturating_generator_loss
    for batch_size in (1, 16, 64):
        fake = _logits(rng, batch_size)
        value = _call(student_fn, fake, name=name, hint=_NS_HINT)
        if _close(value, reference(fake)):
            continue
        if _close(value, reference(torch.sigmoid(fake))):
            raise fail("you applied sigmoid to logits twice",
                       "softplus / BCE with logits take raw logits: do "
                       "not call torch.sigmoid first")
        if _close(value, losses.minimax_generator_loss(fake)):
            raise fail("this is the saturating (minimax) loss "
                       "E[log(1 - D(G(z)))]", "its gradient vanishes "
                       "while D rejects the fakes; use -E[log D(G(z))]")
        lower = _call(student_fn, fake - 1, name=name, hint=_NS_HINT)
        if lower < value:
            raise fail("your loss decreases when D(G(z)) decreases: sign "
                       "flipped? The generator must be rewarded for "
                       "fooling D", _NS_HINT)
        if _close(value, reference(fake) * batch_size):
            raise fail("your loss is the batch sum, not the batch mean",
                       "use .mean() so the loss does not grow with B")
        raise fail(f"on {batch_size} logits your loss is "
                   f"{value.item():.5g} where {reference(fake).item():.5g}"
                   " was expected", _NS_HINT)
    _check_large_logits(student_fn, reference, _LARGE_LOGITS, name=name,
                        hint=_NS_HINT)
    _check_gradient(student_fn, reference, _logits(rng, 32), name=name,
                    hint=_NS_HINT)
    passed("your non-saturating generator loss matches -E[log D(G(z))], "
           "stays finite at large logits and has the right gradient.")


def check_discriminator_loss(student_fn, *, seed: int = 0):
    """Grade f(real_logits, fake_logits) -> scalar BCE loss of D."""
    name = "your discriminator loss"
    rng = torch.Generator().manual_seed(seed)
    reference = losses.bce_discriminator_loss
    for batch_size in (1, 16, 64):
        real, fake = _logits(rng, batch_size), _logits(rng, batch_size)
        value = _call(student_fn, real, fake, name=name, hint=_D_HINT)
        if _close(value, reference(real, fake)):
            continue
        if _close(value, reference(fake, real)):
            raise fail("you swapped the labels: real data must get "
                       "target 1 and fakes target 0", _D_HINT)
        if _close(value, reference(torch.sigmoid(real),
                                   torch.sigmoid(fake))):
            raise fail("you applied sigmoid to logits twice",
                       "BCE with logits applies the sigmoid itself")
        lower = _call(student_fn, real - 1, fake, name=name, hint=_D_HINT)
        if lower < value:
            raise fail("your loss decreases when D(x) decreases: sign "
                       "flipped? D must be rewarded for calling real "
                       "data real", _D_HINT)
        raise fail(f"on {batch_size} pairs of logits your loss is "
                   f"{value.item():.5g} where "
                   f"{reference(real, fake).item():.5g} was expected",
                   _D_HINT)
    _check_large_logits(student_fn, reference, _LARGE_LOGITS,
                        -_LARGE_LOGITS, name=name, hint=_D_HINT)
    _check_gradient(student_fn, reference, _logits(rng, 32),
                    _logits(rng, 32), name=name, hint=_D_HINT)
    passed("your discriminator loss matches the BCE of real -> 1 and "
           "fake -> 0, stays finite at large logits and has the right "
           "gradient.")
