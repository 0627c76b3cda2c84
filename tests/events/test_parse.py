"""Events parsed at the service (whatever adapter posts them) follow the same text-and-date rule."""

from __future__ import annotations

from typing import Any

import pytest

from enablement.errors import InvalidValueError
from enablement.events.parse import parse_event
from enablement.taxonomy import Taxonomy

EVENT = {"idempotency_key": "k1", "type": "sent", "deal_id": "d1", "asset_id": "a1"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deal_id": "d\x00"}, "events[3].deal_id"),
        ({"comment": "fine\ud800"}, "events[3].comment"),
        ({"occurred_at": "0001-01-01T00:00:00+01:00"}, "events[3].occurred_at"),
        ({"occurred_at": "9999-12-31T23:59:59-01:00"}, "events[3].occurred_at"),
        ({"type": "deal_outcome", "outcome": "won", "close_date": "9999-12-31"},
         "events[3].close_date"),
    ],
)  # fmt: skip
def test_refused_values_name_their_field(
    taxonomy: Taxonomy, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        parse_event(EVENT | change, taxonomy, field="events[3]")
    assert caught.value.field == field


def test_a_plain_event_parses(taxonomy: Taxonomy) -> None:
    assert parse_event(EVENT | {"comment": "line\nbreak\ttab"}, taxonomy).deal_id == "d1"
