"""Recipes: the documented models and settings, seeded, and they learn."""
import dataclasses
import time

import pytest
import torch

from ganlib import recipes
from ganlib.data import ring_target
from ganlib.metrics import mode_coverage, sample_points
from ganlib.models import count_parameters
from ganlib.speed import cpu_threads
from ganlib.train import train

POINT_RECIPES = [recipes.ring_recipe, recipes.grid_recipe]


@pytest.mark.parametrize("make", POINT_RECIPES)
def test_point_recipes_map_2d_noise_to_points_and_logits(make):
    generator, discriminator, settings = make()
    points = generator(torch.randn(5, generator.latent_dim))
    assert points.shape == (5, 2)
    assert discriminator(points).shape == (5, 1)
    assert settings.lr_decay == "linear"


@pytest.mark.parametrize("make", POINT_RECIPES)
def test_recipe_seed_sets_weights_and_run_but_not_the_global_rng(make):
    state = torch.get_rng_state()
    first, again, other = make(seed=3), make(seed=3), make(seed=4)
    assert torch.equal(torch.get_rng_state(), state)
    weights = [list(r.generator.parameters())[0] for r in (first, again,
                                                            other)]
    assert torch.equal(weights[0], weights[1])
    assert not torch.equal(weights[0], weights[2])
    assert first.settings.seed == 3 and other.settings.seed == 4
    assert count_parameters(first.generator) == count_parameters(
        other.generator)


# Measured over seeds 100-109 on this kind of machine (2 CPU cores,
# benchmarks/recipes-cpu-x86_64-2-cores.md) and 0-3 (tuning): all 8 modes
# on every seed, high-quality share 0.953 to 0.988, reverse KL 0.002 to
# 0.240. The test asserts well inside that, since the same seed gives
# other numbers on another machine of the same kind.
RING_SEED = 7  # neither a tuning seed nor one of the table's
RING_MIN_HIGH_QUALITY = 0.90
RING_MAX_REVERSE_KL = 0.4


def train_point_recipe(make_recipe, target, seed):
    """Train a 2-D recipe from seed on 10,000 target points, one thread;
    return the trained generator and the seconds it took."""
    with cpu_threads(1):  # tiny matrices: one thread is fastest
        data = target.sample(10_000, rng=torch.Generator()
                             .manual_seed(seed))
        generator, discriminator, settings = make_recipe(seed=seed)
        start = time.perf_counter()
        train(generator, discriminator, data, settings)
        return generator, time.perf_counter() - start


def test_ring_recipe_covers_all_eight_modes_sharply():
    target = ring_target()
    generator, seconds = train_point_recipe(recipes.ring_recipe, target,
                                            RING_SEED)
    score = mode_coverage(sample_points(generator), target)
    print(f"ring recipe, seed {RING_SEED}: {seconds:.1f} s, {score}")
    assert score.modes_covered == 8
    assert score.high_quality_share >= RING_MIN_HIGH_QUALITY
    assert score.reverse_kl <= RING_MAX_REVERSE_KL


IMAGE_RECIPES = [(recipes.mnist_recipe, 1, 28),
                 (recipes.fashion_mnist_recipe, 1, 28),
                 (recipes.flowers_recipe, 3, 32)]


@pytest.mark.parametrize("make,channels,size", IMAGE_RECIPES)
def test_image_recipes_draw_images_and_score_them(make, channels, size):
    generator, discriminator, settings = make()
    images = generator(torch.randn(4, generator.latent_dim))
    assert images.shape == (4, channels, size, size)
    assert images.min() >= -1 and images.max() <= 1  # tanh
    assert discriminator(images).shape == (4, 1)
    spectral = [name for name, _ in discriminator.named_parameters()
                if "parametrizations.weight" in name]
    assert spectral  # D's convolutions are spectrally normalised
    assert not any(isinstance(m, torch.nn.BatchNorm2d)
                   for m in discriminator.modules())
    assert settings.objective.discriminator_loss.__name__ == \
        "hinge_discriminator_loss"


def frechet_ratio(generator, data, held_out, classifier):
    from ganlib.image_metrics import held_out_quality
    fakes = sample_points(generator, 1000, seed=0)
    return held_out_quality(fakes, data, held_out, classifier,
                            num_images=1000)["ratio"]


# 400 steps (the lr decaying over them) instead of 18,000: about 30 s on
# this project's CPU. Measured over seeds 0-4 and 11 (1,000 images): the
# ratio fell from 1,241-1,252 untrained to 330-408.
RATIO_AFTER_400 = 600
SHORT_RUN_SEED = 11


@pytest.mark.parametrize("seed", [SHORT_RUN_SEED])
def test_mnist_recipe_learns_digits_in_a_short_run(real_mnist, seed):
    from ganlib.features import feature_classifier
    data, held_out = real_mnist
    classifier = feature_classifier(data)
    generator, discriminator, settings = recipes.mnist_recipe(seed=seed)
    untrained = frechet_ratio(generator, data, held_out, classifier)
    train(generator, discriminator, data.images,
          dataclasses.replace(settings, num_steps=400))
    trained = frechet_ratio(generator, data, held_out, classifier)
    print(f"Frechet ratio: untrained {untrained:.0f}, after 400 steps "
          f"{trained:.0f}")
    assert trained < RATIO_AFTER_400 < untrained


# The grid recipe falls short of its goal (all 25 modes on every
# seed): over seeds 100-109 it covered 20 to 25 modes (all 25 on 4 of
# 10), high-quality share 0.805 to 0.964. The test asserts well inside.
GRID_SEED = 5
GRID_MIN_MODES = 17
GRID_MIN_HIGH_QUALITY = 0.7


def test_grid_recipe_covers_most_of_the_25_modes():
    from ganlib.data import grid_target
    target = grid_target()
    generator, _ = train_point_recipe(recipes.grid_recipe, target,
                                      GRID_SEED)
    score = mode_coverage(sample_points(generator), target)
    print(f"grid recipe, seed {GRID_SEED}: {score}")
    assert score.modes_covered >= GRID_MIN_MODES
    assert score.high_quality_share >= GRID_MIN_HIGH_QUALITY
