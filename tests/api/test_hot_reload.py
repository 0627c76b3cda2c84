"""A rebuild under load: running clients see the bundle version change and no request fails."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from enablement.api import create_app
from enablement.catalog.build import BuildOptions
from tests.api.conftest import make_env
from tests.api.server import running


def test_rebuild_under_load_switches_without_failures(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    env = make_env(tmp_path, build_options, rate_limit_per_minute=10**6)
    app = create_app(env.settings, service=env.service)
    statuses: list[int] = []
    versions: list[str] = []
    stop = threading.Event()

    def client(base: str) -> None:
        with httpx.Client(base_url=base, headers=env.auth("rep"), timeout=30) as http:
            while not stop.is_set():
                response = http.post(
                    "/v1/recommendations", json={"questions": ["pricing per user"]}
                )
                statuses.append(response.status_code)
                versions.append(response.headers.get("x-bundle-version", ""))

    with running(app) as base:
        threads = [threading.Thread(target=client, args=(base,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        library = env.settings.library_roots[0]
        (library / "late.md").write_text("---\ntitle: Late addition\n---\nBrand new pricing notes.")
        with httpx.Client(base_url=base, headers=env.auth("admin")) as admin:
            job = admin.post("/v1/catalog:ingest", json={"path": str(library)}).json()
            for _ in range(200):
                state = admin.get(f"/v1/jobs/{job['id']}").json()["state"]
                if state in ("succeeded", "failed"):
                    break
                time.sleep(0.05)
            assert state == "succeeded"
        time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join()
    env.service.close()
    assert statuses and set(statuses) == {200}
    assert len(set(versions)) == 2, set(versions)  # before and after, each request one or the other
    first_new = versions.index(versions[-1])
    assert all(v == versions[-1] for v in versions[first_new:][-50:])
