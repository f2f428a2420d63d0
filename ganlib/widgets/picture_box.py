"""PictureBox: an ipywidgets box around an Image it redraws.

Its display bundle also carries that PNG as 'image/png', so a static page
(the website, GitHub) shows the picture where no kernel runs.
"""
import base64

import ipywidgets as widgets

from ganlib.plotting import figure_png


class PictureBox(widgets.VBox):
    """A VBox with an Image; displays also as a PNG still and a summary."""

    summary = "interactive figure (run the notebook to use it)"

    def _repr_mimebundle_(self, **kwargs) -> dict:
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        bundle["image/png"] = base64.b64encode(self.image.value).decode()
        bundle["text/plain"] = self.summary
        return bundle

    def show(self, figure) -> None:
        """Put a figure's PNG into the Image widget."""
        self.image.value = figure_png(figure)
