"""Image quality: a Frechet distance and class coverage.

FID (Heusel et al. 2017) compares Gaussians fitted to Inception features of
real and generated images. Inception is big and must be downloaded, so
ganlib instead trains a small CNN on the same data set (seconds on a CPU)
and uses its features. The numbers are only comparable for one data set
and one classifier: read them next to ``real_vs_real``, the distance
between two halves of the real data, the best a generator can hope for.
"""
import hashlib
import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlib.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ganlib.images import ImageData, check_images

CLASSIFIER_VERSION = 1  # part of the cache key: bump when the net changes


class FeatureClassifier(nn.Module):
    """Small CNN: (B, C, H, W) in [-1, 1] -> (B, num_classes) logits."""

    def __init__(self, *, channels: int, num_classes: int,
                 image_size: int, width: int = 16, feature_dim: int = 64):
        super().__init__()
        self.channels, self.num_classes = channels, num_classes
        self.image_size = image_size
        self.body = nn.Sequential(  # (B, C, H, W) -> (B, feature_dim)
            nn.Conv2d(channels, width, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),  # (B, width, H/2, W/2)
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(),
            nn.AdaptiveMaxPool2d(4),  # (B, 2 width, 4, 4) for any size
            nn.Flatten(), nn.Linear(2 * width * 16, feature_dim), nn.ReLU())
        self.head = nn.Linear(feature_dim, num_classes)

    def features(self, images: Tensor) -> Tensor:
        """(B, C, H, W) -> (B, feature_dim) features (before the head)."""
        return self.body(images)

    def forward(self, images: Tensor) -> Tensor:
        """(B, C, H, W) -> (B, num_classes) class logits."""
        return self.head(self.features(images))


