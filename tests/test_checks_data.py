"""The training-data chapter's graders: right answers pass, slips are named.
"""
import pytest
import torch

from gancheck.core import ExerciseError
from gancheck.data import check_scale_to_unit_range, \
    check_tensor_megabytes


def scale_reference(x, low, high):
    """The notebook's solution: floats first, then shift and stretch."""
    return 2 * (x.float() - low) / (high - low) - 1


def scale_stub(x, low, high):
    raise NotImplementedError


def megabytes_reference(tensor):
    return tensor.numel() * tensor.element_size() / 1e6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scale_reference_passes(seed, capsys):
    check_scale_to_unit_range(scale_reference, seed=seed)
    assert capsys.readouterr().out.startswith("Correct:")


def test_scale_stub_says_not_written_yet():
    with pytest.raises(ExerciseError,
                       match="scale_stub is not written yet"):
        check_scale_to_unit_range(scale_stub)


@pytest.mark.parametrize("wrong, message", [
    (lambda x, low, high: (x - low) / (high - low), r"\[0, 1\]"),
    (lambda x, low, high: 2 * (x - x.min()) / (x.max() - x.min()) - 1,
     "batch's own min and max"),
    (lambda x, low, high: 2 * x / (high - low) - 1, "low not subtracted"),
    (lambda x, low, high: 2 * (x - low) / high - 1, "division by high"),
    (lambda x, low, high: 1 - 2 * (x - low) / (high - low), "flipped"),
    (lambda x, low, high: x[:1], "shape"),
])
def test_scale_typical_slips_get_their_own_message(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        check_scale_to_unit_range(wrong)


def test_scale_in_place_change_is_reported():
    def in_place(x, low, high):
        x -= low
        return 2 * x / (high - low) - 1
    with pytest.raises(ExerciseError, match="in place"):
        check_scale_to_unit_range(in_place)


def test_scale_uint8_overflow_is_explained():
    def no_float(x, low, high):
        return 2 * (x - low) / (high - low) - 1
    with pytest.raises(ExerciseError, match="uint8.*x.float"):
        check_scale_to_unit_range(no_float)


def test_ganlib_scale_agrees_with_reference_on_floats():
    x = torch.linspace(-3, 5, 11)
    from ganlib.data import scale_to_unit_range
    assert torch.allclose(scale_to_unit_range(x, -3, 5),
                          scale_reference(x, -3, 5))


@pytest.mark.parametrize("seed", [0, 1])
def test_megabytes_reference_passes(seed, capsys):
    check_tensor_megabytes(megabytes_reference, seed=seed)
    assert capsys.readouterr().out.startswith("Correct:")


def test_megabytes_stub_says_not_written_yet():
    def stub(tensor):
        raise NotImplementedError
    with pytest.raises(ExerciseError, match="stub is not written yet"):
        check_tensor_megabytes(stub)


@pytest.mark.parametrize("wrong, message", [
    (lambda t: t.numel() / 1e6, "number of values, not of bytes"),
    (lambda t: t.numel() * t.element_size() / 2**20, "mebibyte"),
    (lambda t: t.numel() * t.element_size(), "that is bytes"),
    (lambda t: "big", "where a number was expected"),
])
def test_megabytes_typical_slips_get_their_own_message(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        check_tensor_megabytes(wrong)
