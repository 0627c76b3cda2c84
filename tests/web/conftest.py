"""Browser tests: a real uvicorn over the sample library (real model, simulated history), CRM
host pages on two other origins, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from enablement.access.keys import Role
from enablement.events.simulate import SimulationOptions, simulate
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.api.server import free_port
from tests.conftest import REPO
from tests.web.browser import CHROMIUM, launch, static_server

CONTENT_HOST = "https://content.lumenfold.example/"  # where the sample assets' urls point


@dataclass(frozen=True)
class WebServer:
    url: str
    data_dir: Path
    admin_key: str
    allowed_host: str  # an origin in ENABLEMENT_FRAME_ANCESTORS, serving examples/
    other_host: str  # an origin that is not, serving the same pages

    def token(self, user: str, *, ttl_seconds: int = 900, role: str = "rep") -> str:
        """An embed token for `user`, exchanged for the admin key as a CRM's server would."""
        response = httpx.post(
            f"{self.url}/v1/embed-tokens",
            json={"user": user, "ttl_seconds": ttl_seconds, "role": role},
            headers={"Authorization": f"Bearer {self.admin_key}"},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["token"])

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.admin_key}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, **kwargs)


@pytest.fixture(scope="session")
def web_data_dir(sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the indexed sample library with a simulated history of usage events (enough
    closed deals for the influence view to show a few assets)."""
    data_dir = tmp_path_factory.mktemp("web") / "data"
    shutil.copytree(sample_data_dir, data_dir)
    service = EnablementService(Settings(data_dir=data_dir))
    try:
        options = SimulationOptions(deals=120, reps=4, days=60, seed=11)
        result = simulate(service.usage, service.recommender, options)
        assert result.events > 0
    finally:
        service.close()
    return data_dir


@pytest.fixture(scope="session")
def web_server(web_data_dir: Path) -> Iterator[WebServer]:
    """`enablement serve` in a subprocess, framable by one host origin and not by another."""
    port, allowed, other = free_port(), free_port(), free_port()
    service = EnablementService(Settings(data_dir=web_data_dir))
    admin_key = service.keys.create("crm-server", Role.admin).key
    service.close()
    env = {
        **os.environ,
        "ENABLEMENT_DATA_DIR": str(web_data_dir),
        "ENABLEMENT_FRAME_ANCESTORS": f"'self' http://127.0.0.1:{allowed}",
        "ENABLEMENT_RATE_LIMIT_PER_MINUTE": "100000",
        "ENABLEMENT_AUTH_FAILURES_PER_MINUTE": "100000",  # tests sign in badly on purpose
    }
    command = [str(Path(sys.executable).parent / "enablement"), "serve", "--port", str(port)]
    log = web_data_dir.parent / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log)
        with static_server(REPO / "examples", allowed), static_server(REPO / "examples", other):
            yield WebServer(
                url, web_data_dir, admin_key,
                f"http://127.0.0.1:{allowed}", f"http://127.0.0.1:{other}",
            )  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"enablement serve exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"enablement serve was not ready in 180 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, launched once for the session (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with "
            "`apt-get install -y chromium` (`make test` does, via scripts/install-system-deps.sh)."
        )
    with launch() as chromium:
        yield chromium


@pytest.fixture
def context(browser: Any, web_server: WebServer) -> Iterator[Any]:
    """A fresh browser context at the panel's width; the asset host is answered locally."""
    ctx = browser.new_context(viewport={"width": 360, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_server.url)
    ctx.route(
        f"{CONTENT_HOST}**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Asset</title><h1>Asset</h1>"
        ),
    )
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ENABLEMENT_SCREENSHOTS (e.g. docs/) if set, else a temp folder."""
    chosen = os.environ.get("ENABLEMENT_SCREENSHOTS")
    if chosen:
        path = Path(chosen)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")
