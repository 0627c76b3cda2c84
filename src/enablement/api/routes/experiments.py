"""Experiments: an admin starts and stops them; a marketer reads their definition and state."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from enablement.api import experiment_schemas as schemas
from enablement.api.deps import AdminDep, MarketerDep, ServiceDep
from enablement.api.routes.recommend import ERRORS
from enablement.api.schemas import ErrorBody
from enablement.contract import ExperimentListRequest
from enablement.experiments.model import Definition

router = APIRouter(prefix="/v1", tags=["experiments"])
ExperimentId = Annotated[str, Path(min_length=1, max_length=200)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}}


@router.post(
    "/experiments",
    response_model=schemas.ExperimentPublic,
    status_code=201,
    responses=ERRORS | {409: {"model": ErrorBody}},
)
def create_experiment(
    body: schemas.ExperimentCreate, service: ServiceDep, principal: AdminDep
) -> dict[str, Any]:
    """Start an experiment (admin). `interleave` needs a `treatment`; `holdout` a `share` in
    (0, 0.5]. An unknown ranker is a 422 `unknown_ranker` naming the field, with the `valid`
    names; a second experiment while one runs is a 409."""
    definition = Definition(**body.model_dump())
    return service.experimenting.create(definition, created_by=principal.name).to_dict()


@router.get("/experiments", response_model=schemas.ExperimentPage, responses=ERRORS)
def list_experiments(
    service: ServiceDep, _: MarketerDep, params: Annotated[ExperimentListRequest, Query()]
) -> dict[str, Any]:
    """Experiments newest first, running or stopped; pass `next` back as `cursor` for older."""
    page, after = service.experimenting.store.page(limit=params.limit, cursor=params.cursor)
    return {"items": [e.to_dict() for e in page], "next": after}


@router.get(
    "/experiments/{experiment_id}",
    response_model=schemas.ExperimentDetail,
    responses=ERRORS | NOT_FOUND,
)
def get_experiment(
    experiment_id: ExperimentId, service: ServiceDep, _: MarketerDep
) -> dict[str, Any]:
    """One experiment's definition and state, and its `results` so far: for an interleave, the
    treatment's deal wins, losses and ties, the exact interval on its share and the decision;
    for a holdout, each arm's win rate and stage progression and their difference, caused by
    the live ranker (deals were assigned at random)."""
    return service.experimenting.report(experiment_id)


@router.post(
    "/experiments/{experiment_id}:stop",
    response_model=schemas.ExperimentPublic,
    responses=ERRORS | NOT_FOUND,
)
def stop_experiment(
    experiment_id: ExperimentId, service: ServiceDep, principal: AdminDep
) -> dict[str, Any]:
    """Stop an experiment (admin), recording who and when; another may then start. Stopping a
    stopped one changes nothing and answers it as it is."""
    return service.experimenting.stop(experiment_id, stopped_by=principal.name).to_dict()
