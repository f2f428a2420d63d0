"""Figures: image grids, 2-D points over D's heat map, training curves.

Every function returns a matplotlib Figure (never calls plt.show()). The
figures are built without pyplot, so a notebook shows each one once, and
with a fixed size and dpi, so re-running a notebook gives the same PNGs.
"""
import io

import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from ganlib.models import evaluating

DPI = 80  # pixels per inch of every figure
REAL_COLOR = "black"
FAKE_COLOR = "tab:orange"
HEAT_MAP = "RdBu"  # red: D says fake (0), blue: D says real (1)


def figure_png(figure: Figure) -> bytes:
    """The PNG bytes of a figure (at its own dpi)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi)
    return buffer.getvalue()


class NotebookFigure(Figure):
    """A Figure that shows itself as a PNG in Jupyter, even without pyplot."""

    def _repr_png_(self) -> bytes:
        return figure_png(self)


def new_figure(width: float = 4.0, height: float = 4.0) -> Figure:
    """A Figure of fixed size (inches) and dpi, outside pyplot."""
    return NotebookFigure(figsize=(width, height), dpi=DPI,
                          layout="constrained")


def to_unit_range(images: Tensor) -> Tensor:
    """Map images from [-1, 1] to [0, 1] (clamped), as a CPU float tensor."""
    return ((images.detach().float().cpu() + 1) / 2).clamp(0, 1)


def image_grid(images: Tensor, *, nrow: int = 8) -> Tensor:
    """(N, C, H, W) in [-1, 1] -> (H', W', 3) grid in [0, 1] for imshow."""
    from torchvision.utils import make_grid

    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(
            f"images have shape {tuple(images.shape)}; expected (N, C, H, W)"
            " with C = 1 (grayscale) or 3 (colour). Add a channel axis "
            "with images.unsqueeze(1) for (N, H, W) data.")
    grid = make_grid(to_unit_range(images), nrow=nrow, padding=2,
                     pad_value=1.0)
    return grid.permute(1, 2, 0)


def sample_grid(images: Tensor, *, nrow: int = 8,
                title: str | None = None) -> Figure:
    """Show (N, C, H, W) images in [-1, 1] as one grid."""
    grid = image_grid(images, nrow=nrow)
    height, width = grid.shape[:2]
    # Each image pixel gets about 2 screen pixels, within 3 to 8 inches.
    figure_width = min(8.0, max(3.0, 2 * width / DPI))
    figure = new_figure(figure_width, figure_width * height / width
                        + (0.3 if title else 0.0))
    axes = figure.add_subplot()
    axes.imshow(grid.numpy(), interpolation="nearest")
    axes.set_axis_off()
    if title:
        axes.set_title(title)
    return figure


def default_extent(real: Tensor) -> tuple[float, float, float, float]:
    """A square (x_min, x_max, y_min, y_max) framing real with a margin."""
    half = 1.25 * real.detach().abs().max().item()
    return (-half, half, -half, half)


def probability_grid(discriminator: nn.Module, extent, *,
                     resolution: int = 80) -> Tensor:
    """sigmoid(D(x)) on a resolution x resolution grid; row 0 is y_min."""
    x_min, x_max, y_min, y_max = extent
    device = next(discriminator.parameters()).device
    xs = torch.linspace(x_min, x_max, resolution, device=device)
    ys = torch.linspace(y_min, y_max, resolution, device=device)
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    points = torch.stack([grid_x.flatten(), grid_y.flatten()], dim=1)
    with evaluating(discriminator):
        logits = discriminator(points).float()
    return torch.sigmoid(logits).reshape(resolution, resolution).cpu()


def draw_heat_map(axes, probabilities: Tensor, extent, *,
                  interpolation: str = "bilinear"):
    """Draw a D probability grid on axes; returns the image artist."""
    return axes.imshow(probabilities.numpy(), origin="lower", extent=extent,
                       cmap=HEAT_MAP, vmin=0.0, vmax=1.0,
                       interpolation=interpolation, alpha=0.8)


def draw_points(axes, points: Tensor, *, fake: bool, size: float = 6):
    """Scatter (N, 2) points as real (black) or fake (orange)."""
    points = points.detach().float().cpu()
    return axes.scatter(points[:, 0], points[:, 1], s=size, linewidths=0,
                        color=FAKE_COLOR if fake else REAL_COLOR,
                        label="fake G(z)" if fake else "real x")


def plot_points(real: Tensor, fake: Tensor | None = None, *,
                discriminator: nn.Module | None = None, extent=None,
                resolution: int = 80, title: str | None = None) -> Figure:
    """Real and fake (N, 2) points over D's probability heat map."""
    extent = default_extent(real) if extent is None else tuple(extent)
    figure = new_figure(4.8 if discriminator is not None else 4.0, 4.0)
    axes = figure.add_subplot()
    if discriminator is not None:
        grid = probability_grid(discriminator, extent, resolution=resolution)
        image = draw_heat_map(axes, grid, extent)
        figure.colorbar(image, ax=axes, label="D(x): probability real")
    draw_points(axes, real, fake=False)
    if fake is not None:
        draw_points(axes, fake, fake=True)
    axes.set(xlim=extent[:2], ylim=extent[2:], aspect="equal", title=title)
    axes.legend(loc="upper right", fontsize="small", markerscale=2)
    return figure


