"""Fit features: products linked from the questions in the product column."""

from __future__ import annotations

import numpy as np
import pytest

from enablement.index.bundle import AssetRecord
from enablement.recommend.context import Deal
from enablement.recommend.scoring import (
    FIT_FEATURES,
    PRODUCT_MISMATCH,
    fit_features,
    linked_fit,
    with_linked,
)
from enablement.recommend.table import AssetTable

PRODUCT = FIT_FEATURES.index("product")
TABLE = AssetTable(
    [
        AssetRecord(id="beacon", title="B", products=("beacon",)),
        AssetRecord(id="gatekeeper", title="G", products=("gatekeeper",)),
        AssetRecord(id="both", title="BG", products=("beacon", "gatekeeper")),
        AssetRecord(id="ledger", title="L", products=("ledger",)),
        AssetRecord(id="none", title="N"),
    ]
)


def test_a_linked_product_counts_as_a_deal_product_weighted_by_its_score() -> None:
    fit = linked_fit(TABLE, {"beacon": 0.5})
    np.testing.assert_allclose(fit, [0.5, PRODUCT_MISMATCH * 0.5, 0.5, PRODUCT_MISMATCH * 0.5, 0])


def test_an_asset_takes_its_best_linked_product() -> None:
    fit = linked_fit(TABLE, {"gatekeeper": 0.9, "beacon": 0.4})
    np.testing.assert_allclose(fit, [0.4, 0.9, 0.9, PRODUCT_MISMATCH * 0.9, 0])
    assert not linked_fit(TABLE, {}).any()


def test_without_named_products_the_linked_fit_is_the_product_column() -> None:
    fits = fit_features(TABLE, Deal(), ["discovery"])
    linked = linked_fit(TABLE, {"beacon": 1.0})
    out = with_linked(fits, linked, named=False)
    np.testing.assert_allclose(out[:, PRODUCT], linked)
    np.testing.assert_allclose(np.delete(out, PRODUCT, axis=1), np.delete(fits, PRODUCT, axis=1))


def test_named_products_stand_and_a_link_only_adds() -> None:
    fits = fit_features(TABLE, Deal(products=("ledger",)), ["discovery"])
    out = with_linked(fits, linked_fit(TABLE, {"beacon": 0.7}), named=True)
    column = dict(
        zip(["beacon", "gatekeeper", "both", "ledger", "none"], out[:, PRODUCT], strict=True)
    )
    assert column["ledger"] == 1.0  # named: stands
    assert column["beacon"] == pytest.approx(0.7) and column["both"] == pytest.approx(0.7)
    assert column["gatekeeper"] == pytest.approx(PRODUCT_MISMATCH)  # the named mismatch stands
    assert column["none"] == 0.0
    assert (out[:, PRODUCT] >= fits[:, PRODUCT]).all()


def test_member_rows_and_declared_columns_agree_with_the_masks() -> None:
    for values in (["beacon"], ["beacon", "gatekeeper"], ["nothing"], []):
        rows = TABLE.member_rows("products", values)
        mask = TABLE.members("products", values)
        assert sorted(set(rows.tolist())) == np.flatnonzero(mask).tolist()
    column = TABLE.declared_as("products", -0.25)
    np.testing.assert_allclose(column, np.where(TABLE.declared("products"), -0.25, 0.0))
    column[0] = 9.0  # a new column each time: the table's own is untouched
    assert TABLE.declared_as("products", 1.0)[0] == 1.0
