"""Image-to-image GANs: learn a picture from a picture (pix2pix).

Each training example is a pair: a condition c (a sketch, a small image)
and the target picture x it should become. Isola et al. (2017) train

- a U-Net generator G(c): an encoder that halves the size at each level,
  a decoder that doubles it back, and skip connections that hand each
  decoder level the encoder's features of the same size, so fine detail
  (where a line is) need not squeeze through the bottleneck;
- a PatchGAN discriminator D(c, x): a small convolutional net that sees
  the condition and the picture stacked as channels and gives one
  real-or-fake logit per patch instead of one per image;

with G's loss = adversarial_weight * GAN loss + l1_weight * |G(c) - x|.
The L1 term pulls G(c) towards the one true picture; the GAN term asks
that G(c) look real. With l1_weight = 0 it is a GAN alone, with
adversarial_weight = 0 a plain regression net (no D is trained).

The same pieces serve super-resolution (SRGAN, Ledig et al. 2017): the
condition is the small image, blown up to the target's size.
"""
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlib.losses import bce_discriminator_loss, nonsaturating_generator_loss
from ganlib.models import device_of, evaluating

SOBEL_X = torch.tensor([[-1.0, 0.0, 1.0],
                        [-2.0, 0.0, 2.0],
                        [-1.0, 0.0, 1.0]])  # d/dx, smoothed along y


def edge_strength(images: Tensor) -> Tensor:
    """(N, C, H, W) in [-1, 1] -> (N, 1, H, W) Sobel gradient size in [0, 1].

    Colour images are turned grey (the channel mean) first. The Sobel
    kernels give 4 times the step across an edge, and a step from black
    (-1) to white (+1) is 2, so dividing the gradient's length by 8 makes
    a sharp black-white edge 1. The border is padded by repeating edge
    pixels, so the frame of the picture is not an edge.
    """
    grey = images.mean(dim=1, keepdim=True)
    padded = F.pad(grey, (1, 1, 1, 1), mode="replicate")
    kernel_x = SOBEL_X.to(images)[None, None]  # (1, 1, 3, 3)
    kernel_y = SOBEL_X.T.to(images)[None, None]
    grad_x = F.conv2d(padded, kernel_x)
    grad_y = F.conv2d(padded, kernel_y)
    return (grad_x ** 2 + grad_y ** 2).sqrt().div(8.0).clamp(max=1.0)


