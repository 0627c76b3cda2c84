"""Several nodes behind nginx on this machine (scripts/cluster.sh up 3, sample library): node
loss, rebuild propagation and throughput, driven by wrk. Prints JSON (and writes
benchmarks/results/cluster.json).

    .venv/bin/python benchmarks/cluster.py [--clients 32] [--duration 20]

- throughput: 3 nodes (one worker each) behind nginx, against one node with two workers alone,
  each under `--clients` closed-loop clients for `--duration` s, `--rounds` runs of each taken
  in turn; the run of median throughput of each (the nodes share the 2 cores: the ratio shows
  the architecture's overhead, not its scale), with the CPU milliseconds per request that each
  part (the nodes, nginx, the one node, PostgreSQL, Redis) used in that run, read from /proc;
- rebuild: under the same load, POST /v1/index:rebuild; seconds from the job's success (polled
  every 0.1 s) until every node's /healthz names the new version, and the failed requests;
- node_loss: under the same load, one node killed with SIGKILL 2 s in; the failed requests,
  and the p99 of that run against the p99 of the throughput run before it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from cpu import cpu_seconds, per_request_ms  # noqa: E402
from scripts.cluster import free_port, wait_ready  # noqa: E402

from api import WRK_SCRIPT, run_wrk  # noqa: E402
from enablement.access.keys import KeyStore, Role  # noqa: E402
from enablement.db import connect  # noqa: E402
from recommend import QUESTIONS  # noqa: E402

CLUSTER = ROOT / "scripts" / "cluster.sh"
BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument(
        "--rounds", type=int, default=7, help="throughput runs of each setup, taken in turn"
    )
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="enablement-cluster-bench-"))
    env = dict(os.environ, ENABLEMENT_RATE_LIMIT_PER_MINUTE=str(10**9))
    started = time.monotonic()
    up = subprocess.run(
        [str(CLUSTER), "up", str(args.nodes), "--base", str(base / "run"), "--port", "0"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    cluster = json.loads(up.stdout)
    try:
        results = measure(cluster, base, env, args)
    finally:
        subprocess.run([str(CLUSTER), "down", "--base", str(base / "run")], check=False)
    results["seconds"] = round(time.monotonic() - started, 1)
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    text = json.dumps(results, indent=2)
    print(text)
    (ROOT / "benchmarks" / "results" / "cluster.json").write_text(text + "\n")


def measure(
    cluster: dict[str, Any], base: Path, env: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    engine = connect(cluster["database_url"])
    key = KeyStore(engine).create("bench", Role.admin).key
    engine.dispose()
    script = base / "load.lua"
    script.write_text(WRK_SCRIPT % (", ".join(json.dumps(q) for q in QUESTIONS), key))
    url = cluster["url"]
    runs: dict[str, list[dict[str, Any]]] = {"nodes": [], "single": []}
    with one_node(cluster, base, env) as (single_url, single_pid):
        parts = _parts(cluster, base) | {"one_node": [single_pid]}
        wrk(url, script, args.clients, 5)  # warm every node's model and caches
        wrk(single_url, script, args.clients, 5)
        for _ in range(args.rounds):  # taken in turn, so drift on the machine hits both alike
            runs["nodes"].append(costed(url, script, args, parts))
            runs["single"].append(costed(single_url, script, args, parts))
    nodes, single = median_run(runs["nodes"]), median_run(runs["single"])
    rebuild = under_load(url, script, args, lambda: rebuilt(cluster, key))
    loss = under_load(url, script, args, lambda: killed(cluster["nodes"][0]["pid"]))
    return {
        "clients": args.clients,
        "duration_s": args.duration,
        "throughput": {
            f"{args.nodes}_nodes_nginx": nodes,
            "one_node_2_workers": single,
            "ratio": round(nodes["throughput_rps"] / single["throughput_rps"], 3),
            "cpu_ms_per_request": {  # of the median runs: what serving one request cost
                f"{args.nodes}_nodes_nginx": _cost(nodes, ("nodes", "nginx")),
                "one_node_2_workers": _cost(single, ("one_node",)),
            },
            "rounds": [_round(a, b) for a, b in zip(runs["nodes"], runs["single"], strict=True)],
        },
        "rebuild": rebuild,
        "node_loss": {
            **loss,
            "p99_before_ms": nodes["p99_ms"],
            "p99_ratio": round(loss["load"]["p99_ms"] / nodes["p99_ms"], 3),
        },
    }


def costed(
    url: str, script: Path, args: argparse.Namespace, parts: dict[str, list[int]]
) -> dict[str, Any]:
    """One wrk run, with the CPU milliseconds per request each part of the machine used."""
    before = cpu_seconds(parts)
    run: dict[str, Any] = wrk(url, script, args.clients, args.duration)
    run["cpu_ms_per_request"] = per_request_ms(before, cpu_seconds(parts), run["requests"])
    return run


def _cost(run: dict[str, Any], serving: tuple[str, ...]) -> float:
    """CPU ms per request of a setup's serving processes and the database and Redis."""
    spent = run["cpu_ms_per_request"]
    return round(sum(spent[part] for part in (*serving, "postgres", "redis")), 2)


