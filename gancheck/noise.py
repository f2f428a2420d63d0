"""Graders for the noise chapter's exercises."""
import torch

from gancheck.core import expect_shape, fail, passed, run_student
from ganlib.noise import lerp, slerp

_SLERP_HINT = ("find the angle w between z0 and z1 (the arccos of their "
               "cosine), then weight z0 and z1 as in the slerp formula of "
               "the text")


def _short(vector: torch.Tensor) -> str:
    """The first three values of a vector, for a message."""
    values = ", ".join(f"{v:.3f}" for v in vector[:3].tolist())
    return f"[{values}, ...]"


def _run_slerp(student_fn, z0, z1, t) -> torch.Tensor:
    """Call the student's slerp on copies; check shape and finiteness."""
    name = getattr(student_fn, "__name__", "your slerp")
    got = run_student(student_fn, z0.clone(), z1.clone(), t.clone(),
                      name=name, hint=_SLERP_HINT)
    expect_shape(got, (len(t), len(z0)), what="your slerp's output",
                 hint="return one row per time t: use t[:, None] so the "
                 "weights broadcast over the D values of z")
    if not torch.isfinite(got).all():
        raise fail("your slerp returned NaN or inf values",
                   "clamp the cosine to [-1, 1] before arccos, and when "
                   "sin(w) is about 0 (z0 parallel to z1) return lerp")
    return got


def _check_endpoints(got, z0, z1) -> None:
    """Row 0 (t = 0) must be z0 and the last row (t = 1) must be z1."""
    if torch.allclose(got[0], z1, atol=1e-4):
        raise fail("your slerp at t=0 returned z1 instead of z0",
                   "the weights are swapped: z0 gets sin((1 - t) w)")
    if not torch.allclose(got[0], z0, atol=1e-4):
        ratio = (got[0] @ z0 / (z0 @ z0)).item()
        hint = _SLERP_HINT
        if torch.allclose(got[0], ratio * z0, atol=1e-4):
            hint = ("your result is a multiple of z0 at t=0: divide by "
                    "sin(w), so the weight of z0 is sin(w) / sin(w) = 1")
        raise fail(f"your slerp at t=0 returned {_short(got[0])} instead "
                   f"of z0 = {_short(z0)}", hint)
    if not torch.allclose(got[-1], z1, atol=1e-4):
        raise fail(f"your slerp at t=1 returned {_short(got[-1])} instead "
                   f"of z1 = {_short(z1)}", _SLERP_HINT)


def _check_norm_kept(got, z0, z1, t) -> None:
    """Between z0, z1 of equal norm every point must keep that norm."""
    norms = got.norm(dim=1)
    if torch.allclose(norms, z0.norm().expand_as(norms), rtol=1e-3):
        return
    if torch.allclose(got, lerp(z0, z1, t), atol=1e-4):
        raise fail(
            f"norm not preserved: looks like lerp (norms go from "
            f"{norms.max():.3f} down to {norms.min():.3f} on the way)",
            "the straight line cuts through the sphere; walk along the "
            "arc instead, with the sine weights of the slerp formula")
    raise fail(f"norm not preserved: z0 and z1 both have norm "
               f"{z0.norm():.3f} but your path goes from {norms.min():.3f} "
               f"to {norms.max():.3f}", _SLERP_HINT)


def _random_pair(rng, latent_dim, *, same_norm) -> tuple:
    """Two random z (float64); with same_norm, z1 is scaled to |z0|."""
    z0 = torch.randn(latent_dim, generator=rng, dtype=torch.float64)
    z1 = torch.randn(latent_dim, generator=rng, dtype=torch.float64)
    if same_norm:
        z1 = z1 * z0.norm() / z1.norm()
    return z0, z1


def check_slerp(student_fn, *, seed: int = 0) -> None:
    """Grade slerp(z0, z1, t): z0, z1 (D,), t (T,) -> (T, D) on the arc."""
    rng = torch.Generator().manual_seed(seed)
    t = torch.linspace(0, 1, 9, dtype=torch.float64)
    for latent_dim in (2, 16, 100):
        z0, z1 = _random_pair(rng, latent_dim, same_norm=True)
        got = _run_slerp(student_fn, z0, z1, t).double()
        _check_endpoints(got, z0, z1)
        _check_norm_kept(got, z0, z1, t)
    for latent_dim in (3, 64):  # different norms: compare with ganlib
        z0, z1 = _random_pair(rng, latent_dim, same_norm=False)
        got = _run_slerp(student_fn, z0, z1, t).double()
        _check_endpoints(got, z0, z1)
        expected = slerp(z0, z1, t)
        worst = (got - expected).norm(dim=1).argmax()
        if not torch.allclose(got, expected, atol=1e-4):
            raise fail(f"your slerp at t={t[worst]:.3f} returned "
                       f"{_short(got[worst])} where "
                       f"{_short(expected[worst])} was expected",
                       _SLERP_HINT)
    z0 = torch.tensor([1.0, 2.0, 2.0, 0.0], dtype=torch.float64)  # |z0|=3
    got = _run_slerp(student_fn, z0, 2 * z0, t).double()  # w is exactly 0
    if not torch.allclose(got, lerp(z0, 2 * z0, t), atol=1e-4):
        raise fail("for parallel z0 and z1 = 2 z0 your slerp left the "
                   "straight line between them",
                   "when sin(w) is about 0 there is no unique arc: "
                   "return lerp(z0, z1, t)")
    passed("your slerp starts at z0, ends at z1, keeps the norm between "
           "z of equal norm and falls back to lerp for parallel z.")
