"""Request and response bodies of the experiments registry."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from enablement.contract import ExperimentCreate

__all__ = ["ExperimentCreate", "ExperimentDetail", "ExperimentPage", "ExperimentPublic"]

EXPERIMENT_EXAMPLE: dict[str, Any] = {
    "id": "exp-20261205120000000000-3f2a",
    "name": "no-metadata holdout",
    "kind": "holdout",
    "control": "no_metadata",
    "treatment": None,
    "share": 0.1,
    "status": "running",
    "created_at": "2026-12-05T12:00:00+00:00",
    "created_by": "content-ops",
    "stopped_at": None,
    "stopped_by": None,
}


class ExperimentPublic(BaseModel):
    """An experiment's definition and state."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXPERIMENT_EXAMPLE]})

    id: str
    name: str
    kind: str = Field(examples=["holdout"], description="interleave or holdout.")
    control: str = Field(examples=["no_metadata"])
    treatment: str | None = Field(None, description="interleave only.")
    share: float | None = Field(None, description="holdout only.")
    status: str = Field(examples=["running"], description="running or stopped.")
    created_at: str
    created_by: str = Field(description="The name of the key (or the CLI user) that created it.")
    stopped_at: str | None = None
    stopped_by: str | None = None


class ExperimentDetail(ExperimentPublic):
    """One experiment with its results so far."""

    results: dict[str, Any] = Field(
        description="What the impressions logged under it say so far (kind interleave: lists, "
        "deals, wins, losses, ties, share, low, high, decision; kind holdout: deals, arms with "
        "won and progressed shares and 95% intervals, live minus control difference; both: "
        "causal, true only for a holdout, and a summary sentence).",
    )


class ExperimentPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [EXPERIMENT_EXAMPLE], "next": None}]}
    )

    items: list[ExperimentPublic]
    next: str | None = Field(description="Pass as `cursor` for older experiments; null if none.")
