"""The audit views, each a table over a period: funnel, unused, health, coverage, demand, influence.

Every view returns an AuditTable: columns, rows and the filters applied, which the API renders as
JSON or CSV and `enablement report` prints. Each view lives in its own module; Audit is the one
entry point the service exposes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine

from enablement.analytics.coverage import coverage_table
from enablement.analytics.demand import demand_table
from enablement.analytics.filters import AuditFilters
from enablement.analytics.funnel import funnel_table, unused_table
from enablement.analytics.health import health_table
from enablement.analytics.influence import influence_table
from enablement.analytics.sources import AuditOptions, AuditSources
from enablement.analytics.table import AuditTable
from enablement.catalog.store import CatalogStore
from enablement.embedding import Encoder
from enablement.errors import InvalidValueError
from enablement.index.bundle import Bundle
from enablement.taxonomy import Taxonomy

VIEWS = ("funnel", "unused", "health", "coverage", "demand", "influence")

__all__ = ["VIEWS", "Audit", "AuditOptions", "AuditTable"]


class Audit:
    def __init__(
        self,
        engine: Engine,
        catalog: CatalogStore,
        taxonomy: Taxonomy,
        *,
        bundle: Callable[[], Bundle | None],
        encoder: Callable[[], Encoder],
        options: AuditOptions | None = None,
    ) -> None:
        self.sources = AuditSources(
            engine, catalog, taxonomy, bundle, encoder, options or AuditOptions()
        )

    def view(self, name: str, filters: AuditFilters, **params: Any) -> AuditTable:
        """The view called `name`; raises InvalidValueError naming the valid views."""
        if name not in VIEWS:
            raise InvalidValueError(
                f"Unknown view '{name}'. Valid views: {', '.join(VIEWS)}.", field="view"
            )
        method: Callable[..., AuditTable] = getattr(self, name)
        return method(filters, **params)

    def funnel(self, filters: AuditFilters) -> AuditTable:
        return funnel_table(self.sources, filters)

    def unused(self, filters: AuditFilters) -> AuditTable:
        return unused_table(self.sources, filters)

    def health(self, filters: AuditFilters, *, today: date | None = None) -> AuditTable:
        return health_table(self.sources, filters, today=today)

    def coverage(self, filters: AuditFilters, *, by: str = "vertical") -> AuditTable:
        return coverage_table(self.sources, filters, by=by)

    def demand(self, filters: AuditFilters) -> AuditTable:
        return demand_table(self.sources, filters)

    def influence(self, filters: AuditFilters) -> AuditTable:
        return influence_table(self.sources, filters)
