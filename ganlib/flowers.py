"""Flowers drawn with torch math: a data set with visible variety.

Each flower is a polar petal mask r < R (b + (1 - b) |cos(k (theta - phi)
/ 2)|^s) with k petals (3 to 8, the label), on a stem, with a round centre,
over a sky-to-grass background. Petal colour, size, shape, rotation and
centre colour vary, so a GAN that covers only some of them is easy to see.
Edges are anti-aliased with a one-pixel soft ramp.
"""
import math

import torch
from torch import Tensor

PETAL_COUNTS = tuple(range(3, 9))  # label i <-> PETAL_COUNTS[i] petals
PETAL_COLOURS = torch.tensor([  # RGB in [0, 1]
    [0.86, 0.12, 0.15],  # red
    [0.95, 0.45, 0.65],  # pink
    [0.98, 0.55, 0.10],  # orange
    [0.98, 0.85, 0.15],  # yellow
    [0.55, 0.25, 0.75],  # purple
    [0.25, 0.40, 0.90],  # blue
    [0.97, 0.97, 0.97],  # white
])
CENTRE_COLOURS = torch.tensor([
    [0.99, 0.80, 0.10],  # yellow
    [0.40, 0.22, 0.08],  # brown
    [0.10, 0.08, 0.08],  # near black
    [0.95, 0.50, 0.05],  # orange
])
STEM_COLOUR = torch.tensor([0.20, 0.50, 0.15])


def _uniform(n: int, low: float, high: float, rng) -> Tensor:
    """(n, 1, 1) values uniform in [low, high)."""
    return low + (high - low) * torch.rand(n, 1, 1, generator=rng)


def _pick(palette: Tensor, n: int, rng, jitter: float) -> Tensor:
    """(n, 3, 1, 1) random palette colours, each channel jittered."""
    index = torch.randint(len(palette), (n,), generator=rng)
    noise = jitter * (2 * torch.rand(n, 3, generator=rng) - 1)
    return (palette[index] + noise).clamp(0, 1)[:, :, None, None]


def _ramp(inside: Tensor, pixel: float) -> Tensor:
    """(n, 1, H, W) coverage 0..1 from a signed distance (> 0 inside)."""
    return (inside / pixel + 0.5).clamp(0, 1).unsqueeze(1)


def _paint(canvas: Tensor, colour: Tensor, alpha: Tensor) -> Tensor:
    """Alpha-blend colour over canvas: (n, 3, H, W)."""
    return canvas * (1 - alpha) + colour * alpha


def random_looks(num_petals: Tensor, *,
                 rng: torch.Generator) -> dict[str, Tensor]:
    """Random position, size, shape and colours for len(num_petals) flowers.

    Positions and lengths are in image half-widths (the image spans
    [-1, 1]); scalars have shape (N, 1, 1), colours (N, 3, 1, 1).
    """
    n, sky = len(num_petals), torch.tensor([[0.70, 0.85, 0.97]])
    radius = _uniform(n, 0.5, 0.8, rng)  # R: petal tips
    return {
        "petals": num_petals.float()[:, None, None],  # k
        "sky": _pick(sky, n, rng, 0.08),
        "grass": _pick(torch.tensor([[0.45, 0.70, 0.35]]), n, rng,
                       0.08),
        "x": _uniform(n, -0.12, 0.12, rng),  # flower centre
        "y": _uniform(n, -0.2, 0.0, rng),  # (y points down)
        "radius": radius,
        "phi": _uniform(n, 0, 2 * math.pi, rng),  # rotation
        "sharpness": _uniform(n, 0.6, 2.0, rng),  # s > 1: thin
        "base": _uniform(n, 0.2, 0.35, rng),  # b: where petals part
        "petal_colour": _pick(PETAL_COLOURS, n, rng, 0.06),
        "centre_radius": radius * _uniform(n, 0.18, 0.3, rng),
        "centre_colour": _pick(CENTRE_COLOURS, n, rng, 0.05),
    }


def _polar(looks: dict, image_size: int) -> tuple[Tensor, ...]:
    """Pixel grid (y, x) and polar (rho, theta) around each flower centre."""
    centres = (torch.arange(image_size) + 0.5) * 2 / image_size - 1
    y, x = torch.meshgrid(centres, centres, indexing="ij")  # y points down
    dx, dy = x - looks["x"], y - looks["y"]
    return y, x, torch.sqrt(dx ** 2 + dy ** 2), torch.atan2(dy, dx)


def petal_edge(looks: dict, theta: Tensor) -> Tensor:
    """Petal outline radius R (b + (1 - b) |cos(k (theta - phi) / 2)|^s)."""
    k, phi = looks["petals"], looks["phi"]
    lobes = torch.cos(k * (theta - phi) / 2).abs() ** looks["sharpness"]
    return looks["radius"] * (looks["base"] + (1 - looks["base"]) * lobes)


def render_flowers(looks: dict, *, image_size: int) -> Tensor:
    """Draw flowers described by ``looks``: (N, 3, size, size) in [0, 1]."""
    pixel = 2.0 / image_size  # one pixel, in image half-widths
    y, x, rho, theta = _polar(looks, image_size)
    # background: pale sky at the top blending into grass at the bottom
    blend = ((y + 1) / 2)[None, None]
    canvas = looks["sky"] * (1 - blend) + looks["grass"] * blend
    # stem: a vertical bar from the flower centre to the bottom edge
    stem = torch.minimum(0.05 - (x - looks["x"]).abs(), y - looks["y"])
    canvas = _paint(canvas, STEM_COLOUR[None, :, None, None],
                    _ramp(stem, pixel))
    # petals, darker towards the middle
    edge = petal_edge(looks, theta)
    shade = (0.65 + 0.35 * (rho / edge).clamp(0, 1)).unsqueeze(1)
    canvas = _paint(canvas, looks["petal_colour"] * shade,
                    _ramp(edge - rho, pixel))
    # centre disc, with a darker rim
    centre_radius = looks["centre_radius"]
    rim = (1 - 0.35 * (rho / centre_radius).clamp(0, 1) ** 4).unsqueeze(1)
    canvas = _paint(canvas, looks["centre_colour"] * rim,
                    _ramp(centre_radius - rho, pixel))
    return canvas.clamp(0, 1)


def draw_flowers(num_petals: Tensor, *, image_size: int,
                 rng: torch.Generator) -> Tensor:
    """(N,) petal counts -> (N, 3, image_size, image_size) RGB in [0, 1]."""
    looks = random_looks(num_petals, rng=rng)
    return render_flowers(looks, image_size=image_size)
