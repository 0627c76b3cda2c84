"""API keys: created once and shown once, stored only as SHA-256 hashes, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from sqlalchemy import Engine, insert, select, update

from enablement.db import tables
from enablement.errors import InvalidValueError, NotFoundError

PREFIX = "enb_"


class Role(IntEnum):
    """Each role may do everything the roles below it may, except write deal outcomes: only
    `crm` (a CRM integration: a rep's rights plus outcomes) and `admin` may (see
    `may_write_outcomes`). Roles are stored by name, so the numbers may change."""

    rep = 1
    crm = 2
    marketer = 3
    admin = 4

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls[value.strip().lower()]
        except KeyError:
            valid = ", ".join(r.name for r in cls)
            raise InvalidValueError(
                f"Unknown role '{value}'. Valid roles: {valid}.", field="role"
            ) from None

    @property
    def may_write_outcomes(self) -> bool:
        """Whether keys of this role may record deal outcomes (won/lost): crm and admin only."""
        return self in OUTCOME_WRITERS


OUTCOME_WRITERS = frozenset({Role.crm, Role.admin})


@dataclass(frozen=True)
class Principal:
    """The caller behind a request: an API key, or an embed token minted from one."""

    key_id: str  # the key's id, or the embed token's (`embed:<id>`)
    name: str  # the user events are recorded under
    role: Role
    expires_at: datetime | None = None  # set for embed tokens only
    bucket: str | None = None  # an embed token's rate-limit bucket (see rate_bucket)

    @property
    def is_embed_token(self) -> bool:
        return self.expires_at is not None

    @property
    def rate_bucket(self) -> str:
        """Whose request budget this caller spends: a key its own, an embed token its minting
        key's (so minting tokens never multiplies a key's limit)."""
        return self.bucket or self.key_id

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class NewKey:
    id: str
    name: str
    role: Role
    key: str  # shown once, never stored

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "role": self.role.name, "key": self.key}


def hash_key(key: str) -> str:
    # Keys are 256-bit random secrets, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, name: str, role: Role) -> NewKey:
        name = name.strip()
        if not name or len(name) > 200:
            raise InvalidValueError("A key needs a name of 1 to 200 characters.", field="name")
        key_id = secrets.token_hex(8)
        key = f"{PREFIX}{secrets.token_urlsafe(32)}"
        row = {
            "id": key_id,
            "name": name,
            "role": role.name,
            "key_hash": hash_key(key),
            "created_at": datetime.now(UTC),
            "revoked_at": None,
        }
        with self.engine.begin() as connection:
            connection.execute(insert(tables.api_keys).values(**row))
        return NewKey(key_id, name, role, key)

    def verify(self, key: str) -> Principal | None:
        """The principal for a key, or None when it is unknown or revoked."""
        k = tables.api_keys.c
        query = select(k.id, k.name, k.role).where(
            k.key_hash == hash_key(key), k.revoked_at.is_(None)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return Principal(row.id, row.name, Role[row.role]) if row else None

    def list(self) -> list[dict[str, Any]]:
        k = tables.api_keys.c
        query = select(k.id, k.name, k.role, k.created_at, k.revoked_at).order_by(k.created_at)
        with self.engine.connect() as connection:
            return [
                {
                    "id": r.id,
                    "name": r.name,
                    "role": r.role,
                    "created_at": r.created_at.isoformat() if r.created_at else None,
                    "revoked": r.revoked_at is not None,
                }
                for r in connection.execute(query)
            ]

    def revoke(self, key_id: str) -> None:
        k = tables.api_keys.c
        with self.engine.begin() as connection:
            done = connection.execute(
                update(tables.api_keys)
                .where(k.id == key_id, k.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        if done.rowcount == 0:
            raise NotFoundError(f"No active key with id '{key_id}'.", field="id")
