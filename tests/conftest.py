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
