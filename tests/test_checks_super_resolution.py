"""The super-resolution chapter's PSNR grader: slips get their names."""
import pytest
import torch

from gancheck.core import ExerciseError
from gancheck.super_resolution import check_psnr
from ganlib.super_resolution import psnr


def psnr_reference(images, originals):
    """The notebook's solution, written without ganlib."""
    mse = ((images - originals) ** 2).mean(dim=(1, 2, 3))
    return 10 * torch.log10(4 / mse)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_and_ganlib_pass(seed, capsys):
    check_psnr(psnr_reference, seed=seed)
    check_psnr(psnr, seed=seed)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(l.startswith("Correct:") for l in lines)


def test_twenty_log10_of_peak_over_rmse_passes(capsys):
    def with_rmse(images, originals):
        rmse = ((images - originals) ** 2).mean(dim=(1, 2, 3)).sqrt()
        return 20 * torch.log10(2 / rmse)
    check_psnr(with_rmse)
    assert capsys.readouterr().out.startswith("Correct:")


def test_stub_says_not_written_yet():
    def stub(images, originals):
        raise NotImplementedError
    with pytest.raises(ExerciseError, match="psnr is not written yet"):
        check_psnr(stub)


@pytest.mark.parametrize("slip, message", [
    (lambda x, y: 10 * torch.log10(1 / ((x - y) ** 2).mean(dim=(1, 2, 3))),
     "a peak of 1.*peak is 2"),
    (lambda x, y: 10 * torch.log10(255 ** 2
                                   / ((x - y) ** 2).mean(dim=(1, 2, 3))),
     "a peak of 255"),
    (lambda x, y: 10 * torch.log10(2 / ((x - y) ** 2).mean(dim=(1, 2, 3))),
     "peak not squared"),
    (lambda x, y: 10 * torch.log10(
        4 / ((x - y) ** 2).mean(dim=(1, 2, 3)).sqrt()), "root of the MSE"),
    (lambda x, y: 10 * torch.log10(4 / (x - y).abs().mean(dim=(1, 2, 3))),
     "mean absolute error"),
    (lambda x, y: 10 * torch.log(4 / ((x - y) ** 2).mean(dim=(1, 2, 3))),
     "natural logarithm"),
    (lambda x, y: (10 * torch.log10(4 / ((x - y) ** 2).mean()))
     .repeat(len(x)), "one MSE over the whole batch"),
])
def test_usual_slips_are_named(slip, message):
    with pytest.raises(ExerciseError, match=message):
        check_psnr(slip)


def test_one_number_for_the_batch_is_named():
    def scalar(images, originals):
        return 10 * torch.log10(4 / ((images - originals) ** 2).mean())
    with pytest.raises(ExerciseError, match="one number for the whole "
                       "batch.*one PSNR per image"):
        check_psnr(scalar)


def test_changing_the_inputs_is_named():
    def in_place(images, originals):
        images -= originals
        return 10 * torch.log10(4 / (images ** 2).mean(dim=(1, 2, 3)))
    with pytest.raises(ExerciseError, match="changed its inputs"):
        check_psnr(in_place)


def test_an_unexplained_wrong_answer_shows_got_and_expected():
    def off_by_one(images, originals):
        return psnr_reference(images, originals) + 1
    with pytest.raises(ExerciseError, match="gave .* dB where .* dB was "
                       "expected. Hint: per image"):
        check_psnr(off_by_one)
