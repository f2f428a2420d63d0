"""Interactive widgets: a latent explorer and a step-by-step 2-D trainer.

Both are ipywidgets boxes showing a PNG they redraw after every change
(PictureBox); a static page shows that PNG where no kernel runs.
"""
from torch import Tensor, nn

from ganlib.settings import TrainSettings
from ganlib.widgets.latent_explorer import LatentExplorer
from ganlib.widgets.step_trainer import StepTrainer


def latent_explorer(generator: nn.Module, *, num_sliders: int = 4,
                    seed: int = 0,
                    real: Tensor | None = None) -> LatentExplorer:
    """Sliders over z and an interpolation (lerp/slerp) between two z."""
    return LatentExplorer(generator, num_sliders=num_sliders, seed=seed,
                          real=real)


def step_trainer(generator: nn.Module, discriminator: nn.Module,
                 data: Tensor, *,
                 settings: TrainSettings | None = None, resolution: int = 40,
                 num_points: int = 500):
    """Buttons for one D step, one G step and N steps on (N, 2) data."""
    return StepTrainer(generator, discriminator, data, settings=settings,
                       resolution=resolution, num_points=num_points)
