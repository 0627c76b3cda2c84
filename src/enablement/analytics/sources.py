"""What the audit views read: the SQL store, the catalog, the taxonomy, the bundle and the model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, or_

from enablement.analytics.filters import AuditFilters
from enablement.catalog.store import CatalogStore
from enablement.embedding import Encoder
from enablement.index.bundle import Bundle
from enablement.taxonomy import Taxonomy


@dataclass(frozen=True)
class AuditOptions:
    stale_after_days: int = 365
    expiring_within_days: int = 30
    duplicate_similarity: float = 0.95
    # Questions stored without the answer model's verdict (served before it, or without one) are
    # unanswered when their closest passage's cosine is under this.
    unanswered_below: float = 0.5
    weak_cell_answered: float = 0.5  # a cell whose questions are answered less often is weak
    min_deals: int = 10
    confidence: float = 0.95


@dataclass
class AuditSources:
    engine: Engine
    catalog: CatalogStore
    taxonomy: Taxonomy
    bundle: Callable[[], Bundle | None]  # None while no index is built
    encoder: Callable[[], Encoder]  # loaded only by the views that need it
    options: AuditOptions = field(default_factory=AuditOptions)

    def assets(self, filters: AuditFilters, extra: set[str] | None = None) -> list[dict[str, Any]]:
        """Catalog assets passing the type and owner filters, plus rows marked `in_catalog`
        False for the ids in `extra` that the live catalog does not hold: a removed asset's own
        row (its title, type and owner, filtered alike), else a placeholder (when no type or
        owner filter is set)."""
        catalog = self.catalog.assets()
        assets = [a for a in catalog if filters.keeps(a)]
        if not extra:
            return assets
        missing = extra - {a["id"] for a in catalog}
        removed = {a["id"]: a for a in self.catalog.removed_assets() if a["id"] in missing}
        for asset_id in sorted(missing):
            if asset_id in removed:
                if filters.keeps(removed[asset_id]):
                    assets.append(removed[asset_id] | {"in_catalog": False})
            elif filters.type is None and filters.owner is None:
                assets.append(
                    {"id": asset_id, "title": "(not in the catalog)", "in_catalog": False,
                     "stages": [], "verticals": [], "personas": []}
                )  # fmt: skip
        return assets

    def rank(self, stage: str) -> int:
        """A stage's 1-based position in the pipeline, as stored on deals."""
        return self.taxonomy.stages.ids.index(stage) + 1


def is_unanswered(q: Any, options: AuditOptions) -> ColumnElement[bool]:
    """SQL: whether a stored question went unanswered, by the answer model's verdict when it was
    served with one, else by its closest passage's cosine (questions stored before the model)."""
    return or_(
        q.answered.is_(False),
        and_(q.answered.is_(None), q.best_score < options.unanswered_below),
    )
