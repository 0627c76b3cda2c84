"""Writes served lists, their `recommended` events and buyer questions off the request path, in
batches.

Serving a recommendation must not wait for a disk flush, so each served recommendation is
queued and a background thread stores the queue every `interval` seconds in one transaction.
`close()` (called at shutdown) stores whatever is still queued. While the database does not
answer, batches are held in memory and stored when it does (retried every few seconds), so a
recommendation that was served is not lost to a database restart.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from typing import Any

from sqlalchemy.exc import DisconnectionError, OperationalError

from enablement.events.model import RecommendationLogEntry
from enablement.events.store import EventStore
from enablement.index.cache import EmbeddingCache, cache_key, query_model

log = logging.getLogger(__name__)

RETRY_S = (1.0, 30.0)  # while the store is down: retry after 1 s, doubling up to 30 s


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
        self._max_queued = max_queued
        self._held: list[RecommendationLogEntry] = []  # waiting for the database to answer
        self._retry_s = 0.0  # > 0 while the store does not answer: the wait before a retry
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
        self._write([*self._take_held(), *self._drain()])
        if self._held:
            log.error("the store does not answer: %d served recommendations were not stored",
                      len(self._held))  # fmt: skip

    def _run(self) -> None:
        while not self._stopping.is_set():
            if self._held:  # the store was down: wait, then try again with what came since
                self._stopping.wait(self._retry_s)
                self._write([*self._take_held(), *self._drain()])
                continue
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
        """Store `entries` in one go; if the store does not answer, hold them for a retry; if
        the batch fails otherwise, store them one by one, so that a bad entry loses only
        itself, never another request's events and questions."""
        if not entries:
            return
        try:
            try:
                self._persist(entries)
                stored = entries
            except (OperationalError, DisconnectionError):  # the store is down: hold, retry
                self._hold(entries)
                return
            except Exception:  # a bad entry: find it, entry by entry
                log.warning("a batch of %d recommendations failed; storing each", len(entries))
                stored = [entry for entry in entries if self._persist_one(entry)]
            if self._retry_s > 0:
                log.warning("the store answers again; stored %d held recommendations", len(stored))
                self._retry_s = 0.0
            self._remember_vectors(stored)
        except Exception:  # keep serving, say so
            log.exception("could not cache the query vectors of %d recommendations", len(entries))
        self._done(len(entries))

    def _hold(self, entries: list[RecommendationLogEntry]) -> None:
        if self._retry_s == 0:
            log.warning("the store does not answer; holding %d served recommendations to store "
                        "when it does", len(entries))  # fmt: skip
        self._retry_s = min(max(self._retry_s * 2, RETRY_S[0]), RETRY_S[1])
        overflow = len(entries) - self._max_queued
        if overflow > 0:  # bounded like the queue: the oldest go, said so
            log.warning("the store is down too long: dropped %d served recommendations", overflow)
            entries = entries[overflow:]
            self._done(overflow)
        self._held = entries

    def _take_held(self) -> list[RecommendationLogEntry]:
        held, self._held = self._held, []
        return held

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
