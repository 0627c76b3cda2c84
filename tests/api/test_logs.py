"""Secrets stay out of logs: redact() itself, and a real `enablement serve` access log."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from enablement.access.keys import Role
from enablement.api.logs import RedactSecrets, install, redact
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.api.server import free_port

KEY = "enb_" + "k" * 43
TOKEN = "enbt_" + "t" * 43


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (f"/sidebar?token={TOKEN}&deal_id=d1", "/sidebar?token=REDACTED&deal_id=d1"),
        (f"/dashboard?x=1&TOKEN={TOKEN}", "/dashboard?x=1&TOKEN=REDACTED"),
        (
            "/v1/assets?api_key=abc;access_token=def",
            "/v1/assets?api_key=REDACTED;access_token=REDACTED",
        ),
        ("/p?%74oken=abc&key=xyz#frag", "/p?%74oken=REDACTED&key=REDACTED#frag"),
        ("/s/Q3b7PZ0kR8m2c1vN4sW6yT9uL5aH0dF", "/s/[redacted]"),
        ("/s/Q3b7PZ0kR8m2c1vN4sW6yT9u?x=1", "/s/[redacted]?x=1"),
        (
            f'1.2.3.4:5 - "GET /x/{KEY} HTTP/1.1" 200',
            '1.2.3.4:5 - "GET /x/enb_[redacted] HTTP/1.1" 200',
        ),
        ("/v1/search?q=token+pricing&limit=5", "/v1/search?q=token+pricing&limit=5"),
        ("/static/js/sidebar.js", "/static/js/sidebar.js"),
    ],
)
def test_redact(raw: str, clean: str) -> None:
    assert redact(raw) == clean


def test_the_filter_rewrites_uvicorn_access_records(caplog: pytest.LogCaptureFixture) -> None:
    install()
    install()  # twice is once
    access = logging.getLogger("uvicorn.access")
    assert sum(isinstance(f, RedactSecrets) for f in access.filters) == 1
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        access.info(
            '%s - "%s %s HTTP/%s" %d', "1.2.3.4:5", "GET", f"/s/abc?token={TOKEN}", "1.1", 200
        )
    assert caplog.messages == ['1.2.3.4:5 - "GET /s/[redacted]?token=REDACTED HTTP/1.1" 200']


def test_a_served_access_log_holds_no_token(tmp_path: Path) -> None:
    """Two uvicorn workers, each importing the app: neither logs a usable secret."""
    data_dir = tmp_path / "data"
    service = EnablementService(Settings(data_dir=data_dir))
    key = service.keys.create("crm", Role.admin).key
    token = service.tokens.mint("jordan", ttl_seconds=600).token
    service.close()
    share = secrets.token_urlsafe(24)
    port, log = free_port(), tmp_path / "server.log"
    env = {**os.environ, "ENABLEMENT_DATA_DIR": str(data_dir)}
    command = [str(Path(sys.executable).parent / "enablement"), "serve", "--port", str(port),
               "--workers", "2"]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        paths = [f"/dashboard?token={token}", f"/v1/taxonomy?token={token}&x=1",
                 f"/s/{share}", f"/v1/assets?api_key={key}", f"/v1/nowhere/{token}"]  # fmt: skip
        for _ in range(3):  # a few times each, so both workers answer some
            for path in paths:
                httpx.get(base + path, timeout=30)
        assert (
            httpx.get(
                f"{base}/v1/taxonomy", headers={"Authorization": f"Bearer {token}"}, timeout=30
            ).status_code
            == 200
        )  # the token works: it is worth hiding
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    text = log.read_text()
    assert "/s/[redacted]" in text and "token=REDACTED" in text, text[-3000:]
    for secret in (token, token.removeprefix("enbt_"), key.removeprefix("enb_"), share):
        assert secret not in text


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"enablement serve exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"enablement serve did not start:\n{log.read_text()[-3000:]}")
