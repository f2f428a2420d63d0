import pytest

from gancheck.core import ExerciseError
from gancheck.round import check_training_round
from ganlib.losses import (HINGE, bce_discriminator_loss,
                           hinge_discriminator_loss, hinge_generator_loss,
                           nonsaturating_generator_loss)


def make_round(*, g_first=False, reuse_z=False, zero_grad=True,
               detach=True, returns_pair=True,
               d_loss_fn=bce_discriminator_loss,
               g_loss_fn=nonsaturating_generator_loss):
    """A student's round, right by default, with one slip switched on."""

    def d_part(generator, discriminator, d_optimizer, real, z_d):
        fake = generator(z_d)
        fake = fake.detach() if detach else fake
        loss = d_loss_fn(discriminator(real), discriminator(fake))
        if zero_grad:
            d_optimizer.zero_grad()
        loss.backward()
        d_optimizer.step()
        return loss

    def g_part(generator, discriminator, g_optimizer, z):
        loss = g_loss_fn(discriminator(generator(z)))
        if zero_grad:
            g_optimizer.zero_grad()
        loss.backward()
        g_optimizer.step()
        return loss

    def round_(generator, discriminator, g_optimizer, d_optimizer, real,
               z_d, z_g):
        z_for_g = z_d if reuse_z else z_g
        if g_first:
            g_loss = g_part(generator, discriminator, g_optimizer, z_for_g)
            d_loss = d_part(generator, discriminator, d_optimizer, real, z_d)
        else:
            d_loss = d_part(generator, discriminator, d_optimizer, real, z_d)
            g_loss = g_part(generator, discriminator, g_optimizer, z_for_g)
        return (d_loss, g_loss) if returns_pair else d_loss

    return round_


@pytest.mark.parametrize("seed", [0, 5])
def test_a_right_round_passes(seed, capsys):
    check_training_round(make_round(), seed=seed)
    assert capsys.readouterr().out.startswith("Correct")


def test_a_round_without_detach_gives_the_same_weights_and_passes():
    # G's .grad fills in the D step, but G's own zero_grad clears it.
    check_training_round(make_round(detach=False))


@pytest.mark.parametrize("slip,message", [
    (dict(g_first=True), "generator stepped before"),
    (dict(reuse_z=True), "reused z_d"),
    (dict(zero_grad=False), "zero_grad"),
    (dict(returns_pair=False), "not the pair"),
])
def test_each_slip_is_named(slip, message):
    with pytest.raises(ExerciseError, match=message):
        check_training_round(make_round(**slip))


def test_a_round_that_crashes_says_so():
    def broken(*args):
        raise RuntimeError("boom")

    with pytest.raises(ExerciseError, match="your training round"):
        check_training_round(broken)


HINGE_LOSSES = dict(d_loss_fn=hinge_discriminator_loss,
                    g_loss_fn=hinge_generator_loss)


def test_a_hinge_round_passes_the_hinge_check():
    check_training_round(make_round(**HINGE_LOSSES), objective=HINGE)


@pytest.mark.parametrize("slip,message", [
    (dict(g_first=True), "generator stepped before"),
    (dict(reuse_z=True), "reused z_d"),
    (dict(zero_grad=False), "zero_grad"),
])
def test_hinge_round_slips_are_named(slip, message):
    with pytest.raises(ExerciseError, match=message):
        check_training_round(make_round(**HINGE_LOSSES, **slip),
                             objective=HINGE)


def test_a_bce_round_fails_the_hinge_check_and_names_the_losses():
    with pytest.raises(ExerciseError, match="the hinge discriminator loss"):
        check_training_round(make_round(), objective=HINGE)
