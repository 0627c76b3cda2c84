"""The logged-list record and the ladder it shares with the click model and the event store."""

from __future__ import annotations

import pytest

from enablement.events import clicks
from enablement.events.model import EventType
from enablement.learn.logged import (
    DEFAULT_REWARD,
    NONE,
    OPENED,
    OPENS,
    SENT,
    STEP_BY_EVENT,
    VIEWED,
    LoggedList,
    Reward,
)


def test_the_ladder_is_the_click_models_and_the_stores() -> None:
    assert (NONE, OPENED, SENT, VIEWED) == (clicks.NONE, clicks.OPENED, clicks.SENT, clicks.VIEWED)
    assert {EventType(name) for name in STEP_BY_EVENT} == {
        EventType.opened,
        EventType.sent,
        EventType.buyer_viewed,
    }
    assert sorted(STEP_BY_EVENT.values()) == [OPENED, SENT, VIEWED]


def test_rewards_by_step() -> None:
    assert [DEFAULT_REWARD.of(s) for s in (NONE, OPENED, SENT, VIEWED)] == [0.0, 1.0, 2.0, 3.0]
    assert [OPENS.of(s) for s in (NONE, OPENED, SENT, VIEWED)] == [0.0, 1.0, 1.0, 1.0]
    assert Reward(0.0, 0.0, 1.0).of(SENT) == 0.0  # only buyer views count


def test_a_logged_list_keeps_tuples_and_reads_back_as_json() -> None:
    log = LoggedList.of("d1", ["a", "b", "c"], [OPENED, NONE, VIEWED], swap=2)
    assert log.shown == ("a", "b", "c") and log.steps == (1, 0, 3)
    assert log.to_dict() == {
        "context": "d1",
        "shown": ["a", "b", "c"],
        "steps": [1, 0, 3],
        "swap": 2,
    }
    assert hash(log) == hash(LoggedList.of("d1", ("a", "b", "c"), (1, 0, 3), 2))


@pytest.mark.parametrize("step", [-1, 4, True, 1.0])
def test_a_step_off_the_ladder_is_refused(step: object) -> None:
    with pytest.raises(ValueError, match="is not one of 0-3"):
        LoggedList.of("d", ["a"], [step])  # type: ignore[list-item]
