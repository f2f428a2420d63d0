"""The scarce-data chapter's shift grader: slips get their names."""
import pytest
import torch
import torch.nn.functional as F

from gancheck.core import ExerciseError
from gancheck.scarce_data import check_shift
from ganlib.scarce_data import shift


def shift_reference(images, dx, dy):
    """The notebook's solution, written without ganlib."""
    height, width = images.shape[-2:]
    out = torch.full_like(images, -1.0)
    out[..., max(dy, 0):height + min(dy, 0),
        max(dx, 0):width + min(dx, 0)] = images[
        ..., max(-dy, 0):height + min(-dy, 0),
        max(-dx, 0):width + min(-dx, 0)]
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_and_ganlib_pass(seed, capsys):
    check_shift(shift_reference, seed=seed)
    check_shift(shift, seed=seed)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(l.startswith("Correct:") for l in lines)


def test_padding_and_cropping_passes(capsys):
    def padded(images, dx, dy):
        height, width = images.shape[-2:]
        big = F.pad(images, (3, 3, 3, 3), value=-1.0)
        return big[..., 3 - dy:3 - dy + height, 3 - dx:3 - dx + width]
    check_shift(padded)
    assert capsys.readouterr().out.startswith("Correct:")


def test_stub_says_not_written_yet():
    def stub(images, dx, dy):
        raise NotImplementedError
    with pytest.raises(ExerciseError, match="my_shift is not written yet"):
        check_shift(stub)


@pytest.mark.parametrize("slip, message", [
    (lambda images, dx, dy: images.roll((dy, dx), dims=(2, 3)),
     "torch.roll, which wraps around"),
    (lambda images, dx, dy: torch.where(
        shift(torch.zeros_like(images), dx, dy) == 0,
        shift(images, dx, dy), 0.0), "fills the uncovered strip with 0"),
    (lambda images, dx, dy: shift(images, -dx, -dy), "opposite direction"),
    (lambda images, dx, dy: shift(images, dy, dx), "dx and dy swapped"),
])
def test_each_slip_is_named(slip, message):
    with pytest.raises(ExerciseError, match=message):
        check_shift(slip)


def test_changing_the_input_is_named():
    def in_place(images, dx, dy):
        images[:] = shift(images, dx, dy)
        return images
    with pytest.raises(ExerciseError, match="in place"):
        check_shift(in_place)


def test_a_wrong_size_is_named():
    def padded_only(images, dx, dy):
        return F.pad(images, (1, 1, 1, 1), value=-1.0)
    with pytest.raises(ExerciseError, match="shape"):
        check_shift(padded_only)
