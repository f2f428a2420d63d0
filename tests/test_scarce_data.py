"""ganlib.scarce_data: few labelled images, augmentation, a classifier."""
from dataclasses import replace

import pytest
import torch

from ganlib import train
from ganlib.conditional import attach_labels
from ganlib.images import ImageData, digits
from ganlib.scarce_data import (CGAN_SETTINGS, accuracy, augment, combine,
                                conditional_image_gan, few_per_class,
                                generated_data, shift,
                                train_small_classifier)


@pytest.fixture(scope="module")
def digit_data():
    return digits()  # 1,797 real digits, 16 px, offline


def test_few_per_class_keeps_exactly_k_of_every_class(digit_data):
    few = few_per_class(digit_data, 7, seed=3)
    assert torch.bincount(few.labels, minlength=10).tolist() == [7] * 10
    assert few.images.shape == (70, 1, 16, 16)
    assert few.class_names == digit_data.class_names


def test_few_per_class_picks_real_images_with_their_own_labels(digit_data):
    few = few_per_class(digit_data, 5, seed=0)
    flat = digit_data.images.flatten(1)
    for image, label in zip(few.images, few.labels):
        rows = (flat == image.flatten()).all(dim=1).nonzero().flatten()
        assert len(rows) >= 1 and label in digit_data.labels[rows]


def test_few_per_class_same_seed_same_images_other_seed_others(digit_data):
    first = few_per_class(digit_data, 10, seed=1)
    again = few_per_class(digit_data, 10, seed=1)
    other = few_per_class(digit_data, 10, seed=2)
    assert torch.equal(first.images, again.images)
    assert not torch.equal(first.images, other.images)


def test_few_per_class_refuses_more_than_a_class_holds(digit_data):
    with pytest.raises(ValueError, match="fewer than per_class"):
        few_per_class(digit_data, 1000)


def test_combine_stacks_images_and_labels_in_order(digit_data):
    a, b = few_per_class(digit_data, 2), few_per_class(digit_data, 3)
    both = combine(a, b)
    assert len(both) == 50
    assert torch.equal(both.images[20:], b.images)
    assert torch.equal(both.labels[:20], a.labels)


def test_shift_moves_a_pixel_and_fills_with_black():
    image = torch.full((1, 1, 5, 5), -1.0)
    image[0, 0, 2, 2] = 1.0
    moved = shift(image, 1, -2)  # one right, two up
    assert moved[0, 0, 0, 3] == 1.0 and moved.sum() == -23.0
    assert torch.equal(shift(image, 0, 0), image)


def test_shift_drops_what_leaves_the_image_instead_of_wrapping():
    image = torch.full((1, 1, 4, 4), -1.0)
    image[..., :, 3] = 1.0  # a white right-hand column
    moved = shift(image, 1, 0)
    assert torch.equal(moved, torch.full((1, 1, 4, 4), -1.0))


def test_augment_keeps_shape_and_range_and_really_changes_images(
        digit_data):
    images = digit_data.images[:200]
    rng = torch.Generator().manual_seed(0)
    out = augment(images, rng=rng)
    assert out.shape == images.shape
    assert out.min() >= -1.0 and out.max() <= 1.0
    changed = (out != images).flatten(1).any(dim=1).float().mean()
    assert changed > 0.8  # unchanged: no flip and no shift, 1/2 x 1/25
    assert torch.equal(images, digit_data.images[:200])  # input intact


def test_augment_without_shift_is_a_horizontal_flip_or_nothing(
        digit_data):
    images = digit_data.images[:100]
    out = augment(images, max_shift=0, rng=torch.Generator().manual_seed(1))
    flipped = (out == images.flip(-1)).flatten(1).all(dim=1)
    same = (out == images).flatten(1).all(dim=1)
    assert bool((flipped | same).all())
    assert 20 < int(flipped.sum()) < 80  # about half of them


def test_a_flip_moves_column_j_to_w_minus_1_minus_j():
    image = torch.full((1, 1, 3, 5), -1.0)
    image[0, 0, 2, 1] = 1.0  # row 2, column 1 of 5
    out = augment(image.repeat(40, 1, 1, 1), max_shift=0,
                  rng=torch.Generator().manual_seed(0))
    columns = out[:, 0, 2].argmax(dim=1)  # where the white pixel went
    assert set(columns.tolist()) == {1, 3}  # 3 = 5 - 1 - 1
    assert torch.equal(out[:, 0, :2], torch.full((40, 2, 5), -1.0))


def test_augment_is_reproducible_with_a_seeded_rng(digit_data):
    images = digit_data.images[:50]
    first = augment(images, rng=torch.Generator().manual_seed(5))
    again = augment(images, rng=torch.Generator().manual_seed(5))
    assert torch.equal(first, again)


class _Constant(torch.nn.Module):
    """A 'classifier' that always prefers class 1."""
    channels, image_size = 1, 4

    def forward(self, images):
        return torch.tensor([0.0, 1.0]).repeat(len(images), 1)


def test_accuracy_of_a_constant_classifier_is_the_share_of_its_class():
    labels = torch.tensor([1, 0, 1, 1, 0, 0, 0, 1])
    data = ImageData(torch.zeros(8, 1, 4, 4), labels, ["a", "b"])
    assert accuracy(_Constant(), data) == 0.5
    data.labels = torch.tensor([1, 1, 1, 0, 1, 1, 1, 1])
    assert accuracy(_Constant(), data) == 0.875


@pytest.mark.parametrize("seed", [0, 1])
def test_a_short_training_on_100_images_beats_chance_by_far(digit_data,
                                                           seed):
    few = few_per_class(digit_data, 10, seed=seed)
    untrained = train_small_classifier(few, num_steps=0, seed=seed)
    trained = train_small_classifier(few, num_steps=150, seed=seed)
    # Measured on the 1,797 digits, seeds 0-4: 0.07-0.11 untrained,
    # 0.88-0.89 after 150 steps.
    assert accuracy(untrained, digit_data) < 0.3
    assert accuracy(trained, digit_data) > 0.6


def test_classifier_training_is_reproducible(digit_data):
    few = few_per_class(digit_data, 3, seed=0)
    first = train_small_classifier(few, num_steps=5, augmented=True)
    again = train_small_classifier(few, num_steps=5, augmented=True)
    for a, b in zip(first.parameters(), again.parameters()):
        assert torch.equal(a, b)


def test_generated_data_has_per_class_samples_of_each_label():
    generator, _ = conditional_image_gan(num_classes=3, image_size=16,
                                         width=8)
    names = ["a", "b", "c"]
    data = generated_data(generator, 4, names, seed=0)
    assert data.images.shape == (12, 1, 16, 16)
    assert data.labels.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert data.images.min() >= -1 and data.images.max() <= 1
    assert data.class_names == names and generator.training
    again = generated_data(generator, 4, names, seed=0)
    assert torch.equal(data.images, again.images)


def test_conditional_gan_trains_with_the_shared_loop(digit_data):
    few = few_per_class(digit_data, 4, seed=0)
    generator, discriminator = conditional_image_gan(image_size=16, width=8)
    settings = replace(CGAN_SETTINGS, num_steps=3, log_every=1,
                       device="cpu")
    history = train(generator, discriminator,
                    attach_labels(few.images, few.labels, 10), settings)
    assert history.step[-1] == 3
    assert generated_data(generator, 2, few.class_names).images.shape == \
        (20, 1, 16, 16)
