"""Data-parallel training on several processes, started by torchrun.

    torchrun --nproc_per_node 2 -m ganlib train --data ring --out run

A script of your own, started by torchrun, trains the same way inside
``with process_group(device):``, device from ``process_device``.

Every process holds the whole data set and the same models. At each step
every process draws the GLOBAL batch (its rows and its noise) from the
run's one seeded generator, exactly as a single process would, and keeps
its own rows of it (``shard``): process r of N takes rows r*B/N to
(r+1)*B/N. DistributedDataParallel averages the gradients, which gives
the gradient of the loss over the whole global batch, so N processes at
B/N rows each take the steps one process takes at B (up to float
rounding), and a checkpoint resumes on any number of processes.

Two things do depend on N: BatchNorm normalises each process's rows on
its own unless synchronised (nn.SyncBatchNorm, which torch runs on GPUs
only), and the gradient penalty draws its mixing weights at the
process's batch size.

``rank``/``world_size`` describe the running process group;
``launched_rank``/``launched_processes`` what torchrun's environment
says, which also holds before the group starts and after it ends.
"""
import contextlib
import os

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.distributed._composable import replicate


def world_size() -> int:
    """How many processes train together (1 without a process group)."""
    return dist.get_world_size() if dist.is_initialized() else 1


def rank() -> int:
    """This process's number in the group, 0 to world_size() - 1."""
    return dist.get_rank() if dist.is_initialized() else 0


def launched_processes() -> int:
    """How many processes torchrun started (1 for a plain ``python``)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def launched_rank() -> int:
    """This process's number as torchrun gave it (0 for a plain run)."""
    return int(os.environ.get("RANK", "0"))


def process_device(device: torch.device) -> str:
    """The device this process of a torchrun launch trains on, given the
    one asked for: the CPU, or its own GPU, cuda:LOCAL_RANK."""
    if device.type == "cpu":
        return "cpu"
    if device.type != "cuda" or device.index is not None:
        raise ValueError(
            f"Several processes train on the CPU or each on its own GPU "
            f"(process i on cuda:i), not on {str(device)!r}: pass --device "
            f"cpu or --device cuda.")
    gpus = torch.cuda.device_count()
    here = int(os.environ["LOCAL_WORLD_SIZE"])
    if here > gpus:
        raise ValueError(
            f"{here} processes on this machine need a GPU each, and it has "
            f"{gpus}: start at most {gpus} with torchrun --nproc_per_node.")
    return f"cuda:{os.environ['LOCAL_RANK']}"


@contextlib.contextmanager
def process_group(device: str | None):
    """Join the processes torchrun started for the block, then leave.

    gloo on CPUs; on GPUs NCCL for CUDA tensors and gloo for CPU ones
    (the Ctrl-C flag, so checking it never waits for the GPU). A plain
    run, alone, joins nothing; a process already in its group stays.
    """
    if launched_processes() == 1 or dist.is_initialized():
        yield
        return
    if torch.device(device).type == "cuda":
        torch.cuda.set_device(device)
        # device_id binds NCCL to this GPU at once (torch >= 2.3 knows it)
        dist.init_process_group("cpu:gloo,cuda:nccl",
                                device_id=torch.device(device))
    else:  # no device_id: torch 2.1 and 2.2 refuse the keyword
        dist.init_process_group("gloo")
    try:
        yield
    finally:
        dist.destroy_process_group()


@contextlib.contextmanager
def main_process_first():
    """Run the block in process 0 first, then in the others at once: a
    data set is downloaded once, and the others read its files. If it
    fails in process 0, the others wait until torchrun stops them."""
    others_wait = world_size() > 1 and rank() != 0
    if others_wait:
        dist.barrier()
    yield
    if world_size() > 1 and not others_wait:
        dist.barrier()


def check_batch_split(batch_size: int, processes: int) -> None:
    """ValueError unless the global batch splits evenly over processes."""
    if batch_size % processes:
        fits = batch_size + processes - batch_size % processes
        raise ValueError(
            f"The batch size, {batch_size}, does not split evenly over "
            f"{processes} processes: use a multiple of {processes}, such "
            f"as {fits}.")


def shard(batch: Tensor) -> Tensor:
    """This process's rows of a global batch: r*B/N to (r+1)*B/N."""
    size = len(batch) // world_size()
    return batch[rank() * size:(rank() + 1) * size]


def synchronise_batch_norm(model: nn.Module, device: torch.device) -> None:
    """On GPUs, make the model's BatchNorm layers normalise over the
    global batch (SyncBatchNorm, in place; the same weights and keys).
    torch's SyncBatchNorm refuses CPU tensors, so on CPUs each process's
    BatchNorm sees its own rows."""
    if world_size() > 1 and device.type == "cuda":
        nn.SyncBatchNorm.convert_sync_batchnorm(model)  # replaces children


def make_data_parallel(model: nn.Module, device: torch.device) -> None:
    """Make ``model`` itself DistributedDataParallel (``replicate``: DDP
    applied in place), so the training loop, which calls the models it
    was given, averages their gradients over the processes in backward.

    DDP is handed the weights only, so BatchNorm's running statistics
    stay each process's own (training uses batch statistics; process
    0's are saved), and cost no messages.
    """
    if world_size() > 1:
        replicate(model, device_id=device)


def average(values: Tensor) -> Tensor:
    """``values`` replaced, in place, by their mean over the processes."""
    if world_size() > 1:
        dist.all_reduce(values)
        values /= world_size()
    return values


def any_process(flag: bool) -> bool:
    """True in every process when ``flag`` is True in any of them."""
    if world_size() == 1:
        return flag
    flags = torch.tensor([int(flag)])  # on the CPU: no wait for a GPU
    dist.all_reduce(flags, op=dist.ReduceOp.MAX)
    return bool(flags.item())


def wait_for_all() -> None:
    """Return once every process has got here (at once when alone)."""
    if world_size() > 1:
        dist.barrier()
