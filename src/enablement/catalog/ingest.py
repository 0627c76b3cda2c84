"""Ingesting a library: diff against the catalog, rebuild only what changed, write atomically."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from enablement.catalog.build import (
    BuildOptions,
    Payload,
    build_asset,
    derived_id,
    read_payload,
    truncation_warning,
)
from enablement.catalog.ids import IdChooser
from enablement.catalog.models import Asset, BadFileError, Report
from enablement.catalog.roots import Scope, rebased, scope_for
from enablement.catalog.sources import Discovery, Item, discover, resolve
from enablement.catalog.store import CatalogStore, Fingerprint, Move, RunRecord
from enablement.errors import IngestRejectedError, InvalidValueError

# Bump when loaders or chunking change what they produce, so unchanged files are re-processed.
PIPELINE_VERSION = "2"  # 2: encodings detected, iterative HTML walk, chunk cap
Progress = Callable[[int, int, str], None]


@dataclass
class IngestSummary:
    source: str  # the source the assets belong to: `path`, or the known folder holding it
    path: str = ""  # what was ingested, resolved
    merged: list[str] = field(default_factory=list)  # sources ingested before, now part of it
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

    @property
    def notes(self) -> list[str]:
        """What happened to sources and ids, in words (empty for a plain ingest)."""
        notes = []
        if self.path and self.path != self.source:
            notes.append(
                f"{self.path} is part of the source {self.source}, already in the catalog: "
                "its files keep their ids there"
            )
        notes += [
            f"the source {merged} ingested before is now part of {self.source}; its assets "
            "keep their ids"
            for merged in self.merged
        ]
        return notes

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "path": self.path,
            "merged": self.merged,
            "notes": self.notes,
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

    A path inside a folder already in the catalog updates that folder's assets under it (same
    source, same ids); a folder holding sources ingested before merges them (see roots.py).
    Returns the summary; raises InvalidValueError for a missing or unusable path, and
    IngestRejectedError when `strict` and any file was reported, as an error or as a warning
    (nothing is written then): strict promises that all of the library is stored, whole.
    """
    started, clock = datetime.now(UTC), time.perf_counter()
    if not path.exists():
        raise InvalidValueError(f"No such file or folder: {path}", field="path")
    scope = scope_for(resolve(path), store.sources())
    found = discover(scope.path, within=scope.within)
    summary = IngestSummary(
        source=found.source, path=str(scope.path), merged=sorted(scope.adopted),
        reports=list(found.reports),
    )  # fmt: skip
    known = Known.read(store, scope, found.items)
    upserts, moved = _process(found, known, options, pipeline_signature(options), summary, progress)
    reported = [*summary.reports, *summary.warnings]
    if strict and reported:
        raise IngestRejectedError(
            f"{len(reported)} file(s) reported in strict mode; the catalog is unchanged. "
            f"First: {reported[0].path}: {reported[0].reason}"
        )
    kept = {*summary.unchanged, *(asset.id for asset in upserts)}
    summary.removed = sorted(known.covered - kept)
    summary.chunks_written = sum(len(asset.chunks) for asset in upserts)
    store.apply(
        pipeline=pipeline_signature(options), upserts=upserts, removed=summary.removed,
        run=_run_record(summary, started), moved=moved,
    )  # fmt: skip
    summary.assets, summary.chunks = store.counts()
    summary.catalog_version = store.catalog_version()
    summary.seconds = time.perf_counter() - clock
    return summary


