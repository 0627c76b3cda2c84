"""Several real nodes behind nginx (scripts/cluster.sh up 3, on the small test library): a
rebuild reaches every node within seconds under load with no failed request, rebuild jobs are
each run by exactly one node, Redis holds a key's limit across nodes, and a node killed with
SIGKILL mid-load costs the clients nothing. The figures at full load come from
benchmarks/cluster.py; these tests check the behaviour, with loose bounds."""

from __future__ import annotations

import json
import os
import random
import signal
import string
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path
from typing import Any

import pytest

from enablement.access.keys import KeyStore, Role
from enablement.db import connect
from tests.cluster.load import Load, failed
from tests.index.library import ASSETS

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 120  # requests per minute per key on the nodes, so the Redis test can reach it
LEASE_S = 10  # a dead node's job is claimed again after this long (heartbeats every 2.5 s)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("cluster")
    library = base / "library"
    library.mkdir()
    for name, text in ASSETS.items():
        (library / name).write_text(text)
    env = dict(os.environ, ENABLEMENT_RATE_LIMIT_PER_MINUTE=str(LIMIT),
               ENABLEMENT_JOB_POLL_S="0.5", ENABLEMENT_RELOAD_INTERVAL_S="1.0",
               ENABLEMENT_JOB_LEASE_S=str(LEASE_S),
               ENABLEMENT_LIBRARY_ROOTS=json.dumps([str(base)]))  # fmt: skip
    command = [str(ROOT / "scripts" / "cluster.sh"), "up", "3", "--base", str(base / "run"),
               "--library", str(library), "--port", "0"]  # fmt: skip
    up = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert up.returncode == 0, up.stderr
    lines = up.stdout.strip().splitlines()
    assert len(lines) == 1  # one JSON line, as documented
    info = json.loads(lines[0])
    engine = connect(info["database_url"])
    keys = KeyStore(engine)
    made = [keys.create(f"key-{i}", Role.admin).key for i in range(64)]
    # The load's keys, and apart from them the keys that queue and poll jobs, taken in turn:
    # each key's budget is LIMIT a minute, and a slow rebuild is polled many times.
    info["keys"], info["admin"] = made[:48], cycle(made[48:])
    info["base"], info["dead"] = base, set()  # the pids of the nodes a test killed
    engine.dispose()
    try:
        yield info
    finally:
        down = [str(ROOT / "scripts" / "cluster.sh"), "down", "--base", str(base / "run")]
        subprocess.run(down, check=False)


