"""Request and response bodies of the REST API, named by role, with limits and examples."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from enablement.api.examples import (
    ASSET_EXAMPLE,
    DEAL_EXAMPLE,
    ERROR_EXAMPLE,
    ITEM_EXAMPLE,
    JOB_EXAMPLE,
    PASSAGE_EXAMPLE,
    RESPONSE_EXAMPLE,
    TERM_EXAMPLE,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DealContext(Strict):
    """A deal as a CRM knows it; stages, verticals and personas accept CRM names and aliases."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [DEAL_EXAMPLE]})

    deal_id: str | None = Field(
        None,
        max_length=200,
        description="The CRM's opportunity id; usage events and analytics group by it.",
        examples=["006Dn00000AbCdE"],
    )
    stage: str | None = Field(None, max_length=200, examples=["Needs Analysis", "evaluation"])
    vertical: str | None = Field(None, max_length=200, examples=["healthcare"])
    persona: str | None = Field(None, max_length=200, examples=["CISO", "operations"])
    products: list[str] = Field(default_factory=list, max_length=20, examples=[["workflow"]])
    competitor: str | None = Field(None, max_length=200, examples=["brightwell"])
    questions: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="0 to 10 buyer questions or an email/call-note excerpt (long ones are cut).",
        examples=[["do you sign a BAA?"]],
    )
    already_shared: list[str] = Field(default_factory=list, max_length=500, examples=[[]])
    external_only: bool = Field(False, description="Only assets that may be sent to buyers.")
    language: str | None = Field(None, max_length=20, examples=["en"])
    k: int = Field(5, ge=1, le=50, description="How many assets to return.")
    as_of: date | None = Field(None, description="Judge expiry as of this date (default today).")

    def to_raw(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class BatchRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"deals": [DEAL_EXAMPLE]}]})

    deals: list[DealContext] = Field(min_length=1, max_length=100)


class Reason(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ITEM_EXAMPLE["reasons"][0]]})

    code: str = Field(examples=["answers_question"])
    text: str = Field(examples=["Answers “do you sign a BAA?” (page 2)"])


class Passage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PASSAGE_EXAMPLE]})

    question_index: int | None
    question: str | None
    text: str
    page: int | None
    slide: int | None
    heading_path: list[str]
    location: str = Field(examples=["page 2"])
    similarity: float
    answers: bool


class RecommendationItem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ITEM_EXAMPLE]})

    rank: int
    asset_id: str
    title: str
    type: str | None
    url: str | None
    external: bool | None
    score: float
    summary: str = Field(description="The one-line reason for the sidebar.")
    reasons: list[Reason]
    passages: list[Passage]


class ResolvedDeal(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [RESPONSE_EXAMPLE["deal"]]})

    deal_id: str | None
    stage: str | None
    vertical: str | None
    persona: str | None
    products: list[str]
    competitor: str | None
    questions: list[str]
    already_shared: list[str]
    external_only: bool
    language: str | None
    k: int
    as_of: date


class RecommendationResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [RESPONSE_EXAMPLE]})

    recommendation_id: str = Field(description="Quote it in feedback and events.")
    bundle_version: str
    deal: ResolvedDeal
    warnings: list[str]
    items: list[RecommendationItem]


class BatchResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"results": [RESPONSE_EXAMPLE]}]})

    results: list[RecommendationResponse]


class SearchHit(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {k: ITEM_EXAMPLE[k] for k in ("asset_id", "title", "type", "url", "score")}
                | {"passage": PASSAGE_EXAMPLE}
            ]
        }
    )

    asset_id: str
    title: str
    type: str | None
    url: str | None
    score: float
    passage: Passage


class SearchPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"query": "BAA", "bundle_version": "v1", "items": [], "next_cursor": None}]
        }
    )

    query: str
    bundle_version: str
    items: list[SearchHit]
    next_cursor: str | None


class Chunk(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ordinal": 0,
                    "text": "Lumenfold signs a BAA...",
                    "page": None,
                    "slide": None,
                    "heading_path": ["Who can sign a BAA"],
                }
            ]
        }
    )

    ordinal: int
    text: str
    page: int | None
    slide: int | None
    heading_path: list[str]


class AssetPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ASSET_EXAMPLE]})

    id: str
    title: str
    type: str | None
    url: str | None
    stages: list[str]
    verticals: list[str]
    personas: list[str]
    products: list[str]
    competitors: list[str]
    language: str | None
    external: bool | None
    owner: str | None
    updated_at: date | None
    expires_at: date | None
    format: str
    path: str | None
    word_count: int
    chunk_count: int
    chunks: list[Chunk] | None = None


class AssetPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [ASSET_EXAMPLE], "next_cursor": "security-hipaa-baa-summary"}]
        }
    )

    items: list[AssetPublic]
    next_cursor: str | None


class Term(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [TERM_EXAMPLE]})

    id: str
    label: str
    aliases: list[str]


class TaxonomyPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"stages": [TERM_EXAMPLE], "verticals": [], "personas": [], "asset_types": []}
            ]
        }
    )

    stages: list[Term]
    verticals: list[Term]
    personas: list[Term]
    asset_types: list[Term]


class IngestRequest(Strict):
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
                    "checks": {"bundle": "ok", "store": "ok"},
                }
            ]
        }
    )

    status: str
    bundle_version: str | None = None
    checks: dict[str, str] = Field(default_factory=dict)


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
