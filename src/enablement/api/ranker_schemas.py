"""Request and response bodies of the ranker registry."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from enablement.contract import RequestModel

__all__ = ["RankerPage", "RankerPromote", "RankerPublic", "RankerRollback"]

RANKER_EXAMPLE: dict[str, Any] = {
    "id": "lambdarank:3f2a9c01b7de",
    "kind": "trained",
    "live": True,
    "source": "lambdarank-3f2a9c01b7de",
    "sha256": "3f2a9c01b7de5e0f4f1c8a2d9b7e6c5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e",
    "created_at": "2026-12-05T12:00:00+00:00",
    "created_by": "enablement learn",
    "trained_on": {"impressions": 48210, "deals": 2000, "since": "2026-11-01"},
    "offline": {"live": {"snips": 0.412}, "candidate": {"snips": 0.468}},
    "note": "",
    "promoted_at": "2026-12-05T12:30:00+00:00",
    "promoted_by": "content-ops",
    "promoted_how": "promote",
    "reason": "won the interleave",
}
SHIPPED_EXAMPLE: dict[str, Any] = {
    **RANKER_EXAMPLE,
    "id": "lambdarank:3905b22b21ec",
    "kind": "shipped",
    "live": False,
    "source": "models/ranker",
    "sha256": "3905b22b21ecc8fbdf30fdf7cade14212d6a1baba14ebf33dcca9e4df2a26297",
    "created_at": "2026-12-05",
    "created_by": None,
    "trained_on": {"lumenfold": 160, "orrin-fleet": 209},
    "offline": {"library_out_ndcg@10": {"leaves 15, rounds 200": 0.8374}},
    "note": "The ranker shipped with enablement; it serves when no other was promoted.",
    "promoted_at": None,
    "promoted_by": None,
    "promoted_how": None,
    "reason": None,
}


class RankerPublic(BaseModel):
    """A ranker one may promote, and whether it is live."""

    model_config = ConfigDict(json_schema_extra={"examples": [RANKER_EXAMPLE]})

    id: str = Field(description="The ranker's name, as impressions and experiments name it.")
    kind: str = Field(description="shipped (models/ranker) or trained (registered by learn).")
    live: bool = Field(description="Whether it serves (every worker within reload_interval_s).")
    source: str = Field(
        description="Its folder: the shipped one's path, or a trained one's under data_dir/rankers."
    )
    sha256: str
    created_at: str | None = Field(None, description="When registered (shipped: its date).")
    created_by: str | None = None
    trained_on: dict[str, Any] = Field(description="What it was trained on, as learn said.")
    offline: dict[str, Any] = Field(description="Its offline evaluation, as learn said.")
    note: str
    promoted_at: str | None = Field(None, description="The live one: when it was made live.")
    promoted_by: str | None = Field(None, description="The live one: who made it live.")
    promoted_how: str | None = Field(None, description="The live one: promote or rollback.")
    reason: str | None = Field(None, description="The live one: why, as given.")


class RankerPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [SHIPPED_EXAMPLE, RANKER_EXAMPLE]}]}
    )

    items: list[RankerPublic] = Field(description="The shipped ranker, then trained newest first.")


class RankerPromote(RequestModel):
    """A ranker to make live (POST /v1/rankers:promote, `enablement rankers promote`)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"ranker": "lambdarank:3f2a9c01b7de", "reason": "won the interleave"}]
        },
    )

    ranker: str = Field(
        min_length=1, max_length=100, description="The id of a ranker GET /v1/rankers lists."
    )
    reason: str = Field("", max_length=1000, description="Why, for the record.")


class RankerRollback(RequestModel):
    """Back to the ranker live before the current one (POST /v1/rankers:rollback)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "fewer sends since the promotion"}]},
    )

    reason: str = Field("", max_length=1000, description="Why, for the record.")


class RankerTrain(RequestModel):
    """Train a candidate on the library's outcomes (POST /v1/rankers:train, `enablement learn`)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"since": "2026-10-01T00:00:00Z", "auto_promote": False}]},
    )

    since: AwareDatetime | None = Field(
        None,
        description="Learn from the lists shown from then on (ISO 8601 with a zone); default all.",
    )
    auto_promote: bool = Field(
        False,
        description="Make the candidate live only when its offline lower bound beats the live "
        "ranker's estimate.",
    )
