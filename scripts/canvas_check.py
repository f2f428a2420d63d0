"""Draw on the sketch pad in a real JupyterLab, in headless Chromium.

Usage: python -m scripts.canvas_check OUT_DIR   (not part of make test;
about two minutes on a 2-core CPU)

It writes a notebook that trains a small sketch-to-picture generator for
a few hundred steps and shows ganlib's SketchPad, starts JupyterLab on it,
opens it in headless Chromium, runs the cells with the mouse and the
keyboard, drags the mouse across the canvas to draw a T-shirt's outline,
runs a cell that prints what the kernel received, and saves screenshots:
OUT_DIR/pad-before.png and OUT_DIR/pad-after.png, and OUT_DIR/result.json.
It fails when the kernel did not receive the strokes or the generator's
picture did not change.
"""
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from base64 import b64decode
from pathlib import Path

import nbformat
import websocket

from scripts.site_browser import FLAGS, INSTALL_HINT, chromium

SETUP = '''\
import torch
from ganlib.images import load_images
from ganlib.paired import (PairedSettings, PatchDiscriminator, UNetGenerator,
                           sketch, train_paired)
from ganlib.widgets.sketch_pad import SketchPad

torch.manual_seed(0)
garments = load_images("fashion_mnist").images[:20_000]
generator = UNetGenerator(width=32)
train_paired(generator, PatchDiscriminator(width=32), sketch(garments),
             garments, PairedSettings(num_steps=300))
pad = SketchPad(generator)
pad'''
REPORT = '''\
import hashlib, json
print("RESULT", json.dumps({
    "strokes": len(pad.strokes),
    "points": sum(len(stroke) for stroke in pad.strokes),
    "white_pixels": int((pad.sketch() > 0).sum()),
    "picture": hashlib.sha256(pad.image.value).hexdigest()}))'''
# A T-shirt outline, in canvas pixels (the canvas is 280 x 280).
OUTLINE = [(105, 40), (60, 50), (20, 105), (55, 125), (75, 100), (75, 250),
           (205, 250), (205, 100), (225, 125), (260, 105), (220, 50),
           (175, 40), (160, 62), (120, 62), (105, 40)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what: str, check, seconds: float = 120.0, every: float = 0.5):
    """Call check() until it returns something true; fail after seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = check()
        except (OSError, ValueError, KeyError):
            value = None
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"waited {seconds:.0f} s for {what}")


class Page:
    """A Chrome DevTools Protocol connection to one page."""

    def __init__(self, debug_port: int):
        targets = wait_for("Chromium's debugging port", lambda: [
            t for t in json.load(urllib.request.urlopen(
                f"http://127.0.0.1:{debug_port}/json"))
            if t["type"] == "page"])
        self.socket = websocket.create_connection(
            targets[0]["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0

    def call(self, method: str, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method,
                                     "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression,
                           returnByValue=True)
        return result.get("result", {}).get("value")

    def key(self, key: str, code: str, key_code: int, modifiers: int = 0):
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key,
                      code=code, windowsVirtualKeyCode=key_code,
                      modifiers=modifiers)

    def mouse(self, kind: str, x: float, y: float):
        self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y,
                  button="left", buttons=1 if kind != "mouseReleased" else 0,
                  clickCount=1)

    def screenshot(self, path: Path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(b64decode(data))


def run_cell(page: Page, index: int) -> None:
    """Click into cell `index` and run it in place (Ctrl+Enter)."""
    box = page.evaluate(f"""(() => {{
        const cell = document.querySelectorAll('.jp-Cell')[{index}];
        const editor = cell.querySelector('.jp-InputArea-editor');
        editor.scrollIntoView({{block: 'center'}});
        const r = editor.getBoundingClientRect();
        return [r.left + 40, r.top + r.height / 2];
    }})()""")
    page.mouse("mousePressed", *box)
    page.mouse("mouseReleased", *box)
    time.sleep(0.5)
    page.key("Enter", "Enter", 13, modifiers=2)  # Ctrl+Enter


def report(page: Page, strokes: int) -> dict:
    """Run the report cell; wait for its line with this many strokes."""
    run_cell(page, 1)

    def result():
        text = page.evaluate(
            "[...document.querySelectorAll('.jp-OutputArea-output')]"
            ".map(o => o.innerText).find(t => t.includes('RESULT'))")
        if not text:
            return None
        found = json.loads(text.split("RESULT", 1)[1].strip())
        return found if found["strokes"] == strokes else None
    return wait_for(f"the report of {strokes} strokes", result, seconds=60)


def canvas_box(page: Page):
    """The drawing canvas's (left, top, width, height) on the page."""
    return page.evaluate("""(() => {
        const canvases = [...document.querySelectorAll('.jp-OutputArea canvas')]
            .filter(c => c.getBoundingClientRect().width >= 200);
        if (!canvases.length) return null;
        canvases[0].scrollIntoView({block: 'center'});
        const r = canvases[0].getBoundingClientRect();
        return [r.left, r.top, r.width, r.height];
    })()""")


