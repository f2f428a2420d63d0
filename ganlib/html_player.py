"""A player for animation frames that works on a static page, offline.

``frames_player(figure, update, num_frames, fps)`` draws update(i) for each
frame, embeds the images in HTML and adds a few lines of JavaScript for
the buttons and the slider; the first frame is a plain image, so a page
without JavaScript still shows it.
"""
import base64
import hashlib
import html
import io
import json

# The player's buttons: plain characters (no icon font, nothing to fetch)
# and a label each for screen readers and keyboard users.
BUTTONS = (("first", "|&#9664;&#9664;", "first frame"),
           ("previous", "|&#9664;", "previous frame"),
           ("play", "&#9654;", "play"), ("pause", "&#10074;&#10074;", "pause"),
           ("next", "&#9654;|", "next frame"),
           ("last", "&#9654;&#9654;|", "last frame"))
PLAYER_SCRIPT = """(function () {
  var box = document.getElementById("%(id)s");
  var image = box.querySelector("img"), slider = box.querySelector("input");
  var frames = [image.src].concat(%(frames)s), index = 0, timer = null;
  function show(i) {
    index = Math.max(0, Math.min(frames.length - 1, i));
    image.src = frames[index]; slider.value = index;
  }
  function pause() { clearInterval(timer); timer = null; }
  var actions = {
    first: function () { pause(); show(0); },
    previous: function () { pause(); show(index - 1); },
    next: function () { pause(); show(index + 1); },
    last: function () { pause(); show(frames.length - 1); },
    pause: pause,
    play: function () {
      pause();
      if (index === frames.length - 1) { show(0); }
      timer = setInterval(function () {
        if (index === frames.length - 1) { pause(); } else { show(index + 1); }
      }, %(interval)d);
    }
  };
  box.querySelectorAll("button").forEach(function (button) {
    button.addEventListener("click", actions[button.dataset.action]);
  });
  slider.addEventListener("input", function () {
    pause(); show(Number(slider.value));
  });
})();"""


def _frame_urls(figure, update, num_frames: int,
                frame_format: str) -> list[str]:
    """update(i) drawn for each i < num_frames, as data: URLs."""
    urls = []
    for index in range(num_frames):
        update(index)
        buffer = io.BytesIO()
        figure.savefig(buffer, format=frame_format, dpi=figure.dpi)
        encoded = base64.b64encode(buffer.getvalue()).decode()
        urls.append(f"data:image/{frame_format};base64,{encoded}")
    return urls


def frames_player(figure, update, num_frames: int, fps: int,
                  frame_format: str = "jpeg",
                  alt: str = "training animation"):
    """Play update(i) for i < num_frames as offline HTML (IPython HTML).

    The first frame is a plain image, so a page without JavaScript still
    shows it; the buttons and the slider step through the others. The
    element's id comes from the frames, so the same frames give the same
    HTML on every run.
    """
    from IPython.display import HTML

    urls = _frame_urls(figure, update, num_frames, frame_format)
    element_id = "ganlib-animation-" + hashlib.sha256(
        "".join(urls).encode()).hexdigest()[:16]
    buttons = "".join(
        f'<button type="button" data-action="{action}" '
        f'aria-label="{label}" title="{label}">{text}</button>'
        for action, text, label in BUTTONS)
    script = PLAYER_SCRIPT % {"id": element_id, "frames": json.dumps(urls[1:]),
                              "interval": round(1000 / fps)}
    return HTML(
        f'<div class="ganlib-animation" id="{element_id}">'
        f'<img src="{urls[0]}" alt="{html.escape(alt)}"><br>'
        f'<div role="group" aria-label="animation controls">{buttons} '
        f'<input type="range" min="0" max="{num_frames - 1}" value="0" '
        f'aria-label="frame"></div><script>{script}</script></div>')
