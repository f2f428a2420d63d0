"""Image-to-image pieces: edges, sketches, U-Net, PatchGAN, L1 + GAN."""
import math

import pytest
import torch

from ganlib.paired import (PairedSettings, PatchDiscriminator, UNetGenerator,
                           edge_strength, l1_loss, paired_round, sketch,
                           train_paired, translate)


def drawn_square(size: int = 12, low: int = 4, high: int = 8) -> torch.Tensor:
    """(1, 1, size, size): a white square rows/cols low..high-1 on black."""
    image = -torch.ones(1, 1, size, size)
    image[..., low:high, low:high] = 1.0
    return image


def test_edge_strength_of_a_drawn_square_is_the_sobel_closed_form():
    edges = edge_strength(drawn_square())[0, 0]
    # Left side, mid-height (row 6): column 3 sees the step at its right,
    # column 4 at its left. Sobel x there: (1 + 2 + 1) * (1 - (-1)) = 8,
    # Sobel y: 0, so the strength is 8 / 8 = 1.
    assert edges[6, 3].item() == pytest.approx(1.0)
    assert edges[6, 4].item() == pytest.approx(1.0)
    # Corner (3, 3) outside the square: only the (4, 4) neighbour is white,
    # so gx = gy = 1 * 2 = 2 and the strength is sqrt(8) / 8.
    assert edges[3, 3].item() == pytest.approx(math.sqrt(8) / 8)
    # Row 4, column 3: neighbours (4..5, 4) are white, (3, 4) is not:
    # gx = (2 + 1) * 2 = 6, gy = 1 * 2 = 2 (row 5 minus row 3).
    assert edges[4, 3].item() == pytest.approx(math.sqrt(36 + 4) / 8)
    # Flat areas: inside, far outside and along the picture's border.
    assert edges[6, 6].item() == 0.0 and edges[0, 0].item() == 0.0
    assert edges[:, 0].abs().max().item() == 0.0


def test_edge_strength_is_the_same_for_a_grey_colour_image():
    grey = drawn_square()
    colour = grey.repeat(1, 3, 1, 1)
    assert torch.allclose(edge_strength(colour), edge_strength(grey))


def test_sketch_marks_the_outline_of_the_square_and_nothing_else():
    lines = sketch(drawn_square())[0, 0]
    assert set(lines.unique().tolist()) == {-1.0, 1.0}
    expected = torch.zeros(12, 12, dtype=torch.bool)
    expected[3:9, 3:9] = True  # the ring of pixels either side of the sides
    expected[5:7, 5:7] = False  # the square's flat centre
    for row in (3, 8):  # the outer corners' strength, sqrt(8) / 8 = 0.35,
        for col in (3, 8):  # is below the default threshold 0.4
            expected[row, col] = False
    assert torch.equal(lines > 0, expected)


def test_a_lower_threshold_keeps_the_weaker_corner_edges():
    lines = sketch(drawn_square(), threshold=0.3)[0, 0]
    assert lines[3, 3].item() == 1.0 and lines[8, 8].item() == 1.0


def test_sketch_refuses_a_threshold_outside_the_edge_range():
    with pytest.raises(ValueError, match="threshold must be in"):
        sketch(drawn_square(), threshold=1.5)


@pytest.mark.parametrize("size,depth", [(28, 2), (32, 3), (16, 1)])
def test_unet_keeps_the_size_and_draws_in_the_unit_range(size, depth):
    generator = UNetGenerator(in_channels=1, out_channels=3, width=8,
                              depth=depth)
    out = generator(torch.randn(5, 1, size, size))
    assert out.shape == (5, 3, size, size)
    assert out.abs().max().item() <= 1.0


def test_unet_names_the_size_it_needs():
    with pytest.raises(ValueError, match="divisible by 4"):
        UNetGenerator(depth=2)(torch.zeros(2, 1, 30, 30))
    with pytest.raises(ValueError, match=r"\(B, 1, H, W\)"):
        UNetGenerator()(torch.zeros(2, 3, 28, 28))


def test_patch_discriminator_gives_one_logit_per_patch():
    discriminator = PatchDiscriminator(condition_channels=1,
                                       image_channels=3)
    logits = discriminator(torch.zeros(4, 1, 28, 28), torch.zeros(4, 3, 28, 28))
    assert logits.shape == (4, 1, 7, 7)


def test_patch_discriminator_sees_the_condition_unless_told_not_to():
    torch.manual_seed(0)
    image = torch.randn(2, 1, 16, 16)
    sketch_a, sketch_b = torch.randn(2, 1, 16, 16), torch.randn(2, 1, 16, 16)
    conditional = PatchDiscriminator().eval()
    assert not torch.allclose(conditional(sketch_a, image),
                              conditional(sketch_b, image))
    plain = PatchDiscriminator(condition_channels=0).eval()
    assert torch.equal(plain(sketch_a, image), plain(sketch_b, image))
    assert torch.equal(plain(None, image), plain(sketch_a, image))


def test_l1_loss_is_the_mean_absolute_difference():
    fake = torch.tensor([[1.0, -1.0], [0.5, 0.0]])
    target = torch.tensor([[0.0, -1.0], [-0.5, 1.0]])
    assert l1_loss(fake, target).item() == pytest.approx((1 + 0 + 1 + 1) / 4)


