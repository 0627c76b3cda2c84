"""Embed tokens: short-lived secrets scoped to one user, minted from an API key for the sidebar.

A CRM's server holds the long-lived key and exchanges it for a token that its page puts in the
sidebar's URL or postMessage. Only the SHA-256 hash is stored, in the database, so every worker
verifies every token. A token dies when it expires or when the key that minted it is revoked.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select

from enablement.access.keys import Principal, Role, hash_key
from enablement.db import tables
from enablement.errors import InvalidValueError, PermissionDeniedError

PREFIX = "enbt_"
MIN_TTL = 60
MAX_TTL = 12 * 3600
DEFAULT_TTL = 900
# Expired tokens are kept this long, so their holders hear "expired" rather than "invalid".
KEEP_EXPIRED = timedelta(days=1)
MINTABLE = (Role.rep, Role.marketer)  # never admin nor crm: an embedded page is a person's
MINT_FOR_OTHERS = (Role.crm, Role.admin)  # keys that may mint tokens for another user


@dataclass(frozen=True)
class EmbedToken:
    token: str  # shown once, never stored
    user: str
    role: Role
    expires_at: datetime

    def to_dict(self) -> dict[str, str]:
        return {
            "token": self.token,
            "user": self.user,
            "role": self.role.name,
            "expires_at": self.expires_at.isoformat(),
        }


def check_may_mint(issuer: Principal, *, user: str, role: Role) -> None:
    """Raise PermissionDeniedError unless `issuer` may mint a `role` token for `user`.

    Any key may mint for its own name; a crm key (a CRM plugin minting sidebar tokens for its
    reps) or an admin key for someone else; never above the key's own role (so a crm key mints
    rep tokens only); and a token never mints another (it could otherwise live forever)."""
    if issuer.is_embed_token:
        raise PermissionDeniedError("An embed token cannot mint tokens; use an API key.")
    if role > issuer.role:
        raise PermissionDeniedError(
            f"A '{issuer.role.name}' key cannot mint a '{role.name}' token.", field="role"
        )
    if user != issuer.name and issuer.role not in MINT_FOR_OTHERS:
        raise PermissionDeniedError(
            f"A '{issuer.role.name}' key may mint tokens only for itself ('{issuer.name}'); "
            "minting for another user needs a crm or admin key.",
            field="user",
        )


class EmbedTokenStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def mint(
        self,
        user: str,
        *,
        role: Role = Role.rep,
        ttl_seconds: int = DEFAULT_TTL,
        issuer: Principal | None = None,
    ) -> EmbedToken:
        """A new token for `user`; `issuer` is the calling key (None: an operator at the CLI).

        Raises InvalidValueError for a bad user, role or lifetime, PermissionDeniedError when the
        issuer may not mint it (see check_may_mint)."""
        user = user.strip()
        if not user or len(user) > 200 or not user.isprintable():
            raise InvalidValueError("user must be 1 to 200 printable characters.", field="user")
        if role not in MINTABLE:
            raise InvalidValueError("An embed token's role is rep or marketer.", field="role")
        if not MIN_TTL <= ttl_seconds <= MAX_TTL:
            raise InvalidValueError(
                f"ttl_seconds must be between {MIN_TTL} and {MAX_TTL}.", field="ttl_seconds"
            )
        if issuer is not None:
            check_may_mint(issuer, user=user, role=role)
        token = f"{PREFIX}{secrets.token_urlsafe(32)}"
        now = datetime.now(UTC).replace(microsecond=0)
        expires_at = now + timedelta(seconds=ttl_seconds)
        row = {
            "id": secrets.token_hex(8),
            "token_hash": hash_key(token),
            "user_id": user,
            "role": role.name,
            "issued_by": issuer.key_id if issuer is not None else None,
            "created_at": now,
            "expires_at": expires_at,
        }
        t = tables.embed_tokens
        with self.engine.begin() as connection:
            connection.execute(delete(t).where(t.c.expires_at < now - KEEP_EXPIRED))
            connection.execute(insert(t).values(**row))
        return EmbedToken(token, user, role, expires_at)

    def verify(self, token: str) -> Principal | None:
        """The principal for a token (with its expiry, which the caller checks), or None when it
        is unknown or the key that minted it was revoked."""
        t, k = tables.embed_tokens.c, tables.api_keys.c
        query = (
            select(t.id, t.user_id, t.role, t.expires_at, t.issued_by)
            .select_from(tables.embed_tokens.outerjoin(tables.api_keys, t.issued_by == k.id))
            .where(t.token_hash == hash_key(token), k.revoked_at.is_(None))
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        expires_at = row.expires_at
        if expires_at.tzinfo is None:  # SQLite gives back naive datetimes
            expires_at = expires_at.replace(tzinfo=UTC)
        # A token spends its minting key's budget; one minted at the CLI (no key), its user's.
        bucket = row.issued_by or f"cli-user:{row.user_id}"
        return Principal(
            f"embed:{row.id}", row.user_id, Role[row.role], expires_at=expires_at, bucket=bucket
        )
