"""API keys on both databases: one active key a name, rotation, and the list's fields."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine

from enablement.access.keys import KeyStore, Role
from enablement.db import connect
from enablement.errors import ConflictError


@pytest.fixture
def keys(database_url: str) -> Iterator[KeyStore]:
    engine: Engine = connect(database_url)
    yield KeyStore(engine)
    engine.dispose()


def test_an_active_name_cannot_be_taken_twice(keys: KeyStore) -> None:
    first = keys.create("crm-sidebar", Role.rep)
    for name in ("crm-sidebar", "  crm-sidebar "):  # names are stored stripped
        with pytest.raises(ConflictError) as caught:
            keys.create(name, Role.admin)
        error = caught.value
        assert (error.status, error.code, error.field) == (409, "conflict", "name")
        assert f"'crm-sidebar' (id {first.id})" in error.message and "--rotate" in error.message
    assert [row["id"] for row in keys.list()] == [first.id]  # nothing was written
    assert keys.verify(first.key) is not None
    assert keys.create("crm-sidebar-2", Role.rep).name == "crm-sidebar-2"  # other names are free


def test_rotation_revokes_the_old_key_as_it_makes_the_new(keys: KeyStore) -> None:
    old = keys.create("salesforce", Role.crm)
    new = keys.create("salesforce", Role.crm, rotate=True)
    assert new.replaced == (old.id,) and new.key != old.key
    assert new.to_dict() == {
        "id": new.id, "name": "salesforce", "role": "crm", "key": new.key, "revoked": [old.id],
    }  # fmt: skip
    assert keys.verify(old.key) is None
    principal = keys.verify(new.key)
    assert principal is not None and (principal.name, principal.role) == ("salesforce", Role.crm)
    rows = {row["id"]: row for row in keys.list()}
    assert rows[old.id]["revoked"] and rows[old.id]["revoked_at"] is not None
    assert not rows[new.id]["revoked"] and rows[new.id]["revoked_at"] is None


def test_rotating_a_free_name_just_creates(keys: KeyStore) -> None:
    created = keys.create("new-crm", Role.rep, rotate=True)
    assert created.replaced == () and "revoked" not in created.to_dict()


def test_a_revoked_name_may_be_used_again(keys: KeyStore) -> None:
    old = keys.create("hubspot", Role.rep)
    keys.revoke(old.id)
    again = keys.create("hubspot", Role.rep)
    assert again.replaced == ()
    assert [row["name"] for row in keys.list()] == ["hubspot", "hubspot"]


def test_the_list_gives_times_in_utc_and_never_a_secret(keys: KeyStore) -> None:
    created = keys.create("crm", Role.admin)
    keys.revoke(created.id)
    (row,) = keys.list()
    assert set(row) == {"id", "name", "role", "created_at", "revoked", "revoked_at"}
    for stamp in (row["created_at"], row["revoked_at"]):
        assert datetime.fromisoformat(stamp).utcoffset() is not None
    assert created.key not in str(row)


@pytest.mark.parametrize("rotate", [False, True])
def test_creates_at_once_leave_one_active_key_a_name(database_url: str, rotate: bool) -> None:
    """Six provisioning scripts at once, each with its own connection pool, as processes would."""
    import threading

    engines = [connect(database_url) for _ in range(6)]
    barrier = threading.Barrier(len(engines))
    outcomes: list[str] = []

    def create(engine: Engine) -> None:
        barrier.wait()
        try:
            KeyStore(engine).create("race", Role.rep, rotate=rotate)
            outcomes.append("created")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=create, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    active = [k for k in KeyStore(engines[0]).list() if k["name"] == "race" and not k["revoked"]]
    for engine in engines:
        engine.dispose()
    assert len(active) == 1
    assert outcomes.count("created") == (6 if rotate else 1), outcomes
