"""Graders for the losses chapter: GAN losses written from logits."""
import contextlib
import io

import torch
import torch.nn.functional as F

from ganlib import losses
from gancheck.core import (ExerciseError, expect_tensor, fail, passed,
                           run_student)

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


def check_nonsaturating_generator_loss(student_fn, *, seed: int = 0,
                                       hint: str = _NS_HINT):
    """Grade f(fake_logits (B, 1)) -> scalar -E[log D(G(z))]."""
    name = "your generator loss"
    rng = torch.Generator().manual_seed(seed)
    reference = losses.nonsaturating_generator_loss
    for batch_size in (1, 16, 64):
        fake = _logits(rng, batch_size)
        value = _call(student_fn, fake, name=name, hint=hint)
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
        lower = _call(student_fn, fake - 1, name=name, hint=hint)
        if lower < value:
            raise fail("your loss decreases when D(G(z)) decreases: sign "
                       "flipped? The generator must be rewarded for "
                       "fooling D", hint)
        if _close(value, reference(fake) * batch_size):
            raise fail("your loss is the batch sum, not the batch mean",
                       "use .mean() so the loss does not grow with B")
        raise fail(f"on {batch_size} logits your loss is "
                   f"{value.item():.5g} where {reference(fake).item():.5g}"
                   " was expected", hint)
    _check_large_logits(student_fn, reference, _LARGE_LOGITS, name=name,
                        hint=hint)
    _check_gradient(student_fn, reference, _logits(rng, 32), name=name,
                    hint=hint)
    passed("your non-saturating generator loss matches -E[log D(G(z))], "
           "stays finite at large logits and has the right gradient.")


def check_discriminator_loss(student_fn, *, seed: int = 0,
                             hint: str = _D_HINT):
    """Grade f(real_logits, fake_logits) -> scalar BCE loss of D."""
    name = "your discriminator loss"
    rng = torch.Generator().manual_seed(seed)
    reference = losses.bce_discriminator_loss
    for batch_size in (1, 16, 64):
        real, fake = _logits(rng, batch_size), _logits(rng, batch_size)
        value = _call(student_fn, real, fake, name=name, hint=hint)
        if _close(value, reference(real, fake)):
            continue
        if _close(value, reference(fake, real)):
            raise fail("you swapped the labels: real data must get "
                       "target 1 and fakes target 0", hint)
        if _close(value, reference(torch.sigmoid(real),
                                   torch.sigmoid(fake))):
            raise fail("you applied sigmoid to logits twice",
                       "BCE with logits applies the sigmoid itself")
        if _close(2 * value, reference(real, fake)):
            raise fail("your loss is half of D's loss: one mean over the "
                       "2B logits of both batches is half the sum of the "
                       "two means", "multiply by 2 (both batches hold B)")
        lower = _call(student_fn, real - 1, fake, name=name, hint=hint)
        if lower < value:
            raise fail("your loss decreases when D(x) decreases: sign "
                       "flipped? D must be rewarded for calling real "
                       "data real", hint)
        raise fail(f"on {batch_size} pairs of logits your loss is "
                   f"{value.item():.5g} where "
                   f"{reference(real, fake).item():.5g} was expected",
                   hint)
    _check_large_logits(student_fn, reference, _LARGE_LOGITS,
                        -_LARGE_LOGITS, name=name, hint=hint)
    _check_gradient(student_fn, reference, _logits(rng, 32),
                    _logits(rng, 32), name=name, hint=hint)
    passed("your discriminator loss matches the BCE of real -> 1 and "
           "fake -> 0, stays finite at large logits and has the right "
           "gradient.")


# The functions a from-scratch loss may not call (module, attribute).
_LOG_SIGMOID_HELPERS = [(F, "softplus"), (F, "logsigmoid"),
                        (F, "binary_cross_entropy_with_logits"),
                        (F, "binary_cross_entropy"), (torch, "sigmoid"),
                        (losses, "nonsaturating_generator_loss"),
                        (losses, "bce_discriminator_loss")]


