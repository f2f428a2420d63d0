"""Checkpoints: written atomically, read back with clear errors.

A checkpoint is a ``torch.save``d dict with a format marker. Writing goes
to a temporary file in the same folder, which is flushed, fsync'ed and then
renamed over the old file with ``os.replace``: a crash mid-write leaves the
previous checkpoint as it was. Only tensors, numbers, strings, lists, tuples
and dicts are stored, so reading uses ``torch.load(weights_only=True)``,
which runs no pickled code. Loading weights is all or nothing: a
checkpoint that does not fit the models leaves them as they were.
"""
import copy
import os
import tempfile
import warnings
from pathlib import Path

import torch
from torch import nn

FORMAT = "ganlib-checkpoint"  # marker that tells our files from others
FORMAT_VERSION = 1  # bump when the layout of the dict changes


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used; the message says what to do."""


def save_checkpoint(path: str | os.PathLike, state: dict) -> None:
    """Write ``state`` (plus the format marker) to ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT, "format_version": FORMAT_VERSION, **state}
    handle, temp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(payload, file)
            file.flush()
            os.fsync(file.fileno())  # bytes on disk before the rename
        os.chmod(temp_name, 0o666 & ~_umask())  # as open() would create it
        os.replace(temp_name, path)  # atomic: old file or new, never half
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # a killed save's
        stale.unlink(missing_ok=True)


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_writable(path: str | os.PathLike) -> None:
    """CheckpointError now, before training, unless ``path`` can be written."""
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(
            f"The checkpoint path {path} is a folder. Give a file name in "
            f"it, e.g. {path / 'checkpoint.pt'}.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as error:
        raise CheckpointError(
            f"Cannot write a checkpoint to {path}: {error.strerror} "
            f"({error.filename or path.parent}). Choose a folder you can "
            f"write to.") from error


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where unsupported."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open folders
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def load_checkpoint(path: str | os.PathLike, *,
                    generator: nn.Module | None = None,
                    discriminator: nn.Module | None = None) -> dict:
    """Read a ganlib checkpoint; load model weights too when models given."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(
            f"No checkpoint at {path}. Check the path, or train first.")
    try:
        with warnings.catch_warnings():
            # torch 2.1's safe loader warns about its own use of a
            # deprecated class, fixed in later torch; nothing to act on
            warnings.filterwarnings("ignore", "TypedStorage is deprecated",
                                    UserWarning)
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # truncated zip, text file, pickled code
        raise CheckpointError(
            f"{path} could not be read as a checkpoint ({error}). The file "
            f"is truncated or is not a ganlib checkpoint: delete it (or "
            f"point to another file) and train again.") from error
    _check_format(path, state)
    models = {name: model for name, model in
              (("generator", generator), ("discriminator", discriminator))
              if model is not None}
    load_model_states(models, state)
    return state


def _check_format(path: Path, state: object) -> None:
    """Raise CheckpointError unless ``state`` carries our format marker."""
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(
            f"{path} is not a ganlib checkpoint (no '{FORMAT}' marker). "
            f"Write checkpoints with ganlib.checkpoint.save_checkpoint or "
            f"ganlib.train, or point to a file made that way.")
    version = state.get("format_version")
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{path} has checkpoint format {version}, but this ganlib reads "
            f"format {FORMAT_VERSION}. Use the ganlib version that wrote "
            f"it, or train again.")


def load_model_states(models: dict[str, nn.Module], state: dict) -> None:
    """Copy ``state[name]`` into each ``models[name]``, all or nothing.

    Each state is tried on a copy of its model first, so a checkpoint that
    fits one model but not the other changes neither.
    """
    for name, model in models.items():
        _load_model_state(copy.deepcopy(model), state, name)  # raises first
    for name, model in models.items():
        model.load_state_dict(state[name])


def _load_model_state(model: nn.Module, state: dict, name: str) -> None:
    """Copy ``state[name]`` into ``model``; CheckpointError on mismatch.

    torch copies every tensor that fits before it reports the ones that
    do not; use load_model_states to leave the model unchanged then.
    """
    if name not in state:
        raise CheckpointError(
            f"The checkpoint holds no '{name}' weights (it has: "
            f"{', '.join(sorted(state))}). Point to a training checkpoint.")
    try:
        model.load_state_dict(state[name])
    except RuntimeError as error:  # missing keys or shape mismatch
        lines = str(error).splitlines()  # torch lists every mismatch
        first = (lines[1] if len(lines) > 1 else lines[0]).strip(" .\t")
        raise CheckpointError(
            f"The checkpoint's {name} does not fit this "
            f"{type(model).__name__} ({first}; {len(lines) - 1} problem(s) "
            f"in all). Build the model with the same settings as when the "
            f"checkpoint was written, or use a new checkpoint path to start "
            f"from scratch.") from error
