"""A small classifier whose features the image scores compare.

FID (Heusel et al. 2017) uses the features of Inception, which is big and
must be downloaded; ganlib instead trains a small CNN on the same data
set (seconds on a CPU) and keeps it in a disk cache keyed by a hash of
the data, so every chapter and test that scores one data set uses the
same classifier.
"""
import hashlib
import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlib.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ganlib.images import ImageData, check_images
from ganlib.speed import cpu_threads

CLASSIFIER_VERSION = 2  # part of the cache key: bump when the net changes


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
                     seed: int = 0,
                     augment_batch=None) -> FeatureClassifier:
    """Train a FeatureClassifier on (images, labels) with Adam, on the CPU.

    On one thread, so that the same data and seed give the same weights,
    and so the same scores, on a 2-core laptop and a 16-core server.
    augment_batch(batch, rng), if given, changes every batch before the
    step (classic augmentation), drawing from the same seeded rng.
    """
    torch.manual_seed(seed)  # the classifier's initial weights
    images, labels = data.images.cpu(), data.labels.cpu()
    classifier = FeatureClassifier(
        channels=images.shape[1], num_classes=len(data.class_names),
        image_size=images.shape[-1])
    optimizer = torch.optim.Adam(classifier.parameters(), lr=lr)
    rng = torch.Generator().manual_seed(seed)
    with cpu_threads(1):
        for _ in range(num_steps):
            index = torch.randint(len(images), (batch_size,), generator=rng)
            batch = images[index]
            if augment_batch is not None:
                batch = augment_batch(batch, rng)
            loss = F.cross_entropy(classifier(batch), labels[index])
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
def apply_classifier(classifier: FeatureClassifier, images: Tensor,
           method: str) -> Tensor:
    """classifier.<method>(images), in batches of 500, on the CPU.

    method is "features" (B, feature_dim) or "forward" (B, num_classes).
    """
    check_images(images, channels=classifier.channels,
                 image_size=classifier.image_size)
    return torch.cat([getattr(classifier, method)(batch.float().cpu())
                      for batch in images.detach().split(500)])
