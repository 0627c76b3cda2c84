"""The audit period: days whose arithmetic would overflow, and control characters, are refused."""

from __future__ import annotations

import pytest

from enablement.analytics.filters import AuditFilters
from enablement.errors import InvalidValueError
from enablement.taxonomy import Taxonomy


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"until": "9999-12-31"}, "until"),
        ({"since": "0001-01-01", "until": "2026-01-05"}, "since"),
        ({"until": "0001-01-05"}, "until"),
        ({"owner": "pmm\x00@example.com"}, "owner"),
    ],
)
def test_refused_with_the_field(taxonomy: Taxonomy, raw: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        AuditFilters.parse(raw, taxonomy)
    assert caught.value.field == field


def test_the_last_allowed_day_still_makes_a_period(taxonomy: Taxonomy) -> None:
    filters = AuditFilters.parse({"until": "2999-12-31"}, taxonomy)
    assert filters.to_dict()["until"] == "2999-12-31"
