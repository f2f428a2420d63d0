"""Animations of training that play on a static web page, offline.

Record 2-D training with ``recorder = TrainingRecorder(real, every=25)``
and ``train(..., on_step=recorder)``, then ``animate_training_2d(recorder)``.
The result is HTML with the frames embedded as images and a few lines of
JavaScript for the controls, so it needs no kernel and no network.
"""
from dataclasses import dataclass

from torch import Tensor, nn

from ganlib.html_player import frames_player
from ganlib.models import device_of, evaluating
from ganlib.noise import fixed_noise
from ganlib.plotting import (
    default_extent, draw_heat_map, draw_points, image_grid,
    new_figure, pick_evenly, probability_grid,
)


@dataclass
class Frame:
    """One snapshot: step, fake points (N, 2), D's probabilities (R, R)."""
    step: int
    fake: Tensor
    probabilities: Tensor


class TrainingRecorder:
    """on_step hook keeping fake points and D's heat map every few steps."""

    def __init__(self, real: Tensor, *, every: int, extent=None,
                 num_points: int = 500, resolution: int = 40,
                 seed: int = 0) -> None:
        if every < 1:
            raise ValueError(f"every must be >= 1 step, got {every}.")
        self.real = real.detach().float().cpu()[:num_points]  # (N, 2)
        self.every = every  # steps between snapshots
        self.extent = default_extent(real) if extent is None else extent
        self.num_points = num_points  # fakes per snapshot, on fixed noise
        self.resolution = resolution  # heat map cells per side
        self.seed = seed  # seeds the fixed noise
        self.frames: list[Frame] = []

    def fixed_noise(self, generator: nn.Module) -> Tensor:
        """The same z every time, drawn on the CPU, moved to G's device."""
        return fixed_noise(self.num_points, generator.latent_dim,
                           seed=self.seed, device=device_of(generator))

    def record(self, step: int, generator: nn.Module,
               discriminator: nn.Module) -> None:
        """Keep a snapshot now (call it with step 0 before training)."""
        with evaluating(generator):
            fake = generator(self.fixed_noise(generator)).float().cpu()
        probabilities = probability_grid(discriminator, self.extent,
                                         resolution=self.resolution)
        self.frames.append(Frame(step, fake, probabilities))

    def __call__(self, step: int, generator: nn.Module,
                 discriminator: nn.Module, history=None) -> None:
        """The on_step hook: record every `every` steps."""
        if step % self.every == 0:
            self.record(step, generator, discriminator)


def animate_training_2d(recorder: TrainingRecorder, *, max_frames: int = 40,
                        fps: int = 6, dpi: int = 64, size: float = 4.0,
                        frame_format: str = "jpeg"):
    """HTML animation of fake points over D's heat map (at most 40 frames)."""
    if not recorder.frames:
        raise ValueError("the recorder has no frames: pass it to train(..., "
                         "on_step=recorder) and train for `every` steps.")
    frames = pick_evenly(recorder.frames, max_frames)
    figure = new_figure(size, size)
    figure.set_dpi(dpi)
    axes = figure.add_subplot()
    # Nearest-cell colours compress far better than smooth ones.
    heat_map = draw_heat_map(axes, frames[0].probabilities, recorder.extent,
                             interpolation="nearest")
    draw_points(axes, recorder.real, fake=False, size=4)
    fakes = draw_points(axes, frames[0].fake, fake=True, size=4)
    axes.set(xlim=recorder.extent[:2], ylim=recorder.extent[2:],
             aspect="equal")
    axes.legend(loc="upper right", fontsize="small", markerscale=2)

    def update(index: int) -> None:
        frame = frames[index]
        heat_map.set_data(frame.probabilities.numpy())
        fakes.set_offsets(frame.fake.numpy())
        axes.set_title(f"step {frame.step}: red = D says fake")

    return frames_player(figure, update, len(frames), fps, frame_format,
                         alt="fake points (orange) and real points (black) "
                             "over D's heat map, one frame per snapshot of "
                             "training")


def animate_samples(history, *, max_frames: int = 40, fps: int = 4,
                    dpi: int = 64, num_images: int = 16):
    """HTML animation of History.samples (fixed noise) over training."""
    if not history.samples:
        raise ValueError("history has no samples: train for at least "
                         "sample_every steps first.")
    snapshots = pick_evenly(history.samples, max_frames)
    figure = new_figure(3.0, 3.2)
    figure.set_dpi(dpi)
    axes = figure.add_subplot()
    nrow = max(1, round(num_images ** 0.5))

    def update(index: int) -> None:
        step, samples = snapshots[index]
        axes.clear()
        if samples.ndim == 2:  # (N, 2) points
            draw_points(axes, samples, fake=True, size=4)
            limits = default_extent(snapshots[-1][1])
            axes.set(xlim=limits[:2], ylim=limits[2:], aspect="equal")
        else:  # (N, C, H, W) images
            grid = image_grid(samples[:num_images], nrow=nrow)
            axes.imshow(grid.numpy(), interpolation="nearest")
            axes.set_axis_off()
        axes.set_title(f"step {step}")

    return frames_player(figure, update, len(snapshots), fps,
                         alt="the generator's samples on the same fixed "
                             "noise, one frame per kept step of training")