def train_classifier(data: ImageData, *, num_steps: int = 400,
                     batch_size: int = 64, lr: float = 2e-3,
                     seed: int = 0) -> FeatureClassifier:
    """Train a FeatureClassifier on (images, labels) with Adam, on the CPU."""
    torch.manual_seed(seed)  # the classifier's initial weights
    images, labels = data.images, data.labels
    classifier = FeatureClassifier(
        channels=images.shape[1], num_classes=len(data.class_names),
        image_size=images.shape[-1])
    optimizer = torch.optim.Adam(classifier.parameters(), lr=lr)
    rng = torch.Generator().manual_seed(seed)
    for _ in range(num_steps):
        index = torch.randint(len(images), (batch_size,), generator=rng)
        loss = F.cross_entropy(classifier(images[index]), labels[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return classifier.eval()


def default_cache_dir() -> Path:
    """$GANLIB_CACHE if set, else ~/.cache/ganlib."""
    return Path(os.environ.get("GANLIB_CACHE",
                               Path.home() / ".cache" / "ganlib"))


def data_key(data: ImageData, *extra) -> str:
    """A short hash of the images, labels and ``extra`` settings."""
    digest = hashlib.sha256(repr((CLASSIFIER_VERSION, extra,
                                  tuple(data.images.shape))).encode())
    digest.update(data.images.detach().cpu().contiguous().numpy().tobytes())
    digest.update(data.labels.cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def feature_classifier(data: ImageData, *, cache_dir: str | Path | None = None,
                       num_steps: int = 400,
                       seed: int = 0) -> FeatureClassifier:
    """The classifier for ``data``: from the disk cache, else trained now."""
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    path = cache_dir / f"classifier-{data_key(data, num_steps, seed)}.pt"
    if path.exists():
        try:
            return _load_classifier(path)
        except CheckpointError:  # damaged cache file: train a new one
            pass
    classifier = train_classifier(data, num_steps=num_steps, seed=seed)
    save_checkpoint(path, {
        "classifier": classifier.state_dict(),
        "shape": [classifier.channels, classifier.num_classes,
                  classifier.image_size]})
    return classifier


def _load_classifier(path: Path) -> FeatureClassifier:
    """Rebuild a cached classifier."""
    state = load_checkpoint(path)
    channels, num_classes, image_size = state["shape"]
    classifier = FeatureClassifier(channels=channels, num_classes=num_classes,
                                   image_size=image_size)
    classifier.load_state_dict(state["classifier"])
    return classifier.eval()


@torch.no_grad()
def _apply(classifier: FeatureClassifier, images: Tensor,
           method: str) -> Tensor:
    """classifier.<method>(images), in batches of 500, on the CPU."""
    check_images(images, channels=classifier.channels,
                 image_size=classifier.image_size)
    return torch.cat([getattr(classifier, method)(batch.float().cpu())
                      for batch in images.detach().split(500)])


def gaussian_frechet_distance(mean_a: Tensor, cov_a: Tensor, mean_b: Tensor,
                              cov_b: Tensor) -> float:
    """||mu_a - mu_b||^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))."""
    mean_a, mean_b = mean_a.double(), mean_b.double()
    cov_a, cov_b = cov_a.double(), cov_b.double()
    values, vectors = torch.linalg.eigh(cov_a)  # S_a = V diag(values) V^T
    sqrt_a = vectors @ torch.diag(values.clamp(min=0).sqrt()) @ vectors.T
    # S_a^(1/2) S_b S_a^(1/2) is symmetric and has the eigenvalues of S_a S_b
    middle = torch.linalg.eigvalsh(sqrt_a @ cov_b @ sqrt_a).clamp(min=0)
    trace_sqrt = middle.sqrt().sum()  # tr (S_a S_b)^(1/2)
    distance = ((mean_a - mean_b) ** 2).sum() \
        + torch.trace(cov_a) + torch.trace(cov_b) - 2 * trace_sqrt
    return max(distance.item(), 0.0)  # rounding can dip just below 0


def frechet_distance(features_a: Tensor, features_b: Tensor) -> float:
    """Frechet distance of Gaussians fitted to (N, D) and (M, D) features."""
    features_a, features_b = features_a.double(), features_b.double()
    return gaussian_frechet_distance(
        features_a.mean(0), torch.cov(features_a.T),
        features_b.mean(0), torch.cov(features_b.T))


def class_histogram(images: Tensor, classifier: FeatureClassifier) -> Tensor:
    """(num_classes,) how many images the classifier puts in each class."""
    predictions = _apply(classifier, images, "forward").argmax(dim=1)
    return torch.bincount(predictions, minlength=classifier.num_classes)


def class_coverage(images: Tensor, classifier: FeatureClassifier) -> float:
    """Share of classes given to at least one image, in [1/K, 1]."""
    counts = class_histogram(images, classifier)
    return (counts > 0).double().mean().item()


def image_quality(fake_images: Tensor, data: ImageData,
                  classifier: FeatureClassifier, *, seed: int = 0) -> dict:
    """Frechet distance to real images, its real-vs-real reference, coverage.

    The real images are split at random into halves A and B. Fakes and B
    are each compared with A, with the same number of images n.
    """
    order = torch.randperm(len(data), generator=torch.Generator()
                           .manual_seed(seed))
    half = len(data) // 2
    n = min(len(fake_images), half)
    real_a = _apply(classifier, data.images[order[:half]], "features")
    real_b = _apply(classifier, data.images[order[half:half + n]], "features")
    fake = _apply(classifier, fake_images[:n], "features")
    return {"frechet_distance": frechet_distance(fake, real_a),
            "real_vs_real": frechet_distance(real_b, real_a),
            "class_coverage": class_coverage(fake_images, classifier),
            "num_images": n}


def held_out_quality(fake_images: Tensor, data: ImageData,
                     held_out: ImageData, classifier: FeatureClassifier, *,
                     num_images: int = 2000,
                     num_reference: int = 10_000) -> dict:
    """Frechet distance of fakes to the training images, and its floor.

    The floor is the distance of as many HELD-OUT real images (never
    trained on) to the same reference: what a generator that drew new
    real images would score. ``ratio`` = distance / floor, 1 at best.
    """
    n = min(num_images, len(fake_images), len(held_out))
    rng = torch.Generator().manual_seed(0)  # the same images every call
    order = torch.randperm(len(data), generator=rng)[:num_reference]
    reference = _apply(classifier, data.images[order], "features")
    fake = _apply(classifier, fake_images[:n], "features")
    real = _apply(classifier, held_out.images[torch.randperm(
        len(held_out), generator=rng)[:n]], "features")
    distance = frechet_distance(fake, reference)
    floor = frechet_distance(real, reference)
    return {"frechet_distance": distance, "floor": floor,
            "ratio": distance / floor, "num_images": n,
            "num_classes": classifier.num_classes,
            "classes_covered": int((class_histogram(fake_images[:n],
                                                    classifier) > 0).sum())}
