"""Response bodies of the catalog routes: assets as outsiders may see them, and the taxonomy."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from enablement import contract
from enablement.api.examples import ASSET_EXAMPLE, TERM_EXAMPLE


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
