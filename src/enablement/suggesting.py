"""Tag suggestions over the service: the tag model's proposals (tagging/suggest.py, over an
index bundle and the shipped reference set) reconciled with the catalog and the taxonomy, the
review list, accepting and rejecting, and the open suggestions added to each new bundle for
ranking. The facade (service.py) builds one and the API and CLI reach it as
`service.suggesting`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from enablement.catalog.accepted import SOURCES
from enablement.catalog.store import CatalogStore
from enablement.embedding import Encoder
from enablement.errors import EnablementError, UnknownChoiceError
from enablement.index.bundle import Bundle
from enablement.tagging.document import TagDocument
from enablement.tagging.reference import DEFAULT_FOLDER, read_reference
from enablement.tagging.store import STATUSES, Assets, RefreshReport, SuggestionStore
from enablement.tagging.suggest import documents_from_bundle, suggest
from enablement.tagging.suggestion import FACET_OF, FIELDS, MULTI_VALUED, Suggestion
from enablement.taxonomy import Taxonomy

log = logging.getLogger(__name__)
# What proposes suggestions for a bundle (None: the bundle this process serves, if any).
Suggest = Callable[[Bundle | None], Sequence[Suggestion]]


class Suggesting:
    """What the service does with tag suggestions. `taxonomy`, `encoder` and `bundle` (the
    bundle served now, None before there is one) are called when a refresh needs them;
    `suggest` replaces the tag model (tests give a fake)."""

    def __init__(
        self,
        catalog: CatalogStore,
        *,
        taxonomy: Callable[[], Taxonomy],
        encoder: Callable[[], Encoder] | None = None,
        bundle: Callable[[], Bundle | None] = lambda: None,
        reference: Path = DEFAULT_FOLDER,
        suggest: Suggest | None = None,
    ) -> None:
        self.catalog = catalog
        self._taxonomy = taxonomy
        self._encoder = encoder
        self._bundle = bundle
        self._reference_folder = reference
        self._suggest = suggest or self.propose
        # what the last annotate's refresh did (RefreshReport.to_dict), or {"error": why}
        self.last_refresh: dict[str, Any] | None = None

    @cached_property
    def reference(self) -> list[TagDocument]:
        """The shipped reference set (tagging/reference.py), read once; [] without an encoder."""
        if self._encoder is None:
            return []
        return read_reference(self._reference_folder, encoder=self._encoder())

    def propose(self, bundle: Bundle | None = None) -> list[Suggestion]:
        """The tag model's suggestions for `bundle`'s assets (default: the bundle served now;
        none before there is one), learned from its tagged assets and the reference set."""
        bundle = bundle or self._bundle()
        if bundle is None:
            return []
        return suggest(documents_from_bundle(bundle), self.reference, self._taxonomy())

    def annotate(self, bundle: Bundle) -> Bundle:
        """`bundle` with each asset's open suggestions on its record, after refreshing them from
        it (build_index's hook: suggestions follow every change of the catalog, and ranking
        reads them). A failure of the tag model is logged and leaves the bundle as built: tags
        are never a reason for an index not to build."""
        try:
            self.last_refresh = self.refresh(bundle=bundle).to_dict()
        except (EnablementError, ValueError, OSError, SQLAlchemyError) as exc:
            log.warning("tag suggestions not refreshed for this index: %s", exc)
            self.last_refresh = {"error": str(exc)}
        suggested = self.store.open_by_asset()
        return replace(bundle, assets=[
            replace(asset, suggested=suggested.get(asset.id, ())) for asset in bundle.assets
        ])  # fmt: skip

    @cached_property
    def store(self) -> SuggestionStore:
        return SuggestionStore(self.catalog.engine)

    def refresh(
        self, now: datetime | None = None, *, bundle: Bundle | None = None
    ) -> RefreshReport:
        """Ask the model about `bundle` (default: the one served now), and reconcile the stored
        suggestions with its proposals, the catalog (live assets, their content hashes and the
        fields they have) and the taxonomy (see SuggestionStore.refresh). A proposal of a value
        the asset already has, or for content that has changed since, is dropped."""
        rows = {row["id"]: row for row in self.catalog.assets()}
        everything = list(self._suggest(bundle))
        proposed = [s for s in everything if not _holds(rows.get(s.asset_id), s)]
        taxonomy = self._taxonomy()
        valid: dict[str, set[str]] = {f: set(taxonomy.facet(FACET_OF[f]).ids) for f in FIELDS}
        report = self.store.refresh(
            proposed, assets=_assets(rows), valid=valid, now=now or datetime.now(UTC)
        )
        report.dropped += len(everything) - len(proposed)
        return report

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
