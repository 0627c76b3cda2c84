"""Request and response bodies of the embed-token exchange."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from enablement.access.tokens import DEFAULT_TTL, MAX_TTL, MIN_TTL
from enablement.contract import RequestModel

TOKEN_EXAMPLE: dict[str, Any] = {
    "token": "enbt_Qx3b7PZ0kR8m2c1vN4sW6yT9uL5aH0dF2gJ7eK1iO3p",
    "user": "jordan@example.com",
    "role": "rep",
    "expires_at": "2026-11-26T10:15:00+00:00",
}


class EmbedTokenCreate(RequestModel):
    """Who the token acts as, in which role, for how long."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"user": "jordan@example.com", "ttl_seconds": 900}]},
    )

    user: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="The rep's id (events are recorded under it). Default: the calling key's "
        "name. Only a crm or admin key may mint for another user.",
    )
    role: Literal["rep", "marketer"] = Field(
        "rep", description="`marketer` (for the dashboard) needs a marketer or admin key."
    )
    ttl_seconds: int = Field(DEFAULT_TTL, ge=MIN_TTL, le=MAX_TTL, description="Lifetime.")


class EmbedTokenOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [TOKEN_EXAMPLE]})

    token: str = Field(description="Shown once; only its hash is stored.")
    user: str
    role: str
    expires_at: datetime
