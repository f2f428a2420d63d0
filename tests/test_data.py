import math

import pytest
import torch

from ganlib.data import (GaussianMixture, grid_target, random_batch,
                         ring_target, scale_to_unit_range, spiral, two_moons)


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def test_ring_target_means_on_the_unit_circle():
    target = ring_target()
    assert target.num_modes == 8 and target.std == 0.01
    torch.testing.assert_close(target.means.norm(dim=1), torch.ones(8))
    torch.testing.assert_close(target.means[2], torch.tensor([0.0, 1.0]),
                               atol=1e-6, rtol=0)


def test_ring_radius_and_std_are_parameters():
    target = ring_target(num_modes=6, radius=2.0, std=0.1)
    assert target.num_modes == 6 and target.std == 0.1
    torch.testing.assert_close(target.means.norm(dim=1), torch.full((6,), 2.))


def test_grid_target_means_at_pacgan_positions():
    target = grid_target()
    assert target.num_modes == 25 and target.std == 0.05
    expected = {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert {tuple(m) for m in target.means.tolist()} == expected
    wider = grid_target(side=3, spacing=1.5)
    assert sorted(set(wider.means[:, 0].tolist())) == [-1.5, 0.0, 1.5]


def test_mixture_samples_have_the_mode_std_and_equal_weights():
    target = grid_target()
    points = target.sample(25_000, rng=seeded())
    assert points.shape == (25_000, 2)
    nearest = torch.cdist(points, target.means).argmin(dim=1)
    offsets = points - target.means[nearest]
    assert offsets.std().item() == pytest.approx(0.05, rel=0.03)
    counts = torch.bincount(nearest, minlength=25).float()
    assert counts.min() > 0.8 * 1000 and counts.max() < 1.2 * 1000


def test_sampling_is_deterministic_per_seed():
    target = ring_target()
    a = target.sample(10, rng=seeded(1))
    b = target.sample(10, rng=seeded(1))
    c = target.sample(10, rng=seeded(2))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_mixture_moves_to_a_device():
    target = GaussianMixture(torch.zeros(1, 2), std=1.0).to("cpu")
    assert target.sample(3).device.type == "cpu"


def test_two_moons_without_noise_lie_on_two_half_circles():
    points = two_moons(1000, noise=0.0, rng=seeded())
    upper, lower = points[0::2], points[1::2]
    torch.testing.assert_close(upper.norm(dim=1), torch.ones(500))
    assert (upper[:, 1] >= 0).all()
    centre = torch.tensor([1.0, 0.5])
    torch.testing.assert_close((lower - centre).norm(dim=1), torch.ones(500))
    assert (lower[:, 1] <= 0.5).all()


def test_spiral_radius_grows_with_angle():
    points = spiral(500, noise=0.0, turns=1.5, rng=seeded())
    radius = points.norm(dim=1)
    assert radius.max() <= 1.0
    # points[i] = r (cos 3 pi r, sin 3 pi r)
    angle = 2 * math.pi * 1.5 * radius
    rebuilt = radius[:, None] * torch.stack([angle.cos(), angle.sin()], 1)
    torch.testing.assert_close(rebuilt, points, atol=1e-5, rtol=0)
    assert spiral(7, rng=seeded()).shape == (7, 2)


def test_scale_to_unit_range_maps_ends_to_minus_one_and_one():
    pixels = torch.tensor([0.0, 127.5, 255.0])
    torch.testing.assert_close(scale_to_unit_range(pixels, 0, 255),
                               torch.tensor([-1.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match="high > low"):
        scale_to_unit_range(pixels, 1, 1)


def test_random_batch_rows_come_from_the_data_and_are_seeded():
    data = torch.arange(100.0).reshape(50, 2)
    batch = random_batch(data, 64, rng=seeded(5))
    assert batch.shape == (64, 2)
    assert batch.device == data.device
    rows = {tuple(r) for r in data.tolist()}
    assert all(tuple(r) in rows for r in batch.tolist())
    assert torch.equal(batch, random_batch(data, 64, rng=seeded(5)))


def test_random_batch_rejects_bad_input_clearly():
    data = torch.zeros(10, 2)
    with pytest.raises(ValueError, match="batch_size"):
        random_batch(data, 0)
    with pytest.raises(ValueError, match="non-empty"):
        random_batch(torch.zeros(0, 2), 4)
    on_meta = torch.zeros(10, 2, device="meta")  # stands in for a GPU
    with pytest.raises(ValueError, match="torch.Generator\\(device="):
        random_batch(on_meta, 4, rng=seeded())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_targets_and_batches_stay_on_the_gpu():
    generator = torch.Generator(device="cuda").manual_seed(0)
    target = ring_target().to("cuda")
    data = target.sample(1000, rng=generator)
    assert data.device.type == "cuda"
    batch = random_batch(data, 64, rng=generator)
    assert batch.device.type == "cuda"
    assert two_moons(10, rng=generator).device.type == "cuda"
    assert spiral(10, rng=generator).device.type == "cuda"


def test_scale_to_unit_range_handles_8_bit_images_without_overflow():
    pixels = torch.tensor([0, 128, 255], dtype=torch.uint8)
    scaled = scale_to_unit_range(pixels, 0, 255)
    assert scaled.dtype == torch.float32
    assert torch.allclose(scaled, torch.tensor([-1.0, 1 / 255, 1.0]),
                          atol=1e-6)
