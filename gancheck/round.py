"""Grader for the training-loop chapter's whole round: a D step, a G step.

The student's round runs on one copy of a small 2-D GAN and ganlib's
discriminator_step then generator_step on another; both players' weights
must match. Common slips (the G step first, the D step's noise reused
for G, a missing zero_grad) are run too, so the message can name them.
"""
import torch

from gancheck.core import expect_close, fail, passed, run_student
from gancheck.training import LOSS_NAMES, _copies, _game, \
    _leave_stale_gradients, _same, _sgd, _weights
from ganlib.losses import NONSATURATING
from ganlib.train import discriminator_step, generator_step

_HINT = ("first the D step on real and generator(z_d).detach(), then the "
         "G step on generator(z_g); each optimizer: zero_grad(), "
         "backward(), step(); return (d_loss, g_loss)")


def _reference_round(generator, discriminator, real, z_d, z_g, *,
                     objective, g_first=False, reuse_z=False):
    """Weights of both players and the losses after ganlib's round."""
    d_optimizer, g_optimizer = _sgd(discriminator), _sgd(generator)
    z_for_g = z_d if reuse_z else z_g

    def d_step():
        return discriminator_step(generator, discriminator, d_optimizer,
                                  real, z_d, objective)[0]

    def g_step():
        return generator_step(generator, discriminator, g_optimizer,
                              z_for_g, objective)[0]

    if g_first:
        g_loss, d_loss = g_step(), d_step()
    else:
        d_loss, g_loss = d_step(), g_step()
    return _weights(generator), _weights(discriminator), d_loss, g_loss


def _check_round_once(student_fn, seed: int, batch_size: int,
                      objective) -> None:
    generator, discriminator, real, z_d = _game(seed, batch_size)
    z_g = torch.randn(batch_size, 2,
                      generator=torch.Generator().manual_seed(seed + 99))
    _leave_stale_gradients(generator, discriminator, real, z_d)
    before = _copies(generator, discriminator)  # for the slips below
    right = _reference_round(*_copies(*before), real, z_d, z_g,
                             objective=objective)
    g_before = _weights(generator)
    result = run_student(student_fn, generator, discriminator,
                         _sgd(generator), _sgd(discriminator), real, z_d,
                         z_g, name="your training round", hint=_HINT)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise fail(f"your round returned {type(result).__name__}, not the "
                   "pair (d_loss, g_loss)", _HINT)
    got_g, got_d = _weights(generator), _weights(discriminator)
    if _same(got_g, right[0]) and _same(got_d, right[1]):
        expect_close(result[0], right[2], what="the d_loss you returned",
                     hint="return the D loss computed in the D step")
        expect_close(result[1], right[3], what="the g_loss you returned",
                     hint="return the G loss computed in the G step")
        return
    slips = {
        "the generator stepped before the discriminator: D must judge "
        "the current fakes first": dict(g_first=True),
        "the G step reused z_d, the D step's noise: draw on z_g, so G is "
        "judged on fakes D has not just trained on": dict(reuse_z=True),
    }
    for problem, slip in slips.items():
        wrong = _reference_round(*_copies(*before), real, z_d, z_g,
                                 objective=objective, **slip)
        if _same(got_g, wrong[0]) and _same(got_d, wrong[1]):
            raise fail(problem, _HINT)
    if _same(got_g, g_before):
        raise fail("the generator's weights did not change", _HINT)
    d_name, g_name = (name for name, _ in LOSS_NAMES[objective])
    raise fail(f"after your round the weights differ from one D step on "
               f"{d_name} followed by one G step on {g_name} (did each "
               "step call zero_grad() before backward()?)", _HINT)


def check_training_round(student_fn, *, seed: int = 0,
                         objective=NONSATURATING) -> None:
    """Grade f(generator, discriminator, g_optimizer, d_optimizer, real,
    z_d, z_g) -> (d_loss, g_loss), with objective's two losses (a
    ganlib.losses Objective: NONSATURATING, LEAST_SQUARES or HINGE)."""
    for batch_size in (8, 32):
        _check_round_once(student_fn, seed + batch_size, batch_size,
                          objective)
    passed("your round updates D on detached fakes, then G through D, "
           "each from clean gradients, exactly as ganlib's loop does.")
