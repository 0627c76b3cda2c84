"""The catalog in the SQL store: fingerprints to diff against, and one-transaction updates.

A removed asset keeps its row (with `removed_at` set) for history, but loses its chunks; every
read here except `removed_assets` sees only the live catalog."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from enablement.catalog.accepted import reapply
from enablement.catalog.models import Asset
from enablement.db import tables
from enablement.errors import UnknownAssetError

LIVE = tables.assets.c.removed_at.is_(None)


@dataclass(frozen=True)
class Fingerprint:
    asset_id: str
    content_hash: str
    pipeline: str
    chunk_count: int = 0
    path: str | None = None


@dataclass(frozen=True)
class Holder:
    """Where an asset row's file came from, and whether it was removed."""

    source: str
    locator: str
    removed: bool


@dataclass(frozen=True)
class Move:
    """An unchanged asset taken over by another source (a parent folder ingested after it)."""

    asset_id: str
    source: str
    locator: str
    path: str | None


@dataclass(frozen=True)
class Actor:
    """Who changes the catalog by hand, for the audit log: a person or key, and through what."""

    name: str
    via: str  # cli | api
    key_id: str | None = None


@dataclass(frozen=True)
class RunRecord:
    source: str
    started_at: datetime
    added: int
    changed: int
    unchanged: int
    removed: int
    reported: int
    summary: dict[str, Any]


class CatalogStore:
    """Reads and writes assets and chunks; every write is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def fingerprints(self, source: str) -> dict[str, Fingerprint]:
        """What the last ingest of `source` stored, keyed by locator."""
        a = tables.assets.c
        query = select(a.locator, a.id, a.content_hash, a.pipeline, a.chunk_count, a.path).where(
            a.source == source, LIVE
        )
        with self.engine.connect() as connection:
            return {
                row.locator: Fingerprint(
                    row.id, row.content_hash, row.pipeline, row.chunk_count, row.path
                )
                for row in connection.execute(query)
            }

    def source_ids(self, source: str) -> set[str]:
        a = tables.assets.c
        with self.engine.connect() as connection:
            return set(connection.scalars(select(a.id).where(a.source == source, LIVE)))

    def sources(self) -> set[str]:
        """The sources (resolved paths) that live assets came from."""
        with self.engine.connect() as connection:
            return set(connection.scalars(select(tables.assets.c.source).where(LIVE).distinct()))

    def owners(self) -> dict[str, str]:
        """{asset id: its source} for every live asset."""
        a = tables.assets.c
        with self.engine.connect() as connection:
            return {
                row.id: row.source for row in connection.execute(select(a.id, a.source).where(LIVE))
            }

    def holders(self) -> dict[str, Holder]:
        """{asset id: its source and locator} for every row, removed ones included."""
        a = tables.assets.c
        query = select(a.id, a.source, a.locator, a.removed_at)
        with self.engine.connect() as connection:
            return {
                row.id: Holder(row.source, row.locator, row.removed_at is not None)
                for row in connection.execute(query)
            }

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        found: set[str] = set()
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                batch = wanted[start : start + 500]
                query = select(tables.assets.c.id).where(tables.assets.c.id.in_(batch), LIVE)
                found.update(connection.scalars(query))
        return found

    def apply(
        self, *, pipeline: str, upserts: Sequence[Asset], removed: Sequence[str], run: RunRecord,
        moved: Sequence[Move] = (),
    ) -> int:  # fmt: skip
        """Write all changes and the run record atomically; returns the catalog version.

        An upsert replaces any row of its id, a removed (soft-deleted) one too: that restores it.
        Accepted tag suggestions fill the fields its source leaves empty (catalog.accepted)."""
        now = datetime.now(UTC)
        doomed = [*removed, *(asset.id for asset in upserts)]
        a = tables.assets.c
        with self.engine.begin() as connection:
            for start in range(0, len(doomed), 500):
                batch = doomed[start : start + 500]
                connection.execute(delete(tables.chunks).where(tables.chunks.c.asset_id.in_(batch)))
                connection.execute(delete(tables.assets).where(a.id.in_(batch)))
            for move in moved:
                connection.execute(
                    update(tables.assets)
                    .where(a.id == move.asset_id)
                    .values(source=move.source, locator=move.locator, path=move.path)
                )
            if upserts:
                rows = [_asset_row(a, pipeline, now) for a in upserts]
                reapply(connection, rows)  # accepted tag suggestions survive re-ingest
                connection.execute(insert(tables.assets), rows)
                chunk_rows = [_chunk_row(a.id, c) for a in upserts for c in a.chunks]
                if chunk_rows:
                    connection.execute(insert(tables.chunks), chunk_rows)
            run_id = _record_run(connection, run, now)
        return run_id

    def remove(
        self, ids: Sequence[str], *, actor: Actor, required: Collection[str] = ()
    ) -> list[dict[str, Any]]:
        """Mark live assets `ids` removed, delete their chunks and write one audit row each, in
        one transaction that also bumps the catalog version; returns the rows removed (id,
        title, source, path), in id order. Ids not live are skipped, unless `required`: then
        UnknownAssetError (removed already: another removal won the race) and nothing changes."""
        a = tables.assets.c
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            rows: list[dict[str, Any]] = []
            for start in range(0, len(ids), 500):
                batch = list(ids[start : start + 500])
                # Only the rows this update changed count: a concurrent removal of one asset
                # waits for the write lock, then finds it removed and changes nothing.
                marked = update(tables.assets).where(a.id.in_(batch), LIVE)
                changed = marked.values(removed_at=now).returning(a.id, a.title, a.source, a.path)
                rows += [dict(row._mapping) for row in connection.execute(changed)]
                connection.execute(delete(tables.chunks).where(tables.chunks.c.asset_id.in_(batch)))
            missing = sorted(set(required) - {row["id"] for row in rows})
            if missing:
                raise UnknownAssetError(missing, closest={}, removed=missing)
            rows.sort(key=lambda row: str(row["id"]))
            if rows:
                connection.execute(insert(tables.audit_log), _audit_rows(rows, actor, now))
                run = RunRecord(
                    source="(removed by hand)", started_at=now, added=0, changed=0, unchanged=0,
                    removed=len(rows), reported=0,
                    summary={"removed": [row["id"] for row in rows], "actor": actor.name,
                             "via": actor.via},
                )  # fmt: skip
                _record_run(connection, run, now)
        return rows

    def counts(self) -> tuple[int, int]:
        """(assets, chunks) in the whole catalog."""
        with self.engine.connect() as connection:
            assets = connection.scalar(select(func.count()).select_from(tables.assets).where(LIVE))
            assets = assets or 0
            chunks = connection.scalar(select(func.count()).select_from(tables.chunks)) or 0
        return int(assets), int(chunks)

    def catalog_version(self) -> int:
        """The id of the last ingest run that changed the catalog (0 for an empty store)."""
        r = tables.ingest_runs.c
        changed = (r.added + r.changed + r.removed) > 0
        with self.engine.connect() as connection:
            return int(connection.scalar(select(func.max(r.id)).where(changed)) or 0)

    def assets(self) -> list[dict[str, Any]]:
        """Every live asset, in id order."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(tables.assets).where(LIVE).order_by(tables.assets.c.id)
            )
            return [dict(row._mapping) for row in rows]

    def removed_assets(self) -> list[dict[str, Any]]:
        """The removed assets' rows (metadata, `removed_at`; no chunks), in id order."""
        a = tables.assets.c
        query = select(tables.assets).where(a.removed_at.is_not(None)).order_by(a.id)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def all_chunks(self) -> list[dict[str, Any]]:
        """Every chunk of a live asset, grouped by asset and in document order."""
        c = tables.chunks.c
        live = tables.chunks.join(tables.assets, tables.assets.c.id == c.asset_id)
        query = select(tables.chunks).select_from(live).where(LIVE).order_by(c.asset_id, c.ordinal)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def get(self, asset_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(tables.assets).where(tables.assets.c.id == asset_id, LIVE)
            ).first()
        return dict(row._mapping) if row else None

    def page(
        self, *, after: str | None, limit: int, type_: str | None = None, owner: str | None = None
    ) -> list[dict[str, Any]]:
        """Assets in id order after `after` (keyset paging), optionally of one type or owner."""
        a = tables.assets.c
        query = select(tables.assets).where(LIVE).order_by(a.id).limit(limit)
        if after is not None:
            query = query.where(a.id > after)
        if type_ is not None:
            query = query.where(a.type == type_)
        if owner is not None:
            query = query.where(a.owner == owner)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def chunks(self, asset_id: str) -> list[dict[str, Any]]:
        c = tables.chunks.c
        query = select(tables.chunks).where(c.asset_id == asset_id).order_by(c.ordinal)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]


