import contextlib
import copy
import dataclasses
import importlib
import math
import sys

import pytest
import torch
from torch import nn

from ganlib import speed as speed_module
from ganlib.data import ring_target
from ganlib.losses import (NONSATURATING, WGAN_GP, bce_discriminator_loss,
                           nonsaturating_generator_loss,
                           gradient_penalty, r1_penalty, r1_term,
                           wasserstein_critic_loss)
from ganlib.models import (DCGANDiscriminator, DCGANGenerator,
                           MLPDiscriminator, MLPGenerator, frozen)
from ganlib.settings import TrainSettings
from ganlib.speed import Speed
from ganlib.train import (discriminator_step, generator_step,
                          learning_rate_factor, pick_device, train)

from bar_images import bar_images, mean_image_error

TINY = TrainSettings(num_steps=20, batch_size=32, log_every=5,
                     sample_every=10, num_fixed_samples=16, progress=False,
                     device="cpu")


def tiny_models(seed=0):
    torch.manual_seed(seed)
    return (MLPGenerator(hidden_dim=16), MLPDiscriminator(hidden_dim=16))


def ring_data(num_samples=1000):
    return ring_target().sample(num_samples,
                                rng=torch.Generator().manual_seed(0))


def copy_parameters(model):
    return [p.detach().clone() for p in model.parameters()]


def same_parameters(model, saved):
    return all(torch.equal(a, b) for a, b in zip(model.parameters(), saved))


def assert_same_history(a, b):
    for name in ("step", "discriminator_loss", "generator_loss",
                 "real_score", "fake_score"):
        assert getattr(a, name) == getattr(b, name), name
    assert [s for s, _ in a.samples] == [s for s, _ in b.samples]
    for (_, x), (_, y) in zip(a.samples, b.samples):
        assert torch.equal(x, y)


def test_pick_device_honours_choice_then_cuda_mps_cpu(monkeypatch):
    assert pick_device("cpu") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert pick_device() == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert pick_device() == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device() == torch.device("cuda")


def test_discriminator_step_leaves_generator_unchanged():
    generator, discriminator = tiny_models()
    optimizer = torch.optim.Adam(discriminator.parameters(), lr=1e-2)
    saved_g, saved_d = (copy_parameters(generator),
                        copy_parameters(discriminator))
    loss, real_logits, fake_logits = discriminator_step(
        generator, discriminator, optimizer, ring_data(8), torch.randn(8, 2),
        NONSATURATING)
    assert same_parameters(generator, saved_g)
    assert all(p.grad is None for p in generator.parameters())
    assert not same_parameters(discriminator, saved_d)
    assert real_logits.shape == fake_logits.shape == (8, 1)
    assert not (loss.requires_grad or real_logits.requires_grad)


def test_discriminator_steps_learn_to_tell_real_from_fixed_fakes():
    generator, discriminator = tiny_models()
    optimizer = torch.optim.Adam(discriminator.parameters(), lr=1e-2)
    real, z = ring_data(64), torch.randn(64, 2)
    losses = [discriminator_step(generator, discriminator, optimizer, real,
                                 z, NONSATURATING)[0] for _ in range(50)]
    assert losses[0] > 1.0 and losses[-1] < 0.3  # from ~2 log 2 to ~0


def test_generator_step_leaves_discriminator_unchanged():
    generator, discriminator = tiny_models()
    optimizer = torch.optim.Adam(generator.parameters(), lr=1e-2)
    saved_g, saved_d = (copy_parameters(generator),
                        copy_parameters(discriminator))
    z = torch.randn(8, 2)
    loss, fake_logits = generator_step(generator, discriminator, optimizer,
                                       z, NONSATURATING)
    assert same_parameters(discriminator, saved_d)
    assert not same_parameters(generator, saved_g)
    expected = nonsaturating_generator_loss(discriminator(generator(z)))
    assert expected < loss  # the step raised D(G(z)) for the same z


def test_generator_step_computes_no_gradient_for_the_discriminator():
    generator, discriminator = tiny_models()
    optimizer = torch.optim.Adam(generator.parameters(), lr=1e-2)
    generator_step(generator, discriminator, optimizer, torch.randn(8, 2),
                   NONSATURATING)
    assert all(w.grad is None for w in discriminator.parameters())
    assert all(w.grad is not None for w in generator.parameters())
    assert all(w.requires_grad for w in discriminator.parameters())


