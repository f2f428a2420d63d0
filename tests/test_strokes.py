"""Pen strokes as sketches, and the sketch pad that collects them."""
import base64
import math

import pytest
import torch

from ganlib.paired import UNetGenerator, translate
from ganlib.strokes import distance_to_segment, strokes_to_sketch

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_distance_to_segment_is_the_closed_form():
    start, end = torch.tensor([0.0, 0.0]), torch.tensor([4.0, 0.0])
    points = torch.tensor([[2.0, 3.0],    # above the middle: 3
                           [-3.0, 4.0],   # beyond the start: 5
                           [7.0, -4.0],   # beyond the end: 5
                           [1.0, 0.0]])   # on it: 0
    assert distance_to_segment(points, start, end).tolist() == [3, 5, 5, 0]
    dot = distance_to_segment(points, start, start)  # a one-point segment
    assert dot[0].item() == pytest.approx(math.sqrt(13))


def test_a_horizontal_stroke_inks_the_two_rows_it_runs_between():
    # On a 28 px canvas (scale 1), a stroke along y = 10 from x = 5 to 15
    # with width 2 inks the pixels whose centres (col + .5, row + .5) lie
    # within 1: rows 9 and 10 (centres 9.5, 10.5), columns 4 to 15.
    sketch = strokes_to_sketch([[(5, 10), (15, 10)]], canvas_size=28)
    assert sketch.shape == (1, 1, 28, 28)
    inked = (sketch[0, 0] > 0).nonzero().tolist()
    expected = [[row, col] for row in (9, 10) for col in range(4, 16)]
    assert inked == expected
    assert set(sketch.unique().tolist()) == {-1.0, 1.0}


def test_canvas_coordinates_are_scaled_to_the_image():
    small = strokes_to_sketch([[(5, 10), (15, 10)]], canvas_size=28)
    large = strokes_to_sketch([[(50, 100), (150, 100)]], canvas_size=280)
    assert torch.equal(small, large)


def test_a_click_is_a_dot_and_no_strokes_is_a_black_image():
    dot = strokes_to_sketch([[(14, 14)]], canvas_size=28)
    assert (dot > 0).sum().item() == 4  # the 4 centres around (14, 14)
    empty = strokes_to_sketch([], canvas_size=28)
    assert empty.eq(-1).all()


def test_strokes_to_sketch_refuses_a_canvas_without_size():
    with pytest.raises(ValueError, match="must be positive"):
        strokes_to_sketch([[(1, 1)]], canvas_size=0)


@pytest.fixture
def pad():
    pytest.importorskip("ipycanvas")
    from ganlib.widgets.sketch_pad import SketchPad
    torch.manual_seed(0)
    return SketchPad(UNetGenerator(width=8), canvas_size=280)


def test_dragging_the_mouse_makes_a_stroke_and_a_new_picture(pad):
    before = pad.image.value
    pad.start_stroke(50, 100)
    pad.extend_stroke(100, 100)
    pad.extend_stroke(150, 100)
    assert pad.image.value == before  # nothing is drawn until release
    pad.end_stroke(150, 100)
    assert pad.strokes == [[(50, 100), (100, 100), (150, 100)]]
    assert pad.image.value != before
    expected = strokes_to_sketch([[(5, 10), (15, 10)]], canvas_size=28)
    assert torch.equal(pad.sketch(), expected)


def test_moving_without_a_pressed_button_draws_nothing(pad):
    pad.extend_stroke(10, 10)
    pad.end_stroke(10, 10)
    assert pad.strokes == []


def test_undo_and_clear_remove_strokes(pad):
    for y in (50, 150):
        pad.start_stroke(20, y)
        pad.extend_stroke(200, y)
        pad.end_stroke(200, y)
    pad.undo()
    assert len(pad.strokes) == 1
    pad.clear()
    assert pad.strokes == [] and pad.sketch().eq(-1).all()


def test_the_pad_shows_as_a_png_still_where_no_kernel_runs(pad):
    from ganlib.widgets.sketch_pad import SketchPad
    strokes = [[(60, 60), (220, 60), (220, 220)]]
    drawn = SketchPad(pad.generator, strokes=strokes)
    bundle = drawn._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert torch.equal(drawn.sketch(),
                       strokes_to_sketch(strokes, canvas_size=280))
    # The picture it shows is the generator's picture of that sketch.
    picture = translate(drawn.generator, drawn.sketch())
    assert picture.shape == (1, 1, 28, 28)
