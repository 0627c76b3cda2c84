"""Request and response bodies of the usage routes: events and share links."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from enablement.contract import Moment, RequestModel

EVENT_EXAMPLE: dict[str, Any] = {
    "idempotency_key": "8f14e45f-ceea-467f-a0e6-1d2b3c4d5e6f",
    "type": "sent",
    "deal_id": "006Dn00000AbCdE",
    "asset_id": "case-study-northwind-health",
    "stage": "evaluation",
    "vertical": "healthcare",
    "recommendation_id": "4b27a848e76a61997d66309d",
}
RECORDED_EXAMPLE: dict[str, Any] = {"index": 0, "id": 1042, "status": "stored", "flags": []}
LINK_EXAMPLE: dict[str, Any] = {
    "id": "a1b2c3d4e5f60718",
    "deal_id": "006Dn00000AbCdE",
    "asset_id": "case-study-northwind-health",
    "created_by": "jordan@example.com",
    "created_at": "2026-11-25T10:00:00+00:00",
    "expires_at": "2026-12-25T10:00:00+00:00",
    "revoked_at": None,
    "views": 2,
    "last_viewed_at": "2026-11-26T08:12:00+00:00",
}


class EventIn(RequestModel):
    """One thing a rep did, or a deal's outcome. The rep is the caller, never a body field."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EVENT_EXAMPLE]})

    idempotency_key: str = Field(
        min_length=1,
        max_length=200,
        description="Unique per event (a UUID): a retry with the same key is stored once.",
    )
    type: Literal["opened", "sent", "feedback", "deal_outcome"]
    deal_id: str = Field(min_length=1, max_length=200)
    asset_id: str | None = Field(
        None, max_length=200, description="Required except for deal_outcome."
    )
    occurred_at: datetime | None = Field(None, description="When it happened (default: now).")
    stage: str | None = Field(None, max_length=200, description="The deal's stage at the time.")
    vertical: str | None = Field(None, max_length=200)
    persona: str | None = Field(None, max_length=200)
    recommendation_id: str | None = Field(
        None, max_length=64, description="The recommendation the asset came from, if any."
    )
    rank: int | None = Field(None, ge=1, le=1000)
    rating: Literal["up", "down"] | None = Field(None, description="Required for feedback.")
    comment: str | None = Field(None, max_length=2000, description="Why, for feedback.")
    outcome: Literal["won", "lost"] | None = Field(None, description="Required for deal_outcome.")
    amount: float | None = Field(None, ge=0, le=1e15)
    close_date: date | None = None
    link_id: str | None = Field(None, max_length=32)


class EventBatch(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"events": [EVENT_EXAMPLE]}]}
    )

    events: list[EventIn] = Field(min_length=1, max_length=1000)


class RecordedOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [RECORDED_EXAMPLE]})

    index: int = Field(description="Position in the request.")
    id: int
    status: Literal["stored", "duplicate"]
    flags: list[str] = Field(description="e.g. unknown_asset: stored, but not in the catalog.")


class BatchRecorded(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"stored": 1, "duplicates": 0, "flagged": 0, "results": [RECORDED_EXAMPLE]}
            ]
        }
    )

    stored: int
    duplicates: int
    flagged: int
    results: list[RecordedOut]


class ShareLinkIn(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "deal_id": "006Dn00000AbCdE",
                    "asset_id": "case-study-northwind-health",
                    "expires_in_days": 30,
                }
            ]
        },
    )

    deal_id: str = Field(min_length=1, max_length=200)
    asset_id: str = Field(min_length=1, max_length=200)
    stage: str | None = Field(None, max_length=200)
    vertical: str | None = Field(None, max_length=200)
    expires_in_days: int | None = Field(None, ge=1, le=365, description="Default: never.")


class ShareLinkOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [LINK_EXAMPLE]})

    id: str
    deal_id: str
    asset_id: str
    created_by: str
    created_at: Moment
    expires_at: Moment | None
    revoked_at: Moment | None
    views: int = Field(description="Buyer opens (link checkers and bots are not counted).")
    last_viewed_at: Moment | None


class NewShareLink(ShareLinkOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                LINK_EXAMPLE
                | {
                    "url": "http://127.0.0.1:8000/s/3q2-7wEz",
                    "preview_url": "http://127.0.0.1:8000/s/3q2-7wEz?preview=5f0c2a9e41d7b3c8",
                }
            ]
        }
    )

    url: str = Field(description="Send this to the buyer; shown once.")
    preview_url: str = Field(
        description="Open this yourself (never send it): what the buyer gets, not counted as a "
        "buyer view, nor are later opens of the link in the same browser."
    )


class ShareLinkList(BaseModel):
    """A deal's share links: the list envelope, not paged (a deal has a handful)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [LINK_EXAMPLE]}]})

    items: list[ShareLinkOut]