def rectangles(num_images: int, seed: int, size: int = 16) -> torch.Tensor:
    """Random white rectangles on black, (N, 1, size, size)."""
    rng = torch.Generator().manual_seed(seed)
    images = -torch.ones(num_images, 1, size, size)
    corners = torch.randint(1, size // 2, (num_images, 2), generator=rng)
    sides = torch.randint(3, size // 2, (num_images, 2), generator=rng)
    for image, (top, left), (height, width) in zip(images, corners, sides):
        image[:, top:top + height, left:left + width] = 1.0
    return images


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("adversarial_weight", [0.0, 1.0])
def test_short_training_learns_to_fill_sketched_rectangles(
        seed, adversarial_weight):
    # 150 steps from outline to filled rectangle. Measured on this CPU over
    # seeds 0-5: held-out L1 before training 0.84 to 1.22; after / before
    # 0.019 to 0.029 for L1 alone and 0.018 to 0.027 for L1 + GAN. The
    # test asks for a tenth, over three times the worst seed's ratio.
    torch.manual_seed(seed)
    targets, held_out = rectangles(512, seed), rectangles(128, seed + 100)
    generator = UNetGenerator(width=8)
    discriminator = PatchDiscriminator(width=8)
    before = l1_loss(translate(generator, sketch(held_out)), held_out).item()
    settings = PairedSettings(num_steps=150, batch_size=32, lr=2e-3,
                              adversarial_weight=adversarial_weight,
                              seed=seed, log_every=50)
    history = train_paired(generator, discriminator, sketch(targets),
                           targets, settings)
    after = l1_loss(translate(generator, sketch(held_out)), held_out).item()
    assert after < before / 10
    assert history.step == [50, 100, 150]
    if adversarial_weight:
        assert all(math.isfinite(x) for x in history.discriminator)
    else:
        assert all(math.isnan(x) for x in history.discriminator)


def test_one_round_computes_the_losses_of_the_text():
    # L_D = -mean log D(c, x) - mean log(1 - D(c, G(c))) and
    # L_G = l1_weight * mean |x - G(c)| + adversarial_weight * mean
    # -log D(c, G(c)), each mean over the batch and all patches. With a
    # learning rate of 0 nothing moves, so the losses and G's gradient can
    # be recomputed by hand afterwards.
    torch.manual_seed(0)
    targets = rectangles(8, 0, size=28)
    conditions = sketch(targets)
    generator = UNetGenerator(width=8)
    discriminator = PatchDiscriminator(width=8)
    settings = PairedSettings(l1_weight=7.0, adversarial_weight=0.5)
    losses = paired_round(
        generator, discriminator,
        torch.optim.SGD(generator.parameters(), lr=0.0),
        torch.optim.SGD(discriminator.parameters(), lr=0.0),
        conditions, targets, settings)
    fake = generator(conditions)
    d_real = torch.sigmoid(discriminator(conditions, targets))
    d_fake = torch.sigmoid(discriminator(conditions, fake))
    assert d_fake.shape == (8, 1, 7, 7)  # 49 patches per picture
    d_loss = -d_real.log().mean() - (1 - d_fake).log().mean()
    gan = -d_fake.log().mean()
    l1 = (targets - fake).abs().mean()
    assert losses["discriminator"] == pytest.approx(d_loss.item(), rel=1e-5)
    assert losses["generator_gan"] == pytest.approx(gan.item(), rel=1e-5)
    assert losses["l1"] == pytest.approx(l1.item(), rel=1e-5)
    expected = torch.autograd.grad(7.0 * l1 + 0.5 * gan,
                                   list(generator.parameters()))
    for parameter, gradient in zip(generator.parameters(), expected):
        torch.testing.assert_close(parameter.grad, gradient,
                                   rtol=1e-4, atol=1e-6)


def test_l1_alone_needs_no_discriminator_and_leaves_one_alone():
    targets = rectangles(64, 0)
    discriminator = PatchDiscriminator(width=8)
    before = [p.clone() for p in discriminator.parameters()]
    train_paired(UNetGenerator(width=8), discriminator, sketch(targets),
                 targets, PairedSettings(num_steps=3, batch_size=8,
                                         adversarial_weight=0.0))
    assert all(torch.equal(a, b)
               for a, b in zip(before, discriminator.parameters()))
    train_paired(UNetGenerator(width=8), None, sketch(targets), targets,
                 PairedSettings(num_steps=3, batch_size=8,
                                adversarial_weight=0.0))


def test_training_with_the_same_seed_gives_the_same_generator():
    targets = rectangles(64, 0)
    outputs = []
    for _ in range(2):
        torch.manual_seed(3)
        generator = UNetGenerator(width=8)
        discriminator = PatchDiscriminator(width=8)
        train_paired(generator, discriminator, sketch(targets), targets,
                     PairedSettings(num_steps=5, batch_size=8, seed=3))
        outputs.append(translate(generator, sketch(targets[:4])))
    assert torch.equal(outputs[0], outputs[1])


@pytest.mark.parametrize("kwargs,message", [
    ({"adversarial_weight": 1.0, "discriminator": None}, "needs a disc"),
    ({"l1_weight": 0.0, "adversarial_weight": 0.0}, "both 0"),
    ({"num_targets": 3}, "4 conditions but 3 targets"),
])
def test_train_paired_refuses_what_cannot_train(kwargs, message):
    targets = rectangles(4, 0)
    discriminator = kwargs.pop("discriminator", PatchDiscriminator(width=8))
    num_targets = kwargs.pop("num_targets", 4)
    with pytest.raises(ValueError, match=message):
        train_paired(UNetGenerator(width=8), discriminator, sketch(targets),
                     targets[:num_targets],
                     PairedSettings(num_steps=1, batch_size=2, **kwargs))
