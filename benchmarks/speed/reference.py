"""The baseline: pytorch/examples dcgan/main.py's training loop.

Written out as that script does it (torchvision ImageFolder of PNG files,
PIL transforms in 2 DataLoader workers, fp32, `.item()` every step for the
log line), with one change for autocast: netD ends without Sigmoid
and the loss is BCEWithLogitsLoss (nn.BCELoss is unsafe under autocast).
The models are ganlib's DCGANGenerator / DCGANDiscriminator, which are the
example's netG / netD layer for layer, so only the training method differs.
"""

from collections.abc import Iterator
from pathlib import Path

import torch
from torch import Tensor, nn

from ganlib.data import random_batch

NZ = 100  # size of the latent z vector, as --nz in the example
REAL_LABEL, FAKE_LABEL = 1.0, 0.0


def write_image_folder(images: Tensor, root: Path) -> Path:
    """Save (N, C, H, W) images in [-1, 1] as PNGs in ImageFolder layout."""
    from torchvision.utils import save_image

    folder = Path(root) / "flowers"  # ImageFolder wants one class folder
    folder.mkdir(parents=True, exist_ok=True)
    for index, image in enumerate(images):
        save_image(image * 0.5 + 0.5, folder / f"{index:05d}.png")
    return Path(root)


def image_folder_loader(root: Path, *, image_size: int = 64,
                        batch_size: int = 64, workers: int = 2,
                        channels: int = 3):
    """The example's `--dataset folder` pipeline: PIL + CPU transforms
    (for one channel, as its `--dataset mnist`: grey, one mean and std)."""
    import torchvision.datasets as dset
    import torchvision.transforms as transforms

    grey = [transforms.Grayscale(1)] if channels == 1 else []
    dataset = dset.ImageFolder(root=str(root), transform=transforms.Compose([
        *grey,
        transforms.Resize(image_size),
        transforms.CenterCrop(image_size),
        transforms.ToTensor(),
        transforms.Normalize((0.5,) * channels, (0.5,) * channels),
    ]))
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size,
                                       shuffle=True, num_workers=workers)


def loader_batches(dataloader) -> Iterator[Tensor]:
    """Real CPU batches epoch after epoch: `for i, data in dataloader`."""
    while True:
        for data in dataloader:
            yield data[0]


def device_batches(images: Tensor, batch_size: int) -> Iterator[Tensor]:
    """Batches drawn from images already on the device (no DataLoader)."""
    while True:
        yield random_batch(images, batch_size)


class ReferenceLoop:
    """One call = one D step + one G step of pytorch/examples' DCGAN."""

    def __init__(self, netG: nn.Module, netD: nn.Module, device, *,
                 lr: float = 2e-4, beta1: float = 0.5):
        self.netG, self.netD, self.device = netG, netD, device
        self.criterion = nn.BCEWithLogitsLoss()  # was Sigmoid + BCELoss
        self.optimizerD = torch.optim.Adam(netD.parameters(), lr=lr,
                                           betas=(beta1, 0.999))
        self.optimizerG = torch.optim.Adam(netG.parameters(), lr=lr,
                                           betas=(beta1, 0.999))
        self.log = []  # the example prints this line every step

    def __call__(self, real_cpu: Tensor) -> None:
        netG, netD, criterion = self.netG, self.netD, self.criterion
        ############################
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        ###########################
        # train with real
        netD.zero_grad()
        real = real_cpu.to(self.device)
        batch_size = real.size(0)
        label = torch.full((batch_size,), REAL_LABEL, device=self.device)
        output = netD(real).view(-1)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.sigmoid().mean().item()
        # train with fake
        noise = torch.randn(batch_size, NZ, 1, 1, device=self.device)
        fake = netG(noise)
        label.fill_(FAKE_LABEL)
        output = netD(fake.detach()).view(-1)
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.sigmoid().mean().item()
        errD = errD_real + errD_fake
        self.optimizerD.step()
        ############################
        # (2) Update G network: maximize log(D(G(z)))
        ###########################
        netG.zero_grad()
        label.fill_(REAL_LABEL)  # fake labels are real for generator cost
        output = netD(fake).view(-1)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.sigmoid().mean().item()
        self.optimizerG.step()
        self.log.append(
            f"Loss_D: {errD.item():.4f} Loss_G: {errG.item():.4f} "
            f"D(x): {D_x:.4f} D(G(z)): {D_G_z1:.4f} / {D_G_z2:.4f}")
