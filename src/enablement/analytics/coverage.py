"""Coverage: for each stage × vertical (or persona) cell, the eligible content and how well the
buyer questions asked there were answered, so empty or weak cells stand out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Integer, func, select

from enablement.analytics.filters import AuditFilters
from enablement.analytics.sources import AuditSources, is_unanswered
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
    share = sources.options.weak_cell_answered
    return AuditTable(
        "coverage", filters.to_dict(),
        ["stage", by, "eligible_assets", "specific_assets", "questions", "answered_share",
         "weak"], rows,
        notes=[f"Specific assets are tagged for the {by}; eligible assets also count assets "
               f"tagged for every {by}. A cell is weak when no asset is specific to it or "
               f"fewer than {share:.0%} of its buyer questions were answered (as the demand "
               "view counts them)."],
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
    count, answered = asked or (0, None)
    poorly = answered is not None and answered < sources.options.weak_cell_answered
    return {
        "stage": stage, by: column, "eligible_assets": len(eligible),
        "specific_assets": len(specific), "questions": count,
        "answered_share": None if answered is None else round(answered, 4),
        "weak": not specific or poorly,
    }  # fmt: skip


def _question_cells(
    sources: AuditSources, filters: AuditFilters, by: str
) -> dict[tuple[str, str], tuple[int, float]]:
    """Per (stage, column) cell: how many questions were asked there, and the share answered."""
    q = tables.questions.c
    column = q.vertical if by == "vertical" else q.persona
    missed = func.sum(is_unanswered(q, sources.options).cast(Integer))
    query = (
        select(q.stage, column, func.count(), missed)
        .where(*filters.conditions(q))
        .group_by(q.stage, column)
    )
    with sources.engine.connect() as connection:
        return {
            (s, c): (int(n), 1.0 - int(m or 0) / int(n)) for s, c, n, m in connection.execute(query)
        }
