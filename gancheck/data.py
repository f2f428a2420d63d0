"""Graders for the training-data chapter's exercises."""
import torch

from gancheck.core import (expect_shape, fail, name_the_slip, passed,
                           run_student)
from ganlib.data import scale_to_unit_range

_SCALE_HINT = ("send low to -1 and high to 1 along a straight line: shift "
               "by low, divide by the width of the range, then move [0, 1] "
               "to [-1, 1]")

# Typical slips: what the slip computes (float64) and the hint to give.
_SCALE_SLIPS = {
    "values in [0, 1] instead of [-1, 1]":
        (lambda x, low, high: (x - low) / (high - low),
         "(x - low) / (high - low) lies in [0, 1]; stretch and shift it "
         "so that it covers [-1, 1]"),
    "the batch's own min and max used instead of low and high":
        (lambda x, low, high: 2 * (x - x.min()) / (x.max() - x.min()) - 1,
         "use the range the data COULD take (low, high), not the values "
         "this batch happens to hold, so every batch is scaled the same"),
    "low not subtracted from x (right only when low = 0)":
        (lambda x, low, high: 2 * x / (high - low) - 1,
         "shift first: x - low is 0 at low"),
    "a division by high instead of by the width high - low":
        (lambda x, low, high: 2 * (x - low) / high - 1,
         "divide by the width of the range, high - low"),
    "low mapped to 1 and high to -1 (the sign is flipped)":
        (lambda x, low, high: 1 - 2 * (x - low) / (high - low),
         "low must go to -1 and high to +1"),
}


def _name(student_fn) -> str:
    """The student's function name, for messages."""
    return getattr(student_fn, "__name__", "your function")


def _cases(seed: int) -> list[tuple[torch.Tensor, float, float]]:
    """(x, low, high) inputs whose values stay strictly inside the range."""
    rng = torch.Generator().manual_seed(seed)
    cases = []
    for low, high, shape in [(0.0, 255.0, (4, 1, 3, 3)), (0.0, 16.0, (20,)),
                             (-3.0, 5.0, (2, 7)), (2.0, 10.0, (6, 2))]:
        inside = 0.1 + 0.8 * torch.rand(shape, generator=rng)
        cases.append((low + (high - low) * inside, low, high))
    return cases


def _diagnose_scale_slip(results: list) -> None:
    """Raise a slip's own message when it explains every answer."""
    answers = [((x.double(), low, high), got.double())
               for x, low, high, got in results]
    name_the_slip(_SCALE_SLIPS, answers,
                  same=lambda got, slipped: torch.allclose(got, slipped,
                                                           atol=1e-4))


def _run_scale(student_fn, x, low, high) -> torch.Tensor:
    """Call the student's function on a copy, checking x is unchanged."""
    given = x.clone()
    got = run_student(student_fn, given, low, high,
                      name=_name(student_fn), hint=_SCALE_HINT)
    expect_shape(got, x.shape, what="your output", hint="return one value "
                 "per input value, with the same shape as x")
    if not torch.equal(given, x):
        raise fail("your function changed its input x in place",
                   "compute a new tensor, e.g. with 2 * (x - low) / ... "
                   "rather than x -= low")
    return got


def _check_bytes(student_fn) -> None:
    """Image bytes arrive as uint8: the answer must not overflow."""
    x = torch.tensor([0, 64, 128, 200, 255], dtype=torch.uint8)
    got = _run_scale(student_fn, x, 0, 255)
    expected = scale_to_unit_range(x.float(), 0, 255)
    if not got.is_floating_point() or not torch.allclose(got, expected,
                                                         atol=1e-5):
        raise fail(
            f"for the uint8 bytes {x.tolist()} with low=0, high=255 you "
            f"returned {[round(v, 4) for v in got.tolist()]} where "
            f"{[round(v, 4) for v in expected.tolist()]} was expected",
            "uint8 arithmetic wraps around above 255 and cannot hold "
            "fractions: convert to float first with x.float()")


