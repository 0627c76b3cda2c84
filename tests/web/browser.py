"""Helpers for the browser tests: Chromium launched as this machine needs, a static host
server, the accessibility check with the vendored axe-core, and sidebar URLs."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's package; `playwright install` is never run
# Without the networking flags Chromium keeps calling home, which this closed network refuses.
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
AXE = "/static/vendor/axe-core/axe.min.js"


@contextmanager
def launch() -> Iterator[Any]:
    """Chromium under Playwright; each launch gets a fresh, temporary user-data dir."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_server(directory: Path, port: int) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1:`port` (a CRM page's origin) in a thread."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


def sidebar_url(base: str, token: str, **deal: Any) -> str:
    """/sidebar with the token and deal parameters (lists become repeated parameters)."""
    params: list[tuple[str, str]] = [("token", token)]
    for name, value in deal.items():
        values = value if isinstance(value, list | tuple) else [value]
        params += [(name, str(v)) for v in values]
    return f"{base}/sidebar?{urlencode(params)}"


def serious_violations(frame: Any, base: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on `frame` (a page or a frame), run from the
    copy enablement serves (the pages' CSP allows no inline script, only same-origin files)."""
    if not frame.evaluate("typeof window.axe !== 'undefined'"):
        frame.add_script_tag(url=f"{base}{AXE}")
    results = frame.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(frame: Any, base: str) -> None:
    """Fail listing each serious or critical axe-core violation."""
    found = serious_violations(frame, base)
    assert found == [], "axe-core found serious or critical violations:\n" + "\n".join(
        f"  {v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}" for v in found
    )


def assert_framing_refused(page: Any, console: list[str], served_from: str) -> None:
    """Fail unless Chromium refused to frame the page (a frame-ancestors report on `console`,
    which must have been listening before the host page loaded, and no page in the frame)."""
    deadline = time.monotonic() + 10
    while not any("frame-ancestors" in t for t in console) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert any("frame-ancestors" in text for text in console), console
    (frame,) = page.main_frame.child_frames
    assert not frame.url.startswith(served_from)  # Chromium shows its error page instead
    with pytest.raises(Exception, match="Timeout"):
        page.frame_locator("iframe").locator("body[data-state]").wait_for(timeout=1500)
