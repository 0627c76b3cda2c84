"""Ingesting a library: diff against the catalog, rebuild only what changed, write atomically."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from enablement.catalog.build import (
    BuildOptions,
    Payload,
    build_asset,
    read_payload,
    truncation_warning,
)
from enablement.catalog.models import Asset, BadFileError, Report
from enablement.catalog.sources import Discovery, Item, discover
from enablement.catalog.store import CatalogStore, RunRecord
from enablement.errors import IngestRejectedError, InvalidValueError

# Bump when loaders or chunking change what they produce, so unchanged files are re-processed.
PIPELINE_VERSION = "2"  # 2: encodings detected, iterative HTML walk, chunk cap
Progress = Callable[[int, int, str], None]


@dataclass
class IngestSummary:
    source: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)  # skipped: the file is not stored
    warnings: list[Report] = field(default_factory=list)  # stored, but not whole (truncated)
    processed: list[str] = field(default_factory=list)  # items read and parsed this run
    assets: int = 0
    chunks: int = 0
    chunks_written: int = 0
    catalog_version: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "added": self.added,
            "changed": self.changed,
            "unchanged": len(self.unchanged),
            "removed": self.removed,
            "errors": [report.to_dict() for report in self.reports],
            "warnings": [report.to_dict() for report in self.warnings],
            "processed": self.processed,
            "assets": self.assets,
            "chunks": self.chunks,
            "chunks_written": self.chunks_written,
            "catalog_version": self.catalog_version,
            "seconds": round(self.seconds, 3),
        }


def pipeline_signature(options: BuildOptions) -> str:
    spec = options.chunk_spec
    key = (
        f"{PIPELINE_VERSION}:{spec.max_tokens}:{spec.overlap_tokens}:{spec.max_chunks}:"
        f"{options.count_tokens('a b')}"
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def ingest(
    path: Path,
    *,
    store: CatalogStore,
    options: BuildOptions,
    strict: bool = False,
    progress: Progress | None = None,
) -> IngestSummary:
    """Bring the catalog in line with the library at `path`.

    Returns the summary; raises InvalidValueError for a missing or unusable path, and
    IngestRejectedError when `strict` and any file was reported, as an error or as a warning
    (nothing is written then): strict promises that all of the library is stored, whole.
    """
    started, clock = datetime.now(UTC), time.perf_counter()
    if not path.exists():
        raise InvalidValueError(f"No such file or folder: {path}", field="path")
    found = discover(path)
    summary = IngestSummary(source=found.source, reports=list(found.reports))
    pipeline = pipeline_signature(options)
    upserts = _process(found, store, options, pipeline, summary, progress)
    reported = [*summary.reports, *summary.warnings]
    if strict and reported:
        raise IngestRejectedError(
            f"{len(reported)} file(s) reported in strict mode; the catalog is unchanged. "
            f"First: {reported[0].path}: {reported[0].reason}"
        )
    kept = {*summary.unchanged, *(asset.id for asset in upserts)}
    summary.removed = sorted(store.source_ids(found.source) - kept)
    summary.chunks_written = sum(len(asset.chunks) for asset in upserts)
    run = RunRecord(
        source=found.source, started_at=started, added=len(summary.added),
        changed=len(summary.changed), unchanged=len(summary.unchanged),
        removed=len(summary.removed), reported=len(summary.reports),
        summary={
            "errors": [r.to_dict() for r in summary.reports],
            "warnings": [r.to_dict() for r in summary.warnings],
        },
    )  # fmt: skip
    store.apply(pipeline=pipeline, upserts=upserts, removed=summary.removed, run=run)
    summary.assets, summary.chunks = store.counts()
    summary.catalog_version = store.catalog_version()
    summary.seconds = time.perf_counter() - clock
    return summary


def _process(
    found: Discovery, store: CatalogStore, options: BuildOptions, pipeline: str,
    summary: IngestSummary, progress: Progress | None,
) -> list[Asset]:  # fmt: skip
    previous = store.fingerprints(found.source)
    built: dict[str, Asset] = {}
    for done, item in enumerate(found.items, start=1):
        if progress is not None:
            progress(done, len(found.items), item.display)
        before = previous.get(item.locator)
        try:
            payload = read_payload(item, options.limits)
            if (
                before
                and before.content_hash == payload.content_hash
                and before.pipeline == pipeline
            ):
                summary.unchanged.append(before.asset_id)
                if before.chunk_count >= options.chunk_spec.max_chunks:  # still truncated
                    cap = options.chunk_spec.max_chunks
                    summary.warnings.append(Report(item.display, truncation_warning(cap)))
                continue
            asset = _build(payload, found, options, summary, built)
        except BadFileError as exc:
            summary.reports.append(Report(item.display, str(exc)))
            if before is not None:  # keep the last good version rather than lose it
                summary.unchanged.append(before.asset_id)
            continue
        built[asset.id] = asset
        summary.warnings.extend(Report(item.display, warning) for warning in asset.warnings)
    existing = store.existing_ids(built)
    for asset_id in built:
        (summary.changed if asset_id in existing else summary.added).append(asset_id)
    return list(built.values())


def _build(
    payload: Payload, found: Discovery, options: BuildOptions,
    summary: IngestSummary, built: dict[str, Asset],
) -> Asset:  # fmt: skip
    item: Item = payload.item
    summary.processed.append(item.display)
    asset = build_asset(payload, source=found.source, options=options)
    if asset.id in built or asset.id in summary.unchanged:
        raise BadFileError(f"duplicate asset id '{asset.id}' (already used in this library)")
    return asset
