import warnings

import pytest
import torch

from ganlib.checkpoint import (CheckpointError, load_checkpoint,
                               save_checkpoint)
from ganlib.models import MLPDiscriminator, MLPGenerator


def test_saved_state_loads_back_with_format_marker(tmp_path):
    path = tmp_path / "run.pt"
    save_checkpoint(path, {"step": 7, "weights": torch.arange(3.0)})
    state = load_checkpoint(path)
    assert state["step"] == 7
    assert torch.equal(state["weights"], torch.arange(3.0))
    assert state["format"] == "ganlib-checkpoint"


def test_save_leaves_no_temporary_file(tmp_path):
    save_checkpoint(tmp_path / "run.pt", {"step": 1})
    save_checkpoint(tmp_path / "run.pt", {"step": 2})
    assert [p.name for p in tmp_path.iterdir()] == ["run.pt"]
    assert load_checkpoint(tmp_path / "run.pt")["step"] == 2


def test_interrupted_save_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "run.pt"
    save_checkpoint(path, {"step": 1})

    def crash_mid_write(obj, file, *args, **kwargs):
        file.write(b"half a checkpoint")
        raise KeyboardInterrupt  # e.g. Ctrl-C or a full disk mid-write

    monkeypatch.setattr(torch, "save", crash_mid_write)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, {"step": 2})
    monkeypatch.undo()
    assert load_checkpoint(path)["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["run.pt"]


def test_truncated_file_raises_clear_error(tmp_path):
    path = tmp_path / "run.pt"
    save_checkpoint(path, {"weights": torch.randn(1000)})
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(CheckpointError, match="truncated.*train again"):
        load_checkpoint(path)


def test_text_file_raises_clear_error(tmp_path):
    path = tmp_path / "notes.pt"
    path.write_text("not a checkpoint at all\n")
    with pytest.raises(CheckpointError, match="could not be read"):
        load_checkpoint(path)


def test_plain_torch_save_is_not_a_ganlib_checkpoint(tmp_path):
    path = tmp_path / "plain.pt"
    torch.save({"step": 3}, path)
    with pytest.raises(CheckpointError, match="not a ganlib checkpoint"):
        load_checkpoint(path)


def test_other_format_version_is_refused(tmp_path):
    path = tmp_path / "old.pt"
    torch.save({"format": "ganlib-checkpoint", "format_version": 0}, path)
    with pytest.raises(CheckpointError, match="format 0.*reads format 1"):
        load_checkpoint(path)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(CheckpointError, match="No checkpoint"):
        load_checkpoint(tmp_path / "nothing.pt")


def test_models_load_when_shapes_match(tmp_path):
    generator = MLPGenerator(hidden_dim=16)
    save_checkpoint(tmp_path / "g.pt", {"generator": generator.state_dict()})
    other = MLPGenerator(hidden_dim=16)
    load_checkpoint(tmp_path / "g.pt", generator=other)
    for a, b in zip(generator.parameters(), other.parameters()):
        assert torch.equal(a, b)


def test_shape_mismatch_raises_clear_error(tmp_path):
    path = tmp_path / "run.pt"
    save_checkpoint(path, {"generator": MLPGenerator().state_dict(),
                           "discriminator":
                               MLPDiscriminator().state_dict()})
    with pytest.raises(CheckpointError,
                       match="does not fit this MLPDiscriminator.*same "
                             "settings"):
        load_checkpoint(path, discriminator=MLPDiscriminator(hidden_dim=8))


def test_loading_prints_no_warning_not_even_torch_2_1s(tmp_path, monkeypatch):
    # torch 2.1's weights_only loader warns "TypedStorage is deprecated"
    # about its own code; in a notebook that is stray red text (stderr).
    path = tmp_path / "run.pt"
    save_checkpoint(path, {"step": 3})
    load = torch.load

    def load_like_torch_2_1(*args, **kwargs):
        warnings.warn("TypedStorage is deprecated. It will be removed in "
                      "the future.", UserWarning)
        return load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", load_like_torch_2_1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_checkpoint(path)["step"] == 3