def test_freezing_the_discriminator_leaves_the_generator_step_as_it_was():
    """The same G update, bit for bit, as with D's weight gradients."""
    generator, discriminator = tiny_models()
    twin_g, twin_d = copy.deepcopy(generator), copy.deepcopy(discriminator)
    z = torch.randn(16, 2)
    adam = torch.optim.Adam(generator.parameters(), lr=1e-2)
    loss, _ = generator_step(generator, discriminator, adam, z,
                             NONSATURATING)
    twin_adam = torch.optim.Adam(twin_g.parameters(), lr=1e-2)
    twin_loss = nonsaturating_generator_loss(twin_d(twin_g(z)))
    twin_loss.backward()  # D's weights get their gradients here
    twin_adam.step()
    assert all(w.grad is not None for w in twin_d.parameters())
    assert torch.equal(loss, twin_loss.detach())
    for mine, theirs in zip(generator.parameters(), twin_g.parameters()):
        assert torch.equal(mine, theirs)


def test_frozen_restores_only_the_weights_it_froze_even_on_error():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    model[0].bias.requires_grad_(False)  # frozen by its owner
    with pytest.raises(RuntimeError, match="inside"):
        with frozen(model):
            assert not any(w.requires_grad for w in model.parameters())
            x = torch.randn(4, 2, requires_grad=True)
            model(x).sum().backward()
            assert x.grad is not None  # gradients still reach the input
            assert all(w.grad is None for w in model.parameters())
            raise RuntimeError("inside")
    assert [w.requires_grad for w in model.parameters()] \
        == [True, False, True, True]


def test_gradient_penalty_is_added_with_its_weight():
    generator, discriminator = tiny_models()
    real, z = ring_data(8), torch.randn(8, 2)
    rng = torch.Generator().manual_seed(3)
    fake = generator(z).detach()
    expected = (wasserstein_critic_loss(discriminator(real),
                                        discriminator(fake))
                + 10 * gradient_penalty(discriminator, real, fake,
                                        rng=rng))
    optimizer = torch.optim.SGD(discriminator.parameters(), lr=0.0)
    loss, _, _ = discriminator_step(
        generator, discriminator, optimizer, real, z, WGAN_GP,
        rng=torch.Generator().manual_seed(3))
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_r1_penalty_is_added_with_its_weight():
    generator, discriminator = tiny_models()
    real, z = ring_data(8), torch.randn(8, 2)
    objective = NONSATURATING.with_penalty(r1_term, 5.0)
    expected = (bce_discriminator_loss(discriminator(real),
                                       discriminator(generator(z)))
                + 5.0 * r1_penalty(discriminator, real))
    optimizer = torch.optim.SGD(discriminator.parameters(), lr=0.0)
    loss, _, _ = discriminator_step(generator, discriminator, optimizer,
                                    real, z, objective)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_history_has_a_row_every_log_every_steps_and_at_the_end():
    settings = dataclasses.replace(TINY, num_steps=23)
    history = train(*tiny_models(), ring_data(), settings)
    assert history.step == [5, 10, 15, 20, 23]
    assert len(history.discriminator_loss) == len(history.fake_score) == 5
    assert all(0 < s < 1 for s in history.real_score + history.fake_score)
    assert [step for step, _ in history.samples] == [0, 10, 20, 23]
    assert history.samples[0][1].shape == (16, 2)


def test_k_discriminator_steps_per_generator_step(monkeypatch):
    calls = []
    module = importlib.import_module("ganlib.train")  # not the function
    monkeypatch.setattr(module, "discriminator_step",
                        counting(calls, "D", discriminator_step))
    monkeypatch.setattr(module, "generator_step",
                        counting(calls, "G", generator_step))
    settings = dataclasses.replace(TINY, num_steps=3, discriminator_steps=3)
    train(*tiny_models(), ring_data(), settings)
    assert "".join(calls) == "DDDG" * 3


