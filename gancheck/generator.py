"""Graders for the generator chapter's exercises."""
import torch
from torch import nn

from gancheck.core import fail, name_the_slip, passed, run_student


def transposed_conv_output_size(in_size: int, kernel_size: int,
                                stride: int, padding: int,
                                output_padding: int = 0) -> int:
    """Height (or width) after nn.ConvTranspose2d with these settings."""
    return ((in_size - 1) * stride - 2 * padding + kernel_size
            + output_padding)


_FORMULA_HINT = ("out = (in - 1) * stride - 2 * padding + kernel_size "
                 "+ output_padding")

# Typical slips, each named by what it computes, with the hint to give.
_SLIPS = {
    "the ordinary convolution's formula (in + 2 * padding - kernel_size)"
    " // stride + 1, which shrinks the image":
        (lambda i, k, s, p, o: (i + 2 * p - k) // s + 1,
         "a transposed convolution runs it backwards: " + _FORMULA_HINT),
    "in * stride instead of (in - 1) * stride":
        (lambda i, k, s, p, o: i * s - 2 * p + k + o,
         "the first input pixel lands at 0 and each further one moves "
         "stride steps, so the last starts at (in - 1) * stride"),
    "padding subtracted once instead of twice":
        (lambda i, k, s, p, o: (i - 1) * s - p + k + o,
         "padding is cut from both sides, so subtract 2 * padding"),
    "padding added instead of subtracted":
        (lambda i, k, s, p, o: (i - 1) * s + 2 * p + k + o,
         "in a transposed convolution padding removes rows from the "
         "output: subtract 2 * padding"),
    "output_padding left out":
        (lambda i, k, s, p, o: (i - 1) * s - 2 * p + k,
         "add output_padding at the end: it puts back the row that "
         "rounding down lost in the matching forward convolution"),
}

# Fixed cases that tell every slip above apart from the right formula:
# (in_size, kernel_size, stride, padding, output_padding).
_FIXED_CASES = [(1, 4, 1, 0, 0), (4, 4, 2, 1, 0), (7, 3, 2, 1, 1),
                (5, 5, 3, 2, 2), (16, 4, 2, 1, 0)]


def _random_cases(seed: int, num_cases: int = 12) -> list[tuple]:
    """Valid ConvTranspose2d settings drawn from a seeded generator."""
    rng = torch.Generator().manual_seed(seed)
    cases = []
    while len(cases) < num_cases:
        i, k, s = (int(torch.randint(low, high, (), generator=rng))
                   for low, high in [(1, 17), (1, 8), (1, 4)])
        p = int(torch.randint(0, k, (), generator=rng))
        o = int(torch.randint(0, s, (), generator=rng))
        if transposed_conv_output_size(i, k, s, p, o) >= 1:
            cases.append((i, k, s, p, o))
    return cases


def _describe(case: tuple) -> str:
    i, k, s, p, o = case
    return (f"in_size={i}, kernel_size={k}, stride={s}, padding={p}, "
            f"output_padding={o}")


def check_transposed_conv_output_size(student_fn, *, seed: int = 0):
    """Grade f(in_size, kernel_size, stride, padding, output_padding)."""
    cases = _FIXED_CASES + _random_cases(seed)
    answers = {case: run_student(student_fn, *case,
                                 name="transposed_conv_output_size",
                                 hint=_FORMULA_HINT) for case in cases}
    for case, got in answers.items():
        expected = transposed_conv_output_size(*case)
        if isinstance(got, bool) or not isinstance(got, int):
            raise fail(
                f"for {_describe(case)} you returned {got!r} of type "
                f"{type(got).__name__} where the int {expected} was "
                "expected", "use only *, + and - on the ints you are "
                "given (no /)")
    wrong = {c: g for c, g in answers.items()
             if g != transposed_conv_output_size(*c)}
    if wrong:
        name_the_slip(_SLIPS, answers.items())
        case, got = next(iter(wrong.items()))
        raise fail(
            f"for {_describe(case)} you returned {got} where "
            f"{transposed_conv_output_size(*case)} was expected",
            _FORMULA_HINT)
    passed(f"the output size is right for all {len(cases)} settings.")


