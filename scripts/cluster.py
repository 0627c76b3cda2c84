"""Starts and stops a several-node deployment on this machine (run through scripts/cluster.sh).

`up N`: a PostgreSQL server and a Redis server (from the installed Debian binaries), the
library ingested once and its bundle published to a shared bundle store, N `enablement serve`
nodes on loopback ports, each with its own data folder, and nginx in front of them
(deploy/nginx.conf.template). It waits until every node is ready, prints one JSON line,
`{"url", "database_url", "redis_url", "nodes": [{"url", "pid"}]}`, and leaves it all running;
`down` stops everything `up` started in the same --base folder. Settings (ENABLEMENT_*) in the
environment reach every node."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The throwaway servers the test suite starts, reused: the same initdb/pg_ctl and redis-server.
from tests.postgres import PostgresServer  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

BIN = Path(sys.executable).parent
STATE = "cluster.json"


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/cluster.sh", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start N nodes behind nginx")
    up.add_argument("nodes", type=int, help="how many nodes")
    up.add_argument("--base", type=Path, default=ROOT / "data" / "cluster")
    up.add_argument("--library", type=Path, default=ROOT / "content_catalog")
    up.add_argument("--no-ingest", action="store_true", help="start with an empty catalog")
    up.add_argument("--port", type=int, default=8080, help="nginx's port (0: any free one)")
    up.add_argument("--workers", type=int, default=1, help="uvicorn workers per node")
    down = commands.add_parser("down", help="stop what `up` started")
    down.add_argument("--base", type=Path, default=ROOT / "data" / "cluster")
    args = parser.parse_args()
    if args.command == "up" and args.nodes < 1:
        parser.error("N must be at least 1")
    try:
        if args.command == "up":
            print(json.dumps(start(args)), flush=True)
        else:
            stop(args.base.resolve())
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1
    return 0


def start(args: argparse.Namespace) -> dict[str, Any]:
    base = args.base.resolve()
    if (base / STATE).exists():
        raise RuntimeError(f"a cluster is already up in {base}: run `scripts/cluster.sh down`")
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    state: dict[str, Any] = {"base": str(base)}
    try:
        # Not under --base: its parents may be private to root, and the server runs as postgres.
        postgres = PostgresServer(Path(tempfile.mkdtemp(prefix="enablement-cluster-pg-")),
                                  durable=True)  # fmt: skip
        state["postgres"] = str(postgres.base)
        _save(base, state)
        postgres.start()
        database_url = _database(postgres)
        redis = RedisServer(base / "redis")
        (base / "redis").mkdir()
        redis.start()
        state["redis_pid"] = redis.pid
        env = _node_env(base, database_url, redis.url)
        if not args.no_ingest:
            _run([str(BIN / "enablement"), "ingest", str(args.library.resolve())], env, base)
        nodes = [_node(base, i, env, args.workers) for i in range(args.nodes)]
        state["nodes"] = nodes
        _save(base, state)
        for node in nodes:
            wait_ready(node["url"], ingested=not args.no_ingest)
        port = args.port or free_port()
        state["nginx_pid"] = _nginx(base, port, [n["url"] for n in nodes])
        _save(base, state)
        wait_ready(f"http://127.0.0.1:{port}", ingested=not args.no_ingest)
    except BaseException:
        _save(base, state)
        stop(base)
        raise
    return {
        "url": f"http://127.0.0.1:{port}",
        "database_url": database_url,
        "redis_url": redis.url,
        "nodes": [{"url": n["url"], "pid": n["pid"]} for n in nodes],
    }


def stop(base: Path) -> None:
    """Stop nginx, the nodes, Redis and PostgreSQL, as far as `up` got."""
    path = base / STATE
    if not path.exists():
        raise RuntimeError(f"no cluster is up in {base}")
    state = json.loads(path.read_text())
    _kill(state.get("nginx_pid"), signal.SIGQUIT)
    for node in state.get("nodes", []):
        _kill(node["pid"], signal.SIGTERM)
    _kill(state.get("redis_pid"), signal.SIGTERM)
    if state.get("postgres"):
        server = PostgresServer(Path(state["postgres"]))
        if server.data.exists():
            try:
                server.stop()
            except RuntimeError as exc:
                print(f"cluster: {exc}", file=sys.stderr)
        shutil.rmtree(server.base, ignore_errors=True)
    path.unlink()


def _database(postgres: PostgresServer) -> str:
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={postgres.port} user=postgres dbname=postgres",
                         autocommit=True) as connection:  # fmt: skip
        connection.execute("CREATE DATABASE enablement")
    return postgres.url("enablement")


def _node_env(base: Path, database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "ENABLEMENT_DATABASE_URL": database_url,
        "ENABLEMENT_REDIS_URL": redis_url,
        "ENABLEMENT_BUNDLE_STORE": str(base / "bundle-store"),
        "ENABLEMENT_DATA_DIR": str(base / "ingest"),
        "HF_HUB_OFFLINE": "1",
    })  # fmt: skip
    env.setdefault("ENABLEMENT_TORCH_THREADS", "1")  # the nodes share this machine's cores
    return env


def _node(base: Path, index: int, env: dict[str, str], workers: int) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    node_env = env | {"ENABLEMENT_DATA_DIR": str(base / f"node-{index}")}
    node_env.setdefault("ENABLEMENT_PUBLIC_URL", url)
    log = (base / f"node-{index}.log").open("ab")
    command = [str(BIN / "enablement"), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]  # fmt: skip
    process = subprocess.Popen(command, env=node_env, stdout=log, stderr=subprocess.STDOUT,
                               cwd=base, start_new_session=True)  # fmt: skip
    return {"url": url, "pid": process.pid, "log": str(base / f"node-{index}.log")}


def _nginx(base: Path, port: int, nodes: list[str]) -> int:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx not found: apt-get install -y nginx-light (make test does)")
    servers = "\n".join(
        f"        server {url.removeprefix('http://')} max_fails=1 fail_timeout=5s;"
        for url in nodes
    )
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    conf = base / "nginx.conf"
    conf.write_text(
        template.replace("@BASE@", str(base)).replace("@SERVERS@", servers)
        .replace("@PORT@", str(port))
    )  # fmt: skip
    user = "root" if os.geteuid() == 0 else None
    prefix = f"user {user}; daemon off;" if user else "daemon off;"
    process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(base), "-g", prefix],
                               stdout=subprocess.DEVNULL, stderr=(base / "nginx.out").open("ab"),
                               start_new_session=True)  # fmt: skip
    return process.pid


def wait_ready(url: str, *, ingested: bool, timeout: float = 180.0) -> None:
    """Until `url`/readyz answers 200 (or, with no catalog, /healthz does)."""
    probe = f"{url}/readyz" if ingested else f"{url}/healthz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(probe, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} was not ready after {timeout:.0f} s (see its log)")


def _run(command: list[str], env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:2])} failed: {done.stderr.strip()[-500:]}")


def _kill(pid: int | None, sig: signal.Signals) -> None:
    if not pid:
        return
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _save(base: Path, state: dict[str, Any]) -> None:
    (base / STATE).write_text(json.dumps(state, indent=2))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    raise SystemExit(main())
