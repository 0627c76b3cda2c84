"""API keys: created once and shown once, stored only as SHA-256 hashes, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from sqlalchemy import Connection, Engine, false, insert, select, text, update

from enablement.db import tables
from enablement.errors import ConflictError, InvalidValueError, NotFoundError

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
    replaced: tuple[str, ...] = ()  # the ids of the keys of this name it revoked (a rotation)

    def to_dict(self) -> dict[str, Any]:
        """{id, name, role, key}, and `revoked` (the replaced ids) after a rotation."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "role": self.role.name}
        rotation = {"revoked": list(self.replaced)} if self.replaced else {}
        return {**out, "key": self.key, **rotation}


def hash_key(key: str) -> str:
    # Keys are 256-bit random secrets, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, name: str, role: Role, *, rotate: bool = False) -> NewKey:
        """A new key named `name` (the user its events are recorded under), returned once.

        Names are unique among active keys: ConflictError (409, field `name`) when one is
        active, unless `rotate`, which revokes it in the same transaction as the new key is
        stored. Checked here rather than by a unique index, which databases already holding
        two active keys of one name could not take without revoking or renaming keys in use."""
        name = name.strip()
        if not name or len(name) > 200:
            raise InvalidValueError("A key needs a name of 1 to 200 characters.", field="name")
        key_id = secrets.token_hex(8)
        key = f"{PREFIX}{secrets.token_urlsafe(32)}"
        now = datetime.now(UTC)
        row = {
            "id": key_id,
            "name": name,
            "role": role.name,
            "key_hash": hash_key(key),
            "created_at": now,
            "revoked_at": None,
        }
        with self.engine.begin() as connection:
            _lock_names(connection, name)
            replaced = _free_name(connection, name, rotate=rotate, now=now)
            connection.execute(insert(tables.api_keys).values(**row))
        return NewKey(key_id, name, role, key, replaced=replaced)

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
        """Every key, oldest first: id, name, role, created_at, revoked and revoked_at (ISO
        8601 or None); never the key or its hash."""
        k = tables.api_keys.c
        query = select(k.id, k.name, k.role, k.created_at, k.revoked_at).order_by(
            k.created_at, k.id
        )
        with self.engine.connect() as connection:
            return [
                {
                    "id": r.id,
                    "name": r.name,
                    "role": r.role,
                    "created_at": _iso(r.created_at),
                    "revoked": r.revoked_at is not None,
                    "revoked_at": _iso(r.revoked_at),
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


def _lock_names(connection: Connection, name: str) -> None:
    """Serialise key creation for `name` until the transaction ends, so two creates (or rotates)
    at once cannot both find it free: PostgreSQL takes an advisory lock on the name; SQLite takes
    its write lock now, with a write that changes nothing, instead of at the insert."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name}
        )
    else:
        k = tables.api_keys.c
        connection.execute(update(tables.api_keys).where(false()).values(name=k.name))


def _free_name(
    connection: Connection, name: str, *, rotate: bool, now: datetime
) -> tuple[str, ...]:
    """Make `name` free among active keys: ConflictError if it is taken, unless `rotate`, which
    revokes the keys holding it (at `now`). Returns the ids revoked."""
    k = tables.api_keys.c
    active = tuple(
        connection.execute(
            select(k.id).where(k.name == name, k.revoked_at.is_(None)).order_by(k.id)
        ).scalars()
    )
    if active and not rotate:
        raise ConflictError(
            f"An active key is already named '{name}' (id {', '.join(active)}): "
            "rotate it (keys create --rotate) or choose another name.",
            field="name",
        )
    if active:
        connection.execute(update(tables.api_keys).where(k.id.in_(active)).values(revoked_at=now))
    return active


def _iso(moment: datetime | None) -> str | None:
    """`moment` in ISO 8601, in UTC (SQLite hands back naive datetimes, written in UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
