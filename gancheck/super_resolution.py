"""Graders for the super-resolution chapter's exercises."""
import math

import torch

from gancheck.core import (expect_shape, fail, name_the_slip, passed,
                           run_student)
from ganlib.super_resolution import psnr

_HINT = ("per image: mse = ((images - originals) ** 2).mean over C, H, "
         "W; then 10 * torch.log10(2 ** 2 / mse), since the peak-to-peak "
         "range of [-1, 1] is 2")


def _mse(images, originals):
    """(N,) mean squared error of each image."""
    return ((images - originals) ** 2).flatten(start_dim=1).mean(dim=1)


# Typical slips: what the slip computes (float64) and the hint to give.
_SLIPS = {
    "a peak of 1, as for images in [0, 1] (6.02 dB too low)":
        (lambda x, y: 10 * torch.log10(1 / _mse(x, y)),
         "our images lie in [-1, 1]: from black to white is 2, so the "
         "peak is 2 and peak ** 2 is 4"),
    "a peak of 255, as for 8-bit pixels":
        (lambda x, y: 10 * torch.log10(255 ** 2 / _mse(x, y)),
         "our images are floats in [-1, 1], not bytes: the peak is 2"),
    "the peak not squared (10 log10(2 / MSE))":
        (lambda x, y: 10 * torch.log10(2 / _mse(x, y)),
         "PSNR compares powers: square the peak, 2 ** 2 = 4"),
    "the root of the MSE in place of the MSE":
        (lambda x, y: 10 * torch.log10(4 / _mse(x, y).sqrt()),
         "with 10 log10, divide by the MSE itself; 20 log10(2 / RMSE) is "
         "the same number"),
    "the mean absolute error in place of the squared one":
        (lambda x, y: 10 * torch.log10(
            4 / (x - y).abs().flatten(start_dim=1).mean(dim=1)),
         "square the pixel errors before averaging them"),
    "the natural logarithm in place of log10":
        (lambda x, y: 10 * torch.log(4 / _mse(x, y)),
         "decibels use the base-10 logarithm: torch.log10"),
    "one MSE over the whole batch, not one per image":
        (lambda x, y: (10 * torch.log10(4 / ((x - y) ** 2).mean()))
         .expand(len(x)),
         "average the squared error over each image's own pixels "
         "(dims 1, 2, 3), so each image gets its own PSNR"),
}


def _cases(seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(images, originals) in [-1, 1], errors of different sizes."""
    rng = torch.Generator().manual_seed(seed)
    cases = []
    for shape, noise in (((4, 1, 8, 8), 0.1), ((3, 1, 28, 28), 0.4),
                         ((2, 3, 5, 5), 0.02)):
        originals = torch.rand(shape, generator=rng) * 1.6 - 0.8
        scale = noise * torch.linspace(0.5, 2.0, shape[0])[:, None, None,
                                                           None]
        error = torch.randn(shape, generator=rng) * scale
        cases.append(((originals + error).clamp(-1, 1), originals))
    return cases


def _run(student_fn, images, originals) -> torch.Tensor:
    """Call the student's psnr on copies; check shape and inputs kept."""
    given, given_originals = images.clone(), originals.clone()
    got = run_student(student_fn, given, given_originals, name="your psnr",
                      hint=_HINT,
                      called_on=f"images of shape {tuple(images.shape)}")
    if not (torch.equal(given, images)
            and torch.equal(given_originals, originals)):
        raise fail("your psnr changed its inputs in place", "compute a "
                   "new tensor: (images - originals) ** 2, not -=")
    if isinstance(got, torch.Tensor) and got.ndim == 0:
        raise fail("your psnr returned one number for the whole batch",
                   "return one PSNR per image, a tensor of shape (N,): "
                   "average the squared error over dims 1, 2, 3 only")
    expect_shape(got, (len(images),), what="your psnr's output", hint=_HINT)
    return got.detach().double()


def check_psnr(student_fn, *, seed: int = 0) -> None:
    """Grade psnr(images, originals) -> (N,) dB, for images in [-1, 1]."""
    answers = []
    for images, originals in _cases(seed):
        got = _run(student_fn, images, originals)
        answers.append(((images.double(), originals.double()), got))
    name_the_slip(_SLIPS, answers, same=lambda got, slipped:
                  torch.allclose(got, slipped.double(), atol=1e-3))
    for (images, originals), got in answers:
        expected = psnr(images, originals)
        if not torch.allclose(got, expected, atol=1e-3):
            worst = (got - expected).abs().argmax()
            raise fail(f"for an image with mean squared error "
                       f"{_mse(images, originals)[worst]:.4g} your psnr "
                       f"gave {got[worst]:.4f} dB where "
                       f"{expected[worst]:.4f} dB was expected", _HINT)
    error = 0.1  # every pixel off by 0.1: 10 log10(4 / 0.01) = 26.02 dB
    flat = torch.zeros(1, 1, 4, 4)
    got = _run(student_fn, flat + error, flat)
    if not math.isclose(got.item(), 10 * math.log10(4 / error ** 2),
                        abs_tol=1e-3):
        raise fail("a constant error of 0.1 should give 26.02 dB",
                   _HINT)
    passed("your psnr gives each image its own 10 log10(4 / MSE) in dB, "
           "with the peak-to-peak range 2 of images in [-1, 1].")