def _watched(student_fn, functions, calls: list):
    """student_fn, recording each call it makes to one of functions (a
    list of (module, attribute)) in calls; the functions still work."""
    def watched(*args):
        originals = [getattr(module, name) for module, name in functions]

        def recorder(name, original):
            def record(*a, **k):
                calls.append(name)
                return original(*a, **k)
            return record

        for (module, name), original in zip(functions, originals):
            setattr(module, name, recorder(name, original))
        try:
            return student_fn(*args)
        finally:
            for (module, name), original in zip(functions, originals):
                setattr(module, name, original)
    return watched


@contextlib.contextmanager
def _passed_instead(message: str):
    """Hold back what the inner check prints (its "Correct:" line), so
    that the outer check can still fail after it; on success print the
    outer check's own message instead."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield
    passed(message)


def _refusal(error: Exception) -> "_Refused | None":
    """The _Refused behind an ExerciseError of run_student, if any."""
    cause = error.__cause__
    return cause if isinstance(cause, _Refused) else None


def check_generator_loss_from_scratch(student_fn, *, seed: int = 0):
    """Grade f(fake_logits (B, 1)) -> -E[log D(G(z))], written with
    clamp, abs, exp and log1p only (no softplus, no BCE, no sigmoid)."""
    calls = []
    watched = _watched(student_fn, _LOG_SIGMOID_HELPERS, calls)

    def from_scratch(fake_logits):
        value = watched(fake_logits)
        if calls:
            raise _Refused(f"your loss calls {calls[0]}: write it from "
                           "clamp, abs, exp and log1p alone")
        return value

    hint = ("-log sigmoid(l) = softplus(-l), and softplus(x) = "
            "max(x, 0) + log(1 + exp(-|x|)), which never exponentiates a "
            "large number; x.clamp(min=0) is max(x, 0)")
    try:
        with _passed_instead("your non-saturating loss, from clamp, abs, "
                             "exp and log1p alone, matches -E[log D(G(z))]"
                             ", stays finite at large logits and has the "
                             "right gradient."):
            check_nonsaturating_generator_loss(from_scratch, seed=seed,
                                               hint=hint)
    except ExerciseError as error:
        if _refusal(error) is None:
            raise
        raise fail(str(_refusal(error)), hint) from None


def check_discriminator_loss_one_call(student_fn, *, seed: int = 0):
    """Grade f(real_logits, fake_logits) -> D's BCE loss, computed with
    exactly one call of F.binary_cross_entropy_with_logits on both
    batches at once."""
    calls = []
    functions = [(F, "binary_cross_entropy_with_logits"),
                 (losses, "bce_discriminator_loss")]
    watched = _watched(student_fn, functions, calls)

    def one_call_each(*logits):
        before = len(calls)
        value = watched(*logits)
        made = calls[before:]
        if "bce_discriminator_loss" in made:
            raise _Refused("you called ganlib's bce_discriminator_loss: "
                           "build the loss yourself")
        if len(made) != 1:
            raise _Refused(f"your loss calls F.binary_cross_entropy_with_"
                           f"logits {len(made)} times: call it once, on "
                           "the real and the fake logits together")
        return value

    hint = ("torch.cat the real and the fake logits into one batch and "
            "their targets (ones, then zeros) into another; one mean over "
            "2B logits is half the sum of the two means")
    try:
        with _passed_instead("your one BCE call on both batches gives D's "
                             "loss (real -> 1, fake -> 0), stays finite at "
                             "large logits and has the right gradient."):
            check_discriminator_loss(one_call_each, seed=seed, hint=hint)
    except ExerciseError as error:
        if _refusal(error) is None:
            raise
        raise fail(str(_refusal(error)), hint) from None


class _Refused(Exception):
    """A loss that computes the right thing the way the exercise forbids."""
