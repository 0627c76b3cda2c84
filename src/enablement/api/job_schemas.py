"""Request and response bodies of the admin jobs: queueing an ingest or an index rebuild."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from enablement.api.examples import JOB_EXAMPLE
from enablement.contract import RequestModel


class IngestRequest(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"path": "content_catalog"}]})

    path: str = Field(min_length=1, max_length=4096, examples=["content_catalog"])


class JobPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [JOB_EXAMPLE]})

    id: str
    kind: str = Field(examples=["ingest"])
    state: str = Field(examples=["running"])
    created_at: str
    updated_at: str
    params: dict[str, Any]
    progress: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    node: str | None = Field(
        description="The worker running it, or that ran it (host:pid); null while queued.",
        examples=["node-a:4121"],
    )
    attempts: int = Field(
        description="Times a worker claimed it: above 1, a node died while running it.",
        examples=[1],
    )
