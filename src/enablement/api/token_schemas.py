"""Request and response bodies of the embed-token exchange."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from enablement.contract import EmbedTokenCreate, Moment

__all__ = ["EmbedTokenCreate", "EmbedTokenOut"]

TOKEN_EXAMPLE: dict[str, Any] = {
    "token": "enbt_Qx3b7PZ0kR8m2c1vN4sW6yT9uL5aH0dF2gJ7eK1iO3p",
    "user": "jordan@example.com",
    "role": "rep",
    "expires_at": "2026-11-26T10:15:00+00:00",
}


class EmbedTokenOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [TOKEN_EXAMPLE]})

    token: str = Field(description="Shown once; only its hash is stored.")
    user: str
    role: str
    expires_at: Moment
