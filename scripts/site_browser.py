"""Headless Chromium and a local web server for tests/test_site.py.

The server serves the built site plus a probe page. The probe loads one
site page in a full-window iframe, waits until MathJax (and, on the
search page, the search) has finished, runs axe-core (npm, the
accessibility checker) in the page, then posts what it found (math,
images, visible text, accessibility violations, the page's weight and
its time to first paint) back to the server. An image that the server
holds until then keeps the probe page from finishing loading, so that
Chromium's --dump-dom and --screenshot wait for the result in real time.
"""
import functools
import json
import shutil
import subprocess
import tarfile
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

INSTALL_HINT = ("Chromium is needed for the site test. Install it with: "
                "apt-get update && apt-get install -y chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
         "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--hide-scrollbars", "--window-size=1280,1400"]
AXE_VERSION = "4.14.1"
AXE = (Path(__file__).resolve().parent.parent / ".cache"
       / f"axe-core-{AXE_VERSION}" / "axe.min.js")
WAIT_SECONDS = 60  # the longest a probe may take for one page
PROBE_SCRIPT = (Path(__file__).with_name("site_probe.js")).read_text()
PROBE_PAGE = """<!DOCTYPE html><html><body style="margin:0">
<img src="/__hold__" style="display:none" alt="">
<iframe id="page" src="%s" style="border:0;width:100vw;height:100vh">
</iframe><script>%s</script></body></html>"""
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff2c0000000001"
                      "0001000002024401003b")  # a 1x1 GIF


def chromium() -> str | None:
    """The Chromium executable, or None when none is installed."""
    names = ("chromium", "chromium-browser", "google-chrome")
    return next((shutil.which(n) for n in names if shutil.which(n)), None)


def install_axe() -> Path:
    """axe.min.js of axe-core AXE_VERSION, from npm on first use."""
    if AXE.is_file():
        return AXE
    if shutil.which("npm") is None:
        raise RuntimeError("the site test runs axe-core from npm, and npm "
                           "is not installed: apt-get install -y npm")
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["npm", "pack", f"axe-core@{AXE_VERSION}",
                        "--silent"], cwd=scratch, check=True,
                       stdout=subprocess.PIPE)
        tarball = Path(scratch) / f"axe-core-{AXE_VERSION}.tgz"
        with tarfile.open(tarball) as archive:
            archive.extractall(scratch, members=[
                archive.getmember("package/axe.min.js"),
                archive.getmember("package/LICENSE")], filter="data")
        AXE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(scratch) / "package" / "LICENSE", AXE.parent)
        partial = AXE.with_suffix(".tmp")  # a killed copy leaves no AXE
        shutil.copy(Path(scratch) / "package" / "axe.min.js", partial)
        partial.replace(AXE)
    return AXE


class Handler(SimpleHTTPRequestHandler):
    """The built site, plus /__probe__, /__hold__, /__axe__ and
    /__result__."""

    def do_GET(self):
        parts = urlsplit(self.path)
        if parts.path == "/__probe__":
            page = parse_qs(parts.query)["page"][0]
            self.reply(PROBE_PAGE % (quote(page, safe="/?=&"),
                                     PROBE_SCRIPT), "text/html")
        elif parts.path == "/__axe__":
            self.reply(install_axe().read_bytes(), "text/javascript")
        elif parts.path == "/__hold__":
            self.server.result_ready.wait(WAIT_SECONDS)
            self.reply(PIXEL, "image/gif")
        else:
            super().do_GET()

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.server.result = json.loads(self.rfile.read(length))
        self.server.result_ready.set()
        self.reply(b"", "text/plain")

    def reply(self, body, content_type: str) -> None:
        body = body.encode() if isinstance(body, str) else body
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(directory: Path) -> ThreadingHTTPServer:
    """Start a web server for directory on a free local port."""
    handler = functools.partial(Handler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.result_ready = threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_chromium(executable: str, *arguments: str) -> str:
    """Run headless Chromium once (fresh profile); return its stdout."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [executable, *FLAGS, f"--user-data-dir={profile}", *arguments],
            capture_output=True, text=True, timeout=WAIT_SECONDS + 60)
    return result.stdout


def probe(executable: str, server: ThreadingHTTPServer, page: str,
          screenshot: Path) -> dict:
    """What the probe found on page (a URL path under the site).

    Also saves a PNG of the top of the page to screenshot.
    """
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    server.result, _ = None, server.result_ready.clear()
    port = server.server_address[1]
    run_chromium(executable, f"--screenshot={screenshot}",
                 f"http://127.0.0.1:{port}/__probe__?page=/{page}")
    found = server.result
    if found is None or "error" in found:
        reason = "no result" if found is None else found["error"]
        raise RuntimeError(f"the browser probe of {page} failed: {reason}")
    return found
