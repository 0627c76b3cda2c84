"""Prometheus metrics, in a registry of the app's own (so tests can build many apps)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

BUCKETS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "enablement_request_seconds",
            "Request latency by route.",
            ["method", "route", "status"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.served = Counter(
            "enablement_recommendations_served",
            "Recommended items returned.",
            registry=self.registry,
        )
        self.chunks = Gauge(
            "enablement_index_chunks", "Chunks in the serving bundle.", registry=self.registry
        )
        self.assets = Gauge(
            "enablement_index_assets", "Assets in the serving bundle.", registry=self.registry
        )
        self.bundle = Gauge(
            "enablement_bundle_info",
            "The serving bundle (value 1).",
            ["version"],
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.latency.labels(method, route, str(status)).observe(seconds)

    def set_bundle(self, version: str, assets: int, chunks: int) -> None:
        self.bundle.clear()
        self.bundle.labels(version).set(1)
        self.assets.set(assets)
        self.chunks.set(chunks)

    def render(self) -> bytes:
        return generate_latest(self.registry)
