"""Same results, faster: the fast path's images against the fp32 path's.

Same seed, same number of steps; quality is ganlib's Frechet distance on
its own classifier's features. Two fp32 runs that differ only in the seed
give the run-to-run noise to compare the difference with.
"""

from dataclasses import replace

import torch

from benchmarks.speed import cases
from ganlib.models import DCGANDiscriminator, DCGANGenerator
from ganlib.settings import TrainSettings

SAMPLE_SEED = 1234  # the noise every run's images are drawn from
BATCH_SIZE = 64


def new_models(image_size: int, seed: int, device: torch.device):
    """DCGAN G and D for 3-channel flowers, initialised from seed."""
    torch.manual_seed(seed)
    generator = DCGANGenerator(latent_dim=100, channels=3,
                               image_size=image_size)
    discriminator = DCGANDiscriminator(channels=3, image_size=image_size)
    return generator.to(device), discriminator.to(device)


@torch.no_grad()
def draw_images(generator, num_images: int, device) -> torch.Tensor:
    """(num_images, C, H, W) on the CPU, from fixed noise, in batches.

    Train mode, as ganlib keeps its samples: BatchNorm uses batch stats.
    """
    rng = torch.Generator(device=device).manual_seed(SAMPLE_SEED)
    images = []
    for start in range(0, num_images, BATCH_SIZE):
        count = min(BATCH_SIZE, num_images - start)
        z = torch.randn(count, generator.latent_dim, generator=rng,
                        device=device)
        images.append(generator(z).float().cpu())
    return torch.cat(images)


def frechet_after_training(name, settings, seed, data, classifier, device,
                           budget) -> dict:
    """Train from seed with these settings; Frechet distance of its images."""
    from ganlib.image_metrics import image_quality
    from ganlib.train import train

    settings = replace(settings, num_steps=budget.quality_steps, seed=seed,
                       batch_size=BATCH_SIZE, device=str(device))
    generator, discriminator = new_models(budget.quality_image_size, seed,
                                          device)
    if settings.speed.compile:
        torch._dynamo.reset()
    train(generator, discriminator, data.images, settings)
    fake = draw_images(generator, budget.quality_samples, device)
    scores = image_quality(fake, data, classifier)
    return {"name": name, "seed": seed,
            "frechet_distance": float(scores["frechet_distance"]),
            "real_vs_real": float(scores["real_vs_real"])}


def check(device: torch.device, budget, fast: TrainSettings,
          log=print) -> dict:
    """Fast path vs fp32 path (seed 0) and fp32 seed 0 vs seed 1."""
    if budget.quality_steps == 0:
        log("Quality check skipped in this budget (--quick).")
        return {"skipped": f"budget {budget.name} trains no quality runs"}
    from ganlib.features import feature_classifier
    from ganlib.images import flowers

    data = flowers(2 * budget.quality_samples,  # half A, half B
                   image_size=budget.quality_image_size,
                   seed=0)
    classifier = feature_classifier(data)
    fp32 = replace(cases.PLAIN, log_every=100)  # same numbers, fewer syncs
    plan = [("fast path, seed 0", fast, 0), ("fp32 path, seed 0", fp32, 0),
            ("fp32 path, seed 1", fp32, 1)]
    runs = []
    for name, settings, seed in plan:
        runs.append(frechet_after_training(name, settings, seed, data,
                                           classifier, device, budget))
        log(f"{name}: Frechet distance {runs[-1]['frechet_distance']:.3f}")
    difference = runs[0]["frechet_distance"] - runs[1]["frechet_distance"]
    noise = abs(runs[1]["frechet_distance"] - runs[2]["frechet_distance"])
    return {"model": f"DCGAN {budget.quality_image_size} px on flowers",
            "num_steps": budget.quality_steps, "batch_size": BATCH_SIZE,
            "num_samples": budget.quality_samples, "runs": runs,
            "difference": difference, "noise": noise,
            "within_noise": abs(difference) <= noise}
