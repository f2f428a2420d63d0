"""The generator chapter's graders: right answers pass, slips are named."""
import pytest
import torch
from torch import nn

from gancheck.core import ExerciseError
from gancheck.generator import (
    check_generator_head, check_transposed_conv_output_size,
    transposed_conv_output_size,
)


def output_size(in_size, kernel_size, stride, padding, output_padding=0):
    return ((in_size - 1) * stride - 2 * padding + kernel_size
            + output_padding)


def head(latent_dim, channels):
    return nn.Sequential(
        nn.Unflatten(1, (latent_dim, 1, 1)),
        nn.ConvTranspose2d(latent_dim, channels, 4, 1, 0, bias=False),
        nn.BatchNorm2d(channels), nn.ReLU(True))


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("case", [(1, 4, 1, 0, 0), (4, 4, 2, 1, 0),
                                  (7, 3, 2, 1, 1), (5, 5, 3, 2, 2),
                                  (3, 1, 1, 0, 0)])
def test_reference_formula_matches_conv_transpose2d(case):
    in_size, kernel_size, stride, padding, output_padding = case
    layer = nn.ConvTranspose2d(1, 1, kernel_size, stride, padding,
                               output_padding)
    out = layer(torch.zeros(1, 1, in_size, in_size))
    assert out.shape[-1] == transposed_conv_output_size(*case)


@pytest.mark.parametrize("seed", [0, 1, 5])
def test_reference_answers_pass(seed, capsys):
    check_transposed_conv_output_size(output_size, seed=seed)
    check_generator_head(head, seed=seed)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("Correct:") for line in lines)


@pytest.mark.parametrize("check", [check_transposed_conv_output_size,
                                   check_generator_head])
def test_stub_is_not_written_yet(check):
    with pytest.raises(ExerciseError, match="not written yet"):
        check(stub)


@pytest.mark.parametrize("wrong, message", [
    (lambda i, k, s, p, o=0: (i + 2 * p - k) // s + 1,
     "ordinary convolution's formula"),
    (lambda i, k, s, p, o=0: i * s - 2 * p + k + o,
     r"in \* stride instead of \(in - 1\) \* stride"),
    (lambda i, k, s, p, o=0: (i - 1) * s - p + k + o,
     "padding subtracted once"),
    (lambda i, k, s, p, o=0: (i - 1) * s - 2 * p + k,
     "output_padding left out"),
    (lambda i, k, s, p, o=0: float(output_size(i, k, s, p, o)),
     "of type float where the int"),
])
def test_size_slips_get_their_own_message(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        check_transposed_conv_output_size(wrong)


def test_head_without_reshape_is_told_to_view_z_as_an_image():
    def flat_head(latent_dim, channels):
        return nn.ConvTranspose2d(latent_dim, channels, 4, 1, 0)
    with pytest.raises(ExerciseError, match=(
            r"your head raised RuntimeError on z of shape \(2, 100\): "
            r".*Hint: a ConvTranspose2d reads images.*"
            r"\(B, latent_dim, 1, 1\)")):
        check_generator_head(flat_head)


def test_head_with_upsampling_kernel_gets_the_size_hint():
    def doubling_head(latent_dim, channels):
        return nn.Sequential(nn.Unflatten(1, (latent_dim, 1, 1)),
                             nn.ConvTranspose2d(latent_dim, channels,
                                                4, 2, 1))
    with pytest.raises(ExerciseError, match=r"shape \(2, 512, 2, 2\).*"
                       "kernel_size=4, stride=1, padding=0"):
        check_generator_head(doubling_head)


def test_head_with_fixed_channels_gets_the_channel_hint():
    def fixed_head(latent_dim, channels):
        return nn.Sequential(nn.Unflatten(1, (latent_dim, 1, 1)),
                             nn.ConvTranspose2d(latent_dim, 64, 4, 1, 0))
    with pytest.raises(ExerciseError, match="out_channels=512"):
        check_generator_head(fixed_head)


def test_head_that_ignores_z_is_caught():
    class ConstantHead(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.image = nn.Parameter(torch.randn(1, channels, 4, 4))

        def forward(self, z):
            return self.image.expand(z.shape[0], -1, -1, -1)
    with pytest.raises(ExerciseError, match="two different z"):
        check_generator_head(lambda d, c: ConstantHead(c))
