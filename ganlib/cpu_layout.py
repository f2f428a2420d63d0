"""The image layout a bf16 CPU run uses: measured once per model.

On a CPU with bf16 units, oneDNN runs some networks faster with images
stored channels_last (NHWC) and others slower. On this project's 2-core
CPU (AMX-BF16), batch 64, one D+G step, earlier versions of the loop
took about 110 ms in NHWC against 460-1,240 ms in NCHW for the 28 px
DCGAN, and about 570 ms in NCHW against 3,000 in NHWC for the 64 px
DCGAN of pytorch/examples; with the current loop and torch 2.13 the two
layouts lie within 10% of each other for both
(benchmarks/head-to-head-*.md). No rule on the layers' shapes was found
that predicts which wins, so ganlib times a few steps in each layout on
copies of the models, keeps NHWC only where it is clearly (MARGIN) the
faster, NCHW otherwise, and writes the choice to a
small JSON file in the cache folder: later runs of the same models on
the same machine read it, and so train exactly alike (the same seed
gives the same samples).
"""
import copy
import hashlib
import json
import os
import platform
import statistics
import time
from pathlib import Path

import torch
from torch import Tensor, nn

from ganlib.features import default_cache_dir
from ganlib.losses import (bce_discriminator_loss,
                           nonsaturating_generator_loss)
from ganlib.models import frozen
from ganlib.noise import sample_noise

CHOICES_FILE = "cpu-layouts.json"
REPEATS = 2  # each layout timed this often, in turn
STEPS = 2  # timed D+G steps per timing, after one warm-up step
# NHWC is kept only when its median step is this much faster than NCHW's:
# where the two are close, the machine's noise should not decide.
MARGIN = 0.9


def step_seconds(generator: nn.Module, discriminator: nn.Module,
                 real: Tensor, dtype: torch.dtype, *,
                 channels_last: bool, steps: int = STEPS) -> float:
    """Seconds per D+G step, on copies of the models (the models, their
    optimizers and every random generator are left as they were)."""
    generator, discriminator = (copy.deepcopy(m).train()
                                for m in (generator, discriminator))
    if channels_last:
        generator = generator.to(memory_format=torch.channels_last)
        discriminator = discriminator.to(memory_format=torch.channels_last)
        real = real.contiguous(memory_format=torch.channels_last)
    g_optimizer = torch.optim.Adam(generator.parameters())
    d_optimizer = torch.optim.Adam(discriminator.parameters())
    rng = torch.Generator().manual_seed(0)

    def one_step():  # the loop's D step, then its G step, as it runs them
        with torch.autocast("cpu", dtype=dtype, cache_enabled=False):
            z = sample_noise(len(real), generator.latent_dim, rng=rng)
            d_loss = bce_discriminator_loss(
                discriminator(real), discriminator(generator(z).detach()))
            d_optimizer.zero_grad()
            d_loss.backward()
            d_optimizer.step()
            z = sample_noise(len(real), generator.latent_dim, rng=rng)
            with frozen(discriminator):  # as in ganlib.train's G step
                fake_logits = discriminator(generator(z))
            g_loss = nonsaturating_generator_loss(fake_logits)
            g_optimizer.zero_grad()
            g_loss.backward()
            g_optimizer.step()

    one_step()  # warm-up: oneDNN picks its kernels
    start = time.perf_counter()
    for _ in range(steps):
        one_step()
    return (time.perf_counter() - start) / steps


def faster_is_channels_last(seconds_nchw: list[float],
                            seconds_nhwc: list[float]) -> bool:
    """NHWC only when its median is clearly (MARGIN) below NCHW's."""
    return (statistics.median(seconds_nhwc)
            < MARGIN * statistics.median(seconds_nchw))


def models_key(generator: nn.Module, discriminator: nn.Module,
               batch_shape: tuple, dtype: torch.dtype) -> str:
    """What the choice depends on: the models' layers and weight shapes,
    the batch, the precision, torch, the CPU and its thread count."""
    shapes = [(type(m).__name__, repr(m)) for m in (generator, discriminator)]
    shapes += [tuple(p.shape) for m in (generator, discriminator)
               for p in m.parameters()]
    facts = [shapes, tuple(batch_shape), str(dtype), torch.__version__,
             platform.processor() or platform.machine(), _cpu_name(),
             torch.get_num_threads()]
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:20]


def _cpu_name() -> str:
    """The CPU's model name (Linux), else ''."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def choose_channels_last(generator: nn.Module, discriminator: nn.Module,
                         data: Tensor, batch_size: int, dtype: torch.dtype,
                         *, cache_dir: Path | None = None,
                         timer=step_seconds) -> bool:
    """True when these image models train faster in NHWC on this CPU.

    Read from the cache folder's choices file, or measured (REPEATS
    timings of each layout, in turn) and written there. Data that is not
    (N, C, H, W) images stays as it is: False.
    """
    if data.ndim != 4:
        return False
    real = data[:batch_size].float()
    key = models_key(generator, discriminator, real.shape, dtype)
    path = choices_path(cache_dir)
    choices = read_choices(cache_dir)
    if key not in choices:
        seconds = {False: [], True: []}
        for _ in range(REPEATS):
            for layout in seconds:
                seconds[layout].append(timer(
                    generator, discriminator, real, dtype,
                    channels_last=layout))
        choices[key] = {
            "channels_last": faster_is_channels_last(seconds[False],
                                                     seconds[True]),
            "ms_nchw": [round(1000 * s, 1) for s in seconds[False]],
            "ms_nhwc": [round(1000 * s, 1) for s in seconds[True]]}
        _write_choices(path, choices)
    return choices[key]["channels_last"]


def choices_path(cache_dir: Path | None = None) -> Path:
    """The choices file in cache_dir (default: ganlib's cache folder)."""
    return (Path(cache_dir) if cache_dir else default_cache_dir()) \
        / CHOICES_FILE


def read_choices(cache_dir: Path | None = None) -> dict:
    """{models_key: choice}; {} when the file is absent or unreadable."""
    try:
        return json.loads(choices_path(cache_dir).read_text())
    except (OSError, ValueError):
        return {}


def _write_choices(path: Path, choices: dict) -> None:
    """Write atomically (a killed write leaves the old file), or not at
    all where the folder cannot be written: the choice is then measured
    again next time, which costs seconds, not correctness."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(choices, indent=1))
        partial.replace(path)
    except OSError:
        pass
