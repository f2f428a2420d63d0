"""Pen strokes -> a sketch image, the way the sketch pad draws them.

A stroke is a list of (x, y) points in canvas pixels, the path a pen
followed; a drawing is a list of strokes. `strokes_to_sketch` paints every
segment as a line `line_width` image pixels thick onto a black image: a
pixel turns white (+1) when its centre lies within line_width / 2 of a
segment. That is how a sketch made with the mouse becomes the same kind
of input (white lines on black, in {-1, +1}) that `paired.sketch` makes
from a picture's edges.
"""
import torch
from torch import Tensor

Stroke = list[tuple[float, float]]


def distance_to_segment(points: Tensor, start: Tensor, end: Tensor) -> Tensor:
    """(P, 2) points -> (P,) distance to the segment from start to end."""
    direction = end - start
    length_squared = direction.dot(direction)
    if length_squared == 0:  # a dot: the segment is one point
        return (points - start).norm(dim=1)
    # t: where the nearest point of the infinite line lies, clamped to it
    t = ((points - start) @ direction / length_squared).clamp(0.0, 1.0)
    nearest = start + t[:, None] * direction
    return (points - nearest).norm(dim=1)


def strokes_to_sketch(strokes: list[Stroke], *, canvas_size: float,
                      image_size: int = 28,
                      line_width: float = 2.0) -> Tensor:
    """Strokes on a canvas_size square -> (1, 1, image_size, image_size).

    Coordinates are scaled by image_size / canvas_size; pixel (row, col)
    has its centre at (col + 0.5, row + 0.5). A one-point stroke is a dot.
    """
    if canvas_size <= 0 or line_width <= 0:
        raise ValueError(f"canvas_size and line_width must be positive, got "
                         f"{canvas_size} and {line_width}.")
    centres = torch.arange(image_size, dtype=torch.float32) + 0.5
    rows, cols = torch.meshgrid(centres, centres, indexing="ij")
    pixels = torch.stack([cols.flatten(), rows.flatten()], dim=1)  # (x, y)
    inked = torch.zeros(image_size * image_size, dtype=torch.bool)
    scale = image_size / canvas_size
    for stroke in strokes:
        path = torch.tensor(stroke, dtype=torch.float32).reshape(-1, 2)
        path = path * scale
        if len(path) == 1:
            path = path.repeat(2, 1)  # a dot
        for start, end in zip(path[:-1], path[1:]):
            inked |= distance_to_segment(pixels, start, end) <= line_width / 2
    sketch = torch.where(inked, 1.0, -1.0)
    return sketch.reshape(1, 1, image_size, image_size)
