"""Rankers: a marketer reads the registry and which ranker is live; an admin promotes one or
rolls back."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path

from enablement.api import ranker_schemas as schemas
from enablement.api.deps import AdminDep, MarketerDep, ServiceDep
from enablement.api.job_schemas import JobPublic
from enablement.api.routes.recommend import ERRORS
from enablement.api.schemas import ErrorBody

router = APIRouter(prefix="/v1", tags=["rankers"])
RankerId = Annotated[str, Path(min_length=1, max_length=100)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": ErrorBody}}
NO_BODY = schemas.RankerRollback()  # a rollback without a body gives no reason
NO_TRAINING_BODY = schemas.RankerTrain()  # learn from everything, promote nothing


@router.get("/rankers", response_model=schemas.RankerPage, responses=ERRORS)
def list_rankers(service: ServiceDep, _: MarketerDep) -> dict[str, Any]:
    """The rankers one may promote: the shipped one, then the trained ones newest first; `live`
    marks the one serving, with when, by whom and why it was made live."""
    return {"items": service.ranking.list()}


@router.get(
    "/rankers/{ranker_id}", response_model=schemas.RankerPublic, responses=ERRORS | NOT_FOUND
)
def get_ranker(ranker_id: RankerId, service: ServiceDep, _: MarketerDep) -> dict[str, Any]:
    """One ranker; an unknown id is a 404 naming the known ones (field `ranker_id`)."""
    return service.ranking.get(ranker_id, field="ranker_id")


@router.post(
    "/rankers:promote",
    response_model=schemas.RankerPublic,
    responses=ERRORS | NOT_FOUND | CONFLICT,
)
def promote_ranker(
    body: schemas.RankerPromote, service: ServiceDep, principal: AdminDep
) -> dict[str, Any]:
    """Make a ranker live (admin); every worker serves it within `reload_interval_s`. Its file
    is read first: one that is missing, corrupt or built for other features or another encoder
    is a 409 `ranker_file` naming the file, and the live ranker stays. Promoting the live one
    changes nothing."""
    return service.ranking.promote(body.ranker, by=principal.name, reason=body.reason)


@router.post("/rankers:rollback", response_model=schemas.RankerPublic, responses=ERRORS | CONFLICT)
def rollback_ranker(
    service: ServiceDep,
    principal: AdminDep,
    body: Annotated[schemas.RankerRollback, Body()] = NO_BODY,
) -> dict[str, Any]:
    """Make the ranker live before the current one live again (admin; the shipped one when
    there was none); the body is optional. A 409 when nothing was promoted to roll back from,
    or when that ranker's file no longer loads."""
    return service.ranking.rollback(by=principal.name, reason=body.reason)


@router.post("/rankers:train", status_code=202, response_model=JobPublic, responses=ERRORS)
def train_ranker(
    service: ServiceDep,
    principal: AdminDep,
    body: Annotated[schemas.RankerTrain, Body()] = NO_TRAINING_BODY,
) -> dict[str, Any]:
    """Run `enablement learn` as a job (admin): a candidate trained on the impressions and
    feedback since `since` (all when absent), estimated offline against the live ranker and
    registered; with `auto_promote`, made live only when its lower bound beats the live
    ranker. Follow it at GET /v1/jobs/{id}: its `result` is learn's report (`ranker`,
    `trained_on`, `offline` with `live` and `candidate`, `promoted`, and `skipped` when there
    was too little data)."""
    return service.background.submit_learn(
        requested_by=principal.name, since=body.since, auto_promote=body.auto_promote
    ).to_dict()