def counting(calls, letter, step_function):
    def wrapper(*args, **kwargs):
        calls.append(letter)
        return step_function(*args, **kwargs)
    return wrapper


def test_on_step_sees_every_step_number():
    seen = []
    train(*tiny_models(), ring_data(), TINY,
          on_step=lambda step, g, d, history: seen.append(step))
    assert seen == list(range(1, 21))


def reads_from_ganlib(reads, name, method):
    def wrapper(tensor, *args):
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller.startswith("ganlib"):  # not torch.optim's own .item()
            reads.append(name)
        return method(tensor, *args)
    return wrapper


def test_losses_are_read_from_the_device_only_every_log_every(monkeypatch):
    reads = []
    for name in ("item", "tolist", "cpu"):
        method = getattr(torch.Tensor, name)
        monkeypatch.setattr(torch.Tensor, name,
                            reads_from_ganlib(reads, name, method))
    settings = dataclasses.replace(TINY, num_steps=20, log_every=10,
                                   sample_every=1000)
    train(*tiny_models(), ring_data(), settings)
    # before the loop: the data's fingerprint (for checkpoints) and the
    # fixed-noise samples; then one read per history row; samples after
    assert reads == ["cpu", "cpu", "tolist", "tolist", "cpu"]


def test_same_seed_gives_same_samples_other_seed_other_samples():
    first = train(*tiny_models(), ring_data(), TINY)
    again = train(*tiny_models(), ring_data(), TINY)
    assert_same_history(first, again)
    other = train(*tiny_models(), ring_data(),
                  dataclasses.replace(TINY, seed=1))
    assert not torch.equal(first.samples[-1][1], other.samples[-1][1])


def test_cuda_only_switches_change_nothing_on_cpu():
    fast = dataclasses.replace(TINY, speed=Speed(
        mixed_precision=True, channels_last=True, fused_adam=True))
    plain = dataclasses.replace(TINY, speed=Speed(
        mixed_precision=False, channels_last=False, fused_adam=False))
    assert_same_history(train(*tiny_models(), ring_data(), fast),
                        train(*tiny_models(), ring_data(), plain))


def tiny_dcgan_run(settings):
    torch.manual_seed(0)
    generator = DCGANGenerator(latent_dim=8, image_size=16, width=8)
    discriminator = DCGANDiscriminator(image_size=16, width=8)
    images = torch.rand(64, 1, 16, 16) * 2 - 1
    return train(generator, discriminator, images, settings)


@pytest.mark.parametrize("speed", [Speed(), Speed(cpu_bf16=True)],
                         ids=["fp32", "cpu_bf16"])
def test_a_dcgan_learns_the_same_with_or_without_d_frozen(monkeypatch,
                                                          speed):
    """Freezing D in the G step saves work and changes no bit: the same
    losses and samples, with BatchNorm and convolutions, in bf16 too."""
    settings = dataclasses.replace(TINY, num_steps=4, log_every=1,
                                   sample_every=2, speed=speed)
    with_d_frozen = tiny_dcgan_run(settings)
    train_module = importlib.import_module("ganlib.train")
    monkeypatch.setattr(train_module, "frozen", contextlib.nullcontext)
    assert_same_history(tiny_dcgan_run(settings), with_d_frozen)


def test_cpu_bf16_is_ignored_on_a_cpu_without_bf16_units(monkeypatch):
    monkeypatch.setattr(speed_module, "cpu_has_native_bf16", lambda: False)
    settings = dataclasses.replace(TINY, num_steps=3, log_every=1)
    assert_same_history(
        tiny_dcgan_run(dataclasses.replace(settings,
                                           speed=Speed(cpu_bf16=True))),
        tiny_dcgan_run(settings))


def test_cpu_bf16_runs_in_bf16_where_the_cpu_has_it(monkeypatch):
    if not speed_module.cpu_has_native_bf16():
        pytest.skip("this CPU has no native bf16")
    dtypes = []
    forward = DCGANDiscriminator.forward

    def recording_forward(self, x):
        logits = forward(self, x)
        dtypes.append(logits.dtype)
        return logits

    monkeypatch.setattr(DCGANDiscriminator, "forward", recording_forward)
    settings = dataclasses.replace(TINY, num_steps=3, log_every=1,
                                   speed=Speed(cpu_bf16=True))
    history = tiny_dcgan_run(settings)
    assert set(dtypes) == {torch.bfloat16}
    assert all(map(math.isfinite, history.discriminator_loss))
    assert history.samples[-1][1].dtype == torch.float32


