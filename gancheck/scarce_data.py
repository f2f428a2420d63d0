"""Graders for the chapter "More data where data is scarce"."""
import torch

from gancheck.core import (expect_shape, expect_tensor, fail, name_the_slip,
                           passed, run_student)
from ganlib.scarce_data import shift

_HINT = ("make a tensor full of -1 (torch.full_like(images, -1.0)) and "
         "copy into it the part of the image that stays inside, or pad "
         "with F.pad(images, ..., value=-1.0) and cut out an H x W window")


def _close(got, expected) -> bool:
    """got is a tensor equal to expected (same shape, same values)."""
    return (isinstance(got, torch.Tensor) and got.shape == expected.shape
            and torch.allclose(got.detach().float(), expected))


def _zero_filled(images, dx, dy):
    """shift, but with 0 (mid-grey in [-1, 1]) in the uncovered strips."""
    inside = shift(torch.zeros_like(images), dx, dy) == 0  # True: moved in
    return torch.where(inside, shift(images, dx, dy), 0.0)


_SLIPS = {
    "torch.roll, which wraps around: what leaves on one side comes back "
    "on the other": (
        lambda images, dx, dy: images.roll((dy, dx), dims=(2, 3)),
        "a garment pushed out of the picture on the right must not "
        "reappear on the left; " + _HINT),
    "a shift that fills the uncovered strip with 0": (
        _zero_filled,
        "in images scaled to [-1, 1] the black background is -1, and 0 is "
        "mid-grey: fill with -1.0"),
    "a shift in the opposite direction": (
        lambda images, dx, dy: shift(images, -dx, -dy),
        "a positive dx moves the picture right: the pixel at column j "
        "lands at column j + dx (and row i at row i + dy)"),
    "a shift with dx and dy swapped": (
        lambda images, dx, dy: shift(images, dy, dx),
        "dx moves along the width (the last dimension, columns), dy along "
        "the height (dimension 2, rows)"),
}


def _cases(rng: torch.Generator) -> list[tuple]:
    """(images (N, C, H, W) in [-1, 1], dx, dy), nonzero moves each way."""
    moves = [(2, 1), (-1, 3), (0, -2), (3, 0)]
    return [(torch.rand(3, 1, 7, 8, generator=rng) * 2 - 1, dx, dy)
            for dx, dy in moves]


def check_shift(student_fn, *, seed: int = 0) -> None:
    """Grade shift(images, dx, dy): dx px right, dy px down, -1 fills."""
    rng = torch.Generator().manual_seed(seed)
    answers = []
    for images, dx, dy in _cases(rng):
        copy = images.clone()
        got = run_student(student_fn, copy, dx, dy, name="my_shift",
                          hint=_HINT, called_on=f"dx={dx}, dy={dy}")
        if not torch.equal(copy, images):
            raise fail("your my_shift changed its input images in place",
                       "build a new tensor and leave images as they are")
        expect_tensor(got, what="your my_shift's output", hint=_HINT)
        expect_shape(got, images.shape, what="your my_shift's output",
                     hint="the shifted images keep the size H x W; cut "
                     "away what leaves the picture")
        answers.append(((images, dx, dy), got))
    name_the_slip(_SLIPS, answers,
                  same=lambda got, expected: _close(got, expected))
    for (images, dx, dy), got in answers:
        if not _close(got, shift(images, dx, dy)):
            raise fail(f"for dx={dx}, dy={dy} your images differ from the "
                       f"shifted ones", _HINT)
    passed("your my_shift moves the pictures right by dx and down by dy, "
           "drops what leaves them and fills the rest with black (-1).")