def get(url: str, key: str | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def post(url: str, key: str) -> dict[str, Any]:
    request = urllib.request.Request(url, method="POST", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return dict(json.loads(answer.read()))


def admin(cluster: dict[str, Any]) -> str:
    return str(next(cluster["admin"]))


def finished(cluster: dict[str, Any], job_id: str) -> dict[str, Any]:
    for _ in range(600):
        status, job = get(f"{cluster['url']}/v1/jobs/{job_id}", admin(cluster))
        if status == 200 and job["state"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def versions(cluster: dict[str, Any]) -> list[str | None]:
    return [get(f"{node['url']}/healthz")[1]["bundle_version"] for node in cluster["nodes"]]


def test_the_cluster_is_up_behind_one_address(cluster: dict[str, Any]) -> None:
    status, ready = get(f"{cluster['url']}/readyz")
    assert status == 200 and ready["checks"] == {"bundle": "ok", "store": "ok"}
    assert len(set(versions(cluster))) == 1 and ready["live_bundle_version"] in versions(cluster)
    assert cluster["database_url"].startswith("postgresql") and cluster["redis_url"]


def test_a_rebuild_reaches_every_node_within_seconds_under_load(
    cluster: dict[str, Any],
) -> None:
    before = versions(cluster)[0]
    load = Load(cluster["url"], cluster["keys"], clients=8).start()
    time.sleep(1)
    job = finished(cluster, post(f"{cluster['url']}/v1/index:rebuild", admin(cluster))["id"])
    done = time.monotonic()
    assert job["state"] == "succeeded" and job["attempts"] == 1, job
    new = job["result"]["version"]
    while set(versions(cluster)) != {new} and time.monotonic() - done < 10:
        time.sleep(0.1)
    switched = time.monotonic() - done
    time.sleep(1)
    samples = load.stop()
    assert versions(cluster) == [new] * 3 and new != before
    assert switched < 10
    assert len(samples) > 50 and failed(samples) == []


def test_each_rebuild_job_is_run_by_exactly_one_node(cluster: dict[str, Any]) -> None:
    ids = [post(f"{cluster['url']}/v1/index:rebuild", admin(cluster))["id"] for _ in range(4)]
    jobs = [finished(cluster, job_id) for job_id in ids]
    pids = {str(node["pid"]) for node in cluster["nodes"]}
    assert [j["state"] for j in jobs] == ["succeeded"] * 4, [j["error"] for j in jobs]
    assert [j["attempts"] for j in jobs] == [1] * 4  # claimed once each, never twice
    assert {j["node"].rsplit(":", 1)[1] for j in jobs} <= pids
    assert len({j["result"]["version"] for j in jobs}) == 4  # four builds, not one run four times


def test_a_keys_limit_holds_across_real_nodes(cluster: dict[str, Any]) -> None:
    """Sent round-robin straight to the three nodes, a fresh key gets its limit, not three
    times it (each node sees a third of the requests, under its own limit)."""
    engine = connect(cluster["database_url"])
    key = KeyStore(engine).create("limit-probe", Role.rep).key
    engine.dispose()
    nodes = cycle(node["url"] for node in cluster["nodes"])
    start = time.monotonic()
    codes = [get(f"{next(nodes)}/v1/taxonomy", key)[0] for _ in range(2 * LIMIT)]
    refill = (time.monotonic() - start) * LIMIT / 60
    assert set(codes) == {200, 429}
    assert LIMIT <= codes.count(200) <= LIMIT + refill + 1


def big_library(folder: Path, assets: int, seed: int = 7) -> Path:
    """`assets` Markdown documents of six paragraphs each, worded at random: a job that takes
    the real model several seconds to encode."""
    rng = random.Random(seed)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(500)]
    folder.mkdir()
    for i in range(assets):
        paragraphs = [" ".join(rng.choices(words, k=70)) + "." for _ in range(6)]
        (folder / f"note-{i:03d}.md").write_text(f"# Field note {i}\n\n" + "\n\n".join(paragraphs))
    return folder


def test_a_job_whose_node_dies_is_run_again_by_another(cluster: dict[str, Any]) -> None:
    library = big_library(cluster["base"] / "library-big", assets=120)
    request = urllib.request.Request(
        f"{cluster['url']}/v1/catalog:ingest", method="POST",
        data=json.dumps({"path": str(library)}).encode(),
        headers={"Authorization": f"Bearer {admin(cluster)}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        job_id = json.loads(answer.read())["id"]
    running: dict[str, Any] = {}
    for _ in range(300):
        running = get(f"{cluster['url']}/v1/jobs/{job_id}", admin(cluster))[1]
        if running["state"] != "queued":
            break
        time.sleep(0.1)
    assert running["state"] == "running", running  # caught mid-job
    pid = int(running["node"].rsplit(":", 1)[1])
    os.kill(pid, signal.SIGKILL)
    cluster["dead"].add(pid)
    job = finished(cluster, job_id)
    assert job["state"] == "succeeded", job
    assert job["attempts"] == 2 and int(job["node"].rsplit(":", 1)[1]) != pid
    assert job["result"]["assets"] >= 120  # the whole folder, ingested by the second node


def test_a_node_killed_mid_load_fails_no_request(cluster: dict[str, Any]) -> None:
    load = Load(cluster["url"], cluster["keys"], clients=8).start()
    time.sleep(2)
    victim = next(n["pid"] for n in cluster["nodes"] if n["pid"] not in cluster["dead"])
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    time.sleep(3)
    samples = load.stop()
    after = [s for s in samples if s.start >= killed]
    assert len(after) > 20 and failed(samples) == []
    status, _ = get(f"{cluster['url']}/readyz")
    assert status == 200
