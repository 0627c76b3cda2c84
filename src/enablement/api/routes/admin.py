"""Admin: ingest a library or an upload, rebuild the index, follow jobs, read the audit log."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError

from enablement.api import job_schemas as schemas
from enablement.api.deps import AdminDep, ServiceDep
from enablement.api.removal_schemas import AuditLogPage
from enablement.api.routes.recommend import ERRORS
from enablement.api.schemas import ErrorBody
from enablement.contract import AuditLogRequest, describe
from enablement.errors import InvalidValueError

router = APIRouter(prefix="/v1", tags=["admin"])
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 200


@router.post(
    "/catalog:ingest",
    status_code=202,
    response_model=schemas.JobPublic,
    responses=ERRORS,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": schemas.IngestRequest.model_json_schema()},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
async def ingest(request: Request, service: ServiceDep, principal: AdminDep) -> dict[str, Any]:
    """Ingest a folder or manifest under a configured library root (JSON `{"path": ...}`), or an
    uploaded manifest or document (the raw bytes, named by `?filename=`). Returns the job."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    body = await request.body()
    if content_type == "application/json":
        try:
            payload = schemas.IngestRequest.model_validate(json.loads(body))
        except ValidationError as exc:
            field, message = describe(exc.errors()[0])
            raise InvalidValueError(message, field=field or "path") from None
        except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
            raise InvalidValueError(
                f'Body must be {{"path": "..."}}: {exc}', field="path"
            ) from None
        job = service.background.submit_ingest(Path(payload.path), requested_by=principal.key_id)
    else:
        job = service.background.submit_ingest(
            _save_upload(service, request, body), requested_by=principal.key_id
        )
    return job.to_dict()


@router.post("/index:rebuild", status_code=202, response_model=schemas.JobPublic, responses=ERRORS)
def rebuild(service: ServiceDep, principal: AdminDep) -> dict[str, Any]:
    """Rebuild the search index; workers switch to it when it is ready, with no restart."""
    return service.background.submit_rebuild(requested_by=principal.key_id).to_dict()


@router.get(
    "/jobs/{job_id}",
    response_model=schemas.JobPublic,
    responses=ERRORS | {404: {"model": ErrorBody}},
)
def job(job_id: str, service: ServiceDep, _: AdminDep) -> dict[str, Any]:
    """A job's state, progress, per-file errors (in `result.errors`) and outcome."""
    return service.background.jobs.get(job_id).to_dict()


@router.get("/audit-log", response_model=AuditLogPage, responses=ERRORS)
def audit_log(
    service: ServiceDep, _: AdminDep, params: Annotated[AuditLogRequest, Query()]
) -> dict[str, Any]:
    """Who removed which assets and when (via the API or the CLI), newest first; pass `next`
    back as `cursor` for older rows."""
    return service.audit_log(limit=params.limit, cursor=params.cursor, asset_id=params.asset_id)


def _save_upload(service: Any, request: Request, body: bytes) -> Path:
    name = _SAFE_NAME.sub("-", request.query_params.get("filename", "")).strip(".-")
    if not name or "." not in name or len(name) > _MAX_NAME:  # longer: the OS refuses it (500)
        raise InvalidValueError(
            "Name the upload with ?filename=NAME.EXT (e.g. assets.jsonl or guide.pdf), "
            f"at most {_MAX_NAME} characters.",
            field="filename",
        )
    if not body:
        raise InvalidValueError("The upload is empty.", field="body")
    folder = service.background.uploads_dir / __import__("secrets").token_hex(8)
    folder.mkdir(parents=True)
    target: Path = folder / name
    target.write_bytes(body)
    return target
