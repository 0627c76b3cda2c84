"""Response bodies of removing an asset and of the audit log of removals."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from enablement.api.examples import JOB_EXAMPLE
from enablement.api.job_schemas import JobPublic

REMOVED_EXAMPLE: dict[str, Any] = {
    "id": "battlecard-oxley",
    "title": "Battlecard vs Oxley",
    "source": "/srv/library",
    "path": "battlecards/oxley.md",
}
AUDIT_EXAMPLE: dict[str, Any] = {
    "id": 7,
    "at": "2026-12-10T09:30:00+00:00",
    "action": "remove",
    "via": "api",
    "actor": "content-ops",
    "key_id": "3f2a9c01b7de4411",
    "asset_id": "battlecard-oxley",
    "title": "Battlecard vs Oxley",
    "source": "/srv/library",
    "path": "battlecards/oxley.md",
}


class RemovedAsset(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [REMOVED_EXAMPLE]})

    id: str
    title: str
    source: str = Field(description="The library (or file) the asset was ingested from.")
    path: str | None = Field(None, description="Its file, relative to the source.")


class RemovalPublic(BaseModel):
    """What was removed, by whom, and the index rebuild that takes it out of recommendations."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"removed": [REMOVED_EXAMPLE], "count": 1, "actor": "content-ops", "via": "api",
                 "job": JOB_EXAMPLE | {"kind": "rebuild", "params": {}}}
            ]
        }
    )  # fmt: skip

    removed: list[RemovedAsset]
    count: int
    actor: str = Field(description="The API key's name.")
    via: str = Field(examples=["api"])
    job: JobPublic | None = Field(
        None, description="The index rebuild queued (none when the catalog is now empty)."
    )


class AuditRow(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [AUDIT_EXAMPLE]})

    id: int
    at: str
    action: str = Field(examples=["remove"])
    via: str = Field(description="cli or api")
    actor: str = Field(description="The API key's name, or the CLI's --actor / OS user.")
    key_id: str | None = None
    asset_id: str
    title: str
    source: str
    path: str | None = None


class AuditLogPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [AUDIT_EXAMPLE], "next": 7}]}
    )

    items: list[AuditRow]
    next: int | None = Field(None, description="Pass as `cursor` for older rows; null at the end.")
