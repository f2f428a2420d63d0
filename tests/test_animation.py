import pytest
import torch

from ganlib.animation import (
    TrainingRecorder, animate_samples, animate_training_2d,
)
from ganlib.models import MLPDiscriminator, MLPGenerator
from ganlib.train import History, TrainSettings, train


def tiny_models():
    torch.manual_seed(0)
    return (MLPGenerator(hidden_dim=8, num_layers=1),
            MLPDiscriminator(hidden_dim=8, num_layers=1))


def small_recorder(every=2) -> TrainingRecorder:
    real = torch.randn(40, 2, generator=torch.Generator().manual_seed(1))
    return TrainingRecorder(real, every=every, num_points=20, resolution=8)


def count_frames(html: str, kind: str = "jpeg") -> int:
    return html.count(f"data:image/{kind};base64,")


def test_recorder_as_on_step_keeps_every_kth_step():
    generator, discriminator = tiny_models()
    recorder = small_recorder(every=2)
    settings = TrainSettings(num_steps=6, batch_size=8, progress=False,
                             device="cpu", log_every=2, sample_every=3)
    train(generator, discriminator, recorder.real, settings,
          on_step=recorder)
    assert [frame.step for frame in recorder.frames] == [2, 4, 6]
    frame = recorder.frames[-1]
    assert frame.fake.shape == (20, 2)
    assert frame.probabilities.shape == (8, 8)
    assert 0 < frame.probabilities.min() <= frame.probabilities.max() < 1


def test_recorder_uses_the_same_noise_and_leaves_models_alone():
    generator, discriminator = tiny_models()
    before = [p.clone() for p in generator.parameters()]
    recorder = small_recorder()
    recorder.record(0, generator, discriminator)
    recorder.record(1, generator, discriminator)
    first, second = recorder.frames
    assert torch.equal(first.fake, second.fake)
    assert all(torch.equal(a, b)
               for a, b in zip(before, generator.parameters()))
    assert generator.training and discriminator.training


def test_recorder_rejects_a_zero_interval():
    with pytest.raises(ValueError, match="every must be >= 1"):
        TrainingRecorder(torch.zeros(4, 2), every=0)


def test_training_animation_is_offline_html_with_one_frame_per_snapshot():
    generator, discriminator = tiny_models()
    recorder = small_recorder()
    for step in range(3):
        recorder.record(step, generator, discriminator)
    animation = animate_training_2d(recorder, size=2.0, dpi=32)
    assert count_frames(animation.data) == 3
    assert "font-awesome" not in animation.data  # no CDN on the page
    assert 'class="fa' not in animation.data
    assert "&#9654;" in animation.data  # play button drawn with text


def test_training_animation_is_identical_when_rendered_twice():
    generator, discriminator = tiny_models()
    recorder = small_recorder()
    recorder.record(0, generator, discriminator)

    def render():
        return animate_training_2d(recorder, size=2.0, dpi=32,
                                   frame_format="png").data

    first = render()
    assert count_frames(first, "png") == 1
    assert first == render()


def test_training_animation_keeps_at_most_max_frames():
    generator, discriminator = tiny_models()
    recorder = small_recorder()
    for step in range(5):
        recorder.record(step, generator, discriminator)
    animation = animate_training_2d(recorder, max_frames=2, size=2.0,
                                    dpi=32)
    assert count_frames(animation.data) == 2


def test_training_animation_needs_frames():
    with pytest.raises(ValueError, match="the recorder has no frames"):
        animate_training_2d(small_recorder())


def test_samples_animation_plays_image_grids_and_points():
    history = History()
    history.samples = [(10, torch.zeros(4, 1, 8, 8)),
                       (20, torch.ones(4, 1, 8, 8))]
    assert count_frames(animate_samples(history, dpi=32).data) == 2
    history.samples = [(10, torch.randn(30, 2))]
    assert count_frames(animate_samples(history, dpi=32).data) == 1


def test_samples_animation_needs_samples():
    with pytest.raises(ValueError, match="history has no samples"):
        animate_samples(History())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_recorder_records_models_on_cuda():
    generator, discriminator = (model.cuda() for model in tiny_models())
    recorder = small_recorder()
    recorder.record(0, generator, discriminator)
    assert recorder.frames[0].fake.device.type == "cpu"
    assert count_frames(animate_training_2d(recorder, dpi=32).data) == 1
