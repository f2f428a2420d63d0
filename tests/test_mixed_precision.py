"""Mixed precision: autocast with fresh weights, and fp16 with loss scaling,
the path GPUs without bf16 units (a T4) train on.

A CPU runs fp16 autocast and torch's GradScaler too (slowly), so the
path is tested here end to end; only its speed needs a GPU.
"""
import dataclasses
import importlib

import pytest
import torch

from ganlib import speed as speed_module
from ganlib.losses import NONSATURATING
from ganlib.models import (DCGANDiscriminator, DCGANGenerator,
                           MLPDiscriminator, MLPGenerator)
from ganlib.settings import TrainSettings
from ganlib.speed import Speed
from ganlib.speed import (NO_LOSS_SCALING, SpeedPlan, loss_scaler,
                          speed_plan)
from ganlib.train import discriminator_step, generator_step, train

from bar_images import bar_images, mean_image_error

# ganlib.train is also the name of the function ganlib exports
train_module = importlib.import_module("ganlib.train")

if not hasattr(torch.amp, "GradScaler"):  # torch 2.1, 2.2: CUDA only
    pytest.skip("this torch has no GradScaler for CPU tensors",
                allow_module_level=True)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_autocast_sees_weights_an_optimizer_changed_inside_it(dtype):
    # The loop steps D's optimizer inside one autocast context, then runs
    # the G step through D: it must see D's new weights, not a 16-bit
    # copy of the old ones cached by autocast.
    plan = SpeedPlan(device=torch.device("cpu"), autocast_dtype=dtype,
                     channels_last=False, fused_adam=False, compile=False,
                     compile_mode=None)
    torch.manual_seed(0)
    layer, x = torch.nn.Linear(4, 3), torch.randn(5, 4)
    with plan.autocast():
        before = layer(x)
        with torch.no_grad():
            layer.weight.add_(1.0)  # what optimizer.step() does
        after = layer(x)
    assert after.dtype == dtype
    expected = x @ layer.weight.detach().T + layer.bias.detach()
    assert torch.allclose(after.float(), expected, atol=0.1)
    assert not torch.allclose(after.float(), before.float(), atol=0.1)


def mlp_pair(seed=0):
    torch.manual_seed(seed)
    return MLPGenerator(hidden_dim=16), MLPDiscriminator(hidden_dim=16)


def weights(model):
    return [p.detach().clone() for p in model.parameters()]


def one_round(scaler):
    """A D step and a G step on fixed data; the weights after them."""
    generator, discriminator = mlp_pair()
    real, z = torch.randn(32, 2), torch.randn(32, 2)
    d_adam = torch.optim.Adam(discriminator.parameters(), lr=1e-3)
    g_adam = torch.optim.Adam(generator.parameters(), lr=1e-3)
    discriminator_step(generator, discriminator, d_adam, real, z,
                       NONSATURATING, scaler=scaler)
    generator_step(generator, discriminator, g_adam, z, NONSATURATING,
                   scaler=scaler)
    return weights(generator) + weights(discriminator)


def test_scaled_steps_equal_plain_steps_in_fp32():
    # The scale is a power of two: multiplying the loss by it and the
    # gradients by its inverse is exact in fp32, so Adam sees the very
    # same gradients.
    scaler = loss_scaler("cpu", enabled=True)
    assert scaler.get_scale() == 2.0 ** 16
    for scaled, plain in zip(one_round(scaler), one_round(NO_LOSS_SCALING)):
        assert torch.equal(scaled, plain)


def test_a_step_whose_gradients_overflowed_is_skipped_and_the_scale_halves():
    generator, discriminator = mlp_pair()
    adam = torch.optim.Adam(discriminator.parameters(), lr=1e-3)
    scaler = loss_scaler("cpu", enabled=True)
    first = next(discriminator.parameters())
    hook = first.register_hook(lambda grad: grad * float("inf"))
    before = weights(discriminator)
    loss, _, _ = discriminator_step(generator, discriminator, adam,
                                    torch.randn(32, 2), torch.randn(32, 2),
                                    NONSATURATING, scaler=scaler)
    assert torch.isfinite(loss)
    assert all(torch.equal(a, b) for a, b in
               zip(weights(discriminator), before))  # no step taken
    assert scaler.get_scale() == 2.0 ** 15
    hook.remove()
    discriminator_step(generator, discriminator, adam, torch.randn(32, 2),
                       torch.randn(32, 2), NONSATURATING, scaler=scaler)
    assert not torch.equal(first, before[0])  # finite again: it steps