@dataclass
class Known:
    """What the catalog already holds for an ingest's scope."""

    scope: Scope
    previous: dict[str, Fingerprint]  # by locator (relative to the scope's root)
    adopted: set[str]  # locators whose fingerprint comes from a source being merged
    covered: set[str]  # ids under the ingested path: removed unless seen again
    claimed: set[str]  # files under the path held by a manifest row outside it
    ids: IdChooser

    @classmethod
    def read(cls, store: CatalogStore, scope: Scope, items: Sequence[Item]) -> Known:
        own = store.fingerprints(scope.source)
        previous: dict[str, Fingerprint] = {}
        covered = {fp.asset_id for locator, fp in own.items() if scope.covers(locator)}
        for child, prefix in scope.adopted.items():
            for locator, fp in store.fingerprints(child).items():
                previous[rebased(locator, prefix)] = fp
                covered.add(fp.asset_id)
        adopted = set(previous) - set(own)
        previous |= own  # the source's own asset wins over a duplicate from an older ingest
        claimed = {fp.path for locator, fp in own.items() if fp.path and not scope.covers(locator)}
        natural = {derived for item in items if (derived := derived_id(item))}
        return cls(scope, previous, adopted, covered, claimed, IdChooser(store, scope, natural))

    @property
    def store(self) -> CatalogStore:
        return self.ids.store

    def asset_id(self, derived: str, before: Fingerprint | None, locator: str) -> str:
        """The id for an asset whose metadata sets none: the one it had, else one chosen by
        catalog.ids (a removed one's, a moved library's, `derived`, or a disambiguated one)."""
        return before.asset_id if before is not None else self.ids.choose(derived, locator)


def _run_record(summary: IngestSummary, started: datetime) -> RunRecord:
    return RunRecord(
        source=summary.source, started_at=started, added=len(summary.added),
        changed=len(summary.changed), unchanged=len(summary.unchanged),
        removed=len(summary.removed), reported=len(summary.reports),
        summary={
            "path": summary.path,
            "merged": summary.merged,
            "errors": [r.to_dict() for r in summary.reports],
            "warnings": [r.to_dict() for r in summary.warnings],
        },
    )  # fmt: skip


def _process(
    found: Discovery, known: Known, options: BuildOptions, pipeline: str,
    summary: IngestSummary, progress: Progress | None,
) -> tuple[list[Asset], list[Move]]:  # fmt: skip
    built: dict[str, Asset] = {}
    moved: list[Move] = []
    for done, item in enumerate(found.items, start=1):
        if progress is not None:
            progress(done, len(found.items), item.display)
        before = known.previous.get(item.locator)
        if before is None and item.row is None and item.rel_path in known.claimed:
            continue  # a manifest row outside the path lists this file: that row is the asset
        try:
            payload = read_payload(item, options.limits)
            if (
                before
                and before.content_hash == payload.content_hash
                and before.pipeline == pipeline
            ):
                _keep(before, item, found, known, summary, moved)
                if before.chunk_count >= options.chunk_spec.max_chunks:  # still truncated
                    cap = options.chunk_spec.max_chunks
                    summary.warnings.append(Report(item.display, truncation_warning(cap)))
                continue
            asset = _build(payload, found, options, summary, built, known, before)
        except BadFileError as exc:
            summary.reports.append(Report(item.display, str(exc)))
            if before is not None:  # keep the last good version rather than lose it
                _keep(before, item, found, known, summary, moved)
            continue
        built[asset.id] = asset
        summary.warnings.extend(Report(item.display, warning) for warning in asset.warnings)
    existing = known.store.existing_ids(built)
    for asset_id in built:
        (summary.changed if asset_id in existing else summary.added).append(asset_id)
    return list(built.values()), moved


def _keep(
    before: Fingerprint, item: Item, found: Discovery, known: Known, summary: IngestSummary,
    moved: list[Move],
) -> None:  # fmt: skip
    """Keep the stored asset as it is; one from a merged source moves to this one."""
    summary.unchanged.append(before.asset_id)
    if item.locator in known.adopted:
        moved.append(Move(before.asset_id, found.source, item.locator, item.rel_path))


def _build(
    payload: Payload, found: Discovery, options: BuildOptions, summary: IngestSummary,
    built: dict[str, Asset], known: Known, before: Fingerprint | None,
) -> Asset:  # fmt: skip
    item: Item = payload.item
    summary.processed.append(item.display)
    asset = build_asset(
        payload, source=found.source, options=options,
        choose_id=lambda derived: known.asset_id(derived, before, item.locator),
    )  # fmt: skip
    if asset.id in built or asset.id in summary.unchanged:
        raise BadFileError(f"duplicate asset id '{asset.id}' (already used in this library)")
    return asset
