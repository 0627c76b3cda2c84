"""The learnable-rows join (events/feedback.py) over a million events. Prints JSON.

For each store (SQLite, and PostgreSQL from the installed binaries): writes about `--events`
events through the event store: served lists of 5 (impressions with position and ranker, and
each list's record with its deal and, in 5% of them, an exploration swap), the rep's opens,
sends and thumbs quoting their list, buyer views of share links (a third quoting no list: they
reach it through the link), deal outcomes, and 1% feedback quoting an unknown list.
Then times `learnable()` over everything and over the last 30 days (median of 3).

    .venv/bin/python benchmarks/feedback.py [--events 1000000] [--stores sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.postgres import PostgresServer  # noqa: E402

from enablement.db import connect, tables  # noqa: E402
from enablement.events.feedback import learnable  # noqa: E402
from enablement.events.model import EventType, NewEvent, ServedList  # noqa: E402
from enablement.events.store import EventStore  # noqa: E402
from enablement.recommend.context import Deal  # noqa: E402

STAGES = ["prospecting", "discovery", "evaluation", "proposal", "negotiation", "closed_won"]
ASSETS = [f"asset-{n:03d}" for n in range(300)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    args = parser.parse_args()
    results = {}
    for store in args.stores.split(","):
        base = Path(tempfile.mkdtemp(prefix="enablement-feedback-"))
        try:
            with database(store, base) as url:
                results[store] = run(url, args.events)
        finally:
            shutil.rmtree(base, ignore_errors=True)
    command = " ".join(["benchmarks/feedback.py", *sys.argv[1:]])
    machine = {
        "python": platform.python_version(),
        "cpus": _cpus(),
        "platform": platform.platform(),
    }
    print(json.dumps({"command": command, "machine": machine, **results}, indent=2))
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


def database(store: str, base: Path) -> Any:
    if store == "sqlite":
        return _nullcontext(f"sqlite:///{base / 'events.db'}")
    return _postgres(base)


def _nullcontext(url: str) -> Any:
    from contextlib import nullcontext

    return nullcontext(url)


def _postgres(base: Path) -> Any:
    from contextlib import contextmanager

    @contextmanager
    def running() -> Iterator[str]:
        from tests.conftest import fresh_postgres_url

        base.chmod(0o777)
        server = PostgresServer(base)
        server.start()
        try:
            yield fresh_postgres_url(server)
        finally:
            server.stop()

    return running()


def run(url: str, target: int) -> dict[str, Any]:
    engine = connect(url)
    started = time.perf_counter()
    written = load(engine, target)
    load_s = time.perf_counter() - started
    timings: dict[str, Any] = {"events": written, "load_s": round(load_s, 1)}
    month = datetime.now(UTC) - timedelta(days=30)
    for name, since in (("all", None), ("last_30_days", month)):
        seconds = []
        for _ in range(3):
            started = time.perf_counter()
            result = learnable(engine, since=since)
            seconds.append(time.perf_counter() - started)
        timings[name] = {
            "median_s": round(statistics.median(seconds), 2),
            "max_s": round(max(seconds), 2),
            "impressions": len(result.impressions),
            "lists": len(result.lists),
            "swapped": sum(1 for served in result.lists.values() if served.swap is not None),
            "acted_on": sum(1 for i in result.impressions if i.step),
            "unlearnable": result.unlearnable.to_dict(),
        }
    engine.dispose()
    return timings


def load(
    engine: Any,
    target: int,
    *,
    relist: Callable[[list[ServedList]], list[ServedList]] | None = None,
) -> int:
    """About `target` events of simulated deals over the last 90 days; returns how many.
    `relist` may change each deal's served lists before they are stored (benchmarks/learn.py
    gives each deal its own fields)."""
    store = EventStore(engine, STAGES)
    rng = random.Random(15)
    written, batch, links, lists = 0, [], [], []
    for events, deal_links, served in deals(rng):
        batch.extend(events)
        links.extend(deal_links)
        lists.extend(relist(served) if relist is not None else served)
        if len(batch) >= 10_000 or written + len(batch) >= target:
            with engine.begin() as connection:
                if links:
                    connection.execute(tables.share_links.insert(), links)
            store.record(batch, user_id="rep", known_asset=lambda _a: True, lists=lists)
            written += len(batch)
            batch, links, lists = [], [], []
        if written >= target:
            return written
    return written


def deals(
    rng: random.Random,
) -> Iterator[tuple[list[NewEvent], list[dict[str, Any]], list[ServedList]]]:
    """Endless deals: their events, the share links their views came through, and the lists
    served in them."""
    now = datetime.now(UTC)
    number = 0
    while True:
        number += 1
        deal_id = f"deal-{number}"
        at = now - timedelta(days=rng.uniform(1, 89))
        events: list[NewEvent] = []
        links: list[dict[str, Any]] = []
        served: list[ServedList] = []
        for stage in STAGES[: rng.randint(1, 5)]:
            rec = f"{deal_id}-{stage}"
            context = {"deal_id": deal_id, "stage": stage}
            deal = Deal(deal_id, stage, vertical="healthcare", questions=("Is it HIPAA ready?",),
                        question_positions=(0,), as_of=at.date())  # fmt: skip
            swap = rng.randint(1, 4) if rng.random() < 0.05 else None
            served.append(ServedList(rec, deal_id, at, deal, swap, "linear"))
            for position, asset in enumerate(rng.sample(ASSETS, 5), 1):
                events.append(NewEvent(
                    EventType.recommended, f"{rec}:{position}", at, asset_id=asset,
                    recommendation_id=rec, rank=position, position=position,
                    ranker="linear", **context,
                ))  # fmt: skip
                if rng.random() < 0.4 / position:
                    events.extend(actions(rng, rec, asset, at, context, links))
            at += timedelta(hours=rng.uniform(1, 48))
        if rng.random() < 0.6:
            events.append(NewEvent(
                EventType.deal_outcome, f"{deal_id}:outcome", at, deal_id=deal_id,
                outcome=rng.choice(["won", "lost"]),
            ))  # fmt: skip
        yield events, links, served


def actions(
    rng: random.Random, rec: str, asset: str, at: datetime, context: dict[str, Any],
    links: list[dict[str, Any]],
) -> list[NewEvent]:  # fmt: skip
    quoted = rec if rng.random() > 0.01 else f"ghost-{rec}"
    key = f"{rec}:{asset}"
    later = at + timedelta(minutes=5)
    out = [NewEvent(EventType.opened, f"{key}:open", later, asset_id=asset,
                    recommendation_id=quoted, **context)]  # fmt: skip
    if rng.random() < 0.5:
        out.append(NewEvent(EventType.sent, f"{key}:sent", later, asset_id=asset,
                            recommendation_id=quoted, **context))  # fmt: skip
        if rng.random() < 0.6:
            link = hashlib.sha256(key.encode()).hexdigest()[:16]
            links.append({
                "id": link, "token_hash": link * 4, "user_id": "rep", "asset_id": asset,
                "created_at": later, "views": 1, **context,
            })  # fmt: skip
            via_link = rng.random() < 0.33
            out.append(NewEvent(EventType.buyer_viewed, f"{key}:view", later + timedelta(hours=2),
                                asset_id=asset, link_id=link,
                                recommendation_id=None if via_link else quoted,
                                **context))  # fmt: skip
    if rng.random() < 0.1:
        out.append(NewEvent(EventType.feedback, f"{key}:fb", later, asset_id=asset,
                            recommendation_id=quoted, rating=rng.choice([1, -1]),
                            **context))  # fmt: skip
    return out


if __name__ == "__main__":
    raise SystemExit(main())
