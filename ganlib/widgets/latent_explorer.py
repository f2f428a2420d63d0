"""The latent explorer: sliders over z, and a walk from z to z_end."""
import ipywidgets as widgets
import torch
from torch import Tensor, nn

from ganlib.models import device_of, evaluating
from ganlib.noise import fixed_noise, lerp, slerp
from ganlib.plotting import default_extent, draw_points, image_grid, new_figure
from ganlib.widgets.picture_box import PictureBox

PATHS = {"lerp": lerp, "slerp": slerp}  # how to walk from z to z_end


def _slider(value: float, description: str, low: float, high: float):
    return widgets.FloatSlider(value=min(max(value, low), high), min=low,
                               max=high, step=0.05, description=description,
                               continuous_update=False)


class LatentExplorer(PictureBox):
    """Sliders over the first latent dims, and a walk from z to z_end."""

    summary = "latent explorer (run the notebook to move the sliders)"

    def __init__(self, generator: nn.Module, *, num_sliders: int = 4,
                 seed: int = 0, real: Tensor | None = None) -> None:
        self.generator, self.real = generator, real
        z_start, self.z_end = fixed_noise(2, generator.latent_dim, seed=seed,
                                          device=device_of(generator))
        self.z_start = z_start.clone()  # dims beyond the sliders stay fixed
        count = min(num_sliders, generator.latent_dim)
        self.sliders = [_slider(z_start[i].item(), f"z[{i}]", -3.0, 3.0)
                        for i in range(count)]
        self.t_slider = _slider(0.0, "t", 0.0, 1.0)
        self.path = widgets.ToggleButtons(options=list(PATHS),
                                          description="path")
        self.cloud = fixed_noise(500, generator.latent_dim, seed=seed + 1,
                                 device=device_of(generator))  # for 2-D
        self.image = widgets.Image(format="png")
        for control in [*self.sliders, self.t_slider, self.path]:
            control.observe(lambda change: self.redraw(), names="value")
        super().__init__([*self.sliders, self.t_slider, self.path,
                          self.image])
        self.redraw()

    def z(self) -> Tensor:
        """(latent_dim,) the slider z: z_start with the first dims set."""
        z = self.z_start.clone()
        for i, slider in enumerate(self.sliders):
            z[i] = slider.value
        return z

    def walk(self, t) -> Tensor:
        """(T, latent_dim) points from z() to z_end at times t in [0, 1]."""
        return PATHS[self.path.value](self.z(), self.z_end, t)

    def redraw(self) -> None:
        """Draw G along the walk: z, z(t) and z_end."""
        t = self.t_slider.value
        with evaluating(self.generator):
            ends = self.generator(self.walk([0.0, t, 1.0])).float().cpu()
        title = f"t = {t:.2f} ({self.path.value})"
        if ends.ndim == 4:  # images
            self.show(self._draw_images(ends, title))
        else:  # 2-D points
            self.show(self._draw_points(ends, title))

    def _draw_images(self, ends: Tensor, title: str):
        """G(z), G(z(t)) and G(z_end) side by side."""
        figure = new_figure(6.0, 2.4)
        axes = figure.add_subplot()
        axes.imshow(image_grid(ends, nrow=3).numpy())
        axes.set_axis_off()
        axes.set_title(f"G(z)  |  {title}  |  G(z_end)")
        return figure

    def _draw_points(self, ends: Tensor, title: str):
        """The walk G(z(t)) over a cloud of fakes (and the real points)."""
        with evaluating(self.generator):
            line = self.generator(self.walk(torch.linspace(0, 1, 50)))
            cloud = self.generator(self.cloud).float().cpu()
        line = line.float().cpu()
        figure = new_figure(4.0, 4.0)
        axes = figure.add_subplot()
        if self.real is not None:
            draw_points(axes, self.real, fake=False, size=3)
        axes.scatter(cloud[:, 0], cloud[:, 1], s=3, color="navajowhite")
        axes.plot(line[:, 0], line[:, 1], color="tab:orange", lw=1)
        axes.scatter(ends[:, 0], ends[:, 1], s=[30, 90, 30],
                     color=["tab:green", "tab:red", "tab:purple"], zorder=3)
        for point, label in zip(ends[[0, 2]], ["G(z)", "G(z_end)"]):
            axes.annotate(label, point.tolist(), fontsize="small")
        shown = self.real if self.real is not None else cloud
        extent = default_extent(torch.cat([shown.float().cpu(), ends]))
        axes.set(xlim=extent[:2], ylim=extent[2:], aspect="equal",
                 title=f"G(z(t)) in red, {title}")
        return figure
