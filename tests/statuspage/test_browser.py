"""The status page in a real browser: Debian's headless chromium, at a phone's width (360 px).

Skipped, with the reason shown, only when no chromium can be found (`.ci/run`
installs it as root). Headless chromium will not make a window narrower than
500 px, so the layout is measured in a 360 px frame: the test's own server
shows the page in an iframe of that width and a script of the test's (the page
has none) writes what the browser laid out into the DOM that `--dump-dom` prints.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path

import pytest
from aiohttp import ClientSession, web

from tests.harness import comment, open_issue
from tests.statuspage.helpers import SECRET_MARKER, status_world

PHONE = (360, 800)
TALL = 2000  # the screenshot's frame: the whole page, history included, at the phone's width
SCREENSHOT = os.environ.get("STATUSPAGE_SCREENSHOT")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=500,900",
)
# The frame's document is the status page, same-origin through the test's proxy.
FRAME = """<!doctype html><html><body style="margin:0">
<iframe id="phone" src="/page" width="{width}" height="{height}" style="border:0" onload="
  const d = this.contentDocument;
  const history = d.querySelector('section.history li');
  document.body.dataset.measured = [d.documentElement.scrollWidth, this.contentWindow.innerWidth,
    getComputedStyle(d.querySelector('h2')).fontSize,
    history ? history.getBoundingClientRect().right : -1].join(' ');"></iframe>
</body></html>"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        "no chromium on PATH: `.ci/run` installs Debian's chromium when run as root "
        "(apt-get install chromium); the status page was not checked in a browser"
    )


async def run_browser(binary: str, profile: Path, *args: str) -> str:
    # Asynchronous: the page is served by this same event loop while the browser runs.
    process = await asyncio.create_subprocess_exec(
        binary,
        *FLAGS,
        f"--user-data-dir={profile}",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode()


async def serve_phone_frame(page_url: str) -> tuple[web.AppRunner, str]:
    async def page(request: web.Request) -> web.Response:
        async with ClientSession() as http, http.get(page_url) as answer:
            return web.Response(text=await answer.text(), content_type="text/html")

    async def frame(request: web.Request) -> web.Response:
        height = TALL if request.query.get("tall") else PHONE[1]
        return web.Response(text=FRAME.format(width=PHONE[0], height=height), content_type="text/html")

    app = web.Application()
    app.router.add_get("/", frame)
    app.router.add_get("/page", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/"


async def test_status_page_in_a_headless_browser_on_a_phone(tmp_path: Path) -> None:
    binary = chromium()
    async with status_world() as w:
        long_title = "Paymentsgatewaytimeouts" * 5  # one unbreakable word wider than the phone
        await open_issue(w, "alice", title="Checkout down", labels=["incident", "severity: 1"])
        slow = await open_issue(w, "bob", title=long_title, labels=["incident", "severity: 3"])
        await comment(w, "bob", slow, "/update Cache warmed; latency back to normal")
        await open_issue(w, "alice", title=f"Leak {SECRET_MARKER}", labels=["incident", "security"])
        # History: one resolved incident with an unbreakable title, one resolved security one.
        for title, labels in ((long_title[:60] + " DNS", []), (f"Old leak {SECRET_MARKER}", ["security"])):
            done = await open_issue(
                w,
                "carol",
                title=title,
                labels=["incident", "severity: 2", "status: under investigation", *labels],
            )
            w.clock.advance(minutes=95)
            await w.user("alice").patch(f"/repos/acme/web/issues/{done}", json={"state": "closed"})
            await w.settle()
        url = f"{w.url}/status/acme/web"

        dom = await run_browser(binary, tmp_path / "dom", "--dump-dom", url)
        assert "Checkout down" in dom and long_title in dom
        assert "Cache warmed; latency back to normal" in dom
        assert SECRET_MARKER not in dom
        assert re.search(r'<meta name="viewport" content="width=device-width, initial-scale=1">', dom)
        assert len(re.findall(r"<article", dom)) == 2
        assert "Resolved in the last 90 days" in dom and "after 1h 35m" in dom
        assert len(re.findall(r'<section class="history">.*?<li>', dom, re.DOTALL)) == 1

        runner, frame_url = await serve_phone_frame(url)
        try:
            measured = await run_browser(binary, tmp_path / "measure", "--dump-dom", frame_url)
            # To look at it: STATUSPAGE_SCREENSHOT=/tmp/phone.png pytest tests/statuspage/test_browser.py
            shot = Path(SCREENSHOT) if SCREENSHOT else tmp_path / "phone.png"
            tall = (f"--window-size={PHONE[0]},{TALL}", f"--screenshot={shot}", f"{frame_url}?tall=1")
            await run_browser(binary, tmp_path / "shot", *tall)
        finally:
            await runner.cleanup()
        png = shot.read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") >= PHONE[0]
        found = re.search(r'data-measured="(\d+) (\d+) ([\d.]+)px ([\d.-]+)"', measured)
        assert found, measured[-1500:]
        scroll_width, viewport, heading_px = int(found[1]), int(found[2]), float(found[3])
        assert viewport == PHONE[0]
        # Nothing wider than the phone, the unbreakable titles included: no sideways scrolling.
        assert scroll_width <= viewport, "the page scrolls sideways on a 360 px phone"
        assert heading_px >= 18  # large type: headings at least 18 px
        assert 0 < float(found[4]) <= viewport  # the history's entry fits the phone too
