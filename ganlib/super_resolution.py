"""Super-resolution: guess a sharp picture from a small one (SRGAN).

A picture of H x W pixels is shrunk by `factor` (each factor x factor
block becomes its average), then blown up again to H x W with bicubic
interpolation. That blurry guess is the network's input (its condition)
and the original is its target, so the U-Net and PatchGAN of
ganlib.paired learn the rest: an L1 loss alone (a regression net), or
L1 plus an adversarial loss (SRGAN, Ledig et al. 2017).

Scores: PSNR, how close each output is to its own original, and the
Frechet distance of ganlib.image_metrics, how much the outputs as a whole
look like real pictures.
"""
import torch
import torch.nn.functional as F
from torch import Tensor

from ganlib.features import FeatureClassifier
from ganlib.image_metrics import held_out_quality
from ganlib.images import ImageData, check_images
from ganlib.paired import edge_strength

PEAK_TO_PEAK = 2.0  # images lie in [-1, 1]


def shrink(images: Tensor, factor: int = 4) -> Tensor:
    """(N, C, H, W) -> (N, C, H/factor, W/factor): mean of each block."""
    check_images(images)
    height, width = images.shape[-2:]
    if factor < 1 or height % factor or width % factor:
        raise ValueError(f"factor must be a whole number >= 1 that divides "
                         f"H and W; got factor={factor} for "
                         f"{height}x{width} images.")
    return F.avg_pool2d(images, factor)  # each pixel: a block's mean


def enlarge(small: Tensor, factor: int = 4) -> Tensor:
    """(N, C, h, w) -> (N, C, h*factor, w*factor): bicubic, in [-1, 1].

    Bicubic interpolation overshoots next to sharp steps, so the result
    is clamped back into the image range.
    """
    check_images(small)
    big = F.interpolate(small, scale_factor=factor, mode="bicubic",
                        align_corners=False)
    return big.clamp(-1.0, 1.0)


def make_pairs(images: Tensor, factor: int = 4) -> tuple[Tensor, Tensor]:
    """(conditions, targets): enlarge(shrink(images)) and the images."""
    return enlarge(shrink(images, factor), factor), images


def psnr(images: Tensor, originals: Tensor) -> Tensor:
    """(N,) peak signal-to-noise ratio in dB of each image to its original.

    PSNR = 10 log10(peak^2 / MSE), with MSE the mean squared pixel error
    of one image and peak = 2, the distance from black (-1) to white (+1).
    Higher is closer; an image identical to its original gets inf.
    """
    if images.shape != originals.shape or images.ndim != 4:
        raise ValueError(f"expected two batches of the same shape (N, C, "
                         f"H, W), got {tuple(images.shape)} and "
                         f"{tuple(originals.shape)}.")
    error = (images.double() - originals.double()) ** 2
    mse = error.flatten(start_dim=1).mean(dim=1)  # (N,)
    return 10.0 * torch.log10(PEAK_TO_PEAK ** 2 / mse)


def mean_edge_strength(images: Tensor) -> float:
    """Average Sobel edge strength in [0, 1]: blur makes it smaller."""
    return edge_strength(images).mean().item()


def upscaling_scores(upscaled: Tensor, originals: Tensor,
                     data: ImageData, classifier: FeatureClassifier) -> dict:
    """PSNR to the originals, Frechet distance to `data`, and its floor.

    The floor is the Frechet distance of the originals themselves (real
    held-out images) to the same training images: the best possible.
    """
    labels = torch.zeros(len(originals), dtype=torch.long)
    held_out = ImageData(originals, labels, data.class_names)
    quality = held_out_quality(upscaled, data, held_out, classifier,
                               num_images=len(originals))
    return {"psnr": psnr(upscaled, originals).mean().item(),
            "frechet_distance": quality["frechet_distance"],
            "floor": quality["floor"],
            "edge_strength": mean_edge_strength(upscaled)}
