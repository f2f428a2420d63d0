import time

import pytest
import scipy.linalg
import torch

import ganlib.features as features
from ganlib.features import default_cache_dir, feature_classifier
from ganlib.frechet import frechet_distance, gaussian_frechet_distance
from ganlib.image_metrics import (class_coverage, class_histogram,
                                  classifier_accuracy, image_quality)
from ganlib.images import ImageData, digits
from ganlib.speed import cpu_threads


@pytest.fixture(scope="module")
def digit_split():
    data = digits()
    order = torch.randperm(len(data),
                           generator=torch.Generator().manual_seed(0))
    train_part, test_part = order[:1500], order[1500:]
    return (ImageData(data.images[train_part], data.labels[train_part],
                      data.class_names),
            ImageData(data.images[test_part], data.labels[test_part],
                      data.class_names))


@pytest.fixture(scope="module")
def classifier(digit_split, tmp_path_factory):
    start = time.perf_counter()
    result = feature_classifier(digit_split[0],
                                cache_dir=tmp_path_factory.mktemp("cache"))
    print(f"digits classifier trained in {time.perf_counter() - start:.1f} s")
    return result


def test_frechet_distance_of_diagonal_gaussians_has_closed_form():
    mean_a, mean_b = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 1.0,
                                                                  0.0])
    var_a, var_b = torch.tensor([1.0, 4.0, 0.25]), torch.tensor([9.0, 1.0,
                                                                 0.25])
    expected = ((mean_a - mean_b) ** 2).sum() + (
        var_a + var_b - 2 * (var_a * var_b).sqrt()).sum()
    assert gaussian_frechet_distance(
        mean_a, torch.diag(var_a), mean_b, torch.diag(var_b)
    ) == pytest.approx(expected.item())


def test_frechet_distance_matches_scipy_sqrtm_for_full_covariances():
    rng = torch.Generator().manual_seed(0)
    a, b = torch.randn(5, 5, generator=rng), torch.randn(5, 5, generator=rng)
    cov_a, cov_b = a @ a.T + 0.1 * torch.eye(5), b @ b.T
    mean_a, mean_b = torch.randn(5, generator=rng), torch.zeros(5)
    covmean = scipy.linalg.sqrtm(cov_a.double().numpy()
                                 @ cov_b.double().numpy()).real
    expected = (((mean_a - mean_b) ** 2).sum().item()
                + torch.trace(cov_a + cov_b).item() - 2 * covmean.trace())
    assert gaussian_frechet_distance(mean_a, cov_a, mean_b, cov_b) == \
        pytest.approx(expected, rel=1e-6)


def test_frechet_distance_is_zero_for_identical_sets():
    features = torch.randn(500, 8, generator=torch.Generator().manual_seed(1))
    assert frechet_distance(features, features) == pytest.approx(0.0,
                                                                 abs=1e-6)


def test_frechet_distance_of_samples_approaches_closed_form():
    rng = torch.Generator().manual_seed(2)
    a = torch.randn(20_000, 2, generator=rng)  # N(0, I)
    b = 3.0 + 2.0 * torch.randn(20_000, 2, generator=rng)  # N(3, 4 I)
    expected = 2 * 3.0 ** 2 + 2 * (1 + 4 - 2 * 2)  # = 20
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.03)


def test_classifier_learns_digits_to_high_accuracy(classifier, digit_split):
    test_part = digit_split[1]
    with torch.no_grad():
        predictions = classifier(test_part.images).argmax(dim=1)
    accuracy = (predictions == test_part.labels).double().mean().item()
    print(f"held-out digit accuracy: {accuracy:.3f}")
    assert accuracy >= 0.95


def test_classifier_accuracy_is_the_share_read_as_its_label(classifier,
                                                           digit_split):
    images, labels = digit_split[1].images[:50], digit_split[1].labels[:50]
    with torch.no_grad():
        read = classifier(images).argmax(dim=1)
    assert classifier_accuracy(images, read, classifier) == 1.0
    wrong = read.clone()
    wrong[:10] = (read[:10] + 1) % 10  # ten labels that it cannot read
    assert classifier_accuracy(images, wrong, classifier) == 0.8
    with pytest.raises(ValueError, match="50 images but 49 labels"):
        classifier_accuracy(images, read[:49], classifier)


def test_real_digits_cover_every_class(classifier, digit_split):
    assert class_coverage(digit_split[1].images, classifier) == 1.0


def test_one_repeated_image_covers_one_class_in_ten(classifier, digit_split):
    copies = digit_split[1].images[:1].repeat(200, 1, 1, 1)
    assert class_coverage(copies, classifier) == pytest.approx(1 / 10)
    assert class_histogram(copies, classifier).max() == 200


def test_image_quality_reports_real_vs_real_reference(classifier,
                                                      digit_split):
    train_part = digit_split[0]
    real = image_quality(digit_split[1].images, train_part, classifier)
    noise = torch.rand(297, 1, 16, 16) * 2 - 1
    fake = image_quality(noise, train_part, classifier)
    assert real["num_images"] == fake["num_images"] == 297
    assert real["real_vs_real"] == fake["real_vs_real"] > 0
    assert real["frechet_distance"] < 3 * real["real_vs_real"]
    assert fake["frechet_distance"] > 10 * real["frechet_distance"]
    assert fake["class_coverage"] < real["class_coverage"] == 1.0


def test_images_of_another_shape_raise_clear_error(classifier):
    with pytest.raises(ValueError, match="channel"):
        class_coverage(torch.zeros(4, 3, 16, 16), classifier)


def test_cached_classifier_is_reused_not_retrained(tmp_path, monkeypatch):
    data = ImageData(torch.rand(64, 1, 16, 16) * 2 - 1,
                     torch.arange(64) % 2, ["a", "b"])
    calls = []
    train = features.train_classifier

    def counting_train(*args, **kwargs):
        calls.append(1)
        return train(*args, **kwargs)

    monkeypatch.setattr(features, "train_classifier", counting_train)
    first = feature_classifier(data, cache_dir=tmp_path, num_steps=3)
    second = feature_classifier(data, cache_dir=tmp_path, num_steps=3)
    assert len(calls) == 1
    assert [p.name.startswith("classifier-") for p in tmp_path.iterdir()] \
        == [True]
    for a, b in zip(first.parameters(), second.parameters()):
        assert torch.equal(a, b)
    other = ImageData(data.images.flip(0), data.labels, data.class_names)
    feature_classifier(other, cache_dir=tmp_path, num_steps=3)
    assert len(calls) == 2  # other data, other key


def test_cache_dir_comes_from_ganlib_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("GANLIB_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("GANLIB_CACHE")
    assert default_cache_dir().parts[-2:] == (".cache", "ganlib")


def test_classifier_weights_do_not_depend_on_the_thread_count():
    # the yardstick of every image score: the same on every machine
    data = ImageData(torch.rand(256, 1, 16, 16) * 2 - 1,
                     torch.arange(256) % 4, list("abcd"))
    with cpu_threads(2):
        two = features.train_classifier(data, num_steps=20)
        assert torch.get_num_threads() == 2  # restored after training
    with cpu_threads(1):
        one = features.train_classifier(data, num_steps=20)
    for a, b in zip(two.parameters(), one.parameters()):
        assert torch.equal(a, b)
