"""The noise chapter's slerp grader: right answers pass, slips are named."""
import pytest
import torch

from gancheck.core import ExerciseError
from gancheck.noise import check_slerp
from ganlib.noise import slerp


def slerp_reference(z0, z1, t):
    """The notebook's solution, written without ganlib."""
    cos_w = z0 @ z1 / (z0.norm() * z1.norm())
    w = torch.arccos(cos_w.clamp(-1, 1))
    t = t[:, None]
    if torch.sin(w).abs() < 1e-6:
        return (1 - t) * z0 + t * z1
    return (torch.sin((1 - t) * w) * z0 + torch.sin(t * w) * z1) \
        / torch.sin(w)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_and_ganlib_slerp_pass(seed, capsys):
    check_slerp(slerp_reference, seed=seed)
    check_slerp(slerp, seed=seed)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(l.startswith("Correct:") for l in lines)


def test_stub_says_not_written_yet():
    def stub(z0, z1, t):
        raise NotImplementedError
    with pytest.raises(ExerciseError, match="stub is not written yet"):
        check_slerp(stub)


def test_lerp_is_recognised():
    def lerp_answer(z0, z1, t):
        t = t[:, None]
        return (1 - t) * z0 + t * z1
    with pytest.raises(ExerciseError,
                       match="norm not preserved: looks like lerp"):
        check_slerp(lerp_answer)


def test_swapped_weights_are_reported_at_t0():
    def swapped(z0, z1, t):
        return slerp_reference(z1, z0, t)
    with pytest.raises(ExerciseError,
                       match="at t=0 returned z1 instead of z0"):
        check_slerp(swapped)


def test_missing_division_by_sin_w_is_reported():
    def no_division(z0, z1, t):
        return slerp_reference(z0, z1, t) * torch.sin(
            torch.arccos(z0 @ z1 / (z0.norm() * z1.norm())))
    with pytest.raises(ExerciseError, match="at t=0 returned .*divide by"):
        check_slerp(no_division)


def test_missing_parallel_fallback_is_reported():
    def no_fallback(z0, z1, t):
        w = torch.arccos((z0 @ z1 / (z0.norm() * z1.norm())).clamp(-1, 1))
        t = t[:, None]
        return (torch.sin((1 - t) * w) * z0 + torch.sin(t * w) * z1) \
            / torch.sin(w)
    with pytest.raises(ExerciseError, match="NaN.*return lerp"):
        check_slerp(no_fallback)


def test_wrong_shape_is_reported():
    def one_point(z0, z1, t):
        return slerp_reference(z0, z1, t)[0]
    with pytest.raises(ExerciseError, match="shape"):
        check_slerp(one_point)


def test_unit_directions_without_scaling_back_are_reported():
    def unit_arc(z0, z1, t):
        return slerp_reference(z0 / z0.norm(), z1 / z1.norm(), t)
    with pytest.raises(ExerciseError, match="at t=0 returned"):
        check_slerp(unit_arc)
