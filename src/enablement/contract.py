"""The shapes every adapter shares (REST routes, MCP tools): request models with their limits
and the one text-and-date rule, the public view of an asset, and how a validation error reads.

It imports no adapter, so `api` and `mcp_server` both build on it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from enablement import clean

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
    limit: int = Field(10, ge=1, le=50)
    cursor: str | None = Field(None, max_length=100, description="next_cursor of a page")

    def filters(self) -> dict[str, Any]:
        return self.model_dump(include={"stage", "vertical", "persona", "type", "external_only"})


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


def public_asset(row: dict[str, Any], chunks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A catalog row (and its chunks) as JSON-ready AssetPublic fields, and nothing else."""
    fields = {name: row[name] for name in AssetPublic.model_fields if name != "chunks"}
    return AssetPublic.model_validate(fields | {"chunks": chunks}).model_dump(mode="json")


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
