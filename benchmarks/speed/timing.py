"""Time training steps: wall clock between two host syncs, peak memory."""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
from torch import Tensor, nn


@dataclass
class Timing:
    """Seconds for num_steps timed steps and the peak device memory."""
    seconds: float
    num_steps: int
    peak_memory_mib: float | None  # None off CUDA


def synchronize(device: torch.device) -> None:
    """Wait until the device has run everything queued (CUDA is async)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def reset_peak_memory(device: torch.device) -> None:
    """Start counting peak memory afresh (CUDA only)."""
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def peak_memory_mib(device: torch.device) -> float | None:
    """Peak memory allocated by tensors since the reset, in MiB."""
    if device.type != "cuda":
        return None
    return torch.cuda.max_memory_allocated(device) / 2 ** 20


def time_loop(step: Callable[[Tensor], None], batches: Iterator[Tensor],
              device: torch.device, *, warmup: int, steps: int) -> Timing:
    """Run warmup untimed steps, then time `steps` steps of step(batch)."""
    reset_peak_memory(device)
    for _ in range(warmup):
        step(next(batches))
    synchronize(device)
    start = time.perf_counter()
    for _ in range(steps):
        step(next(batches))
    synchronize(device)
    seconds = time.perf_counter() - start
    return Timing(seconds, steps, peak_memory_mib(device))


def time_train(generator: nn.Module, discriminator: nn.Module, data: Tensor,
               settings, *, warmup: int, steps: int) -> Timing:
    """Time `steps` steps of ganlib.train after `warmup` untimed ones.

    One more step runs after the timed ones: train's last step also logs
    and draws the fixed-noise samples, which is not part of the loop.
    """
    from dataclasses import replace

    from ganlib.train import train

    if warmup < 1 or steps < 1:
        raise ValueError(f"time_train needs warmup >= 1 and steps >= 1 "
                         f"(the marks sit in on_step), got {warmup}, "
                         f"{steps}.")
    settings = replace(settings, num_steps=warmup + steps + 1)
    device = torch.device(settings.device)
    marks = {}

    def on_step(step, generator, discriminator, history):
        if step in (warmup, warmup + steps):  # host syncs only here
            synchronize(device)
            marks[step] = time.perf_counter()

    if settings.speed.compile:
        torch._dynamo.reset()  # compile each configuration from cold
    reset_peak_memory(device)
    train(generator, discriminator, data, settings, on_step=on_step)
    seconds = marks[warmup + steps] - marks[warmup]
    return Timing(seconds, steps, peak_memory_mib(device))
