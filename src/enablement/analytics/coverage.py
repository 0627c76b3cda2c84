"""Coverage: for each stage × vertical (or persona) cell, the eligible content and how well the
buyer questions asked there were answered, so empty or weak cells stand out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from enablement.analytics.filters import AuditFilters
from enablement.analytics.sources import AuditSources
from enablement.analytics.table import AuditTable
from enablement.db import tables
from enablement.errors import InvalidValueError

BY = ("vertical", "persona")


def coverage_table(
    sources: AuditSources, filters: AuditFilters, *, by: str = "vertical"
) -> AuditTable:
    """Stage × vertical (or persona): eligible assets, and how well questions were answered.
    Raises InvalidValueError for another `by`."""
    if by not in BY:
        raise InvalidValueError(f"by must be one of: {', '.join(BY)}.", field="by")
    taxonomy = sources.taxonomy
    facet = taxonomy.verticals if by == "vertical" else taxonomy.personas
    today = (filters.end - timedelta(days=1)).date()
    assets = [a for a in sources.assets(filters)
              if not (a.get("expires_at") and a["expires_at"] < today)]  # fmt: skip
    asked = _question_cells(sources, filters, by)
    stages = [s for s in taxonomy.stages.ids if not filters.stage or s == filters.stage]
    columns = [c for c in facet.ids
               if by != "vertical" or not filters.vertical or c == filters.vertical]  # fmt: skip
    rows = [
        _cell(sources, assets, stage, by, column, asked.get((stage, column)))
        for stage in stages
        for column in columns
    ]
    weak_below = sources.options.weak_cell_below
    return AuditTable(
        "coverage", filters.to_dict(),
        ["stage", by, "eligible_assets", "specific_assets", "questions", "mean_best_score",
         "weak"], rows,
        notes=[f"specific_assets are tagged for the {by}; eligible_assets also count assets "
               f"tagged for every {by}. A cell is weak when no asset is specific to it or its "
               f"buyer questions found passages scoring under {weak_below} on average."],
        summary={"cells": len(rows), "weak": sum(r["weak"] for r in rows)},
    )  # fmt: skip


def _cell(
    sources: AuditSources, assets: list[dict[str, Any]], stage: str, by: str, column: str,
    asked: tuple[int, float] | None,
) -> dict[str, Any]:  # fmt: skip
    plural = f"{by}s"
    fit = [a for a in assets if stage in a["stages"] or not a["stages"]]
    eligible = [a for a in fit if column in a[plural] or not a[plural]]
    specific = [a for a in fit if column in a[plural]]
    count, mean = asked or (0, None)
    return {
        "stage": stage, by: column, "eligible_assets": len(eligible),
        "specific_assets": len(specific), "questions": count,
        "mean_best_score": None if mean is None else round(mean, 4),
        "weak": not specific or (mean is not None and mean < sources.options.weak_cell_below),
    }  # fmt: skip


def _question_cells(
    sources: AuditSources, filters: AuditFilters, by: str
) -> dict[tuple[str, str], tuple[int, float]]:
    q = tables.questions.c
    column = q.vertical if by == "vertical" else q.persona
    query = (
        select(q.stage, column, func.count(), func.avg(q.best_score))
        .where(*filters.conditions(q))
        .group_by(q.stage, column)
    )
    with sources.engine.connect() as connection:
        return {(s, c): (int(n), float(m)) for s, c, n, m in connection.execute(query)}
