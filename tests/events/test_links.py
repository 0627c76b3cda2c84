"""Share-link views count once per browser per half hour, on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from enablement.db import connect
from enablement.events.links import (
    VIEW_WINDOW,
    ShareLinkStore,
    new_visitor,
    valid_visitor,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = connect(database_url)
    yield engine
    engine.dispose()


def test_one_browser_counts_once_per_window_and_each_browser_counts(engine: Engine) -> None:
    links = ShareLinkStore(engine)
    link, _ = links.create(user_id="rep", deal_id="d1", asset_id="a1")
    ann, bob = new_visitor(), new_visitor()
    moments = [T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=29, seconds=59)]
    assert [links.count_view(link, visitor=ann, at=at) for at in moments] == [True, False, False]
    assert links.count_view(link, visitor=bob, at=T0 + timedelta(minutes=2))
    assert links.count_view(link, visitor=ann, at=T0 + VIEW_WINDOW)  # 30 minutes on: again
    assert not links.count_view(link, visitor=ann, at=T0 + timedelta(minutes=31))
    assert links.count_view(link, visitor=ann, at=T0 + timedelta(minutes=61))
    stored = links.get(link.id)
    assert stored.views == 4 and stored.last_viewed_at is not None


def test_the_same_browser_counts_separately_on_another_link(engine: Engine) -> None:
    links = ShareLinkStore(engine)
    first, _ = links.create(user_id="rep", deal_id="d1", asset_id="a1")
    second, _ = links.create(user_id="rep", deal_id="d1", asset_id="a2")
    ann = new_visitor()
    assert links.count_view(first, visitor=ann, at=T0)
    assert links.count_view(second, visitor=ann, at=T0)


@pytest.mark.parametrize("value", [None, "", "x", "a" * 23, "a" * 21 + "!", "a" * 5000, "é" * 22])
def test_only_visitor_ids_we_could_have_made_are_accepted(value: str | None) -> None:
    assert valid_visitor(value) is None
    made = new_visitor()
    assert valid_visitor(made) == made
