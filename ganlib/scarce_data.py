"""More data where data is scarce: a classifier with few labelled images.

The experiment of the chapter "More data where data is scarce": keep k
labelled images per class, train a small classifier on them, and measure
its accuracy on held-out images; then train it again on the same images
made more plentiful, either by classic augmentation (flips and shifts) or
by adding samples of a conditional GAN (Mirza and Osindero 2014) trained
on the same few images. The classifier is ganlib.features'
FeatureClassifier; the conditional GAN is ganlib.conditional's, trained
by the one loop of ganlib.train.
"""
from dataclasses import replace

import torch
import torch.nn.functional as F
from torch import Tensor

from ganlib.conditional import (ConditionalGenerator,
                                conditional_dcgan_discriminator)
from ganlib.features import (FeatureClassifier, apply_classifier,
                             train_classifier)
from ganlib.images import ImageData
from ganlib.models import DCGANGenerator, device_of, evaluating
from ganlib.recipes import IMAGE_SETTINGS
from ganlib.speed import Speed

# The 28 px image recipe (hinge loss, spectral-norm D without BatchNorm,
# Adam 2e-4, linear decay) with narrower nets: on this project's CPU a
# step of width 32 in fp32 took about 50 ms, of width 64 about 110 ms.
CGAN_SETTINGS = replace(IMAGE_SETTINGS, num_steps=3000, log_every=100,
                        sample_every=1000, speed=Speed())


def few_per_class(data: ImageData, per_class: int, *,
                  seed: int = 0) -> ImageData:
    """Exactly per_class images of every class, chosen at random (seeded)."""
    rng = torch.Generator().manual_seed(seed)
    chosen = []
    for label in range(len(data.class_names)):
        where = torch.nonzero(data.labels == label).flatten()
        if len(where) < per_class:
            raise ValueError(f"class {label} has only {len(where)} images, "
                             f"fewer than per_class={per_class}.")
        chosen.append(where[torch.randperm(len(where), generator=rng)
                            [:per_class]])
    index = torch.cat(chosen)  # class 0 first, then class 1, ...
    return ImageData(data.images[index], data.labels[index],
                     list(data.class_names))


def combine(first: ImageData, second: ImageData) -> ImageData:
    """One labelled set holding the images of both (first, then second)."""
    return ImageData(torch.cat([first.images, second.images.to(
        first.images)]), torch.cat([first.labels, second.labels.to(
            first.labels)]), list(first.class_names))


def shift(images: Tensor, dx: int, dy: int) -> Tensor:
    """(N, C, H, W) moved dx px right and dy px down; -1 (black) fills in.

    Not torch.roll: a garment pushed out on the right must not come back
    on the left. -1 is the background of images scaled to [-1, 1].
    """
    pad = max(abs(dx), abs(dy))
    if pad == 0:
        return images.clone()
    height, width = images.shape[-2:]
    padded = F.pad(images, (pad, pad, pad, pad), value=-1.0)
    top, left = pad - dy, pad - dx  # the window that lands on the image
    return padded[..., top:top + height, left:left + width].clone()


def augment(images: Tensor, *, max_shift: int = 2,
            rng: torch.Generator | None = None) -> Tensor:
    """Classic augmentation: each image mirrored left-right with
    probability 1/2, then shifted by up to max_shift px each way.

    No vertical flips: garments have an up and a down (a collar on top,
    a sole at the bottom), and an upside-down shoe never occurs among the
    images the classifier will be tested on.
    """
    flip = torch.rand(len(images), generator=rng) < 0.5  # (N,)
    images = torch.where(flip[:, None, None, None].to(images.device),
                         images.flip(-1), images)
    moves = torch.randint(-max_shift, max_shift + 1, (len(images), 2),
                          generator=rng)  # (N, 2): dx, dy of each image
    return torch.cat([shift(image[None], dx, dy)
                      for image, (dx, dy) in zip(images, moves.tolist())])


def train_small_classifier(data: ImageData, *, num_steps: int = 600,
                           batch_size: int = 64, lr: float = 2e-3,
                           augmented: bool = False,
                           seed: int = 0) -> FeatureClassifier:
    """ganlib.features.train_classifier (Adam, one CPU thread) for 600
    steps; with augmented=True every batch goes through augment first."""
    def augment_batch(batch: Tensor, rng: torch.Generator) -> Tensor:
        return augment(batch, rng=rng)
    return train_classifier(data, num_steps=num_steps, batch_size=batch_size,
                            lr=lr, seed=seed,
                            augment_batch=augment_batch if augmented else None)


def accuracy(classifier: FeatureClassifier, data: ImageData) -> float:
    """Share of data's images whose most likely class is their label."""
    logits = apply_classifier(classifier, data.images, "forward")
    return (logits.argmax(dim=1) == data.labels.cpu()).float().mean().item()


def conditional_image_gan(*, num_classes: int = 10, noise_dim: int = 32,
                          image_size: int = 28, width: int = 32,
                          seed: int = 0):
    """(ConditionalGenerator, D) for grayscale images, weights seeded."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        generator = ConditionalGenerator(DCGANGenerator(
            latent_dim=noise_dim + num_classes, channels=1,
            image_size=image_size, width=width), num_classes=num_classes)
        discriminator = conditional_dcgan_discriminator(
            num_classes=num_classes, channels=1, image_size=image_size,
            width=width, spectral_norm=True, batch_norm=False)
    return generator, discriminator


@torch.no_grad()
def generated_data(generator: ConditionalGenerator, per_class: int,
                   class_names: list[str], *, seed: int = 0) -> ImageData:
    """per_class samples of every class from a trained generator (CPU)."""
    labels = torch.arange(len(class_names)).repeat_interleave(per_class)
    rng = torch.Generator().manual_seed(seed)
    z_noise = torch.randn(len(labels), generator.noise_dim, generator=rng)
    device = device_of(generator)
    with evaluating(generator):  # BatchNorm uses its running statistics
        images = generator.generate(z_noise.to(device), labels.to(device))
    return ImageData(images.float().clamp(-1, 1).cpu(), labels,
                     list(class_names))