def _check_history(history) -> None:
    """Raise a clear error when history has no rows to plot."""
    if not history.step:
        raise ValueError("history has no rows yet: train for at least "
                         "log_every steps before plotting it.")


def plot_losses(history) -> Figure:
    """Discriminator and generator losses over training steps."""
    _check_history(history)
    figure = new_figure(6.0, 3.0)
    axes = figure.add_subplot()
    axes.plot(history.step, history.discriminator_loss, label="D loss")
    axes.plot(history.step, history.generator_loss, label="G loss")
    axes.set(xlabel="generator step", ylabel="loss", title="Losses")
    axes.legend(loc="upper right")
    return figure


def plot_scores(history) -> Figure:
    """Mean D(x) and D(G(z)) over steps, with the equilibrium line 1/2."""
    _check_history(history)
    figure = new_figure(6.0, 3.0)
    axes = figure.add_subplot()
    axes.plot(history.step, history.real_score, label="D(x), real",
              color=REAL_COLOR)
    axes.plot(history.step, history.fake_score, label="D(G(z)), fake",
              color=FAKE_COLOR)
    axes.axhline(0.5, color="gray", linestyle="--", label="1/2")
    axes.set(xlabel="generator step", ylabel="mean probability real",
             ylim=(0, 1), title="What D says")
    axes.legend(loc="upper right")
    return figure


def pick_evenly(items: list, count: int) -> list:
    """At most count items spread evenly, always keeping the last one."""
    if len(items) <= count:
        return list(items)
    if count == 1:
        return [items[-1]]
    last = len(items) - 1
    return [items[round(i * last / (count - 1))] for i in range(count)]


def plot_samples_over_time(history, *, num_columns: int = 6,
                           num_images: int = 16, extent=None,
                           real: Tensor | None = None) -> Figure:
    """Fixed-noise samples at a few steps: 2-D points or image grids.

    For points, ``real`` (N, 2) is drawn in black under every panel, so
    each one shows the target next to what G drew at that step.
    """
    if not history.samples:
        raise ValueError("history has no samples: train for at least "
                         "sample_every steps first.")
    snapshots = pick_evenly(history.samples, num_columns)
    figure = new_figure(2.0 * len(snapshots), 2.3)
    for column, (step, samples) in enumerate(snapshots, start=1):
        axes = figure.add_subplot(1, len(snapshots), column)
        if samples.ndim == 2:  # (N, 2) points
            if real is not None:
                draw_points(axes, real, fake=False, size=2)
            draw_points(axes, samples, fake=True, size=4)
            limits = extent or default_extent(history.samples[-1][1])
            axes.set(xlim=limits[:2], ylim=limits[2:], aspect="equal",
                     xticks=[], yticks=[])
        else:  # (N, C, H, W) images
            nrow = max(1, round(num_images ** 0.5))
            grid = image_grid(samples[:num_images], nrow=nrow)
            axes.imshow(grid.numpy(), interpolation="nearest")
            axes.set_axis_off()
        axes.set_title(f"step {step}", fontsize="small")
    return figure


def real_and_fake_grids(real: Tensor, fake: Tensor, *, nrow: int = 8,
                        titles=("real (training data)", "fake (generated)")
                        ) -> Figure:
    """Real and generated (N, C, H, W) images as two grids side by side."""
    figure = new_figure(9.0, 4.9)
    for axes, images, title in zip(figure.subplots(1, 2), (real, fake),
                                   titles):
        axes.imshow(image_grid(images, nrow=nrow).numpy(),
                    interpolation="nearest")
        axes.set_axis_off()
        axes.set_title(title)
    return figure
