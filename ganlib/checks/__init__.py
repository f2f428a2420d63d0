"""Exercise checks. Topic checks live in ganlib.checks.<topic>, e.g.

    from ganlib.checks.noise import check_slerp
"""
from ganlib.checks.core import (
    ExerciseError, expect_close, expect_shape, expect_tensor, fail, passed,
    run_student,
)

__all__ = ["ExerciseError", "expect_close", "expect_shape", "expect_tensor",
           "fail", "passed", "run_student"]
