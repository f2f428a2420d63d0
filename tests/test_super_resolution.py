"""Super-resolution pieces: pairs, PSNR, scores and a short L1 training."""
import math

import pytest
import torch

from ganlib.features import feature_classifier
from ganlib.images import load_images
from ganlib.paired import (PairedSettings, PatchDiscriminator, UNetGenerator,
                           train_paired, translate)
from ganlib.super_resolution import (enlarge, make_pairs, mean_edge_strength,
                                     psnr, shrink,
                                     upscaling_scores)


def test_pairs_have_the_shapes_of_the_originals_and_lie_in_range():
    images = torch.rand(5, 1, 28, 28) * 2 - 1
    conditions, targets = make_pairs(images)
    assert shrink(images).shape == (5, 1, 7, 7)
    assert conditions.shape == targets.shape == (5, 1, 28, 28)
    assert torch.equal(targets, images)
    assert conditions.min() >= -1 and conditions.max() <= 1


def test_shrink_is_the_mean_of_each_block():
    # pixel (i, j) = i + 10 j, scaled: a block's mean is its centre value
    rows = torch.arange(8.0)[:, None]
    columns = torch.arange(8.0)[None, :]
    image = ((rows + 10 * columns) / 100)[None, None]  # (1, 1, 8, 8)
    small = shrink(image, 4)
    centres = torch.tensor([1.5, 5.5])  # mean of 0..3 and of 4..7
    expected = (centres[:, None] + 10 * centres[None, :]) / 100
    assert torch.allclose(small[0, 0], expected)


def test_detail_that_averages_to_zero_per_block_is_lost_by_shrinking():
    image = torch.zeros(1, 1, 8, 8)
    checkerboard = (torch.arange(8)[:, None] + torch.arange(8)) % 2 * 2 - 1
    detailed = image + 0.5 * checkerboard.float()  # +-0.5, block mean 0
    assert torch.equal(shrink(image), shrink(detailed))


def test_enlarging_a_constant_image_keeps_it_constant():
    small = torch.full((2, 1, 7, 7), 0.3)
    assert torch.allclose(enlarge(small), torch.full((2, 1, 28, 28), 0.3))


@pytest.mark.parametrize("error", [0.02, 0.1, 0.5, 2.0])
def test_psnr_of_a_constant_error_is_10_log10_of_4_over_its_square(error):
    originals = torch.rand(3, 1, 8, 8) * 2 - 1
    expected = 10 * math.log10(4 / error ** 2)
    got = psnr(originals + error, originals)
    assert torch.allclose(got, torch.full((3,), expected,
                                          dtype=torch.float64), atol=1e-6)


def test_psnr_of_black_against_white_is_0_db():
    black, white = -torch.ones(1, 1, 4, 4), torch.ones(1, 1, 4, 4)
    assert psnr(black, white).item() == pytest.approx(0.0)


def test_psnr_of_identical_images_is_infinite():
    images = torch.rand(2, 1, 8, 8)
    assert torch.isinf(psnr(images, images)).all()


def test_psnr_is_per_image():
    originals = torch.zeros(2, 1, 4, 4)
    images = originals.clone()
    images[0] += 0.2
    images[1] += 0.02
    got = psnr(images, originals)
    assert got[1] - got[0] == pytest.approx(20.0)  # 10x error: -20 dB


@pytest.mark.parametrize("call, message", [
    (lambda: psnr(torch.zeros(2, 1, 8, 8), torch.zeros(3, 1, 8, 8)),
     "same shape"),
    (lambda: psnr(torch.zeros(8, 8), torch.zeros(8, 8)), r"\(N, C, H, W\)"),
    (lambda: shrink(torch.zeros(2, 1, 30, 30), 4), "divides H and W"),
    (lambda: shrink(torch.zeros(2, 1, 28, 28), 0), "factor must be"),
    (lambda: shrink(torch.full((2, 1, 28, 28), 255.0), 4), r"\[-1, 1\]"),
])
def test_bad_input_gives_a_clear_one_line_error(call, message):
    with pytest.raises(ValueError, match=message) as error:
        call()
    assert "\n" not in str(error.value)


def test_blur_lowers_the_mean_edge_strength():
    images = load_images("digits").images[:200]
    blurred, _ = make_pairs(images)
    assert mean_edge_strength(blurred) < 0.8 * mean_edge_strength(images)


def test_unconditional_patch_discriminator_ignores_the_condition():
    torch.manual_seed(0)
    discriminator = PatchDiscriminator(condition_channels=0).eval()
    images = torch.rand(2, 1, 28, 28) * 2 - 1
    logits = discriminator(torch.zeros(2, 1, 28, 28), images)
    assert logits.shape == (2, 1, 7, 7)
    assert torch.equal(logits, discriminator(None, images))


def train_l1(seed: int, num_steps: int):
    """A small U-Net trained with L1 alone on 16 px digits; PSNRs."""
    images = load_images("digits").images
    conditions, targets = make_pairs(images)
    train, test = slice(0, 1500), slice(1500, None)
    torch.manual_seed(seed)
    generator = UNetGenerator(width=8, depth=2)
    untrained = psnr(translate(generator, conditions[test]),
                     targets[test]).mean().item()
    settings = PairedSettings(num_steps=num_steps, batch_size=32, lr=2e-3,
                              l1_weight=1.0, adversarial_weight=0.0,
                              seed=seed)
    train_paired(generator, None, conditions[train], targets[train],
                 settings)
    trained = psnr(translate(generator, conditions[test]),
                   targets[test]).mean().item()
    bicubic = psnr(conditions[test], targets[test]).mean().item()
    return untrained, trained, bicubic


@pytest.mark.parametrize("seed", [0, 1])
def test_a_short_l1_training_beats_bicubic_on_held_out_digits(seed):
    # Measured over seeds 0-4 at 150 steps (under a second each on one
    # thread): +11.5 to +14.1 dB over the untrained start (7 to 9 dB), and
    # +3.5 to +4.0 dB over bicubic enlarging (17.1 dB).
    untrained, trained, bicubic = train_l1(seed, num_steps=150)
    assert trained > untrained + 5.0
    assert trained > bicubic + 1.5


def test_scores_of_the_originals_sit_on_their_floor(tmp_path):
    data = load_images("digits")
    classifier = feature_classifier(data, cache_dir=tmp_path, num_steps=50)
    originals = data.images[:300]
    scores = upscaling_scores(originals, originals, data, classifier)
    assert scores["frechet_distance"] == pytest.approx(scores["floor"])
    assert math.isinf(scores["psnr"])
    blurred, _ = make_pairs(originals)
    blurred_scores = upscaling_scores(blurred, originals, data, classifier)
    assert blurred_scores["frechet_distance"] > scores["floor"]
    assert blurred_scores["psnr"] < 40
