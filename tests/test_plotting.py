import pytest
import torch
from torch import nn

from ganlib.models import MLPDiscriminator
from ganlib.plotting import (
    DPI, default_extent, figure_png, image_grid, pick_evenly, plot_losses,
    plot_points, plot_samples_over_time, plot_scores, probability_grid,
    sample_grid,
)
from ganlib.settings import History, Row


def coordinate_discriminator(axis: int) -> nn.Module:
    """A 'discriminator' whose logit is one coordinate of the point."""
    layer = nn.Linear(2, 1)
    with torch.no_grad():
        layer.weight.zero_()
        layer.weight[0, axis] = 1.0
        layer.bias.zero_()
    return layer


def small_history() -> History:
    history = History()
    for step in (10, 20, 30):
        history.add_row(step, Row(1.4, 0.7, 0.6, 0.4))
        history.samples.append((step, torch.randn(50, 2)))
    return history


def test_image_grid_maps_minus_one_to_black_and_one_to_white():
    images = torch.cat([-torch.ones(1, 1, 4, 4), torch.ones(1, 1, 4, 4)])
    grid = image_grid(images, nrow=2)  # padding 2: cells at x 2:6, 8:12
    assert grid.shape == (8, 14, 3)  # grayscale repeated to 3 channels
    assert torch.all(grid[2:6, 2:6] == 0.0)
    assert torch.all(grid[2:6, 8:12] == 1.0)


def test_image_grid_keeps_colour_and_clamps():
    images = torch.zeros(1, 3, 2, 2)
    images[0, 0] = 3.0  # red channel beyond the range is clamped to 1
    grid = image_grid(images, nrow=1)  # one image: make_grid adds no pad
    assert grid.shape == (2, 2, 3)
    assert grid[0, 0].tolist() == [1.0, 0.5, 0.5]


def test_image_grid_explains_a_bad_shape():
    with pytest.raises(ValueError, match=r"shape \(8, 16, 16\).*unsqueeze"):
        image_grid(torch.zeros(8, 16, 16))


def test_sample_grid_has_a_fixed_size_and_dpi():
    figure = sample_grid(torch.zeros(64, 1, 16, 16), title="digits")
    assert figure.dpi == DPI
    assert figure.axes[0].get_title() == "digits"
    width, height = figure.get_size_inches()
    assert 3.0 <= width <= 8.0 and height > width


def test_probability_grid_rows_run_from_y_min_to_y_max():
    extent = (-1.0, 1.0, -2.0, 2.0)
    grid = probability_grid(coordinate_discriminator(1), extent,
                            resolution=5)
    expected = torch.sigmoid(torch.linspace(-2.0, 2.0, 5))
    assert grid.shape == (5, 5)
    torch.testing.assert_close(grid[:, 0], expected)
    torch.testing.assert_close(grid[:, 4], expected)


def test_plot_points_draws_d_probabilities_with_a_colour_bar():
    discriminator = coordinate_discriminator(0)
    real = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    figure = plot_points(real, -real, discriminator=discriminator,
                         resolution=7)
    axes, colour_bar = figure.axes
    assert colour_bar.get_ylabel() == "D(x): probability real"
    heat_map = axes.images[0]
    assert heat_map.get_extent() == list(default_extent(real))
    assert heat_map.get_clim() == (0.0, 1.0)
    expected = probability_grid(discriminator, default_extent(real),
                                resolution=7)
    assert torch.equal(torch.as_tensor(heat_map.get_array()), expected)
    assert len(axes.collections) == 2  # real and fake scatters


def test_default_extent_is_a_square_around_the_data():
    assert default_extent(torch.tensor([[4.0, -2.0]])) == (-5, 5, -5, 5)


def test_plot_points_leaves_the_discriminator_state_unchanged():
    torch.manual_seed(0)
    discriminator = MLPDiscriminator(spectral_norm=True, hidden_dim=8)
    before = {k: v.clone() for k, v in discriminator.state_dict().items()}
    plot_points(torch.randn(10, 2), discriminator=discriminator,
                resolution=4)
    after = discriminator.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert discriminator.training


def test_plot_points_gives_identical_png_bytes_each_time():
    torch.manual_seed(0)
    discriminator = MLPDiscriminator(hidden_dim=8)
    real, fake = torch.randn(30, 2), torch.randn(30, 2)

    def draw():
        return figure_png(plot_points(real, fake, discriminator=discriminator,
                                      extent=(-3, 3, -3, 3), resolution=20))

    first = draw()
    assert first.startswith(b"\x89PNG") and first == draw()


def test_plot_losses_draws_both_losses_over_steps():
    figure = plot_losses(small_history())
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["D loss", "G loss"]
    assert list(lines[0].get_xdata()) == [10, 20, 30]
    assert list(lines[1].get_ydata()) == [0.7, 0.7, 0.7]


def test_plot_scores_has_the_one_half_equilibrium_line():
    axes = plot_scores(small_history()).axes[0]
    real, fake, half = axes.get_lines()
    assert list(real.get_ydata()) == [0.6, 0.6, 0.6]
    assert list(fake.get_ydata()) == [0.4, 0.4, 0.4]
    assert list(half.get_ydata()) == [0.5, 0.5]
    assert axes.get_ylim() == (0.0, 1.0)


def test_curves_need_rows():
    with pytest.raises(ValueError, match="no rows yet"):
        plot_losses(History())


def test_pick_evenly_keeps_first_and_last():
    assert pick_evenly(list(range(10)), 4) == [0, 3, 6, 9]
    assert pick_evenly([1, 2], 5) == [1, 2]
    assert pick_evenly([1, 2, 3], 1) == [3]


def test_samples_over_time_shows_points_and_images():
    history = small_history()
    titles = [axes.get_title()
              for axes in plot_samples_over_time(history).axes]
    assert titles == ["step 10", "step 20", "step 30"]
    history.samples = [(5, torch.zeros(16, 3, 8, 8))]
    axes = plot_samples_over_time(history).axes[0]
    assert axes.images[0].get_array().shape == (42, 42, 3)  # 4 x 4 grid


def test_samples_over_time_needs_samples():
    with pytest.raises(ValueError, match="no samples"):
        plot_samples_over_time(History())


def test_figures_show_themselves_as_png_without_pyplot():
    figure = plot_losses(small_history())
    assert figure.canvas.manager is None  # not kept by pyplot: shown once
    assert figure._repr_png_() == figure_png(figure)


def test_samples_over_time_draws_the_target_under_every_panel():
    history = small_history()
    real = torch.randn(50, 2)
    figure = plot_samples_over_time(history, real=real)
    for axes in figure.axes:
        black, orange = axes.collections  # real first, fakes on top
        assert black.get_offsets().shape == (50, 2)
        assert orange.get_offsets().shape[0] == \
            history.samples[0][1].shape[0]


def test_real_and_fake_grids_show_both_sets_with_titles():
    from ganlib.plotting import real_and_fake_grids

    figure = real_and_fake_grids(torch.zeros(16, 1, 8, 8),
                                 torch.ones(16, 1, 8, 8), nrow=4)
    left, right = figure.axes
    assert [left.get_title(), right.get_title()] == [
        "real (training data)", "fake (generated)"]
    assert left.images[0].get_array().shape == (42, 42, 3)
    assert right.images[0].get_array().min() == 1.0  # ones -> white
