"""Response body of the marketer's audit views."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditTableOut(BaseModel):
    """One audit view: the filters applied, a summary, notes on method, and its rows."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "view": "unused",
                    "filters": {"since": "2026-08-28", "until": "2026-11-25", "stage": None,
                                "vertical": None, "type": None, "owner": None},
                    "summary": {"assets": 86, "never_recommended": 12},
                    "notes": [],
                    "columns": ["asset_id", "title", "type", "owner", "reason", "recommended"],
                    "rows": [{"asset_id": "whitepaper-edge-ai", "title": "Edge AI whitepaper",
                              "type": "whitepaper", "owner": "pmm@example.com",
                              "reason": "never_recommended", "recommended": 0}],
                }
            ]
        }
    )  # fmt: skip

    view: str
    filters: dict[str, Any]
    summary: dict[str, Any]
    notes: list[str]
    columns: list[str]
    rows: list[dict[str, Any]]
