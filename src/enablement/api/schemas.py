"""Request and response bodies of the REST API, named by role, with limits and examples."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

DEAL_EXAMPLE: dict[str, Any] = {
    "stage": "Needs Analysis",
    "vertical": "healthcare",
    "persona": "operations",
    "products": ["workflow"],
    "questions": ["how fast can you turn around prior auths? we are at 5 days"],
    "already_shared": [],
    "external_only": True,
    "k": 5,
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DealContext(Strict):
    """A deal as a CRM knows it; stages, verticals and personas accept CRM names and aliases."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [DEAL_EXAMPLE]})

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
    deals: list[DealContext] = Field(min_length=1, max_length=100)


class Reason(BaseModel):
    code: str = Field(examples=["answers_question"])
    text: str = Field(examples=["Answers “do you sign a BAA?” (page 2)"])


class Passage(BaseModel):
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
    recommendation_id: str = Field(description="Quote it in feedback and events.")
    bundle_version: str
    deal: ResolvedDeal
    warnings: list[str]
    items: list[RecommendationItem]


class BatchResponse(BaseModel):
    results: list[RecommendationResponse]


class SearchHit(BaseModel):
    asset_id: str
    title: str
    type: str | None
    url: str | None
    score: float
    passage: Passage


class SearchPage(BaseModel):
    query: str
    bundle_version: str
    items: list[SearchHit]
    next_cursor: str | None


class Chunk(BaseModel):
    ordinal: int
    text: str
    page: int | None
    slide: int | None
    heading_path: list[str]


class AssetPublic(BaseModel):
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
    items: list[AssetPublic]
    next_cursor: str | None


class Term(BaseModel):
    id: str
    label: str
    aliases: list[str]


class TaxonomyPublic(BaseModel):
    stages: list[Term]
    verticals: list[Term]
    personas: list[Term]
    asset_types: list[Term]


class IngestRequest(Strict):
    path: str = Field(min_length=1, max_length=4096, examples=["content_catalog"])


class JobPublic(BaseModel):
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
    code: str = Field(examples=["unknown_stage"])
    message: str
    field: str | None = None
    valid: list[str] | None = None
    closest: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: str
    bundle_version: str | None = None
    checks: dict[str, str] = Field(default_factory=dict)
