"""The click model: position bias and the action ladder, recovered from many simulated lists."""

from __future__ import annotations

import random

import pytest

from enablement.events.clicks import ClickModel
from enablement.learn.logged import NONE, OPENED, SENT, VIEWED


def test_examination_falls_with_position_as_eta_says() -> None:
    model = ClickModel(eta=1.0)
    assert [model.examination(k) for k in (1, 2, 4)] == [1.0, 0.5, 0.25]
    assert ClickModel(eta=0.0).examination(9) == 1.0
    with pytest.raises(ValueError, match="positions start at 1"):
        model.examination(0)


def test_simulated_opens_match_the_models_probabilities() -> None:
    model = ClickModel(eta=1.0)
    rng = random.Random(7)
    grades = [3, 0, 2, 1, 3]
    runs = 40_000
    opened = [0] * len(grades)
    for _ in range(runs):
        for k, step in enumerate(model.act(grades, rng)):
            opened[k] += step >= OPENED
    for k, grade in enumerate(grades, start=1):
        assert opened[k - 1] / runs == pytest.approx(model.open_probability(k, grade), abs=0.01)
    assert model.expected_opens(grades) == pytest.approx(sum(opened) / runs, rel=0.02)


def test_the_ladder_is_climbed_in_order_and_more_by_better_items() -> None:
    model = ClickModel(eta=0.0)  # every item looked at: only the grade matters
    rng = random.Random(3)
    steps = {grade: [model.act([grade], rng)[0] for _ in range(20_000)] for grade in (0, 3)}
    for grade, seen in steps.items():
        assert set(seen) <= {NONE, OPENED, SENT, VIEWED}
        sent = sum(s >= SENT for s in seen) / sum(s >= OPENED for s in seen)
        assert sent == pytest.approx(model.send[grade], abs=0.03)
    assert sum(s == VIEWED for s in steps[3]) > 10 * sum(s == VIEWED for s in steps[0])


def test_a_bad_model_or_grade_is_refused() -> None:
    with pytest.raises(ValueError, match="attraction must be 4 probabilities"):
        ClickModel(attraction=(0.1, 0.2))
    with pytest.raises(ValueError, match="eta"):
        ClickModel(eta=-1.0)
    with pytest.raises(ValueError, match="grades run 0 to 3, not 4"):
        ClickModel().act([4], random.Random(0))