def test_compile_passes_its_mode_to_torch_compile(monkeypatch):
    # Compiling for real takes minutes on a CPU: record the calls instead.
    modes = []
    monkeypatch.setattr(torch, "compile",
                        lambda model, mode=None: modes.append(mode) or model)
    settings = dataclasses.replace(TINY, num_steps=2, speed=Speed(
        compile=True, compile_mode="reduce-overhead"))
    train(*tiny_models(), ring_data(), settings)
    assert modes == ["reduce-overhead", "reduce-overhead"]  # G and D
    modes.clear()
    train(*tiny_models(), ring_data(), dataclasses.replace(TINY, num_steps=2))
    assert modes == []  # compile=False compiles nothing


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    settings = dataclasses.replace(TINY, num_steps=40)
    uninterrupted = train(*tiny_models(), ring_data(), settings)
    path = str(tmp_path / "run.pt")
    first_half = dataclasses.replace(settings, num_steps=20,
                                     checkpoint_path=path)
    train(*tiny_models(), ring_data(), first_half)
    generator, discriminator = tiny_models(seed=99)  # weights come from disk
    resumed = train(generator, discriminator, ring_data(),
                    dataclasses.replace(first_half, num_steps=40))
    assert_same_history(resumed, uninterrupted)


@pytest.mark.parametrize("lr_decay", ["constant", "linear"])
def test_crashed_run_resumes_from_its_last_checkpoint(tmp_path, lr_decay):
    path = str(tmp_path / "run.pt")
    settings = dataclasses.replace(TINY, num_steps=30, log_every=4,
                                   checkpoint_every=10, checkpoint_path=path,
                                   lr_decay=lr_decay)

    def crash_at_step_17(step, generator, discriminator, history):
        if step == 17:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(*tiny_models(), ring_data(), settings,
              on_step=crash_at_step_17)
    resumed = train(*tiny_models(seed=5), ring_data(), settings)
    uninterrupted = train(*tiny_models(), ring_data(),
                          dataclasses.replace(settings, checkpoint_path=None))
    assert_same_history(resumed, uninterrupted)


def test_linear_decay_takes_both_lrs_from_full_to_zero():
    settings = dataclasses.replace(TINY, num_steps=4, lr_decay="linear",
                                   generator_lr=1e-3, discriminator_lr=4e-3)
    factors = [learning_rate_factor(settings, step) for step in range(4)]
    assert factors == [1.0, 0.75, 0.5, 0.25]  # 1 - step / num_steps
    constant = dataclasses.replace(settings, lr_decay="constant")
    assert learning_rate_factor(constant, 3) == 1.0


def test_train_steps_with_the_decayed_learning_rates(monkeypatch):
    seen = []
    adam_step = torch.optim.Adam.step

    def recording_step(self, *args, **kwargs):
        seen.append(self.param_groups[0]["lr"])
        return adam_step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", recording_step)
    settings = dataclasses.replace(TINY, num_steps=4, lr_decay="linear",
                                   generator_lr=1e-3, discriminator_lr=4e-3)
    train(*tiny_models(), ring_data(), settings)
    # per step: the D update, then the G update
    expected = [lr * (1 - step / 4) for step in range(4)
                for lr in (4e-3, 1e-3)]
    assert seen == pytest.approx(expected)


def test_resume_with_other_batch_size_warns(tmp_path):
    settings = dataclasses.replace(TINY, num_steps=5,
                                   checkpoint_path=str(tmp_path / "r.pt"))
    train(*tiny_models(), ring_data(), settings)
    with pytest.warns(UserWarning, match="batch_size"):
        train(*tiny_models(), ring_data(),
              dataclasses.replace(settings, batch_size=8, num_steps=6))


