"""Tag suggestions over the service: the model's proposals (injected as `suggest`) reconciled
with the catalog and the taxonomy, the review list, accepting and rejecting. The facade
(service.py) builds one and the API and CLI reach it as `service.suggesting`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from enablement.catalog.accepted import SOURCES
from enablement.catalog.store import CatalogStore
from enablement.errors import UnknownChoiceError
from enablement.tagging.store import STATUSES, Assets, RefreshReport, SuggestionStore
from enablement.tagging.suggestion import FACET_OF, FIELDS, MULTI_VALUED, Suggestion
from enablement.taxonomy import Taxonomy

Suggest = Callable[[], Sequence[Suggestion]]


def no_model() -> Sequence[Suggestion]:
    """What `suggest` is while no tagging model is installed: no proposals."""
    return []


class Suggesting:
    """What the service does with tag suggestions; `taxonomy` is read when a refresh needs it."""

    def __init__(
        self, catalog: CatalogStore, *, suggest: Suggest, taxonomy: Callable[[], Taxonomy]
    ) -> None:
        self.catalog = catalog
        self._suggest = suggest
        self._taxonomy = taxonomy
        self._refreshed_version: int | None = None  # the catalog version last refreshed for

    @cached_property
    def store(self) -> SuggestionStore:
        return SuggestionStore(self.catalog.engine)

    def refresh(self, now: datetime | None = None) -> RefreshReport:
        """Ask the model, and reconcile the stored suggestions with its proposals, the catalog
        (live assets, their content hashes and the fields they have) and the taxonomy (see
        SuggestionStore.refresh). A proposal of a value the asset already has is dropped."""
        version = self.catalog.catalog_version()
        rows = {row["id"]: row for row in self.catalog.assets()}
        everything = list(self._suggest())
        proposed = [s for s in everything if not _holds(rows.get(s.asset_id), s)]
        taxonomy = self._taxonomy()
        valid: dict[str, set[str]] = {f: set(taxonomy.facet(FACET_OF[f]).ids) for f in FIELDS}
        report = self.store.refresh(
            proposed, assets=_assets(rows), valid=valid, now=now or datetime.now(UTC)
        )
        report.dropped += len(everything) - len(proposed)
        self._refreshed_version = version
        return report

    def refresh_if_changed(self) -> RefreshReport | None:
        """Refresh when the catalog changed since this process last did (or never did): the
        suggestions follow the catalog without a model run on every read. None when current."""
        if self._refreshed_version == self.catalog.catalog_version():
            return None
        return self.refresh()

    def page(
        self,
        *,
        field: str | None = None,
        min_confidence: float | None = None,
        status: str = "open",
        asset_id: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> dict[str, Any]:
        """{"items", "next"}: suggestions of `status`, highest confidence first (see
        SuggestionStore.page). An unknown field or status is an UnknownChoiceError naming it."""
        if field is not None and field not in FIELDS:
            raise UnknownChoiceError("field", field, FIELDS, field="field")
        if status not in STATUSES:
            raise UnknownChoiceError("status", status, STATUSES, field="status")
        items, after = self.store.page(
            field=field, min_confidence=min_confidence, status=status, asset_id=asset_id,
            after=cursor, limit=limit,
        )  # fmt: skip
        return {"items": items, "next": after}

    def accept(self, ids: Sequence[str], *, actor: str, field: str = "id") -> list[dict[str, Any]]:
        """Accept suggestions `ids` all or nothing; the tags are written to the catalog (see
        SuggestionStore.accept for the 404/409 errors, which name `field`). The next
        `enablement index` uses them."""
        now = datetime.now(UTC)
        return self.store.accept(_unique(ids), actor=actor, now=now, field=field)

    def reject(self, ids: Sequence[str], *, actor: str, field: str = "id") -> list[dict[str, Any]]:
        """Reject suggestions `ids` all or nothing: not proposed again for the same content."""
        now = datetime.now(UTC)
        return self.store.reject(_unique(ids), actor=actor, now=now, field=field)


def _assets(rows: dict[str, dict[str, Any]]) -> Assets:
    """What refresh needs of the catalog. A list field whose values all came from accepted
    suggestions counts as empty, so its other suggestions stay open for review; a type counts
    as set however it was set (an asset has one)."""
    found: dict[str, tuple[str, dict[str, bool]]] = {}
    for asset_id, row in rows.items():
        suggested = (row["extra"] or {}).get(SOURCES) or {}
        has: dict[str, bool] = {
            f: bool(row[f]) and not (f in MULTI_VALUED and f in suggested) for f in FIELDS
        }
        found[asset_id] = (row["content_hash"], has)
    return found


def _holds(row: dict[str, Any] | None, s: Suggestion) -> bool:
    """Whether the asset already has the suggested value (one accepted for older content)."""
    if row is None:
        return False
    current = row[s.field]
    return s.value in current if s.field in MULTI_VALUED else current == s.value


def _unique(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ids))
