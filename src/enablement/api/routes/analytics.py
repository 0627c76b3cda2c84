"""The marketer's audit over HTTP: each view as JSON, or as CSV with ?format=csv."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from enablement.analytics.filters import AuditFilters
from enablement.analytics.table import AuditTable
from enablement.api.analytics_schemas import AuditTableOut
from enablement.api.deps import MarketerDep, ServiceDep
from enablement.api.schemas import ErrorBody

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 422, 429)
}
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The view as JSON, or CSV."}
}


class Period:
    """The query parameters every view takes."""

    def __init__(
        self,
        since: Annotated[
            date | None, Query(description="First day (default: 90 days ago).")
        ] = None,
        until: Annotated[date | None, Query(description="Last day (default: today).")] = None,
        stage: Annotated[str | None, Query(max_length=200)] = None,
        vertical: Annotated[str | None, Query(max_length=200)] = None,
        type: Annotated[str | None, Query(max_length=200, description="Asset type.")] = None,
        owner: Annotated[str | None, Query(max_length=200, description="Asset owner.")] = None,
        format: Annotated[Literal["json", "csv"], Query()] = "json",
    ) -> None:
        self.raw = {
            "since": since, "until": until, "stage": stage, "vertical": vertical,
            "type": type, "owner": owner,
        }  # fmt: skip
        self.format = format


PeriodDep = Annotated[Period, Depends()]


def _render(table: AuditTable, format: str) -> Any:
    if format == "csv":
        return Response(
            table.to_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{table.view}.csv"'},
        )
    return table.to_dict()


def _view(name: str, summary: str) -> None:
    def endpoint(service: ServiceDep, _: MarketerDep, period: PeriodDep) -> Any:
        filters = AuditFilters.parse(period.raw, service.taxonomy)
        return _render(service.audit.view(name, filters), period.format)

    endpoint.__doc__ = summary
    router.add_api_route(
        f"/{name}", endpoint, methods=["GET"], response_model=AuditTableOut,
        responses=ERRORS | CSV, name=f"analytics_{name}", summary=summary.split(".")[0],
    )  # fmt: skip


_view("funnel", "Per asset: recommended, opened, sent, buyer viewed, in won deals, with rates.")
_view("unused", "Assets never recommended, or recommended but never opened or sent.")
_view("health", "Expired, stale, expiring-soon and near-duplicate assets, with owners.")
_view("demand", "Buyer questions the library answers poorly, clustered into themes.")
_view("influence", "Win rate where each asset was sent vs comparable deals (association).")


@router.get(
    "/coverage", response_model=AuditTableOut, responses=ERRORS | CSV, name="analytics_coverage"
)
def coverage(
    service: ServiceDep,
    _: MarketerDep,
    period: PeriodDep,
    by: Literal["vertical", "persona"] = "vertical",
) -> Any:
    """Stage × vertical (or persona): eligible assets and how well buyer questions were answered."""
    filters = AuditFilters.parse(period.raw, service.taxonomy)
    return _render(service.audit.coverage(filters, by=by), period.format)
