"""The bodies every route group shares: the error body, and the health probes' answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from enablement.api.examples import ERROR_EXAMPLE


class ErrorDetail(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ERROR_EXAMPLE["error"]]})

    code: str = Field(examples=["unknown_stage"])
    message: str
    field: str | None = None
    valid: list[str] | None = None
    closest: str | None = None


class ErrorBody(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ERROR_EXAMPLE]})

    error: ErrorDetail


class Health(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ready",
                    "bundle_version": "v1",
                    "live_bundle_version": "v1",
                    "bundle_problem": None,
                    "checks": {"bundle": "ok", "store": "ok"},
                    "scorer": "lambdarank:3f2a9c01b7de",
                    "scorer_note": "lambdarank:3f2a9c01b7de from "
                    "data/rankers/lambdarank-3f2a9c01b7de/ranker.txt, the live ranker",
                    "live_ranker": "lambdarank:3f2a9c01b7de",
                    "answers": "answers:5d0c81e2a4f3",
                    "answers_note": "answers:5d0c81e2a4f3 from models/answers/manifest.json",
                }
            ]
        }
    )

    status: str = Field(
        description="`ok` (/healthz); `ready`, `degraded` (a bundle serves, the store is "
        "unreachable) or `not ready` (/readyz)."
    )
    bundle_version: str | None = None
    live_bundle_version: str | None = Field(
        None,
        description="The bundle every node should serve (the database's record with a shared "
        "bundle store, else CURRENT); differs from bundle_version while this node switches, or "
        "when it cannot (then bundle_problem says why).",
    )
    bundle_problem: str | None = Field(
        None,
        description="Why this node still serves bundle_version rather than the live one (e.g. "
        "the live bundle fails its checksum); null when it serves the live one.",
    )
    checks: dict[str, str] = Field(default_factory=dict)
    scorer: str | None = Field(
        None, description='What ranks: "linear", or the learned ranker ("lambdarank:<sha256>").'
    )
    scorer_note: str | None = Field(None, description="Where the scorer came from, or why not.")
    live_ranker: str | None = Field(
        None,
        description="The ranker the registry says is live (GET /v1/rankers); this worker serves "
        "it within reload_interval_s, or keeps its scorer when its file does not load (the note "
        "says why). Null when ENABLEMENT_SCORER=linear.",
    )
    answers: str | None = Field(
        None, description='What claims "answers": the answer model ("answers:<sha256>") or "off".'
    )
    answers_note: str | None = Field(None, description="Where it came from, or why it is off.")