def check_scale_to_unit_range(student_fn, *, seed: int = 0) -> None:
    """Grade scale_to_unit_range(x, low, high) -> x mapped to [-1, 1]."""
    results = [(x, low, high, _run_scale(student_fn, x, low, high))
               for x, low, high in _cases(seed)]
    for x, low, high, got in results:
        if not got.is_floating_point():
            raise fail(f"you returned a tensor of dtype {got.dtype}",
                       "the scaled values are fractions: return floats")
    wrong = [r for r in results if not torch.allclose(
        r[3].double(), scale_to_unit_range(r[0].double(), r[1], r[2]),
        atol=1e-4)]
    if wrong:
        _diagnose_scale_slip(results)
        x, low, high, got = wrong[0]
        expected = scale_to_unit_range(x.double(), low, high)
        raise fail(f"for low={low}, high={high} and x[0]={x.flatten()[0]:.4g}"
                   f" you returned {got.flatten()[0]:.4g} where "
                   f"{expected.flatten()[0]:.4g} was expected", _SCALE_HINT)
    ends = _run_scale(student_fn, torch.tensor([-2.0, 7.0]), -2.0, 7.0)
    if not torch.allclose(ends, torch.tensor([-1.0, 1.0]), atol=1e-5):
        raise fail(f"low=-2 and high=7 went to {ends.tolist()} instead of "
                   "[-1, 1]", _SCALE_HINT)
    _check_bytes(student_fn)
    passed("low goes to -1, high to 1, and everything in between "
           "follows on a straight line.")


_MB_HINT = ("count the bytes from the number of values and the bytes per "
            "value, then convert them to megabytes of 10**6 bytes")


def _mb_cases() -> list[torch.Tensor]:
    """Tensors of several dtypes and shapes (float32, float16, int64...)."""
    return [torch.zeros(1797, 1, 16, 16), torch.zeros(1000, 3, 32, 32),
            torch.zeros(60000, 28, 28, dtype=torch.uint8),
            torch.zeros(500, 2, dtype=torch.float64),
            torch.zeros(300, 4, dtype=torch.float16)]


def check_tensor_megabytes(student_fn, *, seed: int = 0) -> None:
    """Grade tensor_megabytes(tensor) -> size in MB (10**6 bytes)."""
    rng = torch.Generator().manual_seed(seed)
    extra = torch.zeros(int(torch.randint(1, 5000, (), generator=rng)),
                        int(torch.randint(1, 64, (), generator=rng)))
    for tensor in _mb_cases() + [extra]:
        got = run_student(student_fn, tensor, name=_name(student_fn),
                          hint=_MB_HINT)
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            raise fail(f"you returned a {type(got).__name__} where a "
                       "number was expected", "return a float")
        num_bytes = tensor.numel() * tensor.element_size()
        what = f"for a {tensor.dtype} tensor of shape {tuple(tensor.shape)}"
        if abs(got - num_bytes / 1e6) <= 1e-6 * max(1.0, num_bytes / 1e6):
            continue
        if abs(got - tensor.numel() / 1e6) < 1e-9:
            raise fail(f"{what} you returned {got:.6g}: the number of "
                       "values, not of bytes",
                       "multiply by tensor.element_size(), the bytes per "
                       "value (4 for float32, 1 for uint8)")
        if abs(got - num_bytes / 2**20) < 1e-9:
            raise fail(f"{what} you returned {got:.6g}: you divided by "
                       "2**20 (a mebibyte, MiB)",
                       "this exercise counts a megabyte as 10**6 bytes")
        if abs(got - num_bytes) < 1e-6:
            raise fail(f"{what} you returned {got:.6g}: that is bytes",
                       "divide by 10**6 to get megabytes")
        raise fail(f"{what} you returned {got:.6g} where "
                   f"{num_bytes / 1e6:.6g} was expected", _MB_HINT)
    passed("you count bytes as values times bytes per value.")
