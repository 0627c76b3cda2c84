"""The audit views, each a table over a period: funnel, unused, health, coverage, demand, influence.

Every view returns an AuditTable: columns, rows and the filters applied, which the API renders as
JSON or CSV and `enablement report` prints.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, Integer, func, select

from enablement.analytics.demand import MAX_QUESTIONS, themes
from enablement.analytics.filters import AuditFilters
from enablement.analytics.influence import ClosedDeal, influence
from enablement.catalog.store import CatalogStore
from enablement.db import tables
from enablement.embedding import Encoder
from enablement.errors import InvalidValueError
from enablement.events.model import EventType
from enablement.index.bundle import Bundle
from enablement.taxonomy import Taxonomy

VIEWS = ("funnel", "unused", "health", "coverage", "demand", "influence")
FUNNEL_STEPS = ("recommended", "opened", "sent", "buyer_viewed")


@dataclass(frozen=True)
class AuditOptions:
    stale_after_days: int = 365
    expiring_within_days: int = 30
    duplicate_similarity: float = 0.95
    unanswered_below: float = 0.5  # a question whose closest passage scores lower is unanswered
    weak_cell_below: float = 0.5
    min_deals: int = 10
    confidence: float = 0.95


@dataclass
class AuditTable:
    view: str
    filters: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "view": self.view,
            "filters": self.filters,
            "summary": self.summary,
            "notes": self.notes,
            "columns": self.columns,
            "rows": self.rows,
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=self.columns, extrasaction="ignore")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return " | ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value


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
        self.engine = engine
        self.catalog = catalog
        self.taxonomy = taxonomy
        self._bundle = bundle
        self._encoder = encoder
        self.options = options or AuditOptions()

    def view(self, name: str, filters: AuditFilters, **params: Any) -> AuditTable:
        if name not in VIEWS:
            raise InvalidValueError(
                f"Unknown view '{name}'. Valid views: {', '.join(VIEWS)}.", field="view"
            )
        method: Callable[..., AuditTable] = getattr(self, name)
        return method(filters, **params)

    # -- funnel and unused -------------------------------------------------------------------

    def funnel(self, filters: AuditFilters) -> AuditTable:
        """Per asset: recommended → opened → sent → buyer viewed → in a won deal, with rates."""
        counts = self._event_counts(filters)
        ratings = self._ratings(filters)
        deals_sent, deals_won = self._won(filters)
        rows = []
        for asset in self._assets(filters, extra=set(counts)):
            c = counts.get(asset["id"], {})
            up, down = ratings.get(asset["id"], (0, 0))
            row = {
                "asset_id": asset["id"],
                "title": asset["title"],
                "type": asset.get("type"),
                "owner": asset.get("owner"),
                **{step: c.get(step, 0) for step in FUNNEL_STEPS},
                "deals_sent": deals_sent.get(asset["id"], 0),
                "deals_won": deals_won.get(asset["id"], 0),
                "thumbs_up": up,
                "thumbs_down": down,
                "in_catalog": asset.get("in_catalog", True),
            }
            row["open_rate"] = _rate(row["opened"], row["recommended"])
            row["send_rate"] = _rate(row["sent"], row["recommended"])
            row["view_rate"] = _rate(row["buyer_viewed"], row["sent"])
            row["won_deal_rate"] = _rate(row["deals_won"], row["deals_sent"])
            rows.append(row)
        rows.sort(key=lambda r: (-r["sent"], -r["recommended"], r["asset_id"]))
        totals = {step: sum(r[step] for r in rows) for step in (*FUNNEL_STEPS, "deals_won")}
        return AuditTable(
            "funnel",
            filters.to_dict(),
            [
                "asset_id",
                "title",
                "type",
                "owner",
                *FUNNEL_STEPS,
                "deals_sent",
                "deals_won",
                "open_rate",
                "send_rate",
                "view_rate",
                "won_deal_rate",
                "thumbs_up",
                "thumbs_down",
                "in_catalog",
            ],
            rows,
            notes=[
                "Rates are per recommendation (open, send), per send (view) and per deal the "
                "asset was sent in (won deal rate)."
            ],
            summary=totals,
        )

    def unused(self, filters: AuditFilters) -> AuditTable:
        """Assets never recommended in the period, or recommended but never opened or sent."""
        rows = []
        for row in self.funnel(filters).rows:
            if not row["in_catalog"]:
                continue
            if row["recommended"] == 0 and row["sent"] == 0:
                reason = "never_recommended"
            elif row["opened"] == 0 and row["sent"] == 0:
                reason = "recommended_never_used"
            else:
                continue
            rows.append({**{k: row[k] for k in ("asset_id", "title", "type", "owner")},
                         "reason": reason, "recommended": row["recommended"]})  # fmt: skip
        rows.sort(key=lambda r: (r["reason"], -r["recommended"], r["asset_id"]))
        by_reason: defaultdict[str, int] = defaultdict(int)
        for row in rows:
            by_reason[row["reason"]] += 1
        return AuditTable(
            "unused", filters.to_dict(),
            ["asset_id", "title", "type", "owner", "reason", "recommended"], rows,
            summary={"assets": len(self._assets(filters)), **by_reason},
        )  # fmt: skip

    def _event_counts(self, filters: AuditFilters) -> dict[str, dict[str, int]]:
        e = tables.events.c
        query = (
            select(e.asset_id, e.type, func.count())
            .where(*self._event_window(filters), e.asset_id.is_not(None))
            .group_by(e.asset_id, e.type)
        )
        counts: defaultdict[str, dict[str, int]] = defaultdict(dict)
        with self.engine.connect() as connection:
            for asset_id, kind, count in connection.execute(query):
                counts[asset_id][kind] = int(count)
        return counts

    def _ratings(self, filters: AuditFilters) -> dict[str, tuple[int, int]]:
        e = tables.events.c
        query = (
            select(e.asset_id, e.rating, func.count())
            .where(*self._event_window(filters), e.type == EventType.feedback.value)
            .group_by(e.asset_id, e.rating)
        )
        out: dict[str, tuple[int, int]] = {}
        with self.engine.connect() as connection:
            for asset_id, rating, count in connection.execute(query):
                up, down = out.get(asset_id, (0, 0))
                out[asset_id] = (up + count, down) if rating > 0 else (up, down + count)
        return out

    def _won(self, filters: AuditFilters) -> tuple[dict[str, int], dict[str, int]]:
        sent, deals = tables.deal_assets.c, tables.deals.c
        won = func.sum(func.coalesce((deals.outcome == "won").cast(Integer), 0))
        query = (
            select(sent.asset_id, func.count(), won)
            .select_from(tables.deal_assets.join(tables.deals, deals.id == sent.deal_id))
            .where(sent.first_sent_at >= filters.start, sent.first_sent_at < filters.end)
            .group_by(sent.asset_id)
        )
        if filters.vertical:
            query = query.where(deals.vertical == filters.vertical)
        if filters.stage:
            query = query.where(sent.stage_rank == self._rank(filters.stage))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return ({a: int(n) for a, n, _ in rows}, {a: int(w or 0) for a, _, w in rows})

    def _event_window(self, filters: AuditFilters) -> list[Any]:
        return _window(tables.events.c, filters)

    # -- health --------------------------------------------------------------------------------

    def health(self, filters: AuditFilters, *, today: date | None = None) -> AuditTable:
        """Expired, stale (not updated in a year), expiring soon, and near-duplicate assets."""
        today = today or (filters.end - timedelta(days=1)).date()
        o = self.options
        assets = self._assets(filters)
        rows: list[dict[str, Any]] = []
        for a in assets:
            base = {k: a.get(k) for k in ("title", "type", "owner")} | {"asset_id": a["id"]}
            expires, updated = a.get("expires_at"), a.get("updated_at")
            if expires and expires < today:
                rows.append(base | {"issue": "expired", "detail": f"expired {expires}"})
            elif expires and expires <= today + timedelta(days=o.expiring_within_days):
                rows.append(base | {"issue": "expiring_soon", "detail": f"expires {expires}"})
            if updated and updated < today - timedelta(days=o.stale_after_days):
                rows.append(base | {"issue": "stale", "detail": f"last updated {updated}"})
        rows.extend(self._duplicates({a["id"]: a for a in assets}))
        order = {"expired": 0, "stale": 1, "expiring_soon": 2, "near_duplicate": 3}
        rows.sort(key=lambda r: (order[r["issue"]], r.get("group", 0), r["asset_id"]))
        tally: defaultdict[str, int] = defaultdict(int)
        for row in rows:
            tally[row["issue"]] += 1
        return AuditTable(
            "health", filters.to_dict(),
            ["issue", "asset_id", "title", "type", "owner", "detail", "group"], rows,
            summary={"assets": len(assets), **tally},
        )  # fmt: skip

    def _duplicates(self, assets: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """Groups of assets whose centroids are closer than the duplicate threshold."""
        bundle = self._bundle()
        if bundle is None:
            return []
        ids = [a.id for a in bundle.assets]
        vectors = bundle.asset_vectors
        similar = vectors @ vectors.T
        np.fill_diagonal(similar, 0.0)
        parent = list(range(len(ids)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        pairs = np.argwhere(np.triu(similar >= self.options.duplicate_similarity))
        for i, j in pairs.tolist():
            parent[root(i)] = root(j)
        groups: defaultdict[int, list[int]] = defaultdict(list)
        for i in {int(k) for pair in pairs.tolist() for k in pair}:
            groups[root(i)].append(i)
        rows = []
        for number, members in enumerate(sorted(groups.values(), key=lambda m: min(m)), 1):
            for i in sorted(members):
                if ids[i] not in assets:
                    continue
                closest = max((j for j in members if j != i), key=lambda j: similar[i, j])
                a = assets[ids[i]]
                rows.append({
                    "issue": "near_duplicate", "asset_id": ids[i], "title": a["title"],
                    "type": a.get("type"), "owner": a.get("owner"), "group": number,
                    "detail": f"{similar[i, closest]:.3f} similar to {ids[closest]}",
                })  # fmt: skip
        return rows

    # -- coverage ------------------------------------------------------------------------------

    def coverage(self, filters: AuditFilters, *, by: str = "vertical") -> AuditTable:
        """Stage × vertical (or persona): eligible assets, and how well questions were answered."""
        if by not in ("vertical", "persona"):
            raise InvalidValueError("by must be one of: vertical, persona.", field="by")
        facet = self.taxonomy.verticals if by == "vertical" else self.taxonomy.personas
        plural = "verticals" if by == "vertical" else "personas"
        today = (filters.end - timedelta(days=1)).date()
        assets = [
            a
            for a in self._assets(filters)
            if not (a.get("expires_at") and a["expires_at"] < today)
        ]
        asked = self._question_cells(filters, by)
        weak_below = self.options.weak_cell_below
        rows = []
        for stage in self.taxonomy.stages.ids:
            if filters.stage and stage != filters.stage:
                continue
            for column in facet.ids:
                if by == "vertical" and filters.vertical and column != filters.vertical:
                    continue
                fit = [a for a in assets if stage in a["stages"] or not a["stages"]]
                eligible = [a for a in fit if column in a[plural] or not a[plural]]
                specific = [a for a in fit if column in a[plural]]
                count, mean = asked.get((stage, column), (0, None))
                rows.append({
                    "stage": stage, by: column, "eligible_assets": len(eligible),
                    "specific_assets": len(specific), "questions": count,
                    "mean_best_score": None if mean is None else round(mean, 4),
                    "weak": not specific or (mean is not None and mean < weak_below),
                })  # fmt: skip
        return AuditTable(
            "coverage", filters.to_dict(),
            ["stage", by, "eligible_assets", "specific_assets", "questions", "mean_best_score",
             "weak"], rows,
            notes=[f"specific_assets are tagged for the {by}; eligible_assets also count assets "
                   f"tagged for every {by}. A cell is weak when no asset is specific to it or its "
                   f"buyer questions found passages scoring under {self.options.weak_cell_below} "
                   "on average."],
            summary={"cells": len(rows), "weak": sum(r["weak"] for r in rows)},
        )  # fmt: skip

    def _question_cells(
        self, filters: AuditFilters, by: str
    ) -> dict[tuple[str, str], tuple[int, float]]:
        q = tables.questions.c
        column = q.vertical if by == "vertical" else q.persona
        query = (
            select(q.stage, column, func.count(), func.avg(q.best_score))
            .where(*self._question_window(filters))
            .group_by(q.stage, column)
        )
        with self.engine.connect() as connection:
            return {(s, c): (int(n), float(m)) for s, c, n, m in connection.execute(query)}

    def _question_window(self, filters: AuditFilters) -> list[Any]:
        return _window(tables.questions.c, filters)

    # -- demand --------------------------------------------------------------------------------

    def demand(self, filters: AuditFilters) -> AuditTable:
        """Buyer questions no passage answered well, clustered into themes: a writing brief."""
        q = tables.questions.c
        weak = q.best_score < self.options.unanswered_below
        query = (
            select(q.text, q.best_score, q.stage, q.vertical)
            .where(*self._question_window(filters), weak)
            .order_by(q.occurred_at.desc())
            .limit(MAX_QUESTIONS)
        )
        total = select(func.count()).where(*self._question_window(filters))
        with self.engine.connect() as connection:
            rows = [dict(r._mapping) for r in connection.execute(query)]
            asked = int(connection.scalar(total.select_from(tables.questions)) or 0)
        found = themes(rows, self._encoder()) if rows else []
        return AuditTable(
            "demand", filters.to_dict(),
            ["theme", "questions", "mean_best_score", "examples", "stages", "verticals"],
            [t.to_dict() for t in found],
            notes=[f"A question is unanswered when its closest passage scores under "
                   f"{self.options.unanswered_below} (cosine similarity)."],
            summary={"questions_asked": asked, "unanswered": len(rows), "themes": len(found)},
        )  # fmt: skip

    # -- influence -----------------------------------------------------------------------------

    def influence(self, filters: AuditFilters) -> AuditTable:
        """Win rate where each asset was sent against comparable deals where it was not."""
        deals, sent = self._closed_deals(filters)
        catalog = {a["id"]: a for a in self._assets(filters)}
        found = influence(
            deals,
            {a: d for a, d in sent.items() if a in catalog},
            top_rank=len(self.taxonomy.stages.ids),
            min_deals=self.options.min_deals,
            confidence=self.options.confidence,
        )
        rows = [
            {"asset_id": r.asset_id, "title": catalog[r.asset_id]["title"],
             "owner": catalog[r.asset_id].get("owner"), **r.to_dict()}
            for r in found
        ]  # fmt: skip
        return AuditTable(
            "influence", filters.to_dict(),
            ["asset_id", "title", "owner", "deals_sent", "deals_compared", "win_rate_sent",
             "win_rate_comparable", "difference", "low", "high"], rows,
            notes=["Association, not cause: reps choose what to send. Comparable deals closed in "
                   "the period, are in the same vertical and reached the stage at which the asset "
                   f"was sent. Intervals are {self.options.confidence:.0%} simultaneous "
                   f"(Bonferroni over the assets shown). Assets with fewer than "
                   f"{self.options.min_deals} deals either way are not shown."],
            summary={"closed_deals": len(deals), "won": sum(d.won for d in deals),
                     "assets_shown": len(rows)},
        )  # fmt: skip

    def _closed_deals(
        self, filters: AuditFilters
    ) -> tuple[list[ClosedDeal], dict[str, dict[str, int]]]:
        d, s = tables.deals.c, tables.deal_assets.c
        closed = [d.outcome.is_not(None), d.outcome_at >= filters.start, d.outcome_at < filters.end]
        if filters.vertical:
            closed.append(d.vertical == filters.vertical)
        deals_query = select(d.id, d.vertical, d.stage_rank, d.outcome).where(*closed)
        sent_query = (
            select(s.asset_id, s.deal_id, s.stage_rank)
            .select_from(tables.deal_assets.join(tables.deals, d.id == s.deal_id))
            .where(*closed)
        )
        with self.engine.connect() as connection:
            deals = [
                ClosedDeal(i, v, int(r), o == "won")
                for i, v, r, o in connection.execute(deals_query)
            ]
            sent: defaultdict[str, dict[str, int]] = defaultdict(dict)
            for asset_id, deal_id, rank in connection.execute(sent_query):
                sent[asset_id][deal_id] = int(rank)
        return deals, sent

    # -- shared --------------------------------------------------------------------------------

    def _assets(self, filters: AuditFilters, extra: set[str] | None = None) -> list[dict[str, Any]]:
        catalog = self.catalog.assets()
        assets = [a for a in catalog if filters.keeps(a)]
        if extra and filters.type is None and filters.owner is None:
            known = {a["id"] for a in catalog}
            assets += [
                {"id": i, "title": "(not in the catalog)", "in_catalog": False,
                 "stages": [], "verticals": [], "personas": []}
                for i in sorted(extra - known)
            ]  # fmt: skip
        return assets

    def _rank(self, stage: str) -> int:
        return self.taxonomy.stages.ids.index(stage) + 1


def _window(columns: Any, filters: AuditFilters) -> list[Any]:
    """The period, stage and vertical conditions on a table with those columns."""
    where = [columns.occurred_at >= filters.start, columns.occurred_at < filters.end]
    if filters.stage:
        where.append(columns.stage == filters.stage)
    if filters.vertical:
        where.append(columns.vertical == filters.vertical)
    return where


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None
