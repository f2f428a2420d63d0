"""Train outside a notebook: ``python -m ganlib train --data ring ...``.

argparse lives here only; the library itself takes a TrainSettings.
A run writes DIR/checkpoint.pt (resumable with --resume) and
DIR/samples.png (an image grid, or the 2-D points over the real ones).
Ctrl-C finishes the step, saves the checkpoint and exits; every error a
user can cause (an option, the data, the folder, a checkpoint) is one
line that says what was wrong and what to do, and exit status 2.

``torchrun --nproc_per_node N -m ganlib train ...`` trains the same run
on N processes (ganlib/distributed.py). Every process checks the same
options and data, so they all fail alike; process 0 alone prints, draws
samples.png and the progress bar.
"""
import argparse
import sys
from dataclasses import replace
from pathlib import Path

import torch

from ganlib.checkpoint import CheckpointError, check_writable, load_checkpoint
from ganlib.data import grid_target, ring_target, spiral, two_moons
from ganlib.distributed import (launched_processes, launched_rank,
                                main_process_first, process_device,
                                process_group)
from ganlib import recipes
from ganlib.images import DatasetUnavailableError, load_images
from ganlib.mnist_files import OFFLINE, data_dir
from ganlib.models import (DCGANDiscriminator, DCGANGenerator,
                           MLPDiscriminator, MLPGenerator)
from ganlib.train import TrainSettings, pick_device, train
from ganlib.training_run import TrainingDivergedError, TrainingInterrupted

POINT_SETS = {"ring": ring_target, "grid": grid_target,
              "moons": two_moons, "spiral": spiral}
IMAGE_SETS = ("digits", "flowers", "mnist", "fashion_mnist", "cifar10")
DOWNLOADED = ("mnist", "fashion_mnist", "cifar10")
# Data sets with a tested recipe (ganlib.recipes) train with its models
# and settings; the others with these (batch size, learning rate) and
# 2,000 steps unless given: 2-D as the ring's, images as the DCGAN paper.
RECIPES = {"ring": recipes.ring_recipe, "grid": recipes.grid_recipe,
           "mnist": recipes.mnist_recipe,
           "fashion_mnist": recipes.fashion_mnist_recipe,
           "flowers": recipes.flowers_recipe}
DEFAULTS = {"points": (512, 1e-3), "images": (64, 2e-4)}
OFFLINE_CLI = "--data digits or --data flowers, which need no download"


def positive(kind):
    """An argparse type: ``kind`` (int or float) and greater than 0."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0:
            raise argparse.ArgumentTypeError(
                f"expected a number greater than 0, got {text!r}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    """The ``train`` command and its options."""
    parser = argparse.ArgumentParser(prog="python -m ganlib",
                                     description="Train GANs with ganlib.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("train", help="train a GAN, save a "
                              "checkpoint and a sample picture")
    run.add_argument("--data", required=True,
                     choices=[*POINT_SETS, *IMAGE_SETS])
    run.add_argument("--steps", type=positive(int), help="generator updates "
                     "(default: the recipe's, else 2000)")
    run.add_argument("--out", type=Path, required=True,
                     help="folder for checkpoint.pt and samples.png")
    run.add_argument("--batch-size", type=positive(int), help="default: the "
                     "recipe's, else 512 for 2-D points, 64 for images")
    run.add_argument("--lr", type=positive(float), help="Adam learning rate of G "
                     "and D; default: the recipe's, else 1e-3 for 2-D "
                     "points, 2e-4 for images")
    run.add_argument("--device", help="cuda, mps or cpu (default: best)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--resume", action="store_true",
                     help="continue the run in --out")
    run.add_argument("--width", type=positive(int), help="DCGAN width "
                     "instead of the recipe's models, image data only "
                     "(default 64, as pytorch/examples)")
    run.add_argument("--data-root", type=Path, help="where "
                     f"{', '.join(DOWNLOADED)} are stored (default: cache)")
    run.add_argument("--checkpoint-every", type=positive(int), default=500,
                     help="steps between checkpoints (default 500)")
    run.add_argument("--no-progress", action="store_true",
                     help="hide the progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; 0 on success, 2 on a problem it explains,
    130 after Ctrl-C (the checkpoint saved)."""
    args = build_parser().parse_args(argv)
    try:
        run_training(args)
    except TrainingInterrupted as stop:
        saved = (f"saved {args.out / 'checkpoint.pt'}; run the same command "
                 f"with --resume to go on" if stop.saved else "nothing saved")
        tell(f"interrupted after step {stop.step}: {saved}.")
        return 130
    except KeyboardInterrupt:  # before the first step: nothing to save
        tell("interrupted before training began: nothing was saved.")
        return 130
    except DatasetUnavailableError as error:
        tell(f"error: {str(error).replace(OFFLINE, OFFLINE_CLI)}")
        return 2
    except (CheckpointError, TrainingDivergedError, ValueError,
            OSError) as error:
        tell(f"error: {error}")
        return 2
    return 0


