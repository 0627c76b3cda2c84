"""A server killed in the middle of a stream of batches loses nothing it acknowledged, and keeps
no half of a batch, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from enablement.access.keys import KeyStore, Role
from enablement.db import connect, tables
from tests.api.server import free_port

BATCH = 50


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str, subprocess.Popen[bytes]]]:
    engine = connect(database_url)
    key = KeyStore(engine).create("rep-durable", Role.rep).key
    engine.dispose()
    port = free_port()
    env = {**os.environ, "ENABLEMENT_DATA_DIR": str(tmp_path / "data"),
           "ENABLEMENT_DATABASE_URL": database_url,
           "ENABLEMENT_RATE_LIMIT_PER_MINUTE": str(10**9)}  # fmt: skip
    command = [str(Path(sys.executable).parent / "enablement"), "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    _wait_until_up(base, process)
    yield base, key, process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_a_killed_server_keeps_every_acknowledged_batch_whole(
    server: tuple[str, str, subprocess.Popen[bytes]], database_url: str
) -> None:
    base, key, process = server
    acknowledged: list[int] = []
    sent: list[int] = []
    stop = threading.Event()

    def client(number: int) -> None:
        for batch in range(number, 10_000, 4):
            if stop.is_set():
                return
            sent.append(batch)
            if _post(base, key, batch):
                acknowledged.append(batch)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 40:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)  # no shutdown, no flush: as if the machine lost it
    process.wait()
    stop.set()
    for thread in threads:
        thread.join()

    engine = create_engine(database_url)
    with engine.connect() as connection:
        keys = connection.execute(select(tables.events.c.idempotency_key)).scalars().all()
    engine.dispose()
    stored: dict[int, int] = {}
    for stored_key in keys:
        batch = int(stored_key.split("-")[0])
        stored[batch] = stored.get(batch, 0) + 1
    assert len(acknowledged) >= 40
    assert all(stored.get(batch) == BATCH for batch in acknowledged)
    assert all(count == BATCH for count in stored.values())  # no batch half stored
    assert set(stored) <= set(sent)


def _post(base: str, key: str, batch: int) -> bool:
    events = [
        {"type": "opened", "idempotency_key": f"{batch}-{i}", "deal_id": f"deal-{batch}",
         "asset_id": "datasheet", "stage": "discovery"}
        for i in range(BATCH)
    ]  # fmt: skip
    request = urllib.request.Request(
        f"{base}/v1/events:batch",
        data=json.dumps({"events": events}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status in (200, 201)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise RuntimeError("the server did not start")
