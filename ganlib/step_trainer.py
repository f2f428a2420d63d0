"""The step-by-step trainer widget: press "one D step", "one G step".

Each button runs the very functions train() uses (discriminator_step,
generator_step), then redraws the real and fake points over D's heat map.
Create it with ganlib.widgets.step_trainer(generator, discriminator, data).
"""
import ipywidgets as widgets
import torch
from torch import Tensor, nn

from ganlib.data import random_batch
from ganlib.noise import sample_noise
from ganlib.plotting import default_extent, evaluating, plot_points
from ganlib.train import TrainSettings, discriminator_step, generator_step
from ganlib.widgets import PictureBox, device_of, fixed_noise


class StepTrainer(PictureBox):
    """Train a 2-D GAN by hand: one D step, one G step, or N rounds."""

    summary = "step-by-step trainer (run the notebook to press the buttons)"

    def __init__(self, generator: nn.Module, discriminator: nn.Module,
                 data: Tensor, *, settings: TrainSettings | None = None,
                 resolution: int = 40, num_points: int = 500) -> None:
        settings = TrainSettings() if settings is None else settings
        self.generator, self.discriminator = generator, discriminator
        self.settings, self.resolution = settings, resolution
        device = device_of(generator)
        self.data = data.to(device)  # (N, 2), kept on the device
        self.rng = torch.Generator(device=device).manual_seed(settings.seed)
        self.fixed_z = fixed_noise(generator, num_points, settings.seed)
        self.real = data[:num_points].detach().float().cpu()
        self.extent = default_extent(data)
        self.generator_optimizer = torch.optim.Adam(
            generator.parameters(), settings.generator_lr, settings.betas)
        self.discriminator_optimizer = torch.optim.Adam(
            discriminator.parameters(), settings.discriminator_lr,
            settings.betas)
        self.num_d_steps = self.num_g_steps = 0
        self.d_loss: float | None = None  # last losses, for the status line
        self.g_loss: float | None = None
        self._build_controls()
        self.redraw()

    def _build_controls(self) -> None:
        self.d_button = widgets.Button(description="one D step")
        self.g_button = widgets.Button(description="one G step")
        self.run_button = widgets.Button(description="run N steps")
        self.num_steps = widgets.BoundedIntText(
            value=100, min=1, max=5000, description="N")
        self.status = widgets.Label()
        self.image = widgets.Image(format="png")
        self.d_button.on_click(lambda _: self.press(self.discriminator_step))
        self.g_button.on_click(lambda _: self.press(self.generator_step))
        self.run_button.on_click(
            lambda _: self.press(self.run, self.num_steps.value))
        buttons = widgets.HBox([self.d_button, self.g_button,
                                self.run_button, self.num_steps])
        super().__init__([buttons, self.status, self.image])

    def noise(self) -> Tensor:
        """(batch_size, latent_dim) fresh z from the trainer's own RNG."""
        return sample_noise(self.settings.batch_size,
                            self.generator.latent_dim,
                            kind=self.settings.noise, rng=self.rng)

    def discriminator_step(self) -> None:
        """Update D once on a real batch and a fake batch (G unchanged)."""
        real = random_batch(self.data, self.settings.batch_size,
                            rng=self.rng)
        loss, _, _ = discriminator_step(
            self.generator, self.discriminator, self.discriminator_optimizer,
            real, self.noise(), self.settings.objective, rng=self.rng)
        self.num_d_steps += 1
        self.d_loss = loss.item()

    def generator_step(self) -> None:
        """Update G once to fool the current D (D unchanged)."""
        loss, _ = generator_step(
            self.generator, self.discriminator, self.generator_optimizer,
            self.noise(), self.settings.objective)
        self.num_g_steps += 1
        self.g_loss = loss.item()

    def run(self, num_steps: int) -> None:
        """num_steps rounds of k D steps then one G step, as in train()."""
        for _ in range(num_steps):
            for _ in range(self.settings.discriminator_steps):
                self.discriminator_step()
            self.generator_step()

    def press(self, action, *args) -> None:
        """Run a button's action, then redraw the figure."""
        action(*args)
        self.redraw()

    def redraw(self) -> None:
        """Show real and fake points over D's heat map, and the counts."""
        with evaluating(self.generator):
            fake = self.generator(self.fixed_z).float().cpu()
        title = f"after {self.num_d_steps} D and {self.num_g_steps} G steps"
        self.show(plot_points(self.real, fake,
                              discriminator=self.discriminator,
                              extent=self.extent,
                              resolution=self.resolution, title=title))
        losses = [f"{name} loss {value:.3f}" for name, value
                  in [("D", self.d_loss), ("G", self.g_loss)]
                  if value is not None]
        self.status.value = "; ".join([title, *losses])
