import pytest

from enablement.errors import InvalidInputError
from enablement.learn.priors import Shown, fit_priors
from enablement.recommend.priors import cell


def _shown(asset: str, reward: float, *, stage: str | None = "discovery") -> Shown:
    return Shown(asset, stage, "healthcare", None, reward)


def test_a_cells_prior_is_its_deviation_from_the_mean_shrunk_by_its_evidence() -> None:
    rows = [_shown("a", 2.0)] * 10 + [_shown("b", 0.0)] * 30
    priors = fit_priors(rows, strength=10.0)
    mean = 20.0 / 40
    assert priors.mean == pytest.approx(mean) and priors.impressions == 40
    assert priors.cells["asset"]["a"] == pytest.approx((20.0 - 10 * mean) / (10 + 10))
    assert priors.cells["asset"]["b"] == pytest.approx((0.0 - 30 * mean) / (30 + 10))
    assert priors.cells["stage"][cell("a", "discovery")] == priors.cells["asset"]["a"]
    assert priors.cells["persona"] == {}  # no impression gave a persona


def test_thin_evidence_moves_an_asset_less_than_thick_evidence_of_the_same_rate() -> None:
    rows = [_shown("thin", 3.0)] * 2 + [_shown("thick", 3.0)] * 200 + [_shown("c", 0.0)] * 500
    priors = fit_priors(rows)
    thin, thick = priors.cells["asset"]["thin"], priors.cells["asset"]["thick"]
    assert 0 < thin < thick / 5


def test_stage_cells_separate_an_asset_that_works_in_one_stage_only() -> None:
    rows = [_shown("a", 3.0, stage="discovery")] * 50 + [_shown("a", 0.0, stage="proposal")] * 50
    rows += [_shown("b", 1.0, stage=s) for s in ("discovery", "proposal")] * 50
    priors = fit_priors(rows)
    fields = {"vertical": None, "persona": None}
    in_discovery = priors.of(["a", "b"], stage="discovery", **fields)
    in_proposal = priors.of(["a", "b"], stage="proposal", **fields)
    assert in_discovery[0] > in_discovery[1] and in_proposal[0] < in_proposal[1]


def test_no_impressions_give_empty_priors_and_a_bad_strength_is_refused() -> None:
    assert fit_priors([]).of(["a"], stage="x", vertical=None, persona=None).tolist() == [0.0]
    with pytest.raises(InvalidInputError):
        fit_priors([], strength=0)
