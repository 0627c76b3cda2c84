import math

import pytest

from enablement.errors import InvalidInputError
from enablement.recommend.priors import Priors, cell


def _priors(weight: float = 1.0) -> Priors:
    cells = {
        "asset": {"a": 0.5, "b": -0.2},
        "stage": {cell("a", "discovery"): 0.25},
        "vertical": {cell("b", "healthcare"): 1.0},
        "persona": {cell("a", "executive"): -0.1},
    }
    return Priors(cells, weight=weight)


def test_an_assets_prior_sums_its_cells_for_the_deals_fields() -> None:
    priors = _priors()
    values = priors.of(
        ["a", "b", "never-shown"], stage="discovery", vertical="healthcare", persona="executive"
    )
    assert values.tolist() == pytest.approx([0.5 + 0.25 - 0.1, -0.2 + 1.0, 0.0])


def test_a_field_the_deal_leaves_empty_adds_nothing() -> None:
    values = _priors().of(["a", "b"], stage=None, vertical=None, persona=None)
    assert values.tolist() == pytest.approx([0.5, -0.2])


def test_the_weight_scales_every_prior_and_zero_turns_them_off() -> None:
    fields = {"stage": "discovery", "vertical": "healthcare", "persona": None}
    once = _priors().of(["a", "b"], **fields)
    assert _priors(2.0).of(["a", "b"], **fields).tolist() == pytest.approx((2 * once).tolist())
    assert _priors(0.0).of(["a", "b"], **fields).tolist() == [0.0, 0.0]


def test_priors_round_trip_through_json_ready_dicts() -> None:
    priors = _priors(0.5)
    again = Priors.from_dict(priors.to_dict())
    assert again.to_dict() == priors.to_dict()
    assert again.counts == {"asset": 2, "stage": 1, "vertical": 1, "persona": 1}


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"cells": [], "weight": 1, "strength": 1, "mean": 0, "impressions": 1},
        {"cells": {"asset": {"a": "x"}}, "weight": 1, "strength": 1, "mean": 0, "impressions": 1},
        {"cells": {"asset": {"a": math.inf}}, "weight": 1, "strength": 1, "mean": 0,
         "impressions": 1},
        {"cells": {"colour": {}}, "weight": 1, "strength": 1, "mean": 0, "impressions": 1},
        {"cells": {}, "weight": -1, "strength": 1, "mean": 0, "impressions": 1},
    ],
)  # fmt: skip
def test_anything_but_a_priors_file_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        Priors.from_dict(raw)
