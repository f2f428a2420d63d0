import pytest
import torch

from gancheck import (
    ExerciseError, expect_close, expect_shape, expect_tensor, fail,
    name_the_slip, passed, run_student,
)
from gancheck.noise import check_slerp
from ganlib.noise import lerp


def stub(x):
    raise NotImplementedError


def test_a_failing_check_is_a_failed_assertion_with_its_message():
    # pytest and nbgrader count an AssertionError as a failed test
    with pytest.raises(AssertionError) as info:
        check_slerp(lerp)
    assert type(info.value) is ExerciseError
    assert str(info.value).startswith("norm not preserved: looks like lerp")
    assert "Hint: the straight line cuts through the sphere" in str(
        info.value)


def test_fail_joins_problem_and_hint():
    error = fail("the loss is negative.", "use softplus")
    assert str(error) == "the loss is negative. Hint: use softplus"


def test_run_student_returns_the_answer():
    assert run_student(lambda x, y=1: x + y, 2, y=3, name="add") == 5


def test_run_student_explains_a_stub():
    with pytest.raises(ExerciseError) as info:
        run_student(stub, 1, name="slerp", hint="start from lerp")
    assert str(info.value) == (
        "slerp is not written yet: replace `raise NotImplementedError` "
        "with your code. Hint: start from lerp")


def test_run_student_reports_other_exceptions():
    def broken(x):
        return x @ x

    with pytest.raises(ExerciseError) as info:
        run_student(broken, torch.ones(2, 3), name="broken", hint="shapes")
    message = str(info.value)
    assert message.startswith("broken raised RuntimeError: ")
    assert message.endswith(". Hint: shapes")
    assert isinstance(info.value.__cause__, RuntimeError)


def test_run_student_gives_a_crash_its_own_hint_and_input():
    def crash(x):
        raise ValueError("bad width\nsecond line of the message")

    with pytest.raises(ExerciseError) as info:
        run_student(crash, 1, name="your model", hint="write the stub",
                    crash_hint="read data_dim numbers",
                    called_on="x of shape (4, 2)")
    assert str(info.value) == ("your model raised ValueError on x of shape "
                               "(4, 2): bad width. Hint: read data_dim "
                               "numbers")


def test_run_student_reports_an_exception_without_a_message():
    def crash():
        raise KeyError

    with pytest.raises(ExerciseError) as info:
        run_student(crash, name="lookup", hint="check the keys")
    assert str(info.value) == "lookup raised KeyError. Hint: check the keys"


SLIPS = {"x + 1 instead of 2 * x": (lambda x: x + 1, "double x"),
         "x * x instead of 2 * x": (lambda x: x * x, "multiply by 2")}


def test_name_the_slip_names_the_slip_behind_every_answer():
    with pytest.raises(ExerciseError) as info:
        name_the_slip(SLIPS, [((2,), 4), ((3,), 9)])
    assert str(info.value) == ("your answers match x * x instead of 2 * x. "
                               "Hint: multiply by 2")


def test_name_the_slip_returns_when_no_slip_explains_all_answers():
    # x + 1 explains the first answer only, x * x neither
    assert name_the_slip(SLIPS, [((2,), 3), ((3,), 6)]) is None


def test_name_the_slip_compares_with_the_given_test():
    def close(got, slipped):
        return abs(got - slipped) < 0.01

    with pytest.raises(ExerciseError, match=r"x \+ 1 instead"):
        name_the_slip(SLIPS, [((0.5,), 1.501)], same=close)


def test_expect_shape_accepts_the_right_shape_silently(capsys):
    assert expect_shape(torch.zeros(64, 1), (64, 1), what="D(x)") is None
    assert expect_shape(torch.zeros(2, 3), torch.Size([2, 3]),
                        what="x") is None
    assert capsys.readouterr().out == ""


def test_expect_shape_message_names_both_shapes():
    with pytest.raises(ExerciseError) as info:
        expect_shape(torch.zeros(64, 2), (64, 1), what="discriminator(x)",
                     hint="end with nn.Linear(hidden_dim, 1)")
    assert str(info.value) == (
        "discriminator(x) has shape (64, 2) where (64, 1) was expected. "
        "Hint: end with nn.Linear(hidden_dim, 1)")


def test_expect_tensor_names_the_wrong_type():
    with pytest.raises(ExerciseError) as info:
        expect_tensor([1.0], what="answer(z)", hint="return a tensor")
    assert str(info.value) == ("answer(z) is a list where a torch.Tensor "
                               "was expected. Hint: return a tensor")


def test_expect_shape_rejects_non_tensors():
    with pytest.raises(ExerciseError, match="is a tuple where a torch"):
        expect_shape((64, 1), (64, 1), what="answer")


def test_expect_close_accepts_numbers_and_tensors_within_tolerance():
    assert expect_close(torch.tensor(1.0) + 1e-7, 1.0, what="loss") is None
    assert expect_close(2, 2.0, what="count") is None
    assert expect_close(torch.ones(3, requires_grad=True), [1.0, 1.0, 1.0],
                        what="p") is None
    with pytest.raises(ExerciseError, match="loss is wrong: got 1.01 where "
                       "1 was expected"):
        expect_close(torch.tensor(1.01), 1.0, what="loss")


def test_expect_close_reports_the_worst_entry():
    with pytest.raises(ExerciseError) as info:
        expect_close(torch.tensor([0.0, 2.0]), [0.0, 1.0], what="loss",
                     hint="average over the batch")
    assert str(info.value) == ("loss is wrong: got 2 where 1 was expected. "
                               "Hint: average over the batch")


def test_expect_close_reports_a_shape_mismatch():
    with pytest.raises(ExerciseError) as info:
        expect_close(torch.zeros(4), 0.0, what="loss", hint="use .mean()")
    assert str(info.value) == ("loss has shape (4,) where () was expected. "
                               "Hint: use .mean()")


def test_expect_close_rejects_other_types():
    with pytest.raises(ExerciseError, match="loss is a str where a number"):
        expect_close("0.69", 0.69, what="loss")


def test_default_hint_points_at_the_text():
    with pytest.raises(ExerciseError, match="Hint: compare your code"):
        expect_close(1.0, 2.0, what="x")


def test_passed_prints_one_correct_line(capsys):
    passed("slerp keeps the norm of z.")
    assert capsys.readouterr().out == "Correct: slerp keeps the norm of z.\n"
