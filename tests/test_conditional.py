"""Conditional GANs: labels attached to samples, G asked for a class."""
import pytest
import torch
from torch import nn

from ganlib import (DCGANGenerator, MLPGenerator, TrainSettings,
                    mode_coverage, ring_target, train)
from ganlib.conditional import (ConditionalGenerator, attach_labels,
                                class_accuracy,
                                conditional_dcgan_discriminator,
                                conditional_mlp_discriminator, nearest_mode,
                                sample_labelled, split_labels)


def test_attach_labels_to_points_appends_one_hot_columns():
    points = torch.tensor([[0.5, -1.0], [2.0, 3.0]])
    x = attach_labels(points, torch.tensor([2, 0]), 3)
    assert torch.equal(x, torch.tensor([[0.5, -1.0, 0.0, 0.0, 1.0],
                                        [2.0, 3.0, 1.0, 0.0, 0.0]]))


def test_attach_labels_to_images_appends_constant_label_planes():
    images = torch.rand(4, 3, 8, 8) * 2 - 1
    labels = torch.tensor([0, 4, 1, 4])
    x = attach_labels(images, labels, 5)
    assert x.shape == (4, 3 + 5, 8, 8)
    assert torch.equal(x[:, :3], images)
    for i, label in enumerate(labels):
        expected = torch.zeros(5, 8, 8)
        expected[label] = 1.0
        assert torch.equal(x[i, 3:], expected)


@pytest.mark.parametrize("shape", [(6, 2), (6, 1, 16, 16), (6, 3, 8, 8)])
def test_split_labels_undoes_attach_labels(shape):
    data = torch.randn(*shape)
    labels = torch.tensor([3, 0, 9, 1, 1, 5])
    back, back_labels = split_labels(attach_labels(data, labels, 10), 10)
    assert torch.equal(back, data)
    assert torch.equal(back_labels, labels)
    assert back_labels.dtype == torch.long


def test_attach_labels_keeps_dtype():
    x = attach_labels(torch.zeros(3, 2, dtype=torch.float64),
                      torch.tensor([0, 1, 2]), 3)
    assert x.dtype == torch.float64


@pytest.mark.parametrize("labels, message", [
    (torch.tensor([0, 3]), r"labels must lie in 0..2, got values from 0 "
                           r"to 3"),
    (torch.tensor([-1, 1]), r"labels must lie in 0..2"),
    (torch.tensor([[0], [1]]), r"labels must have shape \(2,\)"),
    (torch.tensor([0, 1, 2]), r"labels must have shape \(2,\)"),
    (torch.tensor([0.0, 1.0]), r"labels must be integers .*labels.long"),
])
def test_attach_labels_rejects_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        attach_labels(torch.zeros(2, 2), labels, 3)


def test_attach_and_split_reject_wrong_data_shapes():
    with pytest.raises(ValueError, match=r"points \(N, D\) or images"):
        attach_labels(torch.zeros(2, 3, 4), torch.tensor([0, 1]), 3)
    with pytest.raises(ValueError, match=r"num_classes must be >= 2"):
        attach_labels(torch.zeros(2, 2), torch.tensor([0, 0]), 1)
    with pytest.raises(ValueError, match=r"\(N, D \+ 3\)"):
        split_labels(torch.zeros(5, 3), 3)


def make_generator(noise_dim=2, num_classes=8):
    base = MLPGenerator(latent_dim=noise_dim + num_classes, hidden_dim=16)
    return ConditionalGenerator(base, num_classes=num_classes)


def test_conditional_generator_sizes_and_output_shape():
    generator = make_generator(noise_dim=3, num_classes=8)
    assert (generator.latent_dim, generator.noise_dim) == (11, 3)
    x = generator(torch.randn(5, 11))
    assert x.shape == (5, 2 + 8)


def test_label_of_a_fake_is_the_argmax_of_the_last_k_noise_values():
    generator = make_generator(noise_dim=2, num_classes=4)
    z = torch.randn(64, 6)
    samples, labels = split_labels(generator(z), 4)
    assert torch.equal(labels, z[:, 2:].argmax(dim=1))
    assert torch.allclose(samples, generator.generate(z[:, :2], labels))


