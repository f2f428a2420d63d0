import math
import struct

import numpy as np
import pytest
import torch

from ganlib.flowers import petal_edge, random_looks, render_flowers
from ganlib.images import (DatasetUnavailableError, ImageData, check_images,
                           cifar10, digits, fashion_mnist, flowers,
                           image_folder, load_images, mnist)


def in_unit_range(images):
    return images.min() >= -1 and images.max() <= 1


@pytest.mark.parametrize("image_size", [8, 16, 32])
def test_digits_are_scaled_and_upscaled(image_size):
    data = digits(image_size=image_size)
    assert data.images.shape == (1797, 1, image_size, image_size)
    assert data.images.dtype == torch.float32
    assert in_unit_range(data.images)
    assert data.images.min() == -1 and data.images.max() > 0.99
    assert data.labels.shape == (1797,) and data.labels.dtype == torch.long
    assert set(data.labels.tolist()) == set(range(10))
    assert data.class_names == [str(d) for d in range(10)]


def test_digits_upscaling_keeps_the_mean_image():
    small, large = digits(image_size=8), digits(image_size=16)
    # bilinear 2x upscaling preserves each image's average brightness
    torch.testing.assert_close(large.images.mean(dim=(1, 2, 3)),
                               small.images.mean(dim=(1, 2, 3)),
                               atol=0.05, rtol=0)


@pytest.mark.parametrize("image_size", [32, 64])
def test_flowers_shapes_labels_and_range(image_size):
    data = flowers(60, image_size=image_size, seed=0)
    assert data.images.shape == (60, 3, image_size, image_size)
    assert in_unit_range(data.images)
    assert torch.bincount(data.labels).tolist() == [10] * 6
    assert data.class_names[0] == "3 petals"
    assert data.class_names[-1] == "8 petals"


def test_flowers_are_deterministic_per_seed():
    a, b = flowers(12, seed=3), flowers(12, seed=3)
    c = flowers(12, seed=4)
    assert torch.equal(a.images, b.images)
    assert torch.equal(a.labels, b.labels)
    assert not torch.equal(a.images, c.images)


def test_flowers_vary_in_colour():
    data = flowers(120, seed=0)
    # the colour of the middle pixel (petal or centre) differs a lot
    middle = data.images[:, :, 13, 16]
    assert middle.std(dim=0).min() > 0.2


def test_petal_outline_has_as_many_lobes_as_the_label():
    counts = torch.arange(3, 9).repeat(5)
    looks = random_looks(counts, rng=torch.Generator().manual_seed(0))
    theta = torch.linspace(0, 2 * math.pi, 3601)[:-1]
    # a circle between the petal bases and tips: R (b + 0.3 (1 - b))
    ring = looks["radius"] * (looks["base"] + 0.3 * (1 - looks["base"]))
    inside = petal_edge(looks, theta) > ring  # (N, 1, 3600)
    starts = (inside & ~inside.roll(1, dims=-1)).sum(dim=-1).flatten()
    assert starts.tolist() == counts.tolist()


def pixel_at(image, looks, i, rho, theta):
    """Colour of flower i's image at polar (rho, theta) from its centre."""
    size = image.shape[-1]
    x = looks["x"][i].item() + rho * math.cos(theta)
    y = looks["y"][i].item() + rho * math.sin(theta)
    col, row = int((x + 1) / 2 * size), int((y + 1) / 2 * size)
    return image[:, row, col]


def test_rendered_petals_and_gaps_are_where_the_outline_says():
    counts = torch.arange(3, 9)
    looks = random_looks(counts, rng=torch.Generator().manual_seed(2))
    images = render_flowers(looks, image_size=256)
    for i, k in enumerate(counts.tolist()):
        phi, radius = looks["phi"][i].item(), looks["radius"][i].item()
        # along a petal's axis, at 90% of its tip: petal colour, shaded
        tip = pixel_at(images[i], looks, i, 0.9 * radius, phi)
        expected = looks["petal_colour"][i, :, 0, 0] * (0.65 + 0.35 * 0.9)
        torch.testing.assert_close(tip, expected, atol=0.03, rtol=0)
        # in a gap above the centre (no stem there): background colour
        gaps = [phi + (2 * j + 1) * math.pi / k for j in range(k)]
        gap = min(gaps, key=lambda a: math.sin(a))
        assert math.sin(gap) < -0.3
        background = pixel_at(images[i], looks, i, 0.9 * radius, gap)
        y = looks["y"][i].item() + 0.9 * radius * math.sin(gap)
        blend = (y + 1) / 2  # sky at the top, grass at the bottom
        sky_to_grass = (looks["sky"][i] * (1 - blend)
                        + looks["grass"][i] * blend)[:, 0, 0]
        torch.testing.assert_close(background, sky_to_grass, atol=0.02,
                                   rtol=0)


