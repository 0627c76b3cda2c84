"""The shapes every adapter shares (REST routes, MCP tools, CLI commands): request models with
their limits and the one text-and-date rule, the public view of an asset, and how a validation
error reads.

It imports no adapter, so `api`, `mcp_server` and `cli` all build on it: a bound is set once here
and the CLI refuses what the API refuses, in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from enablement import clean
from enablement.access.tokens import DEFAULT_TTL, MAX_TTL, MIN_TTL
from enablement.errors import InvalidValueError

# A moment in a response, written as the CLI and the store write it ("…+00:00"), not pydantic's
# "…Z", so one client parses every timestamp the same way.
Moment = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

BAD_INPUT = "bad_input"  # the error type of the text-and-date rule; ctx["path"] extends the field


class RequestModel(BaseModel):
    """Base of every request model: unknown fields are refused, and so is, in any string at any
    depth, a control character or a lone surrogate, and any date out of range (see `clean`)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic reads true as 1 for a number: `"k": true` or `"amount": true` is a mistake
        if isinstance(value, bool) and info.field_name is not None:
            annotation = cls.model_fields[info.field_name].annotation
            if annotation is not bool and bool not in get_args(annotation):
                raise PydanticCustomError("bool_not_allowed", "must be a number, not true/false")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        found = clean.find_problem(value)
        if found is not None:
            raise PydanticCustomError(
                BAD_INPUT, "{problem}", {"path": found[0], "problem": found[1]}
            )
        return value


class DealContext(RequestModel):
    """A deal as a CRM knows it; stages, verticals and personas accept CRM names and aliases."""

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


class SearchRequest(RequestModel):
    """A free-text search with metadata filters (the query string of GET /v1/search)."""

    model_config = ConfigDict(extra="ignore")  # a query string may carry cache-busters

    q: str = Field(min_length=1, max_length=1000, description="Free text.")
    stage: str | None = Field(None, max_length=200)
    vertical: str | None = Field(None, max_length=200)
    persona: str | None = Field(None, max_length=200)
    type: str | None = Field(None, max_length=200)
    external_only: bool = False
    language: str | None = Field(
        None, max_length=20, description="Only assets in this language (or with none declared)."
    )
    limit: int = Field(10, ge=1, le=50)
    cursor: str | None = Field(None, max_length=100, description="`next` of a page")

    def filters(self) -> dict[str, Any]:
        return self.model_dump(
            include={"stage", "vertical", "persona", "type", "external_only", "language"}
        )


class AuditLogRequest(RequestModel):
    """A page of the audit log of removals (GET /v1/audit-log, `enablement audit-log`)."""

    model_config = ConfigDict(extra="ignore")  # a query string may carry cache-busters

    limit: int = Field(50, ge=1, le=500)
    # A row id: bounded like the BIGINT it is compared with, or SQLite overflows into a 500.
    cursor: int | None = Field(None, ge=1, le=2**63 - 1, description="`next` of a page: older rows")
    asset_id: str | None = Field(None, max_length=200, description="Only this asset's rows.")


class EmbedTokenCreate(RequestModel):
    """Who an embed token acts as, in which role, for how long (POST /v1/embed-tokens,
    `enablement embed-token`)."""

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


class ExperimentCreate(RequestModel):
    """An experiment to start (POST /v1/experiments, `enablement experiments create`); which
    fields each kind needs, and the ranker names, are checked by the service."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "no-metadata holdout", "kind": "holdout", "control": "no_metadata",
                 "share": 0.1}
            ]
        },
    )  # fmt: skip

    name: str = Field(min_length=1, max_length=200, examples=["learned vs linear"])
    kind: Literal["interleave", "holdout"] = Field(
        description="interleave: each list mixes control and treatment (team draft); holdout: "
        "a share of deals is served the control, the rest the live ranker."
    )
    control: str = Field(
        min_length=1,
        max_length=200,
        description="A ranker: `linear`, a learned ranker's name (`lambdarank:…`), or a baseline "
        "(`bm25_only`, `dense_only`, `no_metadata`); an unknown one is refused with the list.",
    )
    treatment: str | None = Field(
        None, min_length=1, max_length=200, description="interleave only: the other ranker."
    )
    share: float | None = Field(
        None,
        gt=0,
        le=0.5,
        description="holdout only: the share of deals (by a hash of `deal_id`) served the control.",
    )


class ExperimentListRequest(RequestModel):
    """A page of experiments, newest first (GET /v1/experiments, `enablement experiments list`)."""

    model_config = ConfigDict(extra="ignore")  # a query string may carry cache-busters

    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=100, description="`next` of a page: older ones")


class AssetRequest(RequestModel):
    """One asset by id (GET /v1/assets/{asset_id}, the get_asset tool)."""

    asset_id: str = Field(min_length=1, max_length=200)
    include_chunks: bool = False


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


class TagSource(BaseModel):
    """Where a field's values came from when not from the source file: an accepted suggestion."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"source": "suggested", "by": "content-ops",
                          "at": "2026-12-05T12:05:00+00:00", "values": ["finance"]}]
        }
    )  # fmt: skip

    source: Literal["suggested"]
    by: str = Field(description="Who accepted it.")
    at: str = Field(description="When.")
    values: list[str] = Field(description="The field's values that came from suggestions.")


class AssetPublic(BaseModel):
    """What anyone outside may see of an asset: no server path, hash or raw metadata."""

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
    tag_sources: dict[str, TagSource] = Field(
        default_factory=dict,
        description="Fields tagged by an accepted suggestion rather than the source file, with "
        "who accepted it and when (`enablement tags accept`, POST /v1/tag-suggestions/{id}"
        ":accept).",
    )


def public_asset(row: dict[str, Any], chunks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A catalog row (and its chunks) as JSON-ready AssetPublic fields, and nothing else."""
    own = {"chunks", "tag_sources"}
    fields = {name: row[name] for name in AssetPublic.model_fields if name not in own}
    sources = (row.get("extra") or {}).get("tag_sources") or {}
    public = fields | {"chunks": chunks, "tag_sources": sources}
    return AssetPublic.model_validate(public).model_dump(mode="json")


Model = TypeVar("Model", bound=BaseModel)


def validate(model: type[Model], raw: Mapping[str, Any]) -> Model:
    """`raw` as a `model`; raises InvalidValueError naming the field in the words the API's 422
    uses (`describe`), so a CLI option is refused as its API field is."""
    try:
        return model.model_validate(dict(raw))
    except ValidationError as exc:
        field, message = describe(exc.errors()[0])
        raise InvalidValueError(message, field=field or None) from None


def describe(error: ErrorDetails | dict[str, Any]) -> tuple[str, str]:
    """(field, message) for one pydantic error, the field a dotted path (`deals[0].stage`)."""
    field = field_name(error.get("loc", ()))
    ctx = error.get("ctx") or {}
    kind = error.get("type")
    if kind == BAD_INPUT:
        field = clean.join(field, str(ctx.get("path", "")))
        return field, f"{field} {ctx.get('problem', error.get('msg'))}."
    if kind == "string_unicode":  # pydantic's JSON parser refused a lone surrogate itself
        return field, f"{field} contains a lone surrogate (not valid Unicode)."
    if kind == "extra_forbidden":
        return field, f"Unknown field '{field}'."
    if kind == "missing":
        return field, f"Missing field '{field}'."
    message = str(error.get("msg", "invalid value"))
    return field, f"{field}: {message}" if field else message


def field_name(loc: Any) -> str:
    """A pydantic location as a dotted path, without FastAPI's body/query/path prefix."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out
