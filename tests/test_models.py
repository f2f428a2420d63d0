import pytest
import torch
from torch import nn

from ganlib.models import (DCGANDiscriminator, DCGANGenerator,
                           MLPDiscriminator, MLPGenerator, count_parameters,
                           dcgan_init_)


def reference_dcgan(nz=100, ngf=64, ndf=64, nc=3):
    """netG and netD layer lists as in pytorch/examples dcgan/main.py."""
    net_g = nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
        nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())
    net_d = nn.Sequential(
        nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, True),
        nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, True),
        nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())
    return net_g, net_d


def test_64px_dcgan_matches_pytorch_examples_parameter_counts():
    net_g, net_d = reference_dcgan()
    assert count_parameters(net_g) == 3_576_704
    assert count_parameters(net_d) == 2_765_568
    generator = DCGANGenerator(latent_dim=100, channels=3, image_size=64)
    discriminator = DCGANDiscriminator(channels=3, image_size=64)
    assert count_parameters(generator) == 3_576_704
    assert count_parameters(discriminator) == 2_765_568


def test_64px_dcgan_has_the_reference_layer_shapes():
    net_g, net_d = reference_dcgan()
    ours_g = DCGANGenerator(latent_dim=100, channels=3, image_size=64)
    ours_d = DCGANDiscriminator(channels=3, image_size=64)
    for ours, ref in ((ours_g, net_g), (ours_d, net_d)):
        shapes = [p.shape for p in ours.parameters()]
        assert shapes == [p.shape for p in ref.parameters()]


@pytest.mark.parametrize("image_size", [16, 28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes_at_every_size(image_size, channels):
    generator = DCGANGenerator(latent_dim=16, channels=channels,
                               image_size=image_size, width=8)
    discriminator = DCGANDiscriminator(channels=channels,
                                       image_size=image_size, width=8)
    fake = generator(torch.randn(3, 16))
    assert fake.shape == (3, channels, image_size, image_size)
    assert fake.abs().max() <= 1.0  # tanh output
    assert discriminator(fake).shape == (3, 1)
    assert generator.latent_dim == 16


def test_discriminator_logits_are_not_squashed_to_probabilities():
    discriminator = DCGANDiscriminator(channels=1, image_size=16, width=8)
    with torch.no_grad():
        discriminator.net[-1].weight.mul_(1000)
    logits = discriminator(torch.randn(8, 1, 16, 16))
    assert (logits.abs() > 1).any()


def test_generator_accepts_noise_shaped_as_a_1x1_image():
    generator = DCGANGenerator(latent_dim=10, image_size=16, width=8)
    generator.eval()
    z = torch.randn(2, 10)
    torch.testing.assert_close(generator(z), generator(z[:, :, None, None]))


def test_discriminator_rejects_wrong_shape_with_clear_error():
    discriminator = DCGANDiscriminator(channels=3, image_size=32, width=8)
    with pytest.raises(ValueError, match=r"\(batch, 3, 32, 32\)"):
        discriminator(torch.randn(2, 1, 32, 32))
    with pytest.raises(ValueError, match="image_size"):
        discriminator(torch.randn(2, 3, 64, 64))
    with pytest.raises(ValueError, match="got \\(3, 32, 32\\)"):
        discriminator(torch.randn(3, 32, 32))


def test_unsupported_image_size_is_rejected():
    with pytest.raises(ValueError, match="16, 28, 32, 64"):
        DCGANGenerator(image_size=48)


def test_dcgan_init_statistics():
    torch.manual_seed(0)
    generator = DCGANGenerator(channels=3, image_size=64)
    convs = [m for m in generator.modules()
             if isinstance(m, nn.ConvTranspose2d)]
    weights = torch.cat([m.weight.flatten() for m in convs])
    assert abs(weights.mean().item()) < 1e-3
    assert abs(weights.std().item() - 0.02) < 1e-3
    norms = [m for m in generator.modules() if isinstance(m, nn.BatchNorm2d)]
    scales = torch.cat([m.weight for m in norms])
    assert abs(scales.mean().item() - 1.0) < 0.01
    assert abs(scales.std().item() - 0.02) < 0.01
    assert all((m.bias == 0).all() for m in norms)


def test_dcgan_init_reaches_weights_under_spectral_norm():
    discriminator = DCGANDiscriminator(channels=1, image_size=32,
                                       spectral_norm=True)
    with torch.no_grad():
        for p in discriminator.parameters():
            p.fill_(5.0)
    dcgan_init_(discriminator)
    first = discriminator.net[0].parametrizations.weight.original
    assert first.std().item() == pytest.approx(0.02, rel=0.3)


def test_spectral_norm_bounds_the_largest_singular_value():
    torch.manual_seed(0)
    discriminator = MLPDiscriminator(spectral_norm=True)
    discriminator.train()
    for _ in range(20):  # power iterations run in training forward passes
        discriminator(torch.randn(4, 2))
    for layer in discriminator.net:
        if isinstance(layer, nn.Linear):
            sigma = torch.linalg.matrix_norm(layer.weight, ord=2)
            assert sigma.item() == pytest.approx(1.0, abs=0.05)


def test_dcgan_discriminator_without_batch_norm_for_critics():
    critic = DCGANDiscriminator(channels=1, image_size=28, width=8,
                                batch_norm=False)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in critic.modules())
    assert critic(torch.randn(2, 1, 28, 28)).shape == (2, 1)


def test_mlp_shapes_and_parameter_count():
    generator = MLPGenerator(latent_dim=2, hidden_dim=128, num_layers=3)
    discriminator = MLPDiscriminator(hidden_dim=128, num_layers=3)
    points = generator(torch.randn(5, 2))
    assert points.shape == (5, 2)
    assert discriminator(points).shape == (5, 1)
    # 2->128, 128->128, 128->128, 128->2 (weights + biases)
    expected = (2 * 128 + 128) + 2 * (128 * 128 + 128) + (128 * 2 + 2)
    assert count_parameters(generator) == expected


def test_mlp_discriminator_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"\(batch, 2\)"):
        MLPDiscriminator()(torch.randn(5, 3))


def test_generators_reject_wrong_noise_size_clearly():
    with pytest.raises(ValueError, match=r"\(batch, 10\).*sample_noise"):
        DCGANGenerator(latent_dim=10, image_size=16, width=8)(
            torch.randn(2, 7))
    with pytest.raises(ValueError, match=r"\(batch, 2\)"):
        MLPGenerator()(torch.randn(2, 3))
