"""The step-by-step trainer widget: press "one D step", "one G step".

Each button runs the very functions train() uses (discriminator_step,
generator_step, training_round), then redraws the real and fake points
over D's heat map. Create it with
ganlib.widgets.step_trainer(generator, discriminator, data).
"""
import ipywidgets as widgets
import torch
from torch import Tensor, nn

from ganlib.data import random_batch
from ganlib.models import device_of, evaluating
from ganlib.noise import fixed_noise, sample_noise
from ganlib.plotting import default_extent, plot_points
from ganlib.settings import TrainSettings
from ganlib.speed import speed_plan
from ganlib.train import discriminator_step, generator_step, training_round
from ganlib.widgets.picture_box import PictureBox


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
        self.fixed_z = fixed_noise(num_points, generator.latent_dim,
                                   seed=settings.seed, device=device)
        self.real = data[:num_points].detach().float().cpu()
        self.extent = default_extent(data)
        speed = speed_plan(settings.speed, device)  # Adam as train() makes it
        self.generator_optimizer = speed.adam(
            generator, settings.generator_lr, settings.betas)
        self.discriminator_optimizer = speed.adam(
            discriminator, settings.discriminator_lr, settings.betas)
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

    def real_batch(self) -> Tensor:
        """(batch_size, 2) random real points from the trainer's RNG."""
        return random_batch(self.data, self.settings.batch_size,
                            rng=self.rng)

    def discriminator_step(self) -> None:
        """Update D once on a real batch and a fake batch (G unchanged)."""
        loss, _, _ = discriminator_step(
            self.generator, self.discriminator, self.discriminator_optimizer,
            self.real_batch(), self.noise(), self.settings.objective,
            rng=self.rng)
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
        if num_steps < 1:
            return
        k = self.settings.discriminator_steps
        for _ in range(num_steps):
            row = training_round(
                self.generator, self.discriminator, self.generator_optimizer,
                self.discriminator_optimizer, self.real_batch, self.noise,
                self.settings.objective, discriminator_steps=k, rng=self.rng)
        self.num_d_steps += k * num_steps
        self.num_g_steps += num_steps
        self.d_loss = float(row.discriminator_loss)
        self.g_loss = float(row.generator_loss)

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
