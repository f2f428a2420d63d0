"""The discriminator graders: right answers pass, slips are named."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gancheck.core import ExerciseError
from gancheck.discriminator import (
    check_bce_with_logits, check_detection_accuracy, check_discriminator,
)


def discriminator(data_dim, hidden_dim):
    return nn.Sequential(nn.Linear(data_dim, hidden_dim), nn.LeakyReLU(0.2),
                         nn.Linear(hidden_dim, 1))


def mlp(data_dim, hidden_dim, *tail, last=1, activation=nn.LeakyReLU):
    return nn.Sequential(nn.Linear(data_dim, hidden_dim), activation(),
                         nn.Linear(hidden_dim, last), *tail)


def bce(logits, targets):
    return (F.softplus(logits) - targets * logits).mean()


def accuracy(real_logits, fake_logits):
    correct = (real_logits > 0).sum() + (fake_logits < 0).sum()
    return correct.item() / (real_logits.numel() + fake_logits.numel())


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_answers_pass(seed, capsys):
    check_discriminator(discriminator, seed=seed)
    check_bce_with_logits(bce, seed=seed)
    check_detection_accuracy(accuracy, seed=seed)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("Correct:") for line in lines)


@pytest.mark.parametrize("check", [check_discriminator,
                                   check_bce_with_logits,
                                   check_detection_accuracy])
def test_stub_is_not_written_yet(check):
    with pytest.raises(ExerciseError, match="not written yet"):
        check(stub)


def test_check_discriminator_leaves_the_callers_rng_alone():
    torch.manual_seed(3)
    expected = torch.rand(3)
    torch.manual_seed(3)
    check_discriminator(discriminator)
    assert torch.equal(torch.rand(3), expected)


def test_two_outputs_are_told_to_end_with_one_logit():
    with pytest.raises(ExerciseError, match=(
            r"returned shape \(64, 2\) where \(64, 1\) logits were "
            r"expected. Hint: end with nn.Linear\(hidden, 1\)")):
        check_discriminator(lambda d, h: mlp(d, h, last=2))


def test_squeezed_output_is_told_to_keep_the_last_dimension():
    with pytest.raises(ExerciseError, match="do not squeeze"):
        check_discriminator(lambda d, h: mlp(d, h, nn.Flatten(0)))


def test_sigmoid_output_is_told_to_return_logits():
    with pytest.raises(ExerciseError, match=(
            r"outputs are all in \[0, 1\]: looks like probabilities. "
            r"Hint: return logits \(drop the Sigmoid\)")):
        check_discriminator(lambda d, h: mlp(d, h, nn.Sigmoid()))


def test_sigmoid_in_forward_is_caught_by_its_outputs():
    class ProbabilityD(nn.Module):
        def __init__(self, data_dim, hidden_dim):
            super().__init__()
            self.net = mlp(data_dim, hidden_dim)

        def forward(self, x):
            return torch.sigmoid(self.net(x))
    with pytest.raises(ExerciseError, match="looks like probabilities"):
        check_discriminator(ProbabilityD)


def test_linear_model_fails_to_learn_and_is_told_why():
    with pytest.raises(ExerciseError, match="non-linearity"):
        check_discriminator(lambda d, h: mlp(d, h, activation=nn.Identity))


def test_hard_coded_input_size_is_told_to_use_data_dim():
    with pytest.raises(ExerciseError, match=(
            r"your discriminator raised RuntimeError on points of shape "
            r"\(64, 3\): .*Hint: the first layer must read data_dim "
            r"numbers: nn.Linear\(data_dim")):
        check_discriminator(lambda d, h: mlp(2, h))


def test_naive_bce_is_told_about_log_zero():
    def naive(logits, targets):
        p = torch.sigmoid(logits)
        return -(targets * p.log() + (1 - targets) * (1 - p).log()).mean()
    with pytest.raises(ExerciseError, match=r"log\(0\)"):
        check_bce_with_logits(naive)


def test_clamped_bce_is_told_it_is_wrong_for_large_logits():
    def clamped(logits, targets):
        p = torch.sigmoid(logits).clamp(1e-7, 1 - 1e-7)
        return -(targets * p.log() + (1 - targets) * (1 - p).log()).mean()
    with pytest.raises(ExerciseError, match="clamping"):
        check_bce_with_logits(clamped)


@pytest.mark.parametrize("wrong, message", [
    (lambda l, t: F.softplus(l) - t * l, "one value per example"),
    (lambda l, t: (F.softplus(l) - t * l).sum(), "sum over the batch"),
    (lambda l, t: (t * l - F.softplus(l)).mean(), "mind the minus sign"),
])
def test_bce_slips_get_their_own_message(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        check_bce_with_logits(wrong)


@pytest.mark.parametrize("wrong, message", [
    (lambda r, f: ((r > 0.5).sum() + (f < 0.5).sum()).item() / 400,
     "thresholded the logits at 0.5"),
    (lambda r, f: ((r > 0).sum() + (f > 0).sum()).item() / 400,
     "fake as right when its logit is positive"),
    (lambda r, f: (r > 0).float().mean().item(), "real points only"),
])
def test_accuracy_slips_get_their_own_message(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        check_detection_accuracy(wrong)


def test_accuracy_through_sigmoid_at_one_half_passes(capsys):
    check_detection_accuracy(lambda r, f: (
        (r.sigmoid() > 0.5).float().mean()
        + (f.sigmoid() < 0.5).float().mean()) / 2)
    assert capsys.readouterr().out.startswith("Correct:")