def sketch(images: Tensor, *, threshold: float = 0.4) -> Tensor:
    """(N, C, H, W) in [-1, 1] -> (N, 1, H, W) line drawing in {-1, +1}.

    +1 (white) where the edge strength reaches `threshold`, -1 (black)
    elsewhere: white lines on black, like the MNIST digits themselves.
    At 0.4 a garment's outline and its strongest inner lines remain (a
    fifth of Fashion-MNIST's pixels); lower thresholds add texture.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}: "
                         "edge strengths lie in [0, 1].")
    edges = edge_strength(images)
    return torch.where(edges >= threshold, 1.0, -1.0).to(images.dtype)


class UNetGenerator(nn.Module):
    """U-Net: (B, in_channels, H, W) -> (B, out_channels, H, W) in [-1, 1].

    `depth` levels each halve H and W (so H and W must be divisible by
    2 ** depth); widths double per level up to 8 * width.
    """

    def __init__(self, *, in_channels: int = 1, out_channels: int = 1,
                 width: int = 32, depth: int = 2):
        super().__init__()
        self.in_channels, self.depth = in_channels, depth
        channels = [in_channels] + [width * 2 ** min(level, 3)
                                    for level in range(depth)]
        self.downs = nn.ModuleList()  # level i: channels[i] -> channels[i+1]
        for level in range(depth):
            layers = [nn.Conv2d(channels[level], channels[level + 1], 4, 2, 1)]
            if level > 0:  # no norm on the input layer, as in pix2pix
                layers.append(nn.BatchNorm2d(channels[level + 1]))
            layers.append(nn.LeakyReLU(0.2))
            self.downs.append(nn.Sequential(*layers))
        bottom = channels[-1]
        self.middle = nn.Sequential(nn.Conv2d(bottom, bottom, 3, 1, 1),
                                    nn.BatchNorm2d(bottom), nn.ReLU())
        self.ups = nn.ModuleList()  # deepest first; input = (h, skip)
        for level in reversed(range(depth)):
            up_in = 2 * channels[level + 1]
            if level > 0:
                self.ups.append(nn.Sequential(
                    nn.ConvTranspose2d(up_in, channels[level], 4, 2, 1),
                    nn.BatchNorm2d(channels[level]), nn.ReLU()))
            else:
                self.ups.append(nn.Sequential(
                    nn.ConvTranspose2d(up_in, out_channels, 4, 2, 1),
                    nn.Tanh()))

    def forward(self, condition: Tensor) -> Tensor:
        _check_condition(condition, self.in_channels, 2 ** self.depth)
        skips, h = [], condition
        for down in self.downs:
            h = down(h)
            skips.append(h)
        h = self.middle(h)
        for up in self.ups:
            h = up(torch.cat([h, skips.pop()], dim=1))
        return h


def _check_condition(condition: Tensor, channels: int, multiple: int) -> None:
    """A clear error for a condition the U-Net cannot take."""
    if condition.ndim != 4 or condition.shape[1] != channels:
        raise ValueError(f"expected conditions of shape (B, {channels}, H, "
                         f"W), got {tuple(condition.shape)}.")
    if condition.shape[2] % multiple or condition.shape[3] % multiple:
        raise ValueError(f"H and W must be divisible by {multiple} (2 ** "
                         f"depth), got {tuple(condition.shape[2:])}: pad "
                         "or resize the images, or use a smaller depth.")


class PatchDiscriminator(nn.Module):
    """PatchGAN: D(condition, image) -> (B, 1, H/4, W/4) logits, one per patch.

    The condition and the image are stacked as channels, so D judges
    "is this a real picture OF this sketch?", not only "is it real?". With
    condition_channels=0 it sees the image alone (as SRGAN's D does).
    Each logit sees an 18 x 18 pixel patch of the input.
    """

    def __init__(self, *, condition_channels: int = 1,
                 image_channels: int = 1, width: int = 64):
        super().__init__()
        self.condition_channels = condition_channels
        self.net = nn.Sequential(
            nn.Conv2d(condition_channels + image_channels, width, 4, 2, 1),
            nn.LeakyReLU(0.2),  # (B, width, H/2, W/2)
            nn.Conv2d(width, 2 * width, 4, 2, 1),
            nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2),  # H/4, W/4
            nn.Conv2d(2 * width, 1, 3, 1, 1))  # one logit per patch

    def forward(self, condition: Tensor, image: Tensor) -> Tensor:
        if self.condition_channels == 0:
            return self.net(image)
        return self.net(torch.cat([condition, image], dim=1))


def l1_loss(fake: Tensor, target: Tensor) -> Tensor:
    """Mean absolute pixel difference |G(c) - x|."""
    return (fake - target).abs().mean()


@dataclass
class PairedSettings:
    """How train_paired trains; the defaults are pix2pix's (lambda = 100)."""
    num_steps: int = 2000
    batch_size: int = 64
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    l1_weight: float = 100.0
    adversarial_weight: float = 1.0
    seed: int = 0
    log_every: int = 100


@dataclass
class PairedHistory:
    """Logged every log_every steps: step, G's L1 and GAN losses, D's loss."""
    step: list = field(default_factory=list)
    l1: list = field(default_factory=list)
    generator_gan: list = field(default_factory=list)
    discriminator: list = field(default_factory=list)


def paired_round(generator: nn.Module, discriminator: nn.Module | None,
                 generator_opt, discriminator_opt, condition: Tensor,
                 target: Tensor, settings: PairedSettings) -> dict:
    """One D step (if there is a GAN term) then one G step; the losses."""
    losses = {"discriminator": float("nan"), "generator_gan": float("nan")}
    fake = generator(condition)
    use_gan = settings.adversarial_weight > 0
    if use_gan:  # D: real pairs -> 1, fake pairs -> 0
        d_loss = bce_discriminator_loss(discriminator(condition, target),
                                        discriminator(condition,
                                                      fake.detach()))
        discriminator_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        discriminator_opt.step()
        losses["discriminator"] = d_loss.item()
    l1 = l1_loss(fake, target)
    g_loss = settings.l1_weight * l1
    if use_gan:  # G: make D call the fake pair real
        gan = nonsaturating_generator_loss(discriminator(condition, fake))
        g_loss = g_loss + settings.adversarial_weight * gan
        losses["generator_gan"] = gan.item()
    generator_opt.zero_grad(set_to_none=True)
    g_loss.backward()
    generator_opt.step()
    losses["l1"] = l1.item()
    return losses


def train_paired(generator: nn.Module, discriminator: nn.Module | None,
                 conditions: Tensor, targets: Tensor,
                 settings: PairedSettings) -> PairedHistory:
    """Train G (and D) on pairs (conditions[i], targets[i]) with Adam."""
    if len(conditions) != len(targets):
        raise ValueError(f"{len(conditions)} conditions but {len(targets)} "
                         "targets: each condition needs its own target.")
    if settings.adversarial_weight > 0 and discriminator is None:
        raise ValueError("adversarial_weight > 0 needs a discriminator; "
                         "pass one, or set adversarial_weight=0.")
    if settings.l1_weight == 0 and settings.adversarial_weight == 0:
        raise ValueError("l1_weight and adversarial_weight are both 0: "
                         "G would learn nothing. Set at least one above 0.")
    device = device_of(generator)
    rng = torch.Generator().manual_seed(settings.seed)
    generator_opt = torch.optim.Adam(generator.parameters(), lr=settings.lr,
                                     betas=settings.betas)
    discriminator_opt = None
    if discriminator is not None and settings.adversarial_weight > 0:
        discriminator_opt = torch.optim.Adam(
            discriminator.parameters(), lr=settings.lr, betas=settings.betas)
    generator.train()
    if discriminator is not None:
        discriminator.train()
    history = PairedHistory()
    for step in range(1, settings.num_steps + 1):
        rows = torch.randint(len(conditions), (settings.batch_size,),
                             generator=rng)
        losses = paired_round(generator, discriminator, generator_opt,
                              discriminator_opt, conditions[rows].to(device),
                              targets[rows].to(device), settings)
        if step % settings.log_every == 0 or step == settings.num_steps:
            history.step.append(step)
            for name in ("l1", "generator_gan", "discriminator"):
                getattr(history, name).append(losses[name])
    return history


@torch.no_grad()
def translate(generator: nn.Module, conditions: Tensor, *,
              batch_size: int = 500) -> Tensor:
    """G(c) for every condition, in eval mode and batches, on the CPU."""
    device = device_of(generator)
    with evaluating(generator):
        return torch.cat([generator(batch.to(device)).float().cpu()
                          for batch in conditions.split(batch_size)])