_HEAD_HINT = ("view z as a 1 x 1 image (B, latent_dim, 1, 1), then grow "
              "it to 4 x 4 with one nn.ConvTranspose2d")


_VIEW_HINT = ("a ConvTranspose2d reads images, so first view z as "
              "(B, latent_dim, 1, 1), e.g. with "
              "nn.Unflatten(1, (latent_dim, 1, 1))")


def _head_output(head: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """Run the student's head on z, turning a crash into a hint."""
    return run_student(head, z, name="your head", hint=_HEAD_HINT,
                       crash_hint=_VIEW_HINT,
                       called_on=f"z of shape {tuple(z.shape)}")


def _check_head_shape(out, z: torch.Tensor, channels: int) -> None:
    """Fail with a targeted hint unless out is (B, channels, 4, 4)."""
    expected = (z.shape[0], channels, 4, 4)
    if not isinstance(out, torch.Tensor):
        raise fail(f"your head returned a {type(out).__name__}, not a "
                   "tensor", "return the layers' output tensor")
    if tuple(out.shape) == expected:
        return
    hint = "end with a tensor of shape (B, channels, 4, 4)"
    if out.ndim == 4 and out.shape[1] != channels:
        hint = (f"the transposed convolution needs out_channels="
                f"{channels}, the number of feature maps asked for")
    elif out.ndim == 4 and tuple(out.shape[2:]) != (4, 4):
        hint = ("from a 1x1 input, kernel_size=4, stride=1, padding=0 "
                "gives (1 - 1) * 1 - 2 * 0 + 4 = 4")
    raise fail(f"for z of shape {tuple(z.shape)} your head returned "
               f"shape {tuple(out.shape)} where {expected} was expected",
               hint)


def _check_head_uses_z(head: nn.Module, latent_dim: int, channels: int,
                       rng: torch.Generator) -> None:
    """Fail unless the output changes with z and gradients reach z."""
    z = torch.randn(5, latent_dim, generator=rng, requires_grad=True)
    out = _head_output(head, z)
    _check_head_shape(out, z, channels)
    if torch.allclose(out[0], out[1]):
        raise fail("two different z gave the same output",
                   "compute the output from z, not from a constant")
    if not out.requires_grad:
        raise fail("no gradient can flow from the output back to z",
                   "keep z in the computation (no .detach(), no "
                   "torch.no_grad())")
    out.square().mean().backward()
    if z.grad is None or not z.grad.abs().sum() > 0:
        raise fail("no gradient flows from the output back to z",
                   "keep z in the computation (no .detach())")


def check_generator_head(build_head, *, seed: int = 0) -> None:
    """Grade build_head(latent_dim, channels): (B, D) -> (B, C, 4, 4)."""
    rng = torch.Generator().manual_seed(seed)
    settings = [(100, 512), (int(torch.randint(2, 40, (), generator=rng)),
                             int(torch.randint(1, 33, (), generator=rng)))]
    for latent_dim, channels in settings:
        head = run_student(build_head, latent_dim, channels,
                           name="build_head", hint=_HEAD_HINT)
        if not isinstance(head, nn.Module):
            raise fail(f"build_head returned a {type(head).__name__}, "
                       "not an nn.Module", _HEAD_HINT)
        for batch_size in (2, 7):
            z = torch.randn(batch_size, latent_dim, generator=rng)
            _check_head_shape(_head_output(head, z), z, channels)
        _check_head_uses_z(head, latent_dim, channels, rng)
    passed("your head maps z of shape (B, latent_dim) to "
           "(B, channels, 4, 4) and depends on z.")
