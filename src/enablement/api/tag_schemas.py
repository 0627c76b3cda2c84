"""Request and response bodies of the tag-suggestion review."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from enablement.contract import RequestModel

__all__ = ["TagAccept", "TagSuggestionDecided", "TagSuggestionPage", "TagSuggestionPublic"]

WHY_EXAMPLE: dict[str, Any] = {
    "words": ["hospital", "prior authorization"],
    "neighbours": [
        {"asset_id": "case-hospital", "title": "Hospital Case Study", "similarity": 0.82}
    ],
}
SUGGESTION_EXAMPLE: dict[str, Any] = {
    "id": "ts_0f3c9a1b2d4e5f60718a",
    "asset_id": "workflow-healthcare-brief",
    "title": "Workflow Automation for Hospitals",
    "field": "verticals",
    "value": "healthcare",
    "confidence": 0.91,
    "why": WHY_EXAMPLE,
    "status": "open",
    "void_reason": None,
    "created_at": "2026-12-05T12:00:00+00:00",
    "decided_at": None,
    "decided_by": None,
}


class Why(BaseModel):
    """What carried a suggestion."""

    model_config = ConfigDict(json_schema_extra={"examples": [WHY_EXAMPLE]})

    words: list[str] = Field(description="The words that weighed most for the value.")
    neighbours: list[dict[str, Any]] = Field(
        description="The nearest tagged assets that have the value: asset_id, title, similarity."
    )


class TagSuggestionPublic(BaseModel):
    """One value the model proposes for one field of one asset, and its review state."""

    model_config = ConfigDict(json_schema_extra={"examples": [SUGGESTION_EXAMPLE]})

    id: str = Field(description="Stable for the asset, field, value and content.")
    asset_id: str
    title: str | None = Field(
        None, description="The asset's title; null once the asset has left the catalog."
    )
    field: str = Field(description="type, stages, verticals or personas.")
    value: str = Field(description="A taxonomy id of the field's facet.")
    confidence: float = Field(description="The model's probability (0-1) that it is right.")
    why: Why
    status: str = Field(description="open, accepted, rejected or void.")
    void_reason: str | None = Field(
        None,
        description="void only: asset_removed, content_changed, field_set, value_removed or "
        "not_proposed.",
    )
    created_at: str
    decided_at: str | None = None
    decided_by: str | None = Field(None, description="Who accepted or rejected it.")


class TagSuggestionPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [SUGGESTION_EXAMPLE], "next": "0.91:ts_0f3c9a1b2d4e5f60718a"}]
        }
    )  # fmt: skip

    items: list[TagSuggestionPublic] = Field(description="Highest confidence first, then id.")
    next: str | None = Field(description="Pass back as `cursor` for the next page.")


class TagSuggestionDecided(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [SUGGESTION_EXAMPLE | {"status": "accepted",
                          "decided_by": "content-ops",
                          "decided_at": "2026-12-05T12:05:00+00:00"}]}]
        }
    )  # fmt: skip

    items: list[TagSuggestionPublic]


class TagAccept(RequestModel):
    """Suggestions to accept together, all or nothing (POST /v1/tag-suggestions:accept)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"ids": ["ts_0f3c9a1b2d4e5f60718a"]}]}
    )

    ids: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=500, description="Suggestion ids; the first bad one is named."
    )