def draw(page: Page, box, outline) -> None:
    """Drag the mouse along the outline (canvas pixels) on the canvas."""
    left, top, width, _ = box
    scale = width / 280
    points = [(left + x * scale, top + y * scale) for x, y in outline]
    page.mouse("mousePressed", *points[0])
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for step in range(1, 6):  # a few moves per side, as a hand would
            t = step / 5
            page.mouse("mouseMoved", x0 + t * (x1 - x0), y0 + t * (y1 - y0))
            time.sleep(0.02)
    page.mouse("mouseReleased", *points[-1])


def main(out: Path) -> int:
    browser = chromium()
    if browser is None:
        print(INSTALL_HINT)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="canvas-check-"))
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(REPORT)])
    notebook.metadata["kernelspec"] = {"name": "python3",
                                       "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, work / "pad.ipynb")
    lab_port, debug_port = free_port(), free_port()
    token = secrets.token_hex(16)
    env = dict(os.environ, PYTHONPATH=str(Path.cwd()))
    lab = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser",
         f"--port={lab_port}", f"--ServerApp.token={token}",
         f"--ServerApp.root_dir={work}", "--ServerApp.open_browser=False",
         "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(out / "lab.log", "w"))
    chrome = None
    try:
        url = f"http://127.0.0.1:{lab_port}/lab/tree/pad.ipynb?token={token}"
        wait_for("JupyterLab", lambda: urllib.request.urlopen(
            f"http://127.0.0.1:{lab_port}/api?token={token}").status == 200)
        flags = [f for f in FLAGS if not f.startswith("--window-size")]
        chrome = subprocess.Popen(
            [browser, *flags, "--window-size=1280,1000",
             f"--remote-debugging-port={debug_port}",
             f"--user-data-dir={work / 'chromium'}", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        page = Page(debug_port)
        wait_for("the notebook", lambda: page.evaluate(
            "document.querySelectorAll('.jp-Cell').length === 2 && "
            "document.querySelector('.jp-Notebook-ExecutionIndicator, "
            ".jp-Toolbar') !== null"))
        time.sleep(3)  # the kernel starts
        run_cell(page, 0)
        wait_for("the sketch pad's canvas", lambda: canvas_box(page),
                 seconds=600, every=2)
        before = report(page, strokes=0)
        time.sleep(1)
        page.screenshot(out / "pad-before.png")
        draw(page, canvas_box(page), OUTLINE)
        time.sleep(5)  # the kernel redraws G's picture
        page.screenshot(out / "pad-after.png")
        result = report(page, strokes=1)
        result["picture_changed"] = result["picture"] != before["picture"]
    except Exception:
        if chrome is not None:
            page.screenshot(out / "failed.png")
        raise
    finally:
        if chrome is not None:
            chrome.terminate()
        lab.terminate()
        lab.wait(timeout=30)
    (out / "result.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))
    if result["white_pixels"] < 50 or not result["picture_changed"]:
        print("FAILED: the drawn outline did not reach the generator")
        return 1
    print(f"the kernel received 1 stroke of {result['points']} points, a "
          f"sketch of {result['white_pixels']} white pixels; screenshots "
          f"in {out}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.split("\n\n")[1])
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1])))