def _audit_rows(rows: list[dict[str, Any]], actor: Actor, now: datetime) -> list[dict[str, Any]]:
    return [
        {"at": now, "action": "remove", "via": actor.via, "actor": actor.name,
         "key_id": actor.key_id, "asset_id": row["id"], "title": row["title"],
         "source": row["source"], "path": row["path"]}
        for row in rows
    ]  # fmt: skip


def _record_run(connection: Connection, run: RunRecord, now: datetime) -> int:
    """Insert the run's row; its id is the catalog version when it changed anything."""
    result = connection.execute(
        insert(tables.ingest_runs).values(
            source=run.source, started_at=run.started_at, finished_at=now, added=run.added,
            changed=run.changed, unchanged=run.unchanged, removed=run.removed,
            reported=run.reported, summary=run.summary,
        )
    )  # fmt: skip
    run_id = result.inserted_primary_key
    return int(run_id[0]) if run_id else 0


def _asset_row(asset: Asset, pipeline: str, now: datetime) -> dict[str, Any]:
    meta = asset.metadata
    return {
        "id": asset.id, "source": asset.source, "locator": asset.locator, "path": asset.path,
        "format": asset.format, "title": asset.title, "type": meta.type, "url": meta.url,
        "stages": list(meta.stages), "verticals": list(meta.verticals),
        "personas": list(meta.personas), "products": list(meta.products),
        "competitors": list(meta.competitors), "language": meta.language,
        "external": meta.external, "owner": meta.owner, "updated_at": meta.updated_at,
        "expires_at": meta.expires_at, "extra": meta.extra, "content_hash": asset.content_hash,
        "pipeline": pipeline, "word_count": asset.word_count,
        "chunk_count": len(asset.chunks), "ingested_at": now,
    }  # fmt: skip


def _chunk_row(asset_id: str, chunk: Any) -> dict[str, Any]:
    return {
        "asset_id": asset_id, "ordinal": chunk.ordinal, "text": chunk.text,
        "token_count": chunk.token_count, "page": chunk.page, "slide": chunk.slide,
        "heading_path": list(chunk.heading_path),
    }  # fmt: skip
