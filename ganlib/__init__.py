"""ganlib: a small, tested PyTorch library for learning GANs.

The core (this namespace) needs torch, and tqdm for the progress bar.
Images (torchvision), plotting (matplotlib) and widgets (ipywidgets) are
imported from their own modules: `from ganlib.plotting import sample_grid`.

    from ganlib import (MLPGenerator, MLPDiscriminator, TrainSettings,
                        mode_coverage, ring_target, sample_points, train)
    target = ring_target()
    data = target.sample(10_000)
    generator, discriminator = MLPGenerator(), MLPDiscriminator()
    history = train(generator, discriminator, data, TrainSettings())
    print(mode_coverage(sample_points(generator), target))
"""
from ganlib.checkpoint import (CheckpointError, load_checkpoint,
                               save_checkpoint)
from ganlib.conditional import (ConditionalGenerator, attach_labels,
                                split_labels)
from ganlib.data import (GaussianMixture, grid_target, random_batch,
                         ring_target, scale_to_unit_range, spiral, two_moons)
from ganlib.losses import (HINGE, LEAST_SQUARES, MINIMAX, NONSATURATING,
                           WGAN_GP, Objective, Penalty,
                           bce_discriminator_loss, gradient_penalty,
                           gradient_penalty_term, hinge_discriminator_loss,
                           hinge_generator_loss,
                           least_squares_discriminator_loss,
                           least_squares_generator_loss,
                           minimax_generator_loss,
                           nonsaturating_generator_loss, r1_penalty,
                           r1_term,
                           wasserstein_critic_loss,
                           wasserstein_generator_loss)
from ganlib.metrics import ModeCoverage, mode_coverage, sample_points
from ganlib.models import (DCGANDiscriminator, DCGANGenerator,
                           MLPDiscriminator, MLPGenerator, count_parameters,
                           dcgan_init_)
from ganlib.noise import lerp, sample_noise, slerp, truncated_noise
from ganlib.settings import History, TrainSettings
from ganlib.speed import Speed
from ganlib.train import (discriminator_step, generator_step, pick_device,
                          train, training_round)

__version__ = "0.1.0"
