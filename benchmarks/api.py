"""HTTP load on a real uvicorn process: throughput, p50, p99 and errors with 1, 8 and 32 clients.

Serves a generated library of 10,000 assets / 100,000 chunks (see benchmarks/recommend.py) and
drives it with wrk from 127.0.0.1, one buyer question per deal, every question unique. Also
measures the recommender's in-process p50 on the same kind of deal, for the ratio, and switches
the bundle under an 8-client load to count failed requests during a hot reload. Prints JSON.

    .venv/bin/python benchmarks/api.py [--duration 15] [--workers 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from enablement.access.keys import Role
from enablement.embedding import SentenceTransformerEncoder, load_model_spec
from enablement.index.bundle import current_folder, load_bundle, publish
from enablement.recommend.context import resolve_deal
from enablement.recommend.pipeline import Recommender
from enablement.service import EnablementService
from enablement.settings import Settings
from recommend import QUESTIONS, generate_bundle, percentile

WRK_SCRIPT = """
counter = 0
local questions = {%s}
local stages = {"prospecting", "Needs Analysis", "evaluation", "Proposal/Price Quote",
                "Negotiation/Review"}
local verticals = {"healthcare", "financial_services", "manufacturing", "retail", "education"}
request = function()
  counter = counter + 1
  local q = questions[(counter %% #questions) + 1]
  q = q .. " (" .. counter .. "-" .. math.random(1000000) .. ")"
  local body = string.format('{"stage": "%%s", "vertical": "%%s", "questions": ["%%s"], "k": 5}',
    stages[(counter %% #stages) + 1], verticals[(counter %% #verticals) + 1], q)
  return wrk.format("POST", "/v1/recommendations", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer %s"}, body)
end
"""


def prepare(workdir: Path) -> str:
    """A data dir with the generated 10k-asset bundle and a key; returns the key."""
    service = EnablementService(Settings())
    bundle = generate_bundle(service, 10_000, 10, seed=5)
    bundle.meta = dataclasses.replace(bundle.meta, version="bench-a")
    publish(bundle, workdir / "bundles")
    service.close()
    target = EnablementService(Settings(data_dir=workdir))
    key = target.keys.create("bench", Role.rep).key
    target.close()
    return key


def start_server(workdir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ENABLEMENT_DATA_DIR": str(workdir),
        "ENABLEMENT_RATE_LIMIT_PER_MINUTE": str(10**9),
        "ENABLEMENT_RELOAD_INTERVAL_S": "0.5",
    }
    command = [
        str(Path(sys.executable).parent / "enablement"),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError("the server did not become ready")


def run_wrk(port: int, script: Path, clients: int, seconds: int) -> dict[str, float]:
    command = [
        "wrk",
        "-t",
        str(min(clients, 2)),
        "-c",
        str(clients),
        "-d",
        f"{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {
        "clients": clients,
        "throughput_rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "errors": _errors(out),
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return round(float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit], 2)


def _errors(out: str) -> int:
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(map(int, sockets.groups())) if sockets else 0
    )


def in_process_p50(workdir: Path, runs: int = 500) -> float:
    """The bare recommender (no HTTP, no batching), with the server's model settings."""
    settings = Settings(data_dir=workdir)
    service = EnablementService(settings)
    encoder = SentenceTransformerEncoder(
        load_model_spec(None), quantize_queries=settings.quantize_queries
    )
    recommender = Recommender(
        load_bundle(current_folder(workdir / "bundles")), encoder, service.taxonomy, service.config
    )
    stages = ["prospecting", "Needs Analysis", "evaluation", "Proposal/Price Quote"]
    deals = [
        resolve_deal(
            {
                "stage": stages[i % 4],
                "vertical": "healthcare",
                "k": 5,
                "questions": [f"{QUESTIONS[i % len(QUESTIONS)]} ({i})"],
            },
            service.taxonomy,
        )
        for i in range(runs)
    ]
    for deal in deals[:50]:
        recommender.recommend(deal)
    gc.collect()
    gc.freeze()  # as the server does after loading a bundle
    times = []
    for deal in deals:
        start = time.perf_counter()
        recommender.recommend(deal)
        times.append((time.perf_counter() - start) * 1000)
    service.close()
    return round(percentile(times, 50), 2)


def reload_under_load(workdir: Path, port: int, script: Path, seconds: int) -> dict[str, object]:
    """Publish a new bundle while 8 clients run; report failures and the versions served."""
    seen: list[str] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
                version = response.headers.get("x-bundle-version", "")
            if not seen or seen[-1] != version:
                seen.append(version)
            time.sleep(0.2)

    def switch() -> None:
        time.sleep(seconds / 4)
        bundle = load_bundle(current_folder(workdir / "bundles"))
        bundle.meta = dataclasses.replace(bundle.meta, version="bench-b")
        publish(bundle, workdir / "bundles")

    threads = [threading.Thread(target=poll), threading.Thread(target=switch)]
    for thread in threads:
        thread.start()
    result = run_wrk(port, script, 8, seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return {
        "clients": 8,
        "requests": result["requests"],
        "errors": result["errors"],
        "versions_served": seen,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 1
    if args.port == 0:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            args.port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        key = prepare(workdir)
        script = workdir / "deal.lua"
        script.write_text(WRK_SCRIPT % (", ".join(json.dumps(q) for q in QUESTIONS), key))
        server = start_server(workdir, args.port, args.workers)
        try:
            run_wrk(args.port, script, 8, 10)  # warm up, as the in-process baseline is
            loads = [run_wrk(args.port, script, c, args.duration) for c in (1, 8, 32)]
            reload = reload_under_load(workdir, args.port, script, args.duration)
        finally:
            server.terminate()
            server.wait(timeout=30)
        baseline = in_process_p50(workdir)
    print(
        json.dumps(
            {
                "benchmark": "api",
                "command": " ".join(["python", *sys.argv]),
                "machine": {"python": platform.python_version(), "platform": platform.platform()},
                "library": {"assets": 10_000, "chunks": 100_000},
                "workers": args.workers,
                "load": loads,
                "in_process_p50_ms": baseline,
                "ratio_p50_one_client_to_in_process": round(loads[0]["p50_ms"] / baseline, 2),
                "reload_under_load": reload,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
