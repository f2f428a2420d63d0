"""Headless Chromium and a local web server for tests/test_site.py."""
import functools
import html
import json
import re
import shutil
import subprocess
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

INSTALL_HINT = ("Chromium is needed for the site test. Install it with: "
                "apt-get update && apt-get install -y chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
         "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--hide-scrollbars", "--window-size=1280,1400"]
PROBE_PATH = "/__probe__.html"
# Loads a page in a same-origin iframe that fills the window (so a
# screenshot shows the page), waits for MathJax, then writes what the
# test needs (math, images, visible text) into a hidden <pre id=result>.
PROBE_PAGE = """<!DOCTYPE html><html><body style="margin:0">
<pre id="result" style="display:none">pending</pre>
<iframe id="page" src="%s" style="border:0;width:100vw;height:100vh">
</iframe><script>
const frame = document.getElementById("page");
async function imageLoads(img) {
  const copy = new Image();
  copy.src = img.currentSrc || img.src;
  try { await copy.decode(); return copy.naturalWidth > 0; }
  catch (error) { return false; }
}
async function probe() {
  const win = frame.contentWindow, doc = frame.contentDocument;
  if (win.MathJax && win.MathJax.startup && win.MathJax.startup.promise) {
    await win.MathJax.startup.promise;
  }
  const math = [...doc.querySelectorAll(".math")];
  const broken = [];
  for (const img of doc.images) {
    if (!(await imageLoads(img))) broken.push(img.getAttribute("src"));
  }
  const body = doc.body.cloneNode(true);
  body.querySelectorAll("pre, code, script, style, textarea, mjx-container")
      .forEach(node => node.remove());
  document.getElementById("result").textContent = JSON.stringify({
    math: math.length,
    untypeset: math.filter(n => !n.querySelector("mjx-container"))
                   .map(n => n.textContent.slice(0, 80)),
    broken_images: broken, images: doc.images.length,
    text: body.textContent});
}
frame.addEventListener("load", () => setTimeout(probe, 500));
</script></body></html>"""


def chromium() -> str | None:
    """The Chromium executable, or None when none is installed."""
    names = ("chromium", "chromium-browser", "google-chrome")
    return next((shutil.which(n) for n in names if shutil.which(n)), None)


class Handler(SimpleHTTPRequestHandler):
    """Serves the built site, plus the probe page, without logging."""

    def do_GET(self):
        if self.path.startswith(PROBE_PATH):
            target = self.path.split("?page=", 1)[1]
            body = (PROBE_PAGE % html.escape(target, quote=True)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


def serve(directory: Path) -> ThreadingHTTPServer:
    """Start a web server for directory on a free local port."""
    handler = functools.partial(Handler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_chromium(executable: str, *arguments: str) -> str:
    """Run headless Chromium once (fresh profile); return its stdout."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [executable, *FLAGS, f"--user-data-dir={profile}", *arguments],
            capture_output=True, text=True, timeout=120)
    return result.stdout


def dump_dom(executable: str, url: str) -> str:
    """The page's DOM after its scripts ran (virtual time, 20 s)."""
    return run_chromium(executable, "--virtual-time-budget=20000",
                        "--dump-dom", url)


def probe(executable: str, base_url: str, page: str,
          screenshot: Path) -> dict:
    """Load page (a path under the site) in the probe; its findings.

    Also saves a PNG of the top of the page to screenshot.
    """
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    dom = run_chromium(executable, "--virtual-time-budget=20000",
                       f"--screenshot={screenshot}", "--dump-dom",
                       f"{base_url}{PROBE_PATH}?page=/{page}")
    match = re.search(r'<pre id="result"[^>]*>(.*?)</pre>', dom, re.S)
    if not match or match.group(1) == "pending":
        raise RuntimeError(f"the browser probe of {page} did not finish")
    return json.loads(html.unescape(match.group(1)))
