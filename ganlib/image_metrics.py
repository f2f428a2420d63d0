"""Image scores: a Frechet distance to real images, and class coverage.

The features come from ganlib.features' small classifier, the distance
from ganlib.frechet. The numbers are only comparable for one data set and
one classifier: read them next to their reference (``real_vs_real``, two
halves of the real data, or ``floor``, held-out real images), the best a
generator can hope for.
"""
import torch
from torch import Tensor

from ganlib.features import FeatureClassifier, apply_classifier
from ganlib.frechet import frechet_distance
from ganlib.images import ImageData


def class_histogram(images: Tensor, classifier: FeatureClassifier) -> Tensor:
    """(num_classes,) how many images the classifier puts in each class."""
    predictions = apply_classifier(classifier, images, "forward").argmax(dim=1)
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
    real_a = apply_classifier(classifier, data.images[order[:half]],
                              "features")
    real_b = apply_classifier(classifier, data.images[order[half:half + n]],
                              "features")
    fake = apply_classifier(classifier, fake_images[:n], "features")
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
    reference = apply_classifier(classifier, data.images[order], "features")
    fake = apply_classifier(classifier, fake_images[:n], "features")
    real = apply_classifier(classifier, held_out.images[torch.randperm(
        len(held_out), generator=rng)[:n]], "features")
    distance = frechet_distance(fake, reference)
    floor = frechet_distance(real, reference)
    return {"frechet_distance": distance, "floor": floor,
            "ratio": distance / floor, "num_images": n,
            "num_classes": classifier.num_classes,
            "classes_covered": int((class_histogram(fake_images[:n],
                                                    classifier) > 0).sum())}


def classifier_accuracy(images: Tensor, labels: Tensor,
                        classifier: FeatureClassifier) -> float:
    """The share of images that the classifier reads as their label."""
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels: "
                         "pass one label per image.")
    read = apply_classifier(classifier, images, "forward").argmax(dim=1)
    return (read == labels.cpu()).double().mean().item()
