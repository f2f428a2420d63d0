import pytest
import torch
import torch.nn.functional as F

from gancheck.core import ExerciseError
from gancheck.losses import (
    check_discriminator_loss, check_discriminator_loss_one_call,
    check_generator_loss_from_scratch, check_nonsaturating_generator_loss,
)


def nonsaturating(fake_logits):
    return F.softplus(-fake_logits).mean()


def discriminator_bce(real_logits, fake_logits):
    return (F.binary_cross_entropy_with_logits(
        real_logits, torch.ones_like(real_logits))
        + F.binary_cross_entropy_with_logits(
            fake_logits, torch.zeros_like(fake_logits)))


def stub(*logits):
    raise NotImplementedError


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_reference_answers_pass(seed, capsys):
    check_nonsaturating_generator_loss(nonsaturating, seed=seed)
    check_discriminator_loss(discriminator_bce, seed=seed)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("Correct:") for line in lines)


@pytest.mark.parametrize("check", [check_nonsaturating_generator_loss,
                                   check_discriminator_loss])
def test_stub_is_not_written_yet(check):
    with pytest.raises(ExerciseError, match="not written yet"):
        check(stub)


GENERATOR_SLIPS = [
    (lambda l: -F.softplus(-l).mean(), "sign flipped"),
    (lambda l: F.softplus(-torch.sigmoid(l)).mean(), "sigmoid to logits "
     "twice"),
    (lambda l: -torch.log(torch.sigmoid(l)).mean(), "NaN/inf at large "
     r"logits.*Hint: use softplus / BCE with logits"),
    (lambda l: -F.softplus(l).mean(), "saturating"),
    (lambda l: F.softplus(-l).sum(), "batch sum"),
    (lambda l: F.softplus(-l), r"scalar"),
    (lambda l: torch.tensor(F.softplus(-l).mean().item()), "cut off"),
    (lambda l: F.binary_cross_entropy(torch.sigmoid(l),
                                      torch.ones_like(l)), "clamp"),
]


@pytest.mark.parametrize("answer, message", GENERATOR_SLIPS)
def test_generator_loss_slips_get_their_own_message(answer, message):
    with pytest.raises(ExerciseError, match=message):
        check_nonsaturating_generator_loss(answer)


def test_generator_sign_message_is_the_documented_one():
    with pytest.raises(ExerciseError) as info:
        check_nonsaturating_generator_loss(lambda l: -nonsaturating(l))
    assert "your loss decreases when D(G(z)) decreases: sign flipped?" \
        in str(info.value)
    assert "Hint:" in str(info.value)


DISCRIMINATOR_SLIPS = [
    (lambda r, f: discriminator_bce(f, r), "swapped the labels"),
    (lambda r, f: discriminator_bce(torch.sigmoid(r), torch.sigmoid(f)),
     "sigmoid to logits twice"),
    (lambda r, f: -discriminator_bce(r, f), "sign flipped"),
    (lambda r, f: -(torch.log(torch.sigmoid(r))
                    + torch.log(1 - torch.sigmoid(f))).mean(), "NaN/inf"),
    (lambda r, f: F.binary_cross_entropy_with_logits(
        r, torch.ones_like(r)), "expected"),
]


@pytest.mark.parametrize("answer, message", DISCRIMINATOR_SLIPS)
def test_discriminator_loss_slips_get_their_own_message(answer, message):
    with pytest.raises(ExerciseError, match=message):
        check_discriminator_loss(answer)


def nonsaturating_from_scratch(fake_logits):
    x = -fake_logits
    return (x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))).mean()


def discriminator_one_call(real_logits, fake_logits):
    logits = torch.cat([real_logits, fake_logits])
    targets = torch.cat([torch.ones_like(real_logits),
                         torch.zeros_like(fake_logits)])
    return 2 * F.binary_cross_entropy_with_logits(logits, targets)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_from_scratch_and_one_call_answers_pass(seed, capsys):
    check_generator_loss_from_scratch(nonsaturating_from_scratch, seed=seed)
    check_discriminator_loss_one_call(discriminator_one_call, seed=seed)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(x.startswith("Correct:") for x in lines)


def test_from_scratch_refuses_softplus_and_prints_no_correct(capsys):
    with pytest.raises(ExerciseError, match="calls softplus"):
        check_generator_loss_from_scratch(nonsaturating)
    assert "Correct" not in capsys.readouterr().out
    # and softplus works again afterwards
    assert torch.isclose(F.softplus(torch.tensor(0.0)), torch.log(
        torch.tensor(2.0)))


def test_from_scratch_still_names_the_usual_slips():
    with pytest.raises(ExerciseError, match="sign flipped"):
        check_generator_loss_from_scratch(
            lambda l: -nonsaturating_from_scratch(l))
    with pytest.raises(ExerciseError, match="not written yet"):
        check_generator_loss_from_scratch(stub)


def test_one_call_refuses_two_calls_and_names_the_missing_factor():
    with pytest.raises(ExerciseError, match="2 times"):
        check_discriminator_loss_one_call(discriminator_bce)
    with pytest.raises(ExerciseError, match="half of D's loss"):
        check_discriminator_loss_one_call(
            lambda r, f: discriminator_one_call(r, f) / 2)
    with pytest.raises(ExerciseError, match="ganlib's"):
        check_discriminator_loss_one_call(
            lambda r, f: __import__("ganlib.losses").losses
            .bce_discriminator_loss(r, f))
    with pytest.raises(ExerciseError, match="not written yet"):
        check_discriminator_loss_one_call(stub)


def test_from_scratch_refuses_sigmoid_before_the_large_logits_fail():
    with pytest.raises(ExerciseError, match="calls sigmoid"):
        check_generator_loss_from_scratch(
            lambda l: -torch.log(torch.sigmoid(l)).mean())
