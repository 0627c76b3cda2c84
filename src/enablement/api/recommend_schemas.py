"""Request and response bodies of the recommendation and search routes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from enablement import contract
from enablement.api.examples import (
    DEAL_EXAMPLE,
    ITEM_EXAMPLE,
    PASSAGE_EXAMPLE,
    RESPONSE_EXAMPLE,
    SENT_EXAMPLE,
    TABLE_BLOCK_EXAMPLE,
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
