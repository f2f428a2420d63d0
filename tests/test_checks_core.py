import pytest
import torch

from ganlib.checks import (
    ExerciseError, expect_close, expect_shape, expect_tensor, fail, passed,
    run_student,
)


def stub(x):
    raise NotImplementedError


def test_exercise_error_is_an_assertion_error():
    assert issubclass(ExerciseError, AssertionError)


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


def test_expect_shape_accepts_the_right_shape():
    expect_shape(torch.zeros(64, 1), (64, 1), what="D(x)")


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


def test_expect_close_accepts_numbers_and_tensors():
    expect_close(torch.tensor(1.0) + 1e-7, 1.0, what="loss")
    expect_close(torch.ones(3, requires_grad=True), [1.0, 1.0, 1.0],
                 what="p")


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