def test_torchvision_offline_raises_clear_error(tmp_path,
                                                offline_without_copies):
    for loader in (mnist, fashion_mnist, cifar10):
        with pytest.raises(DatasetUnavailableError, match="digits"):
            loader(tmp_path, download=True)


def test_missing_files_without_download_raise_clear_error(
        tmp_path, offline_without_copies):
    with pytest.raises(DatasetUnavailableError, match="image_folder"):
        mnist(tmp_path, download=False)


def write_idx(path, array):
    """Write an array in the IDX format MNIST's files use."""
    magic = {1: 2049, 3: 2051}[array.ndim]
    header = struct.pack(f">{array.ndim + 1}i", magic, *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.mark.parametrize("loader,folder", [(mnist, "MNIST"),
                                           (fashion_mnist, "FashionMNIST")])
def test_mnist_loads_from_files_on_disk(tmp_path, loader, folder):
    raw = tmp_path / folder / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(5, 28, 28))
    pixels[0, 0, 0], pixels[0, 0, 1] = 0, 255
    labels = np.array([3, 1, 4, 1, 5])
    for split in ("train", "t10k"):
        write_idx(raw / f"{split}-images-idx3-ubyte", pixels)
        write_idx(raw / f"{split}-labels-idx1-ubyte", labels)
    data = loader(tmp_path, download=False)
    assert data.images.shape == (5, 1, 28, 28)
    expected = torch.as_tensor(pixels / 127.5 - 1, dtype=torch.float32)
    torch.testing.assert_close(data.images[:, 0], expected)
    assert data.labels.tolist() == [3, 1, 4, 1, 5]
    assert len(data.class_names) == 10


def test_image_folder_reads_pngs_the_test_writes(tmp_path):
    from PIL import Image
    red = np.zeros((40, 60, 3), np.uint8)
    red[..., 0] = 255
    Image.fromarray(red).save(tmp_path / "a.png")
    (tmp_path / "more").mkdir()
    gray = np.full((20, 20), 0, np.uint8)
    Image.fromarray(gray).save(tmp_path / "more" / "b.PNG")
    (tmp_path / "notes.txt").write_text("not an image")
    data = image_folder(tmp_path, image_size=16)
    assert data.images.shape == (2, 3, 16, 16)
    torch.testing.assert_close(data.images[0, :, 5, 5],
                               torch.tensor([1.0, -1.0, -1.0]))
    assert (data.images[1] == -1).all()
    assert data.labels.tolist() == [0, 0]
    single = image_folder(tmp_path, image_size=8, channels=1)
    assert single.images.shape == (2, 1, 8, 8)


def test_image_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        image_folder(tmp_path / "missing")
    with pytest.raises(ValueError, match="No images"):
        image_folder(tmp_path)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="broken.png"):
        image_folder(tmp_path)


def test_load_images_by_name():
    data = load_images("digits", image_size=16)
    assert isinstance(data, ImageData) and len(data) == 1797
    assert load_images("flowers", num_images=6).images.shape[1] == 3
    with pytest.raises(ValueError, match="digits.*flowers.*mnist"):
        load_images("imagenet")


def test_check_images_accepts_the_whole_range_and_nothing_beyond():
    for value in (-1.0, 0.0, 1.0):  # the edges of [-1, 1] are allowed
        assert check_images(torch.full((2, 3, 32, 32), value), channels=3,
                            image_size=32) is None
    assert check_images(digits().images, channels=1, image_size=16) is None
    with pytest.raises(ValueError):
        check_images(torch.full((2, 3, 32, 32), 1.01))


@pytest.mark.parametrize("images,kwargs,message", [
    (torch.zeros(2, 32, 32), {}, "unsqueeze"),
    (torch.zeros(2, 32, 32, 3), {}, "channels-last"),
    (torch.zeros(2, 1, 16, 16), {"channels": 3}, "Expected 3 channel"),
    (torch.zeros(2, 1, 16, 16), {"image_size": 28}, "28x28"),
    (torch.full((2, 1, 8, 8), 255.0), {}, "scale_to_unit_range"),
    (torch.full((2, 1, 8, 8), float("nan")), {}, r"\[-1, 1\]"),
    (torch.zeros(2, 1, 8, 8, dtype=torch.uint8), {}, "floats"),
])
def test_check_images_says_what_is_wrong(images, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_images(images, **kwargs)
