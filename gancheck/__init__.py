"""The chapters' exercise graders, beside ganlib.

Topic checks live in gancheck.<topic>, e.g.

    from gancheck.noise import check_slerp
"""
from gancheck.core import (
    ExerciseError, expect_close, expect_shape, expect_tensor, fail,
    name_the_slip, passed, run_student,
)

__all__ = ["ExerciseError", "expect_close", "expect_shape", "expect_tensor",
           "fail", "name_the_slip", "passed", "run_student"]