def test_bad_settings_and_data_raise_clear_errors():
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        TrainSettings(batch_size=0)
    with pytest.raises(ValueError, match="noise must be"):
        TrainSettings(noise="gaussian")
    with pytest.raises(ValueError, match="lr_decay must be one of"):
        TrainSettings(lr_decay="cosine")
    with pytest.raises(ValueError, match="data.images"):
        train(*tiny_models(), [[0.0, 1.0]], TINY)


def test_dcgan_learns_images_with_every_switch_on():
    # Over seeds 0-4 on this project's CPU the error fell from 1.00 to
    # 0.22-0.28 in 150 steps; untrained, G's tanh outputs sit near 0.
    torch.manual_seed(0)
    generator = DCGANGenerator(latent_dim=8, image_size=16, width=8)
    discriminator = DCGANDiscriminator(image_size=16, width=8)
    images = bar_images()
    every_switch = Speed(mixed_precision=True, channels_last=True,
                         cpu_bf16=True, fused_adam=True)
    settings = dataclasses.replace(
        TINY, num_steps=150, log_every=10, num_fixed_samples=64,
        objective=WGAN_GP, generator_lr=1e-3, discriminator_lr=1e-3,
        betas=(0.5, 0.9), speed=every_switch)
    history = train(generator, discriminator, images, settings)
    (_, before), (_, after) = history.samples[0], history.samples[-1]
    assert after.shape == (64, 1, 16, 16)
    assert mean_image_error(before, images) > 0.9
    assert mean_image_error(after, images) < 0.5


@pytest.mark.parametrize("device_type, capability, cpu_has_bf16, expected", [
    ("cuda", (9, 0), False, torch.bfloat16),  # H100, H200
    ("cuda", (8, 0), False, torch.bfloat16),  # A100: the first with bf16
    ("cuda", (8, 6), False, torch.bfloat16),  # RTX 30xx
    ("cuda", (7, 5), False, torch.float16),  # Colab's T4: no bf16 units
    ("cuda", (7, 0), False, torch.float16),  # V100: fp16 tensor cores
    ("cuda", (6, 1), False, None),  # GTX 1080: no tensor cores
    ("cuda", (6, 0), False, None),  # P100
    ("mps", None, False, None),  # Apple: fp32
    ("cpu", None, True, torch.bfloat16),  # AVX512-BF16 / AMX
    ("cpu", None, False, None),  # bf16 would be emulated
])
def test_autocast_dtype_is_chosen_from_the_device(device_type, capability,
                                                  cpu_has_bf16, expected):
    assert speed_module.autocast_dtype(
        device_type, cuda_capability=capability,
        cpu_has_bf16=cpu_has_bf16) is expected


def test_autocast_dtype_needs_the_capability_of_a_cuda_device():
    with pytest.raises(ValueError, match="needs the cuda_capability"):
        speed_module.autocast_dtype("cuda")


@pytest.mark.parametrize("capability, expected", [
    ((6, 1), None), ((7, 5), torch.float16), ((8, 0), torch.bfloat16)])
def test_speed_plan_reads_the_gpus_capability(monkeypatch, capability,
                                              expected):
    monkeypatch.setattr(torch.cuda, "get_device_capability",
                        lambda device=None: capability)
    plan = speed_module.speed_plan(Speed(), torch.device("cuda"))
    assert plan.autocast_dtype is expected
    # fp16 alone needs its losses scaled
    assert plan.scales_loss == (expected is torch.float16)
    off = speed_module.speed_plan(Speed(mixed_precision=False),
                                  torch.device("cuda"))
    assert off.autocast_dtype is None
    assert not off.scales_loss


@pytest.mark.parametrize("native", [True, False])
def test_speed_plan_on_a_cpu_uses_bf16_only_where_native(monkeypatch,
                                                         native):
    monkeypatch.setattr(speed_module, "cpu_has_native_bf16", lambda: native)
    cpu = torch.device("cpu")
    asked = speed_module.speed_plan(Speed(cpu_bf16=True), cpu)
    assert asked.autocast_dtype is (torch.bfloat16 if native else None)
    # bf16: the layout is left open, for the run to measure (cpu_layout)
    assert asked.channels_last is (None if native else False)
    default = speed_module.speed_plan(Speed(), cpu)  # mixed_precision: GPU
    assert default.autocast_dtype is None and not default.channels_last
