"""Migrations build the schema from an empty database, matching the table definitions."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select

from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.store import CatalogStore
from enablement.db import connect, downgrade, migrate, tables
from enablement.db.tables import metadata

HEAD = "0015_cluster"


def test_upgrade_from_empty_matches_the_tables(database_url: str) -> None:
    engine = connect(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == HEAD
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    engine = connect(database_url)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    tables = {"assets", "chunks", "ingest_runs", "embedding_cache", "api_keys", "jobs", "events"}
    tables |= {"embed_tokens", "link_views", "audit_log", "experiments", "served_lists"}
    assert tables <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_connect_is_idempotent(database_url: str) -> None:
    connect(database_url).dispose()
    engine = connect(database_url)
    assert "assets" in inspect(engine).get_table_names()
    engine.dispose()
    create_engine(database_url).dispose()


def test_downgrading_removals_keeps_the_catalog(
    database_url: str, tmp_path: Path, build_options: BuildOptions
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "a.md").write_text("# A\n\nSome text.\n")
    engine = connect(database_url)
    store = CatalogStore(engine)
    ingest(library, store=store, options=build_options)
    downgrade(engine, "0007_link_views")
    assert "audit_log" not in inspect(engine).get_table_names()
    assert "removed_at" not in {c["name"] for c in inspect(engine).get_columns("assets")}
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(tables.chunks)) == 1
    migrate(engine)
    assert store.counts() == (1, 1)
    engine.dispose()


def test_the_experiments_index_allows_one_running_and_any_number_stopped(
    database_url: str,
) -> None:
    """The partial unique index, as the migration builds it on each database."""
    from datetime import UTC, datetime

    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    engine = connect(database_url)
    now = datetime.now(UTC)

    def row(id: str, status: str) -> dict[str, object]:
        return {"id": id, "name": id, "kind": "holdout", "control": "linear", "share": 0.1,
                "status": status, "created_at": now, "created_by": "ops"}  # fmt: skip

    with engine.begin() as connection:
        for i, status in enumerate(["stopped", "stopped", "running"]):
            connection.execute(insert(tables.experiments).values(**row(f"e{i}", status)))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(tables.experiments).values(**row("e9", "running")))
    downgrade(engine, "0009_removals")
    assert "experiments" not in inspect(engine).get_table_names()
    migrate(engine)
    engine.dispose()


def test_impression_columns_come_and_go_with_0011(database_url: str) -> None:
    from datetime import UTC, datetime

    from enablement.events.model import EventType, NewEvent
    from enablement.events.store import EventStore

    engine = connect(database_url)
    shown = NewEvent(
        EventType.recommended, "rec:r1:1", datetime.now(UTC), deal_id="d1", asset_id="a1",
        recommendation_id="r1", rank=1, position=1, ranker="linear", experiment_id="e1", arm="live",
    )  # fmt: skip
    EventStore(engine, ["discovery"]).record([shown], user_id="rep", known_asset=lambda a: True)
    added = {"position", "ranker", "experiment_id", "arm"}

    def columns() -> set[str]:
        return {c["name"] for c in inspect(engine).get_columns("events")}

    assert added <= columns()
    downgrade(engine, "0010_experiments")
    assert not added & columns()
    with engine.connect() as connection:  # the impression itself stays
        assert connection.scalar(select(func.count()).select_from(tables.events)) == 1
    migrate(engine)
    assert added <= columns()
    with engine.connect() as connection:
        row = connection.execute(select(tables.events)).one()._mapping
    assert (row["recommendation_id"], row["rank"], row["position"], row["ranker"]) == (
        "r1", 1, None, None,
    )  # fmt: skip
    engine.dispose()


def test_served_lists_come_and_go_with_0012(database_url: str) -> None:
    from datetime import UTC, date, datetime

    from enablement.events.lists import served_lists
    from enablement.events.model import EventType, NewEvent, ServedList
    from enablement.events.store import EventStore
    from enablement.recommend.context import Deal

    engine = connect(database_url)
    at = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    shown = NewEvent(
        EventType.recommended, "rec:r1:1", at, deal_id="d1", asset_id="a1",
        recommendation_id="r1", rank=1, position=1, ranker="linear",
    )  # fmt: skip
    deal = Deal(deal_id="d1", stage="discovery", questions=("SOC 2?",), as_of=date(2026, 11, 2))
    listed = ServedList("r1", "d1", at, deal, swap=None, ranker="linear")
    store = EventStore(engine, ["discovery"])
    store.record([shown], user_id="rep", known_asset=lambda a: True, lists=[listed])
    with engine.connect() as connection:
        assert served_lists(connection) == {"r1": listed}
    downgrade(engine, "0011_impressions")
    assert "served_lists" not in inspect(engine).get_table_names()
    with engine.connect() as connection:  # the impression itself stays
        assert connection.scalar(select(func.count()).select_from(tables.events)) == 1
    migrate(engine)
    assert "served_lists" in inspect(engine).get_table_names()
    with engine.connect() as connection:  # a list logged before the table has no row
        assert served_lists(connection) == {}


def test_the_ranker_registry_comes_and_goes_with_0013(database_url: str) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    engine = connect(database_url)
    now = datetime.now(UTC)
    change = {"action": "promote", "ranker_id": "lambdarank:a", "previous_id": None, "at": now,
              "by": "ops", "reason": ""}  # fmt: skip
    with engine.begin() as connection:
        connection.execute(
            insert(tables.rankers).values(
                id="lambdarank:a", sha256="a" * 64, folder="lambdarank-a", created_at=now,
                created_by="learn", trained_on={"deals": 3}, offline={}, note="",
            )
        )  # fmt: skip
        connection.execute(insert(tables.ranker_changes).values(follows=0, **change))
    with pytest.raises(IntegrityError), engine.begin() as connection:  # one change per state
        connection.execute(insert(tables.ranker_changes).values(follows=0, **change))
    downgrade(engine, "0012_served_lists")  # the revision 0013 follows
    assert not {"rankers", "ranker_changes"} & set(inspect(engine).get_table_names())
    assert "events" in inspect(engine).get_table_names()
    migrate(engine)
    assert {"rankers", "ranker_changes"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_the_tag_review_tables_come_and_go_with_0014(database_url: str) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    engine = connect(database_url)
    now = datetime.now(UTC)
    tag = {"asset_id": "a", "field": "personas", "value": "cfo", "suggestion_id": "ts_1",
           "accepted_by": "ops", "accepted_at": now}  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(tables.accepted_tags).values(**tag))
    with pytest.raises(IntegrityError), engine.begin() as connection:  # one row per tag
        connection.execute(insert(tables.accepted_tags).values(**(tag | {"suggestion_id": "x"})))
    downgrade(engine, "0013_rankers")
    assert not {"tag_suggestions", "accepted_tags"} & set(inspect(engine).get_table_names())
    assert "rankers" in inspect(engine).get_table_names()
    migrate(engine)
    assert {"tag_suggestions", "accepted_tags"} <= set(inspect(engine).get_table_names())
    engine.dispose()
