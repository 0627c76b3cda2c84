"""The CRM sidebar in Chromium: time from navigation start to recommendations visible, and the
page's weight.

Ingests and indexes the sample library (real model) in a temporary folder, serves it with
`enablement serve` (two workers, as `make run` does), mints an embed token, then loads
/sidebar at 360 px in Debian's Chromium: a few loads to warm the server, then `--loads` timed
ones. "Visible" is the page's own `enablement:results-visible` mark, set in the animation frame
after the cards are in the document. The weight is what one cold load transfers for the HTML,
JavaScript and CSS (axe-core is only for tests and not loaded). Prints JSON.

    .venv/bin/python benchmarks/sidebar.py [--loads 20] [--warmup 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from enablement.access.keys import Role
from enablement.service import EnablementService
from enablement.settings import Settings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DEAL = {
    "deal_id": "bench-deal",
    "stage": "Needs Analysis",
    "vertical": "healthcare",
    "persona": "CISO",
    "q": ["do you sign a BAA?", "how long does implementation take?"],
}
VISIBLE = "performance.getEntriesByName('enablement:results-visible')"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(data_dir: Path) -> str:
    """The sample library ingested and indexed in `data_dir`; returns an admin key."""
    service = EnablementService(Settings(data_dir=data_dir))
    service.ingest(REPO / "content_catalog")
    service.build_index()
    key = service.keys.create("bench", Role.admin).key
    service.close()
    return key


def serve(data_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ENABLEMENT_DATA_DIR": str(data_dir)}
    command = [str(Path(sys.executable).parent / "enablement"), "serve", "--port", str(port),
               "--workers", str(workers)]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("enablement serve was not ready in 180 s")


def mint(base: str, key: str) -> str:
    request = urllib.request.Request(
        f"{base}/v1/embed-tokens",
        data=json.dumps({"user": "bench-rep", "ttl_seconds": 3600}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return str(json.load(answer)["token"])


def page_weight(browser: Any, url: str) -> dict[str, Any]:
    """Bytes one cold load transfers for the HTML, JavaScript and CSS (bodies and headers)."""
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("body[data-state=ready]")
    entries = page.evaluate(
        """() => [performance.getEntriesByType('navigation')[0],
                  ...performance.getEntriesByType('resource')]
             .map(e => ({name: e.name, type: e.initiatorType, body: e.encodedBodySize,
                         transfer: e.transferSize}))"""
    )
    context.close()
    files = [e for e in entries if not e["name"].split("?")[0].split("/")[-1].startswith(
        ("recommendations", "share-links"))]  # fmt: skip
    return {
        "page_weight_bytes": sum(e["body"] for e in files),
        "transferred_bytes": sum(e["transfer"] for e in files),
        "files": {e["name"].split("/", 3)[-1].split("?")[0]: e["body"] for e in files},
    }


def visible_at(page: Any) -> float:
    """The page's results-visible mark, in ms from navigation start. Polled by evaluating (not
    wait_for_function, whose string form is an eval that the page's CSP forbids)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        marks = page.evaluate(f"{VISIBLE}.map(e => e.startTime)")
        if marks:
            return float(marks[0])
        time.sleep(0.01)
    raise SystemExit("the page never marked its results visible")


def timed_loads(browser: Any, url: str, warmup: int, loads: int) -> list[float]:
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    times = []
    for index in range(warmup + loads):
        page.goto(url)
        page.wait_for_selector("body[data-state=ready]", timeout=15_000)
        if index >= warmup:
            times.append(visible_at(page))
    context.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="enablement-sidebar-") as workdir:
        data_dir = Path(workdir) / "data"
        key = prepare(data_dir)
        port = free_port()
        server = serve(data_dir, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            params = [("token", mint(base, key))]
            params += [
                (k, v) for k, vs in DEAL.items() for v in ([vs] if isinstance(vs, str) else vs)
            ]
            url = f"{base}/sidebar?{urlencode(params)}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                weight = page_weight(browser, url)
                times = timed_loads(browser, url, args.warmup, args.loads)
                version = browser.version
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps({
        "command": " ".join(["python benchmarks/sidebar.py", *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "chromium": version, "server_workers": args.workers},
        "loads": len(times),
        "results_visible_ms": {
            "median": round(statistics.median(times), 1),
            "max": round(max(times), 1),
            "min": round(min(times), 1),
        },
        **weight,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
