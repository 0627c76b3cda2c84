"""Dependencies as Annotated aliases: the service, the caller's key and role, rate limits."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DisconnectionError, OperationalError

from enablement.access.keys import Principal, Role
from enablement.errors import (
    AuthenticationError,
    PermissionDeniedError,
    TokenExpiredError,
)
from enablement.service import EnablementService

_KEY_CACHE_SECONDS = 5.0  # a revoked key stops working within this

# Declares the scheme in the OpenAPI document (components.securitySchemes.bearerAuth) on exactly
# the operations that need a key; never refuses by itself, so a missing or bad key gets our 401.
bearer = HTTPBearer(
    scheme_name="bearerAuth",
    description="An API key (`enb_…`), or an embed token (`enbt_…`) from POST /v1/embed-tokens. "
    "The API also takes the key in an `X-API-Key` header.",
    auto_error=False,
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def get_service(request: Request) -> EnablementService:
    service: EnablementService = request.app.state.service
    return service


ServiceDep = Annotated[EnablementService, Depends(get_service)]


class KeyCache:
    """Recently verified keys and embed tokens, so a request costs no database round trip.
    While the database does not answer, a key verified in the last STALE_SECONDS keeps working
    (reads go on serving from the loaded bundle); one never seen gets the store's 503."""

    STALE_SECONDS = 900.0

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, Principal | None]] = {}

    def principal(self, service: EnablementService, key: str) -> Principal | None:
        now = time.monotonic()
        hit = self._seen.get(key)
        if hit is not None and now - hit[0] < _KEY_CACHE_SECONDS:
            return hit[1]
        try:
            principal = service.principal(key)
        except (OperationalError, DisconnectionError):
            if hit is not None and now - hit[0] < self.STALE_SECONDS:
                return hit[1]
            raise
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[key] = (now, principal)
        return principal


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key from `Authorization: Bearer <key>` or `X-API-Key`."""
    header = headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return headers.get("x-api-key") or None


def authenticate(state: Any, key: str | None, role: Role, *, client: str | None) -> Principal:
    """The caller for `key` (an API key or embed token), if it may act as `role`; raises 401
    (`token_expired` for an embed token past its time), 403 or 429 errors.

    Failed sign-ins count against the `client` address: once it is over the limit, its failures
    get 429 instead of 401. A valid key is never refused for others' failures from the same
    address (an office behind one NAT). A caller spends its key's budget (an embed token, its
    minting key's)."""
    try:
        principal = _verified(state, key)
    except AuthenticationError:
        state.auth_failures.take(client or "unknown")  # 429 past the burst, else the 401
        raise
    if principal.role < role:
        raise PermissionDeniedError(
            f"This needs the '{role.name}' role; the key has '{principal.role.name}'."
        )
    state.rate_limiter.take(principal.rate_bucket)
    return principal


def _verified(state: Any, key: str | None) -> Principal:
    if key is None:
        raise AuthenticationError("An API key is required (Authorization: Bearer <key>).")
    principal: Principal | None = state.key_cache.principal(state.service, key)
    if principal is None:
        raise AuthenticationError("The API key or token is not valid or was revoked.")
    if principal.expired(datetime.now(UTC)):
        raise TokenExpiredError("The embed token expired; sign in again for a new one.")
    return principal


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits keys of `role` or above: 401 without a valid key, 403 below."""

    # async: a cheap check that would otherwise cost a thread-pool hop per request
    async def dependency(request: Request, _: BearerDep) -> Principal:
        # the key is read by presented_key, the one rule the MCP mount shares (X-API-Key too)
        client = request.client.host if request.client else None
        principal = authenticate(
            request.app.state, presented_key(request.headers), role, client=client
        )
        request.state.principal = principal
        return principal

    return dependency


RepDep = Annotated[Principal, Depends(require(Role.rep))]
MarketerDep = Annotated[Principal, Depends(require(Role.marketer))]
AdminDep = Annotated[Principal, Depends(require(Role.admin))]
