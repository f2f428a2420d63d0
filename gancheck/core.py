"""Shared pieces for exercise checks: one error type, clear messages.

Every check raises ExerciseError("<what is wrong>. Hint: <how to fix>")
and prints one line starting with "Correct:" when the answer is right.
Topic modules (gancheck/noise.py, ...) build their checks from these.
"""
import operator

import torch

DEFAULT_HINT = "compare your code with the formula in the text above."


class ExerciseError(AssertionError):
    """An exercise answer is wrong; the message says what and how to fix."""


def fail(problem: str, hint: str = DEFAULT_HINT) -> ExerciseError:
    """Build an ExerciseError "<problem>. Hint: <hint>" (to raise)."""
    return ExerciseError(f"{problem.rstrip('.')}. Hint: {hint}")


def _first_line(error: Exception) -> str:
    """The first line of an exception's message ("" when it has none)."""
    lines = str(error).splitlines()
    return lines[0] if lines else ""


def run_student(fn, *args, name: str, hint: str = DEFAULT_HINT,
                crash_hint: str | None = None, called_on: str = "",
                **kwargs):
    """Call the student's fn(*args, **kwargs), explaining any exception.

    A stub (NotImplementedError) is told it is not written yet, with hint.
    Any other exception becomes "<name> raised <kind> on <called_on>:
    <first line of its message>" with crash_hint (hint when None);
    called_on describes the input, e.g. "z of shape (2, 100)", and may be
    left out.
    """
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise fail(
            f"{name} is not written yet: replace `raise "
            "NotImplementedError` with your code", hint) from None
    except Exception as error:
        problem = f"{name} raised {type(error).__name__}"
        if called_on:
            problem += f" on {called_on}"
        if _first_line(error):
            problem += f": {_first_line(error)}"
        raise fail(problem,
                   hint if crash_hint is None else crash_hint) from error


def name_the_slip(slips: dict, answers, *, same=operator.eq) -> None:
    """Raise the message of the first slip that explains every answer.

    slips maps what a typical slip computes to (formula, hint); answers
    holds (args, got) pairs. A slip explains them when
    same(got, formula(*args)) holds for every pair; its message is then
    "your answers match <slip>. Hint: <hint>". Returns when none does.
    """
    for slip, (formula, hint) in slips.items():
        if all(same(got, formula(*args)) for args, got in answers):
            raise fail(f"your answers match {slip}", hint)


def expect_tensor(value, *, what: str, hint: str = DEFAULT_HINT) -> None:
    """Fail unless value is a torch.Tensor."""
    if not isinstance(value, torch.Tensor):
        kind = type(value).__name__
        raise fail(f"{what} is a {kind} where a torch.Tensor was expected",
                   hint)


def expect_shape(tensor, shape, *, what: str,
                 hint: str = DEFAULT_HINT) -> None:
    """Fail unless tensor is a tensor of exactly this shape."""
    expect_tensor(tensor, what=what, hint=hint)
    actual = tuple(tensor.shape)
    if actual != tuple(shape):
        raise fail(f"{what} has shape {actual} where {tuple(shape)} "
                   "was expected", hint)


def _as_cpu_double(value) -> torch.Tensor:
    """A detached float64 CPU copy of a number or tensor."""
    return torch.as_tensor(value).detach().to("cpu", torch.float64)


def expect_close(actual, expected, *, what: str, hint: str = DEFAULT_HINT,
                 atol: float = 1e-5, rtol: float = 1e-4) -> None:
    """Fail unless actual is close to expected (numbers or tensors)."""
    expected = _as_cpu_double(expected)
    if not isinstance(actual, (int, float, torch.Tensor)):
        kind = type(actual).__name__
        raise fail(f"{what} is a {kind} where a number or tensor was "
                   "expected", hint)
    actual = _as_cpu_double(actual)
    if actual.shape != expected.shape:
        raise fail(f"{what} has shape {tuple(actual.shape)} where "
                   f"{tuple(expected.shape)} was expected", hint)
    if not torch.allclose(actual, expected, atol=atol, rtol=rtol):
        worst = (actual - expected).abs().argmax()
        got = actual.flatten()[worst].item()
        want = expected.flatten()[worst].item()
        raise fail(f"{what} is wrong: got {got:.6g} where {want:.6g} was "
                   "expected", hint)


def passed(message: str) -> None:
    """Print the success line "Correct: <message>"."""
    print(f"Correct: {message}")
