"""Images a small DCGAN learns in a few hundred CPU steps, and the error
the training tests measure on them."""

import torch


def bar_images(num_images=256):
    """(N, 1, 16, 16) images: a bright vertical bar on black, a bit noisy."""
    images = torch.full((num_images, 1, 16, 16), -1.0)
    images[:, :, :, 6:10] = 1.0
    noise = torch.randn(images.shape, generator=torch.Generator()
                        .manual_seed(0))
    return (images + 0.05 * noise).clamp(-1, 1)  # train needs [-1, 1]


def mean_image_error(samples, images):
    """Mean |pixel| gap between the average fake and the average image:
    near 1.00 for an untrained generator, whose tanh outputs sit near 0."""
    return (samples.mean(0) - images.mean(0)).abs().mean().item()
