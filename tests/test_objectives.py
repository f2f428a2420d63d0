"""Objectives: each GAN loss in ganlib.losses learns the ring through train().

The models are the ring recipe's (MLPs, 3 x 128, seeded by the recipe);
the runs are shorter than the recipe's 10,000 steps so that each test
takes about 10 s on one thread of this project's CPU (2 cores). The lr
still decays linearly to 0 over the shorter run, which is what lets G
settle on the sharp modes (std 0.01, so a high-quality sample lies
within 0.03 of a mode's mean).

Every case was measured over seeds 0-9 on this project's CPU (one
thread); the thresholds sit below the worst of those seeds with a
margin, so they hold for any seed, not only the test's. The test's seed
is one from the middle of each spread.

WGAN-GP learns it with the settings of Gulrajani et al.'s own script for
2-D data (gan_toy.py): penalty weight lambda 0.1 ("smaller lambda seems
to help for toy tasks"), 5 critic steps per G step, Adam betas (0.5,
0.9), here with the recipe's lr 1e-3 decaying linearly (their 1e-4 is
for 100,000 G steps). With the paper's image settings (lambda 10, betas
(0.0, 0.9)) it does not: 2,000 G steps, seeds 0-9, covered 0-8 modes at
a share of 0.000-0.102, and lambda 10 at lr 1e-3 or 3e-4 covered 0-1
modes (seed 0, 1,500 steps).
"""
import dataclasses
import time

import pytest
import torch

from ganlib import recipes
from ganlib.data import ring_target
from ganlib.losses import (HINGE, LEAST_SQUARES, NONSATURATING, WGAN_GP,
                           gradient_penalty_term, r1_term)
from ganlib.metrics import mode_coverage, sample_points
from ganlib.speed import cpu_threads
from ganlib.train import train

SEED = 1  # in the middle of every case's measured spread


def train_ring(seed, **changes):
    """Train the ring recipe from seed with its settings changed by
    ``changes``, on one thread; return the trained generator and the
    seconds training took."""
    with cpu_threads(1):  # tiny matrices: one thread is fastest
        data = ring_target().sample(10_000, rng=torch.Generator()
                                    .manual_seed(seed))
        generator, discriminator, settings = recipes.ring_recipe(seed=seed)
        settings = dataclasses.replace(settings, **changes)
        start = time.perf_counter()
        train(generator, discriminator, data, settings)
        return generator, time.perf_counter() - start


CASES = [
    # The recipe's settings (lr 1e-3, betas (0.5, 0.999)), 2,000 steps.
    # Seeds 0-9: 7-8 modes (7 on seed 2), high quality 0.60-0.89.
    pytest.param(dict(objective=NONSATURATING, num_steps=2000), 6, 0.45,
                 id="nonsaturating"),
    # The recipe's settings, 2,000 steps.
    # Seeds 0-9: 8/8 modes, high quality 0.64-0.90.
    pytest.param(dict(objective=LEAST_SQUARES, num_steps=2000), 7, 0.5,
                 id="least_squares"),
    # Adam betas (0.0, 0.9), as SNGAN / SAGAN train the hinge loss; the
    # D has no spectral norm. With the recipe's betas (0.5, 0.999) G
    # circled the ring as one blob: seeds 0-5 covered 0-8 modes at a
    # share of 0.00-0.37 (0 modes on seeds 3 and 4), and lr 2e-4 or a
    # spectrally normalised D did no better (0-2 modes on seeds 0, 3, 4).
    # Seeds 0-9, 2,000 steps: 8/8 modes, high quality 0.77-0.91.
    pytest.param(dict(objective=HINGE, num_steps=2000, betas=(0.0, 0.9)),
                 7, 0.65, id="hinge"),
    # R1 with gamma = 1 (weight gamma / 2), Adam betas (0.0, 0.99) as in
    # Mescheder et al. 2018, the recipe's lr 1e-3 (their 1e-4 is too slow
    # for this budget); 1,500 steps, since the penalty's double backward
    # makes a step about 1.5 times as long. 2,000 steps on seeds 0 and 3
    # gave a share of 0.85-0.86 (gamma 1) and 0.74-0.78 (gamma 10); with
    # the recipe's betas 0.46-0.75 (gamma 1) and 0.56-0.64 (gamma 10).
    # Seeds 0-9, 1,500 steps: 8/8 modes, high quality 0.72-0.82.
    pytest.param(dict(objective=NONSATURATING.with_penalty(r1_term, 1 / 2),
                      num_steps=1500, betas=(0.0, 0.99)), 7, 0.6, id="r1"),
    # WGAN-GP, the authors' toy settings (see the docstring), 2,000 G
    # steps of 5 critic steps each, about 50 s alone on one thread.
    # Seeds 0-4: 8/8 modes, high quality 0.835-0.884.
    pytest.param(dict(objective=dataclasses.replace(WGAN_GP, penalties=())
                      .with_penalty(gradient_penalty_term, 0.1),
                      num_steps=2000, discriminator_steps=5,
                      betas=(0.5, 0.9)), 7, 0.7, id="wgan_gp"),
]


@pytest.mark.parametrize("changes,min_modes,min_high_quality", CASES)
def test_objective_learns_the_ring(changes, min_modes, min_high_quality):
    target = ring_target()
    generator, seconds = train_ring(SEED, **changes)
    score = mode_coverage(sample_points(generator), target)
    print(f"seed {SEED}, {changes['num_steps']} steps: {seconds:.1f} s, "
          f"{score}")
    assert score.modes_covered >= min_modes
    assert score.high_quality_share >= min_high_quality
