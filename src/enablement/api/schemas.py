"""Request and response bodies of the REST API, named by role, with limits and examples."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from enablement import contract
from enablement.api.examples import (
    ASSET_EXAMPLE,
    DEAL_EXAMPLE,
    ERROR_EXAMPLE,
    ITEM_EXAMPLE,
    JOB_EXAMPLE,
    PASSAGE_EXAMPLE,
    RESPONSE_EXAMPLE,
    SENT_EXAMPLE,
    TABLE_BLOCK_EXAMPLE,
    TERM_EXAMPLE,
)
from enablement.contract import Moment, RequestModel


class DealContext(contract.DealContext):
    """A deal as a CRM knows it; stages, verticals and personas accept CRM names and aliases."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [DEAL_EXAMPLE]})


class BatchRequest(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"deals": [DEAL_EXAMPLE]}]})

    deals: list[DealContext] = Field(min_length=1, max_length=100)


class Reason(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ITEM_EXAMPLE["reasons"][0]]})

    code: str = Field(examples=["answers_question"])
    text: str = Field(examples=["Answers “do you sign a BAA?” (page 2)"])


class PassageBlock(BaseModel):
    """A paragraph (`text`), or a table (`rows`, and `header` when the passage holds the
    table's first row): what to draw, where `text` is the same passage as plain sentences."""

    model_config = ConfigDict(json_schema_extra={"examples": [TABLE_BLOCK_EXAMPLE]})

    kind: Literal["text", "table"]
    text: str | None = None
    header: list[str] | None = None
    rows: list[list[str]] | None = None


class Passage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PASSAGE_EXAMPLE]})

    question_index: int | None
    question: str | None
    text: str = Field(
        description='The passage as plain text: table rows as sentences ("Metric: Prior auth; '
        "Before: 5.2 days\"), a slide's speaker notes left out, no quote marks added."
    )
    blocks: list[PassageBlock] = Field(description="The same passage, tables as tables.")
    page: int | None
    slide: int | None
    heading_path: list[str]
    location: str = Field(examples=["page 2"])
    similarity: float
    answers: bool = Field(
        description="Whether this passage answers its question, by the calibrated answer model."
    )
    answer_score: float | None = Field(
        description="P(this passage answers its question); null without a question or model."
    )


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
    stage: str | None = Field(description="The canonical stage id the deal was ranked for.")
    stage_name: str | None = Field(
        description="The stage as the CRM named it (its own value, or the label for an id): "
        "what to show the rep."
    )
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


class QuestionAnswered(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [RESPONSE_EXAMPLE["questions"][0]]})

    question: str
    question_index: int = Field(
        description="Its place in the request's `questions` (passages' `question_index` too)."
    )
    answered: bool | None = Field(
        description="Whether a recommended asset answers it; null when no answer model is loaded."
    )
    answer_score: float | None = Field(
        description="The best probability that a recommended asset answers it."
    )


class SentAsset(BaseModel):
    """An asset the deal's buyer already has, as the event store knows it."""

    model_config = ConfigDict(json_schema_extra={"examples": [SENT_EXAMPLE]})

    asset_id: str
    title: str | None = Field(description="null for an id the catalog never held.")
    sent_at: Moment = Field(
        description="When it was first marked sent, else when its first share link was made."
    )
    via: Literal["sent", "link"] = Field(
        description="sent: a `sent` event; link: only a share link (not revoked) was made."
    )
    buyer_views: int | None = Field(
        description="Buyer opens of the deal's share links to it (the rep's own opens and link "
        "checkers not counted); null when it has no share link, so opens are not tracked."
    )
    last_viewed_at: Moment | None


class RecommendationResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [RESPONSE_EXAMPLE]})

    recommendation_id: str = Field(description="Quote it in feedback and events.")
    bundle_version: str
    deal: ResolvedDeal
    warnings: list[str]
    questions: list[QuestionAnswered] = Field(
        description="Per buyer question, whether the recommended assets answer it."
    )
    items: list[RecommendationItem]
    already_sent: list[SentAsset] = Field(
        description="What the deal's buyer already has (from the events stored for its deal_id: "
        "`sent` events and share links), newest first; never among `items`, like "
        "`deal.already_shared`."
    )


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
            "examples": [
                {
                    "query": "BAA",
                    "bundle_version": "v1",
                    "items": [
                        {k: ITEM_EXAMPLE[k] for k in ("asset_id", "title", "type", "url", "score")}
                        | {"passage": PASSAGE_EXAMPLE}
                    ],
                    "next": "bzoxMA==",
                }
            ]
        }
    )

    query: str
    bundle_version: str
    items: list[SearchHit]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class AssetPublic(contract.AssetPublic):
    """What anyone outside may see of an asset: no server path, hash or raw metadata."""

    model_config = ConfigDict(json_schema_extra={"examples": [ASSET_EXAMPLE]})


class AssetPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [ASSET_EXAMPLE], "next": "security-hipaa-baa-summary"}]
        }
    )

    items: list[AssetPublic]
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


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
                    "scorer": "lambdarank:3f2a9c01b7de",
                    "scorer_note": "lambdarank:3f2a9c01b7de from models/ranker/ranker.txt",
                    "answers": "answers:5d0c81e2a4f3",
                    "answers_note": "answers:5d0c81e2a4f3 from models/answers/manifest.json",
                }
            ]
        }
    )

    status: str
    bundle_version: str | None = None
    checks: dict[str, str] = Field(default_factory=dict)
    scorer: str | None = Field(
        None, description='What ranks: "linear", or the learned ranker ("lambdarank:<sha256>").'
    )
    scorer_note: str | None = Field(None, description="Where the scorer came from, or why not.")
    answers: str | None = Field(
        None, description='What claims "answers": the answer model ("answers:<sha256>") or "off".'
    )
    answers_note: str | None = Field(None, description="Where it came from, or why it is off.")


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