def in_fp16(monkeypatch, **scaler_settings):
    """Make train() plan fp16 autocast with loss scaling on the CPU (with
    these GradScaler settings)."""
    def fp16_plan(speed, device, **kwargs):
        return dataclasses.replace(speed_plan(speed, device, **kwargs),
                                   autocast_dtype=torch.float16)
    monkeypatch.setattr(train_module, "speed_plan", fp16_plan)
    monkeypatch.setattr(speed_module, "loss_scaler", lambda device_type, *,
                        enabled: torch.amp.GradScaler(
                            device_type, enabled=enabled, **scaler_settings))


def dcgan_run(settings, seed=0):
    torch.manual_seed(seed)
    return train(DCGANGenerator(latent_dim=8, image_size=16, width=8),
                 DCGANDiscriminator(image_size=16, width=8), bar_images(),
                 settings)


SETTINGS = TrainSettings(num_steps=300, batch_size=32, log_every=10,
                         sample_every=300, num_fixed_samples=64,
                         generator_lr=1e-3, discriminator_lr=1e-3,
                         progress=False, device="cpu")


def test_a_dcgan_learns_in_fp16_with_loss_scaling(monkeypatch):
    in_fp16(monkeypatch)
    dtypes = []
    forward = DCGANDiscriminator.forward
    monkeypatch.setattr(DCGANDiscriminator, "forward", lambda self, x: (
        dtypes.append((logits := forward(self, x)).dtype) or logits))
    history = dcgan_run(SETTINGS)
    assert set(dtypes) == {torch.float16}
    # The gap between the mean fake and the mean image, untrained near
    # 1.00; after 300 steps 0.14-0.29 over seeds 0-7 on this project's
    # CPU (in fp32: 0.12-0.31).
    (_, before), (_, after) = history.samples[0], history.samples[-1]
    assert mean_image_error(before, bar_images()) > 0.9
    assert mean_image_error(after, bar_images()) < 0.5


def test_an_fp16_run_resumes_exactly_with_its_scale(monkeypatch, tmp_path):
    # A scale far too large overflows the first steps (skipped, halved)
    # and one that grows every 3 steps keeps changing: the scaler's state
    # matters, and a resume must carry it.
    in_fp16(monkeypatch, init_scale=2.0 ** 60, growth_interval=3)
    settings = dataclasses.replace(SETTINGS, num_steps=20, log_every=5,
                                   sample_every=10)
    whole = dcgan_run(settings)
    path = tmp_path / "run.pt"
    saving = dataclasses.replace(settings, checkpoint_path=str(path),
                                 checkpoint_every=10)
    dcgan_run(dataclasses.replace(saving, num_steps=10))
    state = torch.load(path, weights_only=False)
    assert 0 < state["loss_scaler"]["scale"] < 2.0 ** 60
    resumed = dcgan_run(saving)
    assert resumed.discriminator_loss == whole.discriminator_loss
    assert torch.equal(resumed.samples[-1][1], whole.samples[-1][1])


@pytest.mark.parametrize("capability, expected", [
    ((7, 5), None), ((9, 0), torch.bfloat16)])
def test_a_gradient_penalty_trains_in_fp32_where_fp16_would_be_used(
        monkeypatch, capability, expected):
    # A WGAN-GP critic in fp16 with loss scaling never took a step here:
    # every second backward overflowed, so the scale fell to 0.
    monkeypatch.setattr(torch.cuda, "get_device_capability",
                        lambda device=None: capability)
    cuda = torch.device("cuda")
    assert speed_plan(Speed(), cuda).autocast_dtype is not None
    assert speed_plan(Speed(), cuda,
                      penalties=True).autocast_dtype is expected


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
@pytest.mark.parametrize("force_fp16", [False, True])
def test_a_dcgan_learns_on_a_gpu_in_its_precision(monkeypatch, force_fp16):
    # The precision this GPU gets (bf16 from compute capability 8.0, fp16
    # with loss scaling on 7.x), and fp16 with loss scaling on any GPU.
    if force_fp16:
        in_fp16(monkeypatch)
    settings = dataclasses.replace(SETTINGS, device="cuda")
    history = dcgan_run(settings)
    (_, before), (_, after) = history.samples[0], history.samples[-1]
    assert mean_image_error(before, bar_images()) > 0.9
    assert mean_image_error(after, bar_images()) < 0.5
