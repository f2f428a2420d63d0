import math

import pytest
import torch

from ganlib.noise import lerp, sample_noise, slerp, truncated_noise


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("kind", ["normal", "uniform"])
def test_same_seed_gives_same_noise(kind):
    a = sample_noise(4, 8, kind=kind, rng=seeded(1))
    b = sample_noise(4, 8, kind=kind, rng=seeded(1))
    c = sample_noise(4, 8, kind=kind, rng=seeded(2))
    assert a.shape == (4, 8)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_noise_kinds_have_their_ranges_and_moments():
    normal = sample_noise(20_000, 4, rng=seeded())
    uniform = sample_noise(20_000, 4, kind="uniform", rng=seeded())
    assert normal.mean().abs() < 0.02 and abs(normal.std() - 1) < 0.02
    assert uniform.min() >= -1 and uniform.max() <= 1
    # U[-1, 1] has variance 1/3
    assert abs(uniform.var().item() - 1 / 3) < 0.01


def test_unknown_noise_kind_is_rejected():
    with pytest.raises(ValueError, match="normal"):
        sample_noise(2, 2, kind="gaussian")


def test_lerp_endpoints_and_midpoint():
    z0, z1 = torch.tensor([1.0, 2.0]), torch.tensor([3.0, -2.0])
    path = lerp(z0, z1, torch.tensor([0.0, 0.5, 1.0]))
    torch.testing.assert_close(path, torch.tensor(
        [[1.0, 2.0], [2.0, 0.0], [3.0, -2.0]]))


def test_slerp_endpoints():
    z0, z1 = torch.randn(16, generator=seeded(0)), torch.randn(
        16, generator=seeded(1))
    path = slerp(z0, z1, torch.tensor([0.0, 1.0]))
    torch.testing.assert_close(path[0], z0)
    torch.testing.assert_close(path[1], z1)


def test_slerp_keeps_norm_between_equal_norm_endpoints():
    z0, z1 = torch.randn(64, generator=seeded(0)), torch.randn(
        64, generator=seeded(1))
    z1 = z1 * z0.norm() / z1.norm()
    path = slerp(z0, z1, torch.linspace(0, 1, 11))
    torch.testing.assert_close(path.norm(dim=1),
                               torch.full((11,), z0.norm().item()))
    straight = lerp(z0, z1, torch.linspace(0, 1, 11))
    assert straight.norm(dim=1)[5] < 0.9 * z0.norm()  # lerp cuts inside


def test_slerp_matches_closed_form_quarter_circle():
    z0, z1 = torch.tensor([2.0, 0.0]), torch.tensor([0.0, 2.0])
    t = torch.tensor([0.0, 1 / 3, 0.5, 1.0])
    angle = t * math.pi / 2  # the arc sweeps w = 90 degrees
    expected = 2 * torch.stack([angle.cos(), angle.sin()], dim=1)
    torch.testing.assert_close(slerp(z0, z1, t), expected)


def test_slerp_matches_general_formula():
    z0, z1 = torch.tensor([1.0, 2.0, 0.5]), torch.tensor([-1.0, 0.3, 2.0])
    w = math.acos((z0 @ z1 / (z0.norm() * z1.norm())).item())
    t = 0.3
    expected = (math.sin((1 - t) * w) * z0 + math.sin(t * w) * z1) \
        / math.sin(w)
    torch.testing.assert_close(slerp(z0, z1, t)[0], expected)


def test_slerp_of_parallel_vectors_falls_back_to_lerp():
    z0 = torch.tensor([1.0, 1.0])
    t = torch.tensor([0.25, 0.75])
    torch.testing.assert_close(slerp(z0, 3 * z0, t), lerp(z0, 3 * z0, t))
    assert torch.isfinite(slerp(z0, z0, t)).all()


@pytest.mark.parametrize("threshold", [0.1, 0.5, 2.0])
def test_truncated_noise_stays_within_threshold(threshold):
    z = truncated_noise(256, 16, threshold=threshold, rng=seeded())
    assert z.shape == (256, 16)
    assert z.abs().max() <= threshold
    # resampling fills the whole band, not just a clipped edge
    assert z.abs().max() > 0.9 * threshold
    assert (z.abs() == threshold).float().mean() < 0.01


def test_truncated_noise_is_seeded_and_checks_threshold():
    a = truncated_noise(8, 4, threshold=1.0, rng=seeded(3))
    b = truncated_noise(8, 4, threshold=1.0, rng=seeded(3))
    assert torch.equal(a, b)
    with pytest.raises(ValueError, match="threshold"):
        truncated_noise(8, 4, threshold=0.0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_noise_follows_the_generator_device():
    generator = torch.Generator(device="cuda").manual_seed(0)
    assert sample_noise(2, 3, rng=generator).device.type == "cuda"
    z = truncated_noise(64, 8, threshold=0.5, rng=generator)
    assert z.device.type == "cuda" and z.abs().max() <= 0.5