@pytest.mark.parametrize("draw", [torch.randn, torch.rand])
def test_labels_from_noise_are_uniform_over_classes(draw):
    # The argmax of K i.i.d. continuous values is uniform over K positions.
    # On 100k draws each frequency has standard deviation about 0.001.
    generator = make_generator(noise_dim=2, num_classes=8)
    z = draw(100_000, 10, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        _, labels = split_labels(generator(z), 8)
    frequencies = torch.bincount(labels, minlength=8) / len(labels)
    assert (frequencies - 1 / 8).abs().max() < 0.005


def test_generate_feeds_noise_and_one_hot_to_the_base():
    generator = make_generator(noise_dim=2, num_classes=3)
    z_noise, labels = torch.randn(4, 2), torch.tensor([2, 0, 1, 2])
    expected = generator.base(torch.cat(
        [z_noise, torch.eye(3)[labels]], dim=1))
    assert torch.equal(generator.generate(z_noise, labels), expected)


def test_conditional_dcgan_generator_makes_images_with_label_planes():
    base = DCGANGenerator(latent_dim=8 + 10, image_size=16, width=8)
    generator = ConditionalGenerator(base, num_classes=10)
    x = generator(torch.randn(3, 18))
    assert x.shape == (3, 1 + 10, 16, 16)
    discriminator = conditional_dcgan_discriminator(
        num_classes=10, image_size=16, width=8)
    assert discriminator(x).shape == (3, 1)
    images = generator.generate(torch.randn(3, 8), torch.tensor([0, 5, 9]))
    assert images.shape == (3, 1, 16, 16)


def test_conditional_mlp_discriminator_takes_points_with_labels():
    discriminator = conditional_mlp_discriminator(num_classes=8,
                                                  hidden_dim=16)
    assert discriminator.data_dim == 10
    assert discriminator(torch.zeros(4, 10)).shape == (4, 1)


def test_conditional_generator_errors_are_clear():
    with pytest.raises(ValueError, match=r"latent_dim = noise_dim \+ "):
        ConditionalGenerator(MLPGenerator(latent_dim=8), num_classes=8)
    generator = make_generator(noise_dim=2, num_classes=8)
    with pytest.raises(ValueError, match=r"z of shape \(batch, 10\)"):
        generator(torch.randn(4, 2))
    with pytest.raises(ValueError, match=r"z_noise of shape \(batch, 2\)"):
        generator.generate(torch.randn(4, 10), torch.zeros(4).long())
    with pytest.raises(ValueError, match=r"labels must lie in 0..7"):
        generator.generate(torch.randn(2, 2), torch.tensor([0, 8]))


def test_sample_labelled_draws_what_target_sample_draws():
    target = ring_target()
    points, labels = sample_labelled(
        target, 1000, rng=torch.Generator().manual_seed(3))
    same = target.sample(1000, rng=torch.Generator().manual_seed(3))
    assert torch.equal(points, same)
    assert torch.equal(labels, nearest_mode(points, target))


class ModeLookup(nn.Module):
    """A hand-made base generator: class c -> mode (c + shift) mod K."""

    def __init__(self, target, shift):
        super().__init__()
        self.latent_dim, self.target, self.shift = 2 + 8, target, shift
        self.unused = nn.Linear(1, 1)  # so that it has a device

    def forward(self, z):
        labels = (z[:, 2:].argmax(dim=1) + self.shift) % 8
        return self.target.means[labels]


@pytest.mark.parametrize("shift, accuracy", [(0, 1.0), (1, 0.0)])
def test_class_accuracy_counts_samples_at_their_own_mode(shift, accuracy):
    target = ring_target()
    generator = ConditionalGenerator(ModeLookup(target, shift),
                                     num_classes=8)
    scores = class_accuracy(generator, target, samples_per_class=10)
    assert torch.equal(scores, torch.full((8,), accuracy))


def test_short_training_on_the_labelled_ring_draws_each_class_at_its_mode():
    torch.manual_seed(0)
    target = ring_target()
    points, labels = sample_labelled(
        target, 10_000, rng=torch.Generator().manual_seed(0))
    data = attach_labels(points, labels, 8)  # (N, 2 + 8)
    generator = ConditionalGenerator(
        MLPGenerator(latent_dim=2 + 8, hidden_dim=64), num_classes=8)
    discriminator = conditional_mlp_discriminator(num_classes=8,
                                                  hidden_dim=64)
    settings = TrainSettings(num_steps=400, batch_size=128,
                             generator_lr=1e-3, discriminator_lr=1e-3,
                             device="cpu", progress=False)
    history = train(generator, discriminator, data, settings)
    assert history.samples[-1][1].shape == (64, 2 + 8)
    scores = class_accuracy(generator, target, samples_per_class=500)
    assert scores.min() >= 0.9, scores
    with torch.no_grad():
        fake, _ = split_labels(generator(torch.randn(2500, 10)), 8)
    assert mode_coverage(fake, target).modes_covered == 8
