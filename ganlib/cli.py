"""Train outside a notebook: ``python -m ganlib train --data ring ...``.

argparse lives here only; the library itself takes a TrainSettings.
A run writes DIR/checkpoint.pt (resumable with --resume) and
DIR/samples.png (an image grid, or the 2-D points over the real ones).
"""
import argparse
import sys
from pathlib import Path

import torch

from ganlib.checkpoint import CheckpointError
from ganlib.data import grid_target, ring_target, spiral, two_moons
from ganlib.image_metrics import default_cache_dir
from ganlib.images import DatasetUnavailableError, load_images
from ganlib.models import (DCGANDiscriminator, DCGANGenerator,
                           MLPDiscriminator, MLPGenerator)
from ganlib.train import TrainSettings, train

POINT_SETS = {"ring": ring_target, "grid": grid_target,
              "moons": two_moons, "spiral": spiral}
IMAGE_SETS = ("digits", "flowers", "mnist", "fashion_mnist", "cifar10")
DOWNLOADED = ("mnist", "fashion_mnist", "cifar10")
# (batch size, learning rate) unless given: 2-D as in the ring test,
# images as in the DCGAN paper
DEFAULTS = {"points": (512, 1e-3), "images": (64, 2e-4)}


def build_parser() -> argparse.ArgumentParser:
    """The ``train`` command and its options."""
    parser = argparse.ArgumentParser(prog="python -m ganlib",
                                     description="Train GANs with ganlib.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("train", help="train a GAN, save a "
                              "checkpoint and a sample picture")
    run.add_argument("--data", required=True,
                     choices=[*POINT_SETS, *IMAGE_SETS])
    run.add_argument("--steps", type=int, default=2000,
                     help="generator updates (default 2000)")
    run.add_argument("--out", type=Path, required=True,
                     help="folder for checkpoint.pt and samples.png")
    run.add_argument("--batch-size", type=int,
                     help="default 512 for 2-D points, 64 for images")
    run.add_argument("--lr", type=float, help="Adam learning rate of G "
                     "and D; default 1e-3 for 2-D points, 2e-4 for images")
    run.add_argument("--device", help="cuda, mps or cpu (default: best)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--resume", action="store_true",
                     help="continue the run in --out")
    run.add_argument("--width", type=int, default=64,
                     help="DCGAN width (default 64, as pytorch/examples)")
    run.add_argument("--data-root", type=Path,
                     help="where MNIST etc. are stored (default: cache)")
    run.add_argument("--no-progress", action="store_true",
                     help="hide the progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; 0 on success, 2 on a problem it explains."""
    args = build_parser().parse_args(argv)
    try:
        run_training(args)
    except (DatasetUnavailableError, CheckpointError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def run_training(args: argparse.Namespace) -> None:
    """Build data and models, train, write the checkpoint and samples."""
    checkpoint = args.out / "checkpoint.pt"
    if checkpoint.exists() and not args.resume:
        raise ValueError(f"{checkpoint} already exists. Pass --resume to "
                         f"continue that run, or choose another --out.")
    torch.manual_seed(args.seed)  # the models' initial weights
    data, generator, discriminator, kind = build_problem(args)
    batch_size, lr = DEFAULTS[kind]
    settings = TrainSettings(
        num_steps=args.steps, batch_size=args.batch_size or batch_size,
        generator_lr=args.lr or lr, discriminator_lr=args.lr or lr,
        seed=args.seed, device=args.device, checkpoint_path=str(checkpoint),
        progress=not args.no_progress)
    history = train(generator, discriminator, data, settings)
    picture = args.out / "samples.png"
    save_samples(history.samples[-1][1], data, picture)
    d_loss, g_loss = (history.discriminator_loss[-1],
                      history.generator_loss[-1])
    print(f"step {history.step[-1]}: D loss {d_loss:.3f}, G loss "
          f"{g_loss:.3f}\nwrote {checkpoint} and {picture}")


def build_problem(args: argparse.Namespace):
    """(data, generator, discriminator, "points" or "images")."""
    if args.data in POINT_SETS:
        rng = torch.Generator().manual_seed(args.seed)
        make = POINT_SETS[args.data]
        if args.data in ("ring", "grid"):
            data = make().sample(10_000, generator=rng)
        else:
            data = make(10_000, generator=rng)
        return data, MLPGenerator(), MLPDiscriminator(), "points"
    kwargs = {}
    if args.data in DOWNLOADED:
        kwargs["root"] = args.data_root or default_cache_dir() / "data"
    images = load_images(args.data, **kwargs).images
    channels, image_size = images.shape[1], images.shape[-1]
    generator = DCGANGenerator(channels=channels, image_size=image_size,
                               width=args.width)
    discriminator = DCGANDiscriminator(channels=channels,
                                       image_size=image_size,
                                       width=args.width)
    return images, generator, discriminator, "images"


def save_samples(fake: torch.Tensor, data: torch.Tensor, path: Path) -> None:
    """Write the fixed-noise samples as a PNG (grid, or points on real)."""
    from ganlib.plotting import plot_points, sample_grid  # matplotlib
    if fake.ndim == 4:
        figure = sample_grid(fake, title="generated samples")
    else:
        figure = plot_points(data[:2000].cpu(), fake,
                             title="real (black) and generated (orange)")
    figure.savefig(path, dpi=figure.dpi)
