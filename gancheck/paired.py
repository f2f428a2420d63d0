"""Graders for the sketch-to-picture chapter's exercises."""
import torch
import torch.nn.functional as F

from gancheck.core import (expect_close, expect_shape, fail, name_the_slip,
                           passed, run_student)
from ganlib.paired import SOBEL_X, edge_strength

_HINT = ("turn the image grey with images.mean(dim=1, keepdim=True), pad "
         "it with F.pad(grey, (1, 1, 1, 1), mode='replicate'), convolve with "
         "SOBEL_X and its transpose, and return "
         "(gx ** 2 + gy ** 2).sqrt().div(8).clamp(max=1)")


def _gradients(images: torch.Tensor, mode: str = "replicate"):
    """The grey image's Sobel gradients gx, gy with the given padding."""
    grey = images.mean(dim=1, keepdim=True)
    if mode == "zeros":
        padded = F.pad(grey, (1, 1, 1, 1))
    else:
        padded = F.pad(grey, (1, 1, 1, 1), mode=mode)
    kernel = SOBEL_X[None, None]
    return F.conv2d(padded, kernel), F.conv2d(padded, kernel.transpose(2, 3))


# What the usual slips compute, each with the hint that fixes it.
SLIPS = {
    "the gradient's length without dividing by 8": (
        lambda x: (lambda g: (g[0] ** 2 + g[1] ** 2).sqrt())(_gradients(x)),
        "a black-to-white step gives a Sobel response of 4 * 2 = 8: divide "
        "the length by 8 so that it becomes 1"),
    "the strength without the clamp at 1": (
        lambda x: (lambda g: (g[0] ** 2 + g[1] ** 2).sqrt() / 8)(
            _gradients(x)),
        "a corner can give more than 8; cap the result with "
        ".clamp(max=1.0)"),
    "|gx| + |gy| instead of the length sqrt(gx^2 + gy^2)": (
        lambda x: (lambda g: (g[0].abs() + g[1].abs()) / 8)(
            _gradients(x)).clamp(max=1),
        "the gradient is the vector (gx, gy); its length is "
        "(gx ** 2 + gy ** 2).sqrt()"),
    "only the x gradient": (
        lambda x: (_gradients(x)[0].abs() / 8).clamp(max=1),
        "add the y gradient: convolve with SOBEL_X.T as well and take the "
        "length of (gx, gy)"),
    "zero padding, which makes the picture's frame an edge": (
        lambda x: (lambda g: (g[0] ** 2 + g[1] ** 2).sqrt() / 8)(
            _gradients(x, "zeros")).clamp(max=1),
        "pad with mode='replicate' so that the border pixels repeat and the "
        "frame of a black background is flat"),
}


def _cases(rng: torch.Generator) -> list[torch.Tensor]:
    """A square, random grey images, and colour images with a grey frame."""
    square = -torch.ones(1, 1, 12, 12)
    square[..., 4:8, 3:9] = 1.0
    grey = torch.rand(3, 1, 10, 10, generator=rng) * 2 - 1
    colour = torch.rand(2, 3, 9, 11, generator=rng) * 2 - 1
    colour[..., 0, :] = 0.5  # a bright frame: zero padding shows there
    return [square, grey, colour]


def check_edge_strength(student_fn, *, seed: int = 0) -> None:
    """Grade edge_strength(images (N, C, H, W)) -> (N, 1, H, W) in [0, 1]."""
    answers = []
    for images in _cases(torch.Generator().manual_seed(seed)):
        copy = images.clone()
        got = run_student(student_fn, copy, name="your edge_strength",
                          hint=_HINT, called_on="images of shape "
                          f"{tuple(images.shape)}")
        if not torch.equal(copy, images):
            raise fail("your edge_strength changed the images in place",
                       "compute on a grey copy; leave the input as it is")
        n, _, h, w = images.shape
        if isinstance(got, torch.Tensor) and got.shape == (n, images.shape[1],
                                                           h, w) \
                and images.shape[1] == 3:
            raise fail("your output has 3 channels for a colour image",
                       "average the channels first: "
                       "images.mean(dim=1, keepdim=True)")
        if isinstance(got, torch.Tensor) and got.shape == (n, 1, h - 2,
                                                           w - 2):
            raise fail(f"your output is {h - 2} x {w - 2} for a {h} x {w} "
                       "image: the convolution had no padding",
                       "pad by one pixel on every side first, with "
                       "F.pad(grey, (1, 1, 1, 1), mode='replicate')")
        expect_shape(got, (n, 1, h, w), what="your edge_strength's output",
                     hint=_HINT)
        answers.append(((images,), got.detach().float()))
    name_the_slip(SLIPS, answers, same=lambda got, want: torch.allclose(
        got, want.float(), atol=1e-5))
    for (images,), got in answers:
        expect_close(got, edge_strength(images),
                     what="your edge strength", hint=_HINT)
    passed("your edge_strength is the Sobel gradient's length over 8, "
           "capped at 1, on grey images with a flat border.")
