"""The embed-token exchange: a CRM's server trades its API key for a short-lived token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from enablement.access.keys import Role
from enablement.api import token_schemas as schemas
from enablement.api.deps import RepDep, ServiceDep
from enablement.api.routes.events import ERRORS

router = APIRouter(prefix="/v1", tags=["embedding"])


@router.post(
    "/embed-tokens", response_model=schemas.EmbedTokenOut, status_code=201, responses=ERRORS
)
def create_embed_token(
    body: schemas.EmbedTokenCreate, service: ServiceDep, caller: RepDep
) -> dict[str, Any]:
    """A token that acts as one user for a short while, for the sidebar's URL or postMessage.

    Call it from the CRM's server, never from a browser: the API key stays there. A key may mint
    for its own name; a crm or admin key for any user (a crm key mints rep tokens only). The
    token is used like a key (`Authorization: Bearer`), cannot mint tokens, and stops working
    when it expires (401 `token_expired`) or when the key that minted it is revoked."""
    token = service.tokens.mint(
        body.user or caller.name,
        role=Role[body.role],
        ttl_seconds=body.ttl_seconds,
        issuer=caller,
    )
    return token.to_dict()
