"""Writes served lists, their `recommended` events and buyer questions off the request path, in
batches.

Serving a recommendation must not wait for a disk flush, so each served recommendation is
queued and a background thread stores the queue every `interval` seconds in one transaction.
`close()` (called at shutdown) stores whatever is still queued.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from typing import Any

from enablement.events.model import RecommendationLogEntry
from enablement.events.store import EventStore
from enablement.index.cache import EmbeddingCache, cache_key, query_model

log = logging.getLogger(__name__)


class RecommendationLog:
    def __init__(
        self,
        store: EventStore,
        cache: EmbeddingCache,
        *,
        interval: float = 0.5,
        max_queued: int = 100_000,
    ) -> None:
        self._store = store
        self._cache = cache
        self._interval = interval
        self._queue: queue.Queue[RecommendationLogEntry] = queue.Queue(maxsize=max_queued)
        self._idle = threading.Condition()
        self._pending = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="enablement-log", daemon=True)
        self._thread.start()

    def submit(self, entry: RecommendationLogEntry) -> None:
        """Queue one served recommendation; if the queue is full, the entry is logged and dropped
        rather than slowing recommendations down."""
        with self._idle:
            self._pending += 1
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self._done(1)
            log.warning("recommendation log full; dropped one recommendation's events")

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is stored; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=30)
        self._write(self._drain())

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                first = self._queue.get(timeout=self._interval)
            except queue.Empty:
                continue
            self._stopping.wait(self._interval)  # let a batch gather
            self._write([first, *self._drain()])

    def _drain(self) -> list[RecommendationLogEntry]:
        entries = []
        while True:
            try:
                entries.append(self._queue.get_nowait())
            except queue.Empty:
                return entries

    def _write(self, entries: list[RecommendationLogEntry]) -> None:
        """Store `entries` in one go; if that fails, one by one, so that a bad entry (or a bad
        moment) loses only itself, never another request's events and questions."""
        if not entries:
            return
        try:
            try:
                self._persist(entries)
                stored = entries
            except Exception:  # a bad entry, or the store is down: find out entry by entry
                log.warning("a batch of %d recommendations failed; storing each", len(entries))
                stored = [entry for entry in entries if self._persist_one(entry)]
            self._remember_vectors(stored)
        except Exception:  # keep serving, say so
            log.exception("could not cache the query vectors of %d recommendations", len(entries))
        finally:
            self._done(len(entries))

    def _persist_one(self, entry: RecommendationLogEntry) -> bool:
        try:
            self._persist([entry])
        except Exception:
            log.exception("could not store recommendation %s", _name(entry))
            return False
        return True

    def _persist(self, entries: list[RecommendationLogEntry]) -> None:
        by_user: dict[str, list[RecommendationLogEntry]] = defaultdict(list)
        for entry in entries:
            by_user[entry.user_id].append(entry)
        for user_id, mine in by_user.items():
            events = [event for entry in mine for event in entry.events]
            lists = [entry.served for entry in mine if entry.served is not None]
            self._store.record(
                events, user_id=user_id, known_asset=lambda _asset: True, lists=lists
            )
            questions = [q for entry in mine for q in entry.questions]
            self._store.record_questions(questions, user_id=user_id)

    def _remember_vectors(self, entries: list[RecommendationLogEntry]) -> None:
        by_model: dict[str, dict[str, Any]] = defaultdict(dict)
        for entry in entries:
            model = query_model(entry.model)
            for text, vector in entry.vectors.items():
                by_model[model][cache_key(model, text)] = vector
        for model, vectors in by_model.items():
            self._cache.put_many(model, vectors)

    def _done(self, count: int) -> None:
        with self._idle:
            self._pending -= count
            self._idle.notify_all()


def _name(entry: RecommendationLogEntry) -> str:
    ids = {event.recommendation_id for event in entry.events} or {"(no items)"}
    return f"{', '.join(sorted(str(i) for i in ids))} of user {entry.user_id!r}"
