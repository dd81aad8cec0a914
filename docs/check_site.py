"""Open the built site in headless Chromium and check that its pages render with their pictures.

    python docs/check_site.py [SITE_DIR] [--screenshots DIR]

For the home page, a tutorial and the multiplier catalogue it loads the page from the files (no
server), waits for the load event, and asks the page itself (Chrome DevTools Protocol over a pipe:
Runtime.evaluate) for its title, its first heading, its code blocks and every <img>: whether it
finished loading, its natural size (0 when the file is missing or not an image) and its size on
the page. A page fails when its heading is not the expected one, it has no image, an image did not
load or is not shown, or (the tutorial) it shows no output. A full-page screenshot of each is
written to --screenshots (default SITE_DIR/../build/docs/screenshots). Exit 0 when every page
passes; 2 when no Chromium is installed (apt install chromium).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

# page -> the heading it must show, and whether it shows a tutorial's output
PAGES = {
    "index.html": ("axgen", False),
    "tutorials/approximate_multipliers/index.html": ("Approximate multipliers", True),
    "reference/multipliers/index.html": ("Multiplier catalogue", False),
}
PROBE = """JSON.stringify({
  title: document.title,
  h1: (document.querySelector("article h1") || {}).textContent,
  code_blocks: document.querySelectorAll("article pre").length,
  outputs: document.querySelectorAll("article .output").length,
  images: [...document.querySelectorAll("article img")].map(i => ({
    src: i.getAttribute("src"), complete: i.complete, natural: [i.naturalWidth, i.naturalHeight],
    shown: [Math.round(i.getBoundingClientRect().width), Math.round(i.getBoundingClientRect().height)]}))
})"""


def chromium() -> str | None:
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


class Browser:
    """Headless Chromium driven through --remote-debugging-pipe (it reads fd 3, writes fd 4)."""

    def __init__(self, binary: str):
        to_chrome, self._send = os.pipe()
        self._recv, from_chrome = os.pipe()

        def fds():
            os.dup2(to_chrome, 3)
            os.dup2(from_chrome, 4)

        self.proc = subprocess.Popen([binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                      "--allow-file-access-from-files", "--remote-debugging-pipe", "about:blank"],
                                     pass_fds=(3, 4, to_chrome, from_chrome), preexec_fn=fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer = b""
        self._id = 0

    def call(self, method: str, session: str | None = None, **params) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params, **({"sessionId": session} if session else {})}
        os.write(self._send, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._next()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def wait_for(self, event: str, session: str) -> None:
        while True:
            message = self._next()
            if message.get("method") == event and message.get("sessionId") == session:
                return

    def _next(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._recv, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the debugging pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def inspect_page(browser: Browser, url: str, screenshot: Path) -> dict:
    target = browser.call("Target.createTarget", url="about:blank")["targetId"]
    session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    browser.call("Page.enable", session)
    browser.call("Emulation.setDeviceMetricsOverride", session, width=1280, height=900, deviceScaleFactor=1, mobile=False)
    browser.call("Page.navigate", session, url=url)
    browser.call("Runtime.enable", session)
    browser.wait_for("Page.loadEventFired", session)
    found = json.loads(browser.call("Runtime.evaluate", session, expression=PROBE, returnByValue=True)["result"]["value"])
    shot = browser.call("Page.captureScreenshot", session, format="png", captureBeyondViewport=True)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    browser.call("Target.closeTarget", targetId=target)
    return found


def problems(found: dict, heading: str, tutorial: bool) -> list[str]:
    out = []
    if (found.get("h1") or "").strip().rstrip("¶").strip() != heading:
        out.append(f"heading {found.get('h1')!r}, expected {heading!r}")
    if not found["images"]:
        out.append("no image")
    for image in found["images"]:
        if not image["complete"] or min(image["natural"]) == 0:
            out.append(f"image {image['src']} did not load")
        elif min(image["shown"]) == 0:
            out.append(f"image {image['src']} is not shown")
    if tutorial and found["outputs"] == 0:
        out.append("no output block: the tutorial did not run")
    return out


def check(site: Path, screenshots: Path) -> dict:
    """{page: (what the page reported, its problems)} for every page of PAGES."""
    binary = chromium()
    if binary is None:
        raise FileNotFoundError("no Chromium on PATH (apt install chromium)")
    browser = Browser(binary)
    try:
        report = {}
        for page, (heading, tutorial) in PAGES.items():
            path = (site / page).resolve()
            if not path.is_file():
                report[page] = ({}, [f"{path} does not exist"])
                continue
            found = inspect_page(browser, path.as_uri(), screenshots / (page.replace("/", "_") + ".png"))
            report[page] = (found, problems(found, heading, tutorial))
        return report
    finally:
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=Path(__file__).resolve().parents[1] / "site")
    parser.add_argument("--screenshots", type=Path, default=None)
    args = parser.parse_args()
    screenshots = args.screenshots or args.site.resolve().parent / "build" / "docs" / "screenshots"
    try:
        report = check(args.site, screenshots)
    except FileNotFoundError as exc:
        print(f"check_site: {exc}", file=sys.stderr)
        return 2
    failed = False
    for page, (found, issues) in report.items():
        images = ", ".join(f"{i['src']} {i['natural'][0]}x{i['natural'][1]}" for i in found.get("images", []))
        print(f"{'FAIL' if issues else 'ok  '} {page}: {found.get('h1', '').strip()!r}, {found.get('code_blocks', 0)} code "
              f"blocks, {found.get('outputs', 0)} outputs, images: {images or 'none'}")
        for issue in issues:
            print(f"     {issue}")
        failed = failed or bool(issues)
    print(f"screenshots in {screenshots}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