def _parts(cluster: dict[str, Any], base: Path) -> dict[str, list[int]]:
    """The root pid of each part of the cluster, from the state `cluster.sh up` saved."""
    state = json.loads((base / "run" / "cluster.json").read_text())
    postmaster = Path(state["postgres"]) / "data" / "postmaster.pid"
    return {
        "nodes": [node["pid"] for node in cluster["nodes"]],
        "nginx": [state["nginx_pid"]],
        "postgres": [int(postmaster.read_text().split()[0])],
        "redis": [state["redis_pid"]],
    }


def _round(nodes: dict[str, float], single: dict[str, float]) -> dict[str, float]:
    rps = nodes["throughput_rps"], single["throughput_rps"]
    return {"nodes_rps": rps[0], "single_rps": rps[1], "ratio": round(rps[0] / rps[1], 3)}


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median throughput, with its own latencies, and how many runs there were."""
    ranked = sorted(runs, key=lambda run: run["throughput_rps"])
    return ranked[len(ranked) // 2] | {"runs": len(runs)}


def wrk(url: str, script: Path, clients: int, seconds: int) -> dict[str, float]:
    port = int(url.rsplit(":", 1)[1])
    return run_wrk(port, script, clients, seconds)


@contextmanager
def one_node(cluster: dict[str, Any], base: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """One more node with two workers on the same database and store (its URL and pid),
    measured alone: nginx does not send it requests."""
    port = free_port()
    node_env = env | {
        "ENABLEMENT_DATABASE_URL": cluster["database_url"],
        "ENABLEMENT_REDIS_URL": cluster["redis_url"],
        "ENABLEMENT_BUNDLE_STORE": str(base / "run" / "bundle-store"),
        "ENABLEMENT_DATA_DIR": str(base / "single"),
        "ENABLEMENT_TORCH_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
    }
    command = [str(BIN / "enablement"), "serve", "--port", str(port), "--workers", "2"]
    process = subprocess.Popen(command, env=node_env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        wait_ready(f"http://127.0.0.1:{port}", ingested=True)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def under_load(url: str, script: Path, args: argparse.Namespace, event: Any) -> dict[str, Any]:
    """wrk for `--duration` s, with `event` run 2 s in; wrk's figures and what `event` says."""
    done: dict[str, Any] = {}
    load = threading.Thread(
        target=lambda: done.update(load=wrk(url, script, args.clients, args.duration))
    )
    load.start()
    time.sleep(2)
    done.update(event())
    load.join()
    return done


def rebuilt(cluster: dict[str, Any], key: str) -> dict[str, Any]:
    """Queue a rebuild, then watch every node until it serves the new version: seconds from
    the publish (the `bundles` row's time, the database's clock on this machine) until the
    last node names it in /healthz, polled every 0.1 s."""
    request = urllib.request.Request(
        f"{cluster['url']}/v1/index:rebuild", method="POST",
        headers={"Authorization": f"Bearer {key}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        job_id = json.loads(answer.read())["id"]
    seen: dict[str, float] = {}  # node url -> wall time it first served the new version
    job: dict[str, Any] = {}
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if job.get("state") not in ("succeeded", "failed"):
            job = _get(f"{cluster['url']}/v1/jobs/{job_id}", key)
        version = (job.get("result") or {}).get("version")
        for node in cluster["nodes"]:
            served = _get(f"{node['url']}/healthz")["bundle_version"]
            if version and served == version and node["url"] not in seen:
                seen[node["url"]] = time.time()
        if job.get("state") == "failed" or len(seen) == len(cluster["nodes"]):
            break
        time.sleep(0.1)
    published = _published_at(cluster["database_url"], version)
    return {
        "job": {
            "state": job["state"],
            "node": job["node"],
            "attempts": job["attempts"],
            "build_s": (job.get("result") or {}).get("seconds"),
        },
        "nodes_switched": len(seen),
        "last_node_switched_after_publish_s": round(max(seen.values()) - published, 2),
    }


def _published_at(database_url: str, version: str | None) -> float:
    from sqlalchemy import select

    from enablement.db import tables

    engine = connect(database_url)
    with engine.connect() as connection:
        at = connection.scalar(
            select(tables.bundles.c.published_at).where(tables.bundles.c.version == version)
        )
    engine.dispose()
    return float(at.timestamp())


def killed(pid: int) -> dict[str, Any]:
    os.kill(pid, signal.SIGKILL)
    return {"killed_pid": pid}


def _get(url: str, key: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        return dict(json.loads(r.read()))


if __name__ == "__main__":
    main()
