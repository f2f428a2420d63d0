"""Animations of training that play on a static web page, offline.

Record 2-D training with ``recorder = TrainingRecorder(real, every=25)``
and ``train(..., on_step=recorder)``, then ``animate_training_2d(recorder)``.
The result is HTML with the frames embedded as PNG and JavaScript controls
(matplotlib's jshtml), so it needs no kernel and no network.
"""
import hashlib
import re
from dataclasses import dataclass

import torch
from matplotlib import rc_context
from matplotlib.animation import FuncAnimation
from torch import Tensor, nn

from ganlib.noise import sample_noise
from ganlib.plotting import (
    default_extent, draw_heat_map, draw_points, evaluating, image_grid,
    new_figure, pick_evenly, probability_grid,
)

# matplotlib's player draws its buttons with Font Awesome from a CDN; on an
# offline page those icons would be blank, so plain characters replace them.
FONT_AWESOME_LINK = re.compile(r'<link rel="stylesheet"\s+href="[^"]*'
                               r'font-awesome[^"]*">')
BUTTON_TEXT = {
    "fa-minus": "&minus;", "fa-plus": "+",
    "fa-fast-backward": "|&#9664;&#9664;", "fa-step-backward": "|&#9664;",
    "fa-play fa-flip-horizontal": "&#9664;", "fa-pause": "&#10074;&#10074;",
    "fa-play": "&#9654;", "fa-step-forward": "&#9654;|",
    "fa-fast-forward": "&#9654;&#9654;|",
}


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
        rng = torch.Generator().manual_seed(self.seed)
        z = sample_noise(self.num_points, generator.latent_dim, rng=rng)
        return z.to(next(generator.parameters()).device)

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


def _stable_html(html: str) -> str:
    """Offline buttons, and an id from the content instead of a uuid4."""
    html = FONT_AWESOME_LINK.sub("", html)
    for icon, text in BUTTON_TEXT.items():
        html = html.replace(f'<i class="fa {icon}"></i>', text)
    random_id = re.search(r'id="_anim_img([0-9a-f]+)"', html).group(1)
    digest = hashlib.sha256(html.replace(random_id, "").encode())
    return html.replace(random_id, digest.hexdigest()[:32])


def _to_html(figure, update, num_frames: int, fps: int,
             frame_format: str = "jpeg"):
    """Play update(i) for i < num_frames as offline HTML (IPython HTML)."""
    from IPython.display import HTML

    player = FuncAnimation(figure, update, frames=num_frames, repeat=False)
    with rc_context({"animation.frame_format": frame_format}):
        html = player.to_jshtml(fps=fps, default_mode="once")
    return HTML(_stable_html(html))


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

    return _to_html(figure, update, len(frames), fps, frame_format)


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

    return _to_html(figure, update, len(snapshots), fps)
