"""Embed tokens on both databases: minted from a key, stored hashed, expiring, revocable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text, update

from enablement.access.keys import KeyStore, Principal, Role
from enablement.access.tokens import KEEP_EXPIRED, EmbedTokenStore
from enablement.db import connect, tables
from enablement.errors import InvalidValueError, PermissionDeniedError


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = connect(database_url)
    yield engine
    engine.dispose()


def _issuer(engine: Engine, name: str, role: Role) -> Principal:
    key = KeyStore(engine).create(name, role)
    principal = KeyStore(engine).verify(key.key)
    assert principal is not None
    return principal


def _expire(engine: Engine, by: timedelta) -> None:
    with engine.begin() as connection:
        connection.execute(update(tables.embed_tokens).values(expires_at=datetime.now(UTC) - by))


def test_a_token_acts_as_its_user_until_it_expires(engine: Engine) -> None:
    store = EmbedTokenStore(engine)
    admin = _issuer(engine, "crm", Role.admin)
    before = datetime.now(UTC)
    token = store.mint("jordan@example.com", ttl_seconds=900, issuer=admin)
    assert token.token.startswith("enbt_") and token.role is Role.rep
    assert timedelta(seconds=898) <= token.expires_at - before <= timedelta(seconds=901)
    principal = store.verify(token.token)
    assert principal is not None
    assert (principal.name, principal.role) == ("jordan@example.com", Role.rep)
    assert principal.is_embed_token and principal.expires_at == token.expires_at
    assert not principal.expired(datetime.now(UTC))
    assert principal.expired(token.expires_at)
    assert store.verify(token.token + "x") is None
    assert store.verify("enbt_forged") is None


def test_only_the_hash_is_stored(engine: Engine) -> None:
    token = EmbedTokenStore(engine).mint("jordan", issuer=None)
    with engine.connect() as connection:
        dump = " ".join(str(r) for r in connection.execute(text("SELECT * FROM embed_tokens")))
    assert token.token not in dump and token.token.removeprefix("enbt_") not in dump


def test_revoking_the_key_that_minted_it_ends_the_token(engine: Engine) -> None:
    store = EmbedTokenStore(engine)
    admin = _issuer(engine, "crm", Role.admin)
    from_key = store.mint("jordan", issuer=admin)
    from_cli = store.mint("jordan", issuer=None)
    KeyStore(engine).revoke(admin.key_id)
    assert store.verify(from_key.token) is None
    assert store.verify(from_cli.token) is not None


def test_expired_tokens_stay_known_for_a_day_then_are_purged(engine: Engine) -> None:
    store = EmbedTokenStore(engine)
    old = store.mint("jordan")
    _expire(engine, timedelta(minutes=5))
    expired = store.verify(old.token)
    assert expired is not None and expired.expired(datetime.now(UTC))  # "expired", not unknown
    _expire(engine, KEEP_EXPIRED + timedelta(minutes=1))
    store.mint("someone else")  # minting sweeps tokens expired for longer than KEEP_EXPIRED
    assert store.verify(old.token) is None
    with engine.connect() as connection:
        users = connection.execute(select(tables.embed_tokens.c.user_id)).scalars().all()
    assert users == ["someone else"]


@pytest.mark.parametrize(
    ("user", "role", "ttl", "field"),
    [
        ("", Role.rep, 900, "user"),
        ("x" * 201, Role.rep, 900, "user"),
        ("jor\x00dan", Role.rep, 900, "user"),
        ("jordan", Role.admin, 900, "role"),
        ("jordan", Role.rep, 59, "ttl_seconds"),
        ("jordan", Role.rep, 43_201, "ttl_seconds"),
    ],
)
def test_bad_requests_name_the_field(
    engine: Engine, user: str, role: Role, ttl: int, field: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        EmbedTokenStore(engine).mint(user, role=role, ttl_seconds=ttl)
    assert caught.value.field == field


def test_who_may_mint_what(engine: Engine) -> None:
    store = EmbedTokenStore(engine)
    rep = _issuer(engine, "jordan", Role.rep)
    marketer = _issuer(engine, "mia", Role.marketer)
    admin = _issuer(engine, "crm", Role.admin)
    assert store.mint("jordan", issuer=rep).user == "jordan"
    assert store.mint("mia", role=Role.marketer, issuer=marketer).role is Role.marketer
    assert store.mint("anyone", role=Role.marketer, issuer=admin).user == "anyone"
    refused = [
        ("someone-else", Role.rep, rep, "user"),
        ("jordan", Role.marketer, rep, "role"),
        ("jordan", Role.rep, marketer, "user"),
    ]
    for user, role, issuer, field in refused:
        with pytest.raises(PermissionDeniedError) as caught:
            store.mint(user, role=role, issuer=issuer)
        assert caught.value.field == field, (user, role, issuer)
    token = store.verify(store.mint("anyone", issuer=admin).token)
    assert token is not None
    with pytest.raises(PermissionDeniedError, match="cannot mint"):
        store.mint("anyone", issuer=token)


def test_a_crm_key_mints_rep_tokens_for_its_reps_only(engine: Engine) -> None:
    store = EmbedTokenStore(engine)
    crm = _issuer(engine, "salesforce", Role.crm)
    token = store.mint("jordan@example.com", issuer=crm)
    assert (token.user, token.role) == ("jordan@example.com", Role.rep)
    for role in (Role.marketer, Role.crm, Role.admin):  # never above rep, never a crm token
        with pytest.raises((PermissionDeniedError, InvalidValueError)) as caught:
            store.mint("jordan@example.com", role=role, issuer=crm)
        assert caught.value.field == "role", role


def test_tokens_are_not_keys(engine: Engine) -> None:
    keys = KeyStore(engine)
    keys.create("crm", Role.admin)
    EmbedTokenStore(engine).mint("jordan")
    assert [row["name"] for row in keys.list()] == ["crm"]
