"""The sketch pad: draw with the mouse, see the generator's picture.

A black ipycanvas Canvas on which the mouse draws white lines. Each
stroke is kept as the list of points the pen passed; when the pen is
lifted the strokes become a 28 px sketch (ganlib.strokes) and the
image-to-image generator draws its picture of it next to the canvas.
"""
import ipywidgets as widgets
from ipycanvas import Canvas
from torch import nn

from ganlib.paired import translate
from ganlib.plotting import new_figure, to_unit_range
from ganlib.strokes import Stroke, strokes_to_sketch
from ganlib.widgets.picture_box import PictureBox


class SketchPad(PictureBox):
    """A canvas to draw on, Undo and Clear, and G's picture of the sketch."""

    summary = "sketch pad (run the notebook to draw with the mouse)"

    def __init__(self, generator: nn.Module, *,
                 strokes: list[Stroke] | None = None,
                 canvas_size: int = 280, image_size: int = 28,
                 line_width: float = 2.0) -> None:
        self.generator = generator
        self.canvas_size, self.image_size = canvas_size, image_size
        self.line_width = line_width
        self.strokes = [list(stroke) for stroke in strokes or []]
        self.pen_down = False
        self.canvas = Canvas(width=canvas_size, height=canvas_size,
                             layout=widgets.Layout(border="1px solid #888"))
        self.canvas.line_cap = "round"
        self.canvas.line_join = "round"
        self.canvas.on_mouse_down(self.start_stroke)
        self.canvas.on_mouse_move(self.extend_stroke)
        self.canvas.on_mouse_up(self.end_stroke)
        self.canvas.on_mouse_out(self.end_stroke)
        undo = widgets.Button(description="Undo stroke", icon="undo")
        clear = widgets.Button(description="Clear", icon="eraser")
        undo.on_click(lambda button: self.undo())
        clear.on_click(lambda button: self.clear())
        self.image = widgets.Image(format="png")
        super().__init__([widgets.HBox([self.canvas, self.image]),
                          widgets.HBox([undo, clear])])
        self.paint_canvas()
        self.redraw()

    def sketch(self):
        """(1, 1, image_size, image_size): the strokes as G's input."""
        return strokes_to_sketch(self.strokes, canvas_size=self.canvas_size,
                                 image_size=self.image_size,
                                 line_width=self.line_width)

    # The mouse: a stroke starts on press, grows on move, ends on release.
    def start_stroke(self, x: float, y: float) -> None:
        self.pen_down = True
        self.strokes.append([(x, y)])
        self.paint_segment((x, y), (x, y))

    def extend_stroke(self, x: float, y: float) -> None:
        if self.pen_down:
            self.paint_segment(self.strokes[-1][-1], (x, y))
            self.strokes[-1].append((x, y))

    def end_stroke(self, x: float, y: float) -> None:
        if self.pen_down:
            self.pen_down = False
            self.redraw()

    def undo(self) -> None:
        """Remove the last stroke."""
        if self.strokes:
            self.strokes.pop()
        self.paint_canvas()
        self.redraw()

    def clear(self) -> None:
        """Remove every stroke."""
        self.strokes = []
        self.paint_canvas()
        self.redraw()

    def paint_segment(self, start, end) -> None:
        """A white line on the canvas, as thick as the sketch's lines."""
        self.canvas.stroke_style = "white"
        self.canvas.line_width = (self.line_width * self.canvas_size
                                  / self.image_size)
        self.canvas.stroke_line(*start, *end)

    def paint_canvas(self) -> None:
        """Black, then every stroke again."""
        self.canvas.fill_style = "black"
        self.canvas.fill_rect(0, 0, self.canvas_size, self.canvas_size)
        for stroke in self.strokes:
            for start, end in zip(stroke, stroke[1:] or stroke):
                self.paint_segment(start, end)

    def redraw(self) -> None:
        """Show the sketch G sees and the picture G draws of it."""
        sketch = self.sketch()
        picture = translate(self.generator, sketch)
        figure = new_figure(4.0, 2.2)
        for index, (image, title) in enumerate(
                [(sketch, "the sketch G sees"), (picture, "G's picture")]):
            axes = figure.add_subplot(1, 2, index + 1)
            pixels = to_unit_range(image[0]).permute(1, 2, 0).squeeze(-1)
            axes.imshow(pixels.numpy(), cmap="gray", vmin=0, vmax=1)
            axes.set_title(title, fontsize="small")
            axes.set_axis_off()
        self.show(figure)
