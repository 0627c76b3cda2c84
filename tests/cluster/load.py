"""Closed-loop client load on a deployment: each client sends a deal for recommendations, waits
for the answer and sends the next, recording when each request started, how long it took and
whether it succeeded. Shared by the cluster tests and benchmarks/cluster.py."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

QUESTIONS = (
    "do you sign a BAA?", "how long does implementation take?", "what does it cost per user?",
    "how do you compare with Brightwell?", "is data encrypted at rest?",
    "can we keep our data in the EU?", "what ROI did hospitals see?", "do you support SSO?",
)  # fmt: skip


@dataclass(frozen=True)
class Sample:
    start: float  # time.monotonic() when sent
    seconds: float
    status: int  # 0: no answer (connection refused or reset)


@dataclass
class Load:
    """`clients` threads sending POST /v1/recommendations to `url` until `stop`, each request
    under the next of `keys` (many keys: the load is not one key's rate limit)."""

    url: str
    keys: list[str]
    clients: int
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Load:
        for index in range(self.clients):
            thread = threading.Thread(target=self._client, args=(index,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> list[Sample]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)
        return sorted(self.samples, key=lambda s: s.start)

    def _client(self, index: int) -> None:
        parts = urlsplit(self.url)
        connection: http.client.HTTPConnection | None = None
        sent = index
        while not self._stop.is_set():
            body = json.dumps({
                "stage": "Needs Analysis", "vertical": "healthcare", "k": 5,
                "questions": [QUESTIONS[sent % len(QUESTIONS)]],
            })  # fmt: skip
            key = self.keys[sent % len(self.keys)]
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            sent += self.clients
            start = time.monotonic()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                connection.request("POST", "/v1/recommendations", body=body, headers=headers)
                answer = connection.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException):
                status = 0
                if connection is not None:
                    connection.close()
                connection = None
            with self._lock:
                self.samples.append(Sample(start, time.monotonic() - start, status))


def failed(samples: list[Sample]) -> list[Sample]:
    return [s for s in samples if s.status != 200]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
