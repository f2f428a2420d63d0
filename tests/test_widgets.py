import base64

import pytest
import torch

from ganlib.models import DCGANGenerator, MLPDiscriminator, MLPGenerator
from ganlib.noise import lerp, slerp
from ganlib.train import TrainSettings
from ganlib.widgets import latent_explorer, step_trainer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def tiny_models():
    torch.manual_seed(0)
    return (MLPGenerator(hidden_dim=16, num_layers=2),
            MLPDiscriminator(hidden_dim=16, num_layers=2))


def copies(module):
    return [p.detach().clone() for p in module.parameters()]


def unchanged(before, module) -> bool:
    return all(torch.equal(a, b) for a, b in zip(before, module.parameters()))


@pytest.fixture
def trainer():
    generator, discriminator = tiny_models()
    data = torch.randn(200, 2, generator=torch.Generator().manual_seed(1))
    settings = TrainSettings(batch_size=16, discriminator_steps=2)
    return step_trainer(generator, discriminator, data, settings=settings,
                        resolution=10, num_points=50)


def test_d_button_changes_only_the_discriminator(trainer):
    g_before, d_before = copies(trainer.generator), copies(
        trainer.discriminator)
    picture = trainer.image.value
    trainer.d_button.click()
    assert unchanged(g_before, trainer.generator)
    assert not unchanged(d_before, trainer.discriminator)
    assert trainer.image.value != picture  # D's heat map was redrawn
    assert trainer.status.value.startswith("after 1 D and 0 G steps")


def test_g_button_changes_only_the_generator(trainer):
    g_before, d_before = copies(trainer.generator), copies(
        trainer.discriminator)
    trainer.g_button.click()
    assert not unchanged(g_before, trainer.generator)
    assert unchanged(d_before, trainer.discriminator)
    assert trainer.status.value.startswith("after 0 D and 1 G steps")


def test_run_button_does_k_d_steps_per_g_step(trainer):
    trainer.num_steps.value = 3
    trainer.run_button.click()
    assert (trainer.num_d_steps, trainer.num_g_steps) == (6, 3)
    assert "D loss" in trainer.status.value
    assert "G loss" in trainer.status.value


def test_trainer_display_carries_a_png_still(trainer):
    bundle = trainer._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert base64.b64decode(bundle["image/png"]) == trainer.image.value
    assert bytes(trainer.image.value).startswith(b"\x89PNG")
    assert bundle["text/plain"].startswith("step-by-step trainer")


def test_explorer_sliders_set_the_first_latent_dims():
    generator, _ = tiny_models()
    explorer = latent_explorer(generator)
    assert len(explorer.sliders) == 2  # latent_dim 2: one slider per dim
    picture = explorer.image.value
    explorer.sliders[1].value = 1.5
    assert explorer.z()[1].item() == 1.5
    assert explorer.image.value != picture


def test_explorer_walks_from_z_to_z_end_by_lerp_or_slerp():
    generator, _ = tiny_models()
    explorer = latent_explorer(generator, seed=3)
    z, z_end = explorer.z(), explorer.z_end
    torch.testing.assert_close(explorer.walk([0.3]), lerp(z, z_end, [0.3]))
    explorer.path.value = "slerp"
    torch.testing.assert_close(explorer.walk([0.3]), slerp(z, z_end, [0.3]))
    torch.testing.assert_close(explorer.walk([1.0])[0], z_end)


def test_explorer_redraws_when_t_moves_and_keeps_a_still():
    generator, _ = tiny_models()
    explorer = latent_explorer(generator, real=torch.randn(30, 2))
    picture = explorer.image.value
    explorer.t_slider.value = 0.5
    assert explorer.image.value != picture
    bundle = explorer._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]) == explorer.image.value
    assert bundle["text/plain"].startswith("latent explorer")


def test_explorer_shows_images_and_limits_the_sliders():
    torch.manual_seed(0)
    generator = DCGANGenerator(latent_dim=8, channels=1, image_size=16,
                               width=8)
    explorer = latent_explorer(generator, num_sliders=3)
    assert len(explorer.sliders) == 3
    assert explorer.z().shape == (8,)
    assert generator.training  # drawn in eval mode, then restored
    assert bytes(explorer.image.value).startswith(b"\x89PNG")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_trainer_and_explorer_run_on_cuda():
    generator, discriminator = (model.cuda() for model in tiny_models())
    data = torch.randn(100, 2, device="cuda")
    trainer = step_trainer(generator, discriminator, data, resolution=8,
                           settings=TrainSettings(batch_size=8))
    trainer.d_button.click()
    trainer.g_button.click()
    assert (trainer.num_d_steps, trainer.num_g_steps) == (1, 1)
    explorer = latent_explorer(generator, real=data)
    explorer.t_slider.value = 0.5
    assert explorer.walk([0.5]).device.type == "cuda"
