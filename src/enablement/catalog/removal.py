"""Taking assets out of the catalog by hand, by id or by source path: all or nothing, audited.

A removal is a soft delete: the asset's row stays, marked `removed_at`, so events and analytics
still name it; its chunks are deleted, so it leaves the index on the next build and can never be
recommended or served again. Ingesting its file again restores it (a fresh row, same id).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import select

from enablement import clean
from enablement.catalog.roots import covers
from enablement.catalog.store import Actor, CatalogStore
from enablement.db import tables
from enablement.errors import InvalidValueError, NotFoundError, UnknownAssetError

_LISTED = 10  # sources named in an error
MAX_ACTOR = 200  # the audit log's column


@dataclass(frozen=True)
class Removal:
    """What one removal took out (id, title, source, path of each asset), and who did it."""

    removed: list[dict[str, Any]]
    actor: Actor

    def to_dict(self) -> dict[str, Any]:
        return {
            "removed": self.removed,
            "count": len(self.removed),
            "actor": self.actor.name,
            "via": self.actor.via,
        }


def remove(
    store: CatalogStore, ids: Sequence[str] = (), *, source: Path | None = None, actor: Actor
) -> Removal:
    """Remove the assets `ids` and every asset that came from `source` (a path: a library, a
    folder in one, a file). Raises UnknownAssetError naming every id not in the catalog, or
    NotFoundError when no asset came from `source`, before anything is removed."""
    if not ids and source is None:
        raise InvalidValueError("Name the asset ids to remove, or a source path.", field="ids")
    clean.check(list(ids), field="ids")
    clean.check(actor.name, field="actor")
    if not actor.name.strip() or len(actor.name) > MAX_ACTOR:
        raise InvalidValueError(f"The actor needs 1 to {MAX_ACTOR} characters.", field="actor")
    targets = list(dict.fromkeys(ids))
    live = store.existing_ids(targets)
    if len(live) < len(targets):
        _refuse_unknown(store, [i for i in targets if i not in live])
    if source is not None:
        targets += [i for i in from_source(source, store.assets()) if i not in live]
    return Removal(store.remove(targets, actor=actor, required=live), actor)


def from_source(source: Path, assets: Sequence[Mapping[str, Any]]) -> list[str]:
    """The ids of `assets` that came from `source` or from files under it, in id order; raises
    NotFoundError naming the known sources when there are none."""
    wanted = source.absolute().resolve()  # not strict: the folder may be gone already
    found = sorted(a["id"] for a in assets if _came_from(a, wanted))
    if found:
        return found
    known = sorted({a["source"] for a in assets})
    above = [s for s in known if Path(s).is_relative_to(wanted)]
    if above:  # `/` or `~` would take whole libraries: each must be named on its own
        raise InvalidValueError(
            f"{wanted} holds whole libraries ({_listed(above)}); name a library, or a folder or "
            "file in one.",
            field="source",
        )
    raise NotFoundError(
        f"No asset in the catalog came from {wanted}. Sources: {_listed(known) or 'none'}.",
        field="source",
    )


def _listed(sources: Sequence[str]) -> str:
    more = len(sources) - _LISTED
    return ", ".join(sources[:_LISTED]) + (f" and {more} more" if more > 0 else "")


def _came_from(asset: Mapping[str, Any], wanted: Path) -> bool:
    """Whether the asset came from `wanted`: its library, or a folder or file inside it (a
    path above the library does not count)."""
    held = Path(asset["source"])
    if held == wanted:
        return True
    if not wanted.is_relative_to(held):
        return False
    return covers(str(asset["locator"]), wanted.relative_to(held).as_posix())


def _refuse_unknown(store: CatalogStore, unknown: list[str]) -> None:
    """Raise UnknownAssetError for `unknown`, with the closest live id to each."""
    live = list(store.owners())
    gone = {row["id"] for row in store.removed_assets()}
    closest: dict[str, str] = {}
    for asset_id in unknown:
        match = difflib.get_close_matches(asset_id, live, n=1, cutoff=0.6)
        if match:
            closest[asset_id] = match[0]
    raise UnknownAssetError(unknown, closest=closest, removed=[i for i in unknown if i in gone])


def audit_log(
    store: CatalogStore, *, limit: int = 50, before: int | None = None, asset_id: str | None = None
) -> list[dict[str, Any]]:
    """Audit rows, newest first: `limit` of them with ids below `before`, optionally of one
    asset. Each: id, at (ISO 8601), action, via, actor, key_id, asset_id, title, source, path."""
    log = tables.audit_log.c
    query = select(tables.audit_log).order_by(log.id.desc()).limit(limit)
    if before is not None:
        query = query.where(log.id < before)
    if asset_id is not None:
        query = query.where(log.asset_id == asset_id)
    with store.engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(query)]
    for row in rows:
        at = row["at"]
        row["at"] = (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()  # SQLite drops it
    return rows
