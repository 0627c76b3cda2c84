"""A served deal stored as JSON reads back as the very same Deal, dates and sent assets
included; a row it cannot read is refused, naming the field."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from enablement.errors import InvalidInputError
from enablement.recommend.context import Deal, SentAsset, resolve_deal
from enablement.recommend.stored import deal_from_json, deal_to_json
from enablement.taxonomy import Taxonomy

SENT = (
    SentAsset("a-1", "Security overview", datetime(2026, 10, 1, 9, 30, tzinfo=UTC), "sent",
              None, None),
    SentAsset("a-2", None, datetime(2026, 10, 2, 14, 0, 5, 123456, tzinfo=UTC), "link", 3,
              datetime(2026, 10, 3, 8, 0, tzinfo=UTC)),
)  # fmt: skip
FULL = Deal(
    deal_id="opp-1", stage="proposal", stage_name="Proposal/Price Quote",
    vertical="financial_services", persona="it_security", products=("workflow", "analytics"),
    competitor="brightwell", questions=("Is it SOC 2?", "Price per seat?"),
    question_positions=(0, 2), already_shared=frozenset({"x-9", "x-1"}), external_only=True,
    language="de", k=7, as_of=date(2026, 9, 30), warnings=("questions[1] was empty",), sent=SENT,
)  # fmt: skip


@pytest.mark.parametrize("deal", [FULL, Deal(as_of=date(2026, 1, 2))], ids=["full", "bare"])
def test_a_deal_survives_json_and_back(deal: Deal) -> None:
    stored = json.loads(json.dumps(deal_to_json(deal)))  # what a JSON column gives back
    assert deal_from_json(stored) == deal
    assert deal_from_json(stored).as_of == deal.as_of  # a date, not a string


def test_a_resolved_deal_survives_too(taxonomy: Taxonomy) -> None:
    raw = {"deal_id": "d-7", "stage": "Needs Analysis", "vertical": "Banking", "k": 3,
           "questions": ["", "  intake   forms "], "already_shared": ["a", "b"]}  # fmt: skip
    deal = resolve_deal(raw, taxonomy)
    again = deal_from_json(json.loads(json.dumps(deal_to_json(deal))))
    assert again == deal and again.position(0) == 1 and again.excluded == {"a", "b"}


def test_the_stored_shape_is_plain_json() -> None:
    stored = deal_to_json(FULL)
    assert stored["v"] == 1 and stored["as_of"] == "2026-09-30"
    assert stored["already_shared"] == ["x-1", "x-9"]  # sorted: equal deals store equal JSON
    assert [item["asset_id"] for item in stored["sent"]] == ["a-1", "a-2"]


@pytest.mark.parametrize(
    "change",
    [{"v": 99}, {"as_of": "yesterday"}, {"k": None}, {"sent": [{"asset_id": "a"}]}],
    ids=["version", "date", "k", "sent"],
)
def test_a_row_it_cannot_read_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError) as caught:
        deal_from_json({**deal_to_json(FULL), **change})
    assert caught.value.field == "deal"


def test_a_missing_field_is_refused() -> None:
    stored = deal_to_json(FULL)
    del stored["questions"]
    with pytest.raises(InvalidInputError, match="questions"):
        deal_from_json(stored)
