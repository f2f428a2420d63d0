"""Draw the five steps of a GAN as one diagram (the intro's figure).

Usage: python -m scripts.five_steps_figure book/images/five_steps.png
"""
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

WIDTH, HEIGHT = 2.6, 1.4
BOXES = [  # (x centre, y centre, title, body, colour)
    (1.5, 3.2, "Training data", "real examples x\n(chapter 1)", "#cfe8cf"),
    (1.5, 0.8, "Noise", "random numbers z\n(chapter 2)", "#fde2c4"),
    (5.0, 0.8, "Generator", "turns z into G(z)\n(chapter 3)", "#fde2c4"),
    (8.5, 2.0, "Discriminator", "scores its input\n(chapter 4)",
     "#d5e3f5"),
    (12.0, 2.0, "Real or fake?", "a loss for D and\none for G "
     "(chapter 5)", "#f3d1dc"),
]
ARROWS = [  # (start, end, label, label position, curvature)
    ((2.9, 3.0), (7.1, 2.3), "real x", (5.0, 2.95), 0.0),
    ((2.9, 0.8), (3.6, 0.8), "z", (3.25, 0.95), 0.0),
    ((6.4, 1.0), (7.1, 1.7), "fake G(z)", (6.0, 1.65), 0.0),
    ((9.9, 2.0), (10.6, 2.0), "", None, 0.0),
    ((12.0, 2.8), (8.5, 2.8), "update D", (10.25, 3.75), 0.45),
    ((11.2, 1.2), (5.0, 0.0), "update G", (8.8, -0.45), -0.3),
]
STEPS = [  # (x, y, text): the five steps, in grey next to their boxes
    (1.5, 4.35, "step 1: train"), (3.25, -0.05, "step 2: generate"),
    (8.5, 0.95, "step 3: discriminate"),
    (12.4, 0.95, "step 4: real or fake"),
    (13.4, 0.0, "step 5: repeat\n(chapter 6)")]


def draw_box(axes, x, y, title: str, body: str, colour: str) -> None:
    """A rounded box with a bold title over a plain description."""
    axes.add_patch(FancyBboxPatch(
        (x - WIDTH / 2, y - HEIGHT / 2), WIDTH, HEIGHT,
        boxstyle="round,pad=0.06", facecolor=colour, edgecolor="#333333"))
    axes.text(x, y + 0.3, title, ha="center", va="center", fontsize=12,
              weight="bold")
    axes.text(x, y - 0.25, body, ha="center", va="center", fontsize=10)


def draw_arrow(axes, start, end, label, where, curvature) -> None:
    """An arrow from start to end (data coordinates), with its label."""
    axes.annotate("", xy=end, xytext=start, arrowprops=dict(
        arrowstyle="-|>", lw=1.6, color="#333333", shrinkA=0, shrinkB=0,
        connectionstyle=f"arc3,rad={curvature}"))
    if label:
        axes.text(*where, label, ha="center", va="center", fontsize=10,
                  style="italic")


def five_steps_figure() -> plt.Figure:
    """The diagram: data and noise flow to D, D's verdict updates both."""
    figure, axes = plt.subplots(figsize=(12, 5))
    for x, y, title, body, colour in BOXES:
        draw_box(axes, x, y, title, body, colour)
    for arrow in ARROWS:
        draw_arrow(axes, *arrow)
    for x, y, text in STEPS:
        axes.text(x, y, text, ha="center", va="top", fontsize=11,
                  color="#555555", weight="bold")
    axes.set_xlim(0, 14.5)
    axes.set_ylim(-0.7, 4.5)
    axes.set_aspect("equal")
    axes.axis("off")
    return figure


def main(destination: str) -> int:
    Path(destination).parent.mkdir(parents=True, exist_ok=True)
    five_steps_figure().savefig(destination, dpi=100, bbox_inches="tight",
                                metadata={"Software": None})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