def tell(message: str) -> None:
    """Print to stderr, in process 0 only: under torchrun the others
    would print the same line again."""
    if launched_rank() == 0:
        print(message, file=sys.stderr)


def run_training(args: argparse.Namespace) -> None:
    """Check the options; train alone, or with the processes torchrun
    started, each on its own device."""
    checkpoint = args.out / "checkpoint.pt"
    check_options(args, checkpoint)
    check_writable(checkpoint)  # before the data load and the first step
    device = args.device
    if launched_processes() > 1:
        device = process_device(pick_device(args.device))
    with process_group(device):
        train_and_save(args, checkpoint, device)


def train_and_save(args: argparse.Namespace, checkpoint: Path,
                   device: str | None) -> None:
    """Build data and models, train, write the checkpoint and samples."""
    torch.manual_seed(args.seed)  # the models' initial weights
    with main_process_first():  # a download happens once
        data, generator, discriminator, settings = build_problem(args)
    given = {"num_steps": args.steps, "batch_size": args.batch_size,
             "generator_lr": args.lr, "discriminator_lr": args.lr}
    settings = replace(
        settings, **{k: v for k, v in given.items() if v is not None},
        seed=args.seed, device=device, checkpoint_path=str(checkpoint),
        checkpoint_every=args.checkpoint_every,
        progress=not args.no_progress)
    if args.resume:
        done = load_checkpoint(checkpoint)["step"]
        if done >= settings.num_steps:
            raise ValueError(
                f"The run in {args.out} has already trained {done} steps, "
                f"so {settings.num_steps} steps adds none. Pass --steps "
                f"greater than {done} to train it further.")
    history = train(generator, discriminator, data, settings)
    if launched_rank() != 0:
        return  # process 0 draws and reports
    picture = args.out / "samples.png"
    save_samples(history.samples[-1][1], data, picture)
    d_loss, g_loss = (history.discriminator_loss[-1],
                      history.generator_loss[-1])
    print(f"step {history.step[-1]}: D loss {d_loss:.3f}, G loss "
          f"{g_loss:.3f}\nwrote {checkpoint} and {picture}")


def check_options(args: argparse.Namespace, checkpoint: Path) -> None:
    """ValueError for options that contradict each other or the folder."""
    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out {args.out} is a file. Give a folder: it "
                         f"will hold checkpoint.pt and samples.png.")
    if args.resume and not checkpoint.is_file():
        raise ValueError(f"--resume: there is no run in {args.out} (no "
                         f"checkpoint.pt). Leave out --resume to start one.")
    if checkpoint.exists() and not args.resume:
        raise ValueError(f"{checkpoint} already exists. Pass --resume to "
                         f"continue that run, or choose another --out.")
    if args.data_root is not None and args.data not in DOWNLOADED:
        raise ValueError(f"--data-root is read only for "
                         f"{', '.join(DOWNLOADED)}; --data {args.data} "
                         f"needs no files. Leave it out.")
    if args.width is not None and args.data in POINT_SETS:
        raise ValueError(f"--width sets a DCGAN's width, for image data; "
                         f"--data {args.data} trains MLPs. Leave it out.")


def build_problem(args: argparse.Namespace):
    """(data, generator, discriminator, settings before the options)."""
    if args.data in POINT_SETS:
        rng = torch.Generator().manual_seed(args.seed)
        make = POINT_SETS[args.data]
        if args.data in ("ring", "grid"):
            data = make().sample(10_000, rng=rng)
        else:
            data = make(10_000, rng=rng)
    else:
        kwargs = {}
        if args.data in DOWNLOADED:
            kwargs["root"] = args.data_root or data_dir()
        data = load_images(args.data, **kwargs).images
    if args.data in RECIPES and args.width is None:
        return (data, *RECIPES[args.data](seed=args.seed))
    batch_size, lr = DEFAULTS["points" if data.ndim == 2 else "images"]
    settings = TrainSettings(num_steps=2000, batch_size=batch_size,
                             generator_lr=lr, discriminator_lr=lr)
    if data.ndim == 2:
        return data, MLPGenerator(), MLPDiscriminator(), settings
    channels, image_size = data.shape[1], data.shape[-1]
    width = args.width or 64
    generator = DCGANGenerator(channels=channels, image_size=image_size,
                               width=width)
    discriminator = DCGANDiscriminator(channels=channels,
                                       image_size=image_size, width=width)
    return data, generator, discriminator, settings


def save_samples(fake: torch.Tensor, data: torch.Tensor, path: Path) -> None:
    """Write the fixed-noise samples as a PNG (grid, or points on real)."""
    from ganlib.plotting import plot_points, sample_grid  # matplotlib
    if fake.ndim == 4:
        figure = sample_grid(fake, title="generated samples")
    else:
        figure = plot_points(data[:2000].cpu(), fake,
                             title="real (black) and generated (orange)")
    figure.savefig(path, dpi=figure.dpi)
