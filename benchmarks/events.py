"""Event ingestion over HTTP, and the audit's query times over a million events. Prints JSON.

For each store (SQLite, and PostgreSQL from the installed binaries): serves the sample library
with `enablement serve --workers 2`, posts events from 16 concurrent clients (one rep key each)
in batches and one at a time, and reports events/s. Then loads a history of `--events` events in
all (deals moving through the stages: recommended, opened, sent, buyer views, feedback, outcomes,
and one buyer question per recommendation) straight into the store, and times every audit view
over the default 90-day period, unfiltered and filtered by stage and vertical (median of 3).

    .venv/bin/python benchmarks/events.py [--events 1000000] [--stores sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.api.server import free_port  # noqa: E402
from tests.postgres import PostgresServer  # noqa: E402

from enablement.access.keys import Role  # noqa: E402
from enablement.analytics.audit import VIEWS  # noqa: E402
from enablement.analytics.filters import AuditFilters  # noqa: E402
from enablement.events.model import AskedQuestion, EventType, NewEvent  # noqa: E402
from enablement.service import EnablementService  # noqa: E402
from enablement.settings import Settings  # noqa: E402

CLIENTS = 16
BATCH = 100
TOPICS = (
    "data residency in the EU", "SOC 2 type II report", "migration from our legacy system",
    "pricing for 500 seats", "integration with SAP", "uptime SLA and credits", "a reference in "
    "our region", "offline mode for field staff", "custom reporting", "audit logs retention",
    "role based access", "HIPAA and a BAA", "multi-currency invoicing", "sandbox environments",
    "API rate limits", "training for admins", "single sign-on with Okta", "on-premise option",
)  # fmt: skip
FORMS = (
    "do you support {}?", "how do you handle {}?", "what is your answer on {}?",
    "can you share details about {}?", "is there documentation for {}?",
)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--http-batches", type=int, default=40, help="batches per client")
    parser.add_argument("--http-singles", type=int, default=250, help="single events per client")
    parser.add_argument("--stores", default="sqlite,postgresql")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "benchmark": "events",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "clients": CLIENTS,
        "batch_size": BATCH,
        "stores": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for store in args.stores.split(","):
            with database(store, Path(tmp) / store) as (url, data_dir):
                results["stores"][store] = run_store(url, data_dir, args)
            print(json.dumps({store: results["stores"][store]}), file=sys.stderr)  # progress
    json.dump(results, sys.stdout, indent=2)
    print()
    return 0


@contextmanager
def database(store: str, base: Path) -> Iterator[tuple[str, Path]]:
    """A data dir and a database URL for one store (a fresh PostgreSQL server for that one)."""
    base.mkdir(parents=True)
    data_dir = base / "data"
    if store == "sqlite":
        yield f"sqlite:///{data_dir / 'enablement.db'}", data_dir
        return
    # its own temporary folder: the server runs as postgres, which cannot enter root's private ones
    pg_dir = Path(tempfile.mkdtemp(prefix="enablement-bench-pg-"))
    server = PostgresServer(pg_dir, durable=True)
    server.start()
    try:
        yield server.url("postgres"), data_dir
    finally:
        server.stop()
        shutil.rmtree(pg_dir, ignore_errors=True)


def run_store(url: str, data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(data_dir=data_dir, database_url=url)
    service = EnablementService(settings)
    service.ingest(ROOT / "content_catalog")
    service.build_index()
    keys = [service.keys.create(f"rep-{i:02d}", Role.rep).key for i in range(CLIENTS)]
    assets = [a["id"] for a in service.store.assets()]
    service.close()
    out: dict[str, Any] = {}
    with serving(data_dir, url) as port:
        out["http_batches"] = post_all(port, keys, assets, batches=args.http_batches)
        out["http_single"] = post_all(port, keys, assets, singles=args.http_singles)
    service = EnablementService(settings)
    loaded = stored_events(service)
    started = time.perf_counter()
    loaded += load_history(service, assets, args.events - loaded)
    out["history"] = {"events": loaded, "load_s": round(time.perf_counter() - started, 1)}
    out["queries_ms"] = time_views(service)
    service.close()
    return out


@contextmanager
def serving(data_dir: Path, url: str) -> Iterator[int]:
    """`enablement serve --workers 2` over the data dir and database; yields its port."""
    port = free_port()
    env = {**os.environ, "ENABLEMENT_DATA_DIR": str(data_dir), "ENABLEMENT_DATABASE_URL": url,
           "ENABLEMENT_RATE_LIMIT_PER_MINUTE": str(10**9)}  # fmt: skip
    command = [str(Path(sys.executable).parent / "enablement"), "serve",
               "--port", str(port), "--workers", "2"]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_ready(process, port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_ready(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz") as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not become ready")


def post_all(
    port: int, keys: list[str], assets: list[str], *, batches: int = 0, singles: int = 0
) -> dict[str, Any]:
    """Every client posts its bodies over one keep-alive connection; bodies are built first."""
    rng = random.Random(11)
    plans = []
    for key in keys:
        if batches:
            bodies = [json.dumps({"events": [client_event(rng, assets) for _ in range(BATCH)]})
                      for _ in range(batches)]  # fmt: skip
            plans.append((key, "/v1/events:batch", bodies, BATCH))
        else:
            bodies = [json.dumps(client_event(rng, assets)) for _ in range(singles)]
            plans.append((key, "/v1/events", bodies, 1))
    failures: list[str] = []
    threads = [threading.Thread(target=post_bodies, args=(port, *plan, failures)) for plan in plans]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    events = sum(len(plan[2]) * plan[3] for plan in plans)
    return {
        "events": events,
        "requests": sum(len(plan[2]) for plan in plans),
        "seconds": round(elapsed, 2),
        "events_per_s": round(events / elapsed, 1),
        "errors": len(failures),
        "first_error": failures[0] if failures else None,
    }


def post_bodies(
    port: int, key: str, path: str, bodies: list[str], _: int, failures: list[str]
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    for body in bodies:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status not in (200, 201):
            failures.append(f"{response.status}: {payload[:200]!r}")
    connection.close()


def client_event(rng: random.Random, assets: list[str]) -> dict[str, Any]:
    kind = rng.choices(["opened", "sent", "feedback"], weights=[6, 3, 1])[0]
    event: dict[str, Any] = {
        "type": kind,
        "idempotency_key": f"{rng.getrandbits(64):016x}",
        "occurred_at": (
            datetime.now(UTC) - timedelta(minutes=rng.randrange(60 * 24 * 30))
        ).isoformat(),
        "deal_id": f"http-deal-{rng.randrange(5000)}",
        "asset_id": rng.choice(assets),
        "stage": rng.choice(["discovery", "evaluation", "proposal"]),
        "vertical": rng.choice(["healthcare", "financial_services", "manufacturing"]),
    }
    if kind == "feedback":
        event["rating"] = rng.choice(["up", "down"])
    return event


def stored_events(service: EnablementService) -> int:
    from sqlalchemy import func, select

    from enablement.db import tables

    with service.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(tables.events)) or 0)


def load_history(service: EnablementService, assets: list[str], target: int) -> int:
    """About `target` events of simulated deals, written in batches of ~10,000, spread over the
    last 90 days; returns how many were written."""
    store = service.usage.events
    written, pending = 0, 0
    by_rep: dict[str, list[NewEvent]] = {}
    questions: list[AskedQuestion] = []
    for rep, events, asked in deals(random.Random(5), assets, service.taxonomy.stages.ids):
        by_rep.setdefault(rep, []).extend(events)
        questions.extend(asked)
        written += len(events)
        pending += len(events)
        if pending >= 10_000 or written >= target:
            for user, items in by_rep.items():
                store.record(items, user_id=user, known_asset=lambda _a: True)
            store.record_questions(questions, user_id="reps")
            by_rep, questions, pending = {}, [], 0
        if written >= target:
            break
    return written


def deals(
    rng: random.Random, assets: list[str], stages: list[str]
) -> Iterator[tuple[str, list[NewEvent], list[AskedQuestion]]]:
    """Endless simulated deals: (rep, events, buyer questions)."""
    now = datetime.now(UTC)
    verticals = ["healthcare", "financial_services", "manufacturing", "retail", "education"]
    number = 0
    while True:
        number += 1
        # a rep's deals come in runs, so the loader writes big batches per rep
        deal_id, rep = f"deal-{number}", f"rep-{number // 200 % 200:03d}"
        vertical = rng.choice(verticals)
        at = now - timedelta(days=rng.uniform(31, 89))  # its last events land before today
        events: list[NewEvent] = []
        asked: list[AskedQuestion] = []
        reached = 0
        for stage in stages[:-1]:
            context = {"deal_id": deal_id, "stage": stage, "vertical": vertical}
            for _ in range(rng.randint(1, 3)):
                rec = f"{deal_id}-{len(asked)}"
                text = rng.choice(FORMS).format(rng.choice(TOPICS))
                asked.append(AskedQuestion(rec, at, f"{text} ({deal_id})", rng.gauss(0.55, 0.12),
                                           **context))  # fmt: skip
                for rank, asset in enumerate(rng.sample(assets, 5), 1):
                    events.append(NewEvent(EventType.recommended, f"{rec}:{rank}", at,
                                           asset_id=asset, recommendation_id=rec, rank=rank,
                                           score=rng.random(), **context))  # fmt: skip
                    if rng.random() < 0.3 / rank:
                        events.extend(rep_actions(rng, f"{rec}:{rank}", at, asset, context))
                at += timedelta(hours=rng.uniform(1, 48))
            if rng.random() < 0.22:
                break
            reached += 1
        if reached >= len(stages) - 2 or rng.random() < 0.5:
            outcome = "won" if rng.random() < 0.3 + 0.05 * reached else "lost"
            events.append(NewEvent(EventType.deal_outcome, f"{deal_id}:outcome", at,
                                   deal_id=deal_id, outcome=outcome,
                                   vertical=vertical))  # fmt: skip
        yield rep, events, asked


def rep_actions(
    rng: random.Random, key: str, at: datetime, asset: str, context: dict[str, Any]
) -> list[NewEvent]:
    out = [NewEvent(EventType.opened, f"{key}:open", at, asset_id=asset, **context)]
    if rng.random() < 0.5:
        out.append(NewEvent(EventType.sent, f"{key}:sent", at, asset_id=asset, **context))
        if rng.random() < 0.6:
            out.append(NewEvent(EventType.buyer_viewed, f"{key}:view", at, asset_id=asset,
                                **context))  # fmt: skip
    if rng.random() < 0.1:
        out.append(NewEvent(EventType.feedback, f"{key}:fb", at, asset_id=asset,
                            rating=rng.choice([1, -1]), **context))  # fmt: skip
    return out


def time_views(service: EnablementService) -> dict[str, Any]:
    """Each view's time in ms: the first call (the demand view encodes the questions whose
    vectors no served recommendation kept), then the median and max of 3, with and without a
    stage and vertical filter."""
    variants = {
        "all": AuditFilters.parse({}, service.taxonomy),
        "evaluation_healthcare": AuditFilters.parse(
            {"stage": "evaluation", "vertical": "healthcare"}, service.taxonomy
        ),
    }
    out: dict[str, Any] = {}
    for name, filters in variants.items():
        for view in VIEWS:
            started = time.perf_counter()
            service.audit.view(view, filters)
            first = (time.perf_counter() - started) * 1000
            times = []
            for _ in range(3):
                started = time.perf_counter()
                table = service.audit.view(view, filters)
                times.append((time.perf_counter() - started) * 1000)
            out[f"{view}:{name}"] = {
                "first": round(first, 1),
                "median": round(statistics.median(times), 1),
                "max": round(max(times), 1),
                "rows": len(table.rows),
            }
    return out


if __name__ == "__main__":
    raise SystemExit(main())
