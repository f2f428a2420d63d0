import json

import pytest
import torch

from ganlib import cpu_layout, speed as speed_module
from ganlib.models import DCGANDiscriminator, DCGANGenerator
from ganlib.settings import TrainSettings
from ganlib.speed import Speed
from ganlib.train import train


def tiny_models():
    torch.manual_seed(0)
    return (DCGANGenerator(latent_dim=8, image_size=16, width=8),
            DCGANDiscriminator(image_size=16, width=8))


IMAGES = torch.rand(64, 1, 16, 16) * 2 - 1


def fake_timer(ms_nchw: float, ms_nhwc: float, calls: list):
    def timer(generator, discriminator, real, dtype, *, channels_last):
        calls.append(channels_last)
        return (ms_nhwc if channels_last else ms_nchw) / 1000
    return timer


@pytest.mark.parametrize("ms_nchw, ms_nhwc, expected", [
    (460.0, 110.0, True),  # the 28 px DCGAN on this project's CPU
    (570.0, 3000.0, False),  # the 64 px DCGAN
    (100.0, 95.0, False),  # within the margin: NCHW, as plain fp32
])
def test_the_faster_layout_is_chosen_and_written_once(tmp_path, ms_nchw,
                                                      ms_nhwc, expected):
    calls = []
    timer = fake_timer(ms_nchw, ms_nhwc, calls)
    choose = lambda: cpu_layout.choose_channels_last(  # noqa: E731
        *tiny_models(), IMAGES, 32, torch.bfloat16, cache_dir=tmp_path,
        timer=timer)
    assert choose() is expected
    # each layout timed REPEATS times, in turn
    assert calls == [False, True] * cpu_layout.REPEATS
    saved, = json.loads((tmp_path / cpu_layout.CHOICES_FILE)
                        .read_text()).values()
    assert saved["channels_last"] is expected
    assert saved["ms_nchw"] == [ms_nchw] * cpu_layout.REPEATS
    assert choose() is expected and len(calls) == 2 * cpu_layout.REPEATS


def test_other_models_or_batches_are_measured_anew(tmp_path):
    calls = []
    timer = fake_timer(460.0, 110.0, calls)
    for batch_size in (32, 32, 16):
        cpu_layout.choose_channels_last(*tiny_models(), IMAGES, batch_size,
                                        torch.bfloat16, cache_dir=tmp_path,
                                        timer=timer)
    wider = DCGANGenerator(latent_dim=8, image_size=16, width=16)
    cpu_layout.choose_channels_last(wider, tiny_models()[1], IMAGES, 32,
                                    torch.bfloat16, cache_dir=tmp_path,
                                    timer=timer)
    assert len(calls) == 3 * 2 * cpu_layout.REPEATS


def test_points_are_never_measured(tmp_path):
    def timer(*args, **kwargs):
        raise AssertionError("2-D points have no layout to measure")
    assert cpu_layout.choose_channels_last(
        *tiny_models(), torch.randn(64, 2), 32, torch.bfloat16,
        cache_dir=tmp_path, timer=timer) is False


def test_an_unreadable_choices_file_is_measured_again(tmp_path):
    (tmp_path / cpu_layout.CHOICES_FILE).write_text("{not json")
    calls = []
    assert cpu_layout.choose_channels_last(
        *tiny_models(), IMAGES, 32, torch.bfloat16, cache_dir=tmp_path,
        timer=fake_timer(460.0, 110.0, calls)) is True
    assert calls


@pytest.mark.parametrize("channels_last", [False, True])
def test_timing_leaves_models_and_random_state_alone(channels_last):
    generator, discriminator = tiny_models()
    before = [p.clone() for m in (generator, discriminator)
              for p in m.state_dict().values()]
    state = torch.random.get_rng_state()
    seconds = cpu_layout.step_seconds(generator, discriminator, IMAGES[:8],
                                      torch.bfloat16,
                                      channels_last=channels_last, steps=1)
    assert seconds > 0
    after = [p for m in (generator, discriminator)
             for p in m.state_dict().values()]
    assert all(torch.equal(a, b) for a, b in zip(before, after))
    assert torch.equal(torch.random.get_rng_state(), state)
    assert generator.training and discriminator.training


def bf16_run(monkeypatch, tmp_path, choice: bool, layouts: list):
    """A short cpu_bf16 run whose choices file says `choice`; whether D's
    weights are NHWC at each of its calls is recorded in layouts."""
    monkeypatch.setattr(speed_module, "cpu_has_native_bf16", lambda: True)
    monkeypatch.setenv("GANLIB_CACHE", str(tmp_path))
    generator, discriminator = tiny_models()
    key = cpu_layout.models_key(generator, discriminator, (16, 1, 16, 16),
                                torch.bfloat16)
    (tmp_path / cpu_layout.CHOICES_FILE).write_text(json.dumps(
        {key: {"channels_last": choice}}))
    forward = discriminator.forward

    def recording_forward(x):  # NHWC weights (1 channel reads as both)
        layouts.append(all(
            p.is_contiguous(memory_format=torch.channels_last)
            and not p.is_contiguous()
            for p in discriminator.parameters()
            if p.ndim == 4 and p.shape[1] > 1))
        return forward(x)

    discriminator.forward = recording_forward
    settings = TrainSettings(num_steps=3, batch_size=16, log_every=1,
                             device="cpu", progress=False,
                             speed=Speed(cpu_bf16=True))
    return train(generator, discriminator, IMAGES, settings)


@pytest.mark.parametrize("choice", [False, True])
def test_a_bf16_cpu_run_trains_in_the_layout_chosen_for_its_models(
        monkeypatch, tmp_path, choice):
    layouts = []
    bf16_run(monkeypatch, tmp_path, choice, layouts)
    assert layouts and set(layouts) == {choice}


def test_the_same_seed_gives_the_same_samples_with_a_measured_layout(
        monkeypatch, tmp_path):
    monkeypatch.setattr(speed_module, "cpu_has_native_bf16", lambda: True)
    monkeypatch.setenv("GANLIB_CACHE", str(tmp_path))
    settings = TrainSettings(num_steps=3, batch_size=16, log_every=1,
                             device="cpu", progress=False,
                             speed=Speed(cpu_bf16=True))
    first = train(*tiny_models(), IMAGES, settings)  # measures, writes
    assert (tmp_path / cpu_layout.CHOICES_FILE).is_file()
    second = train(*tiny_models(), IMAGES, settings)  # reads the choice
    assert torch.equal(first.samples[-1][1], second.samples[-1][1])
