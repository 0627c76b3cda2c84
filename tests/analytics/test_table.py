"""The one CSV writer: spreadsheet formulas neutralised, numbers left as numbers."""

from __future__ import annotations

import csv
import io

import pytest

from enablement.analytics.table import AuditTable, neutralise


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", " =1+1", "\u00a0\t@x", "\n-x"],
)
def test_formula_starts_get_a_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "", "a=b", "1-2", "'=already quoted", "x @y"])
def test_other_text_is_unchanged(text: str) -> None:
    assert neutralise(text) == text


def test_every_kind_of_cell_is_neutralised_but_numbers_stay_numbers() -> None:
    row = {
        "title": '=HYPERLINK("https://evil.example")',
        "owner": "@owner",
        "examples": ["-2+3 first", "=second"],
        "tally": {"+x": 1},
        "lift": -0.25,
        "count": -3,
        "note": None,
    }
    table = AuditTable("v", {}, list(row), [row])
    (parsed,) = csv.DictReader(io.StringIO(table.to_csv()))
    assert parsed == {
        "title": '\'=HYPERLINK("https://evil.example")',
        "owner": "'@owner",
        "examples": "'-2+3 first | =second",
        "tally": "'+x=1",
        "lift": "-0.25",
        "count": "-3",
        "note": "",
    }


def test_header_cells_are_neutralised_too() -> None:
    table = AuditTable("v", {}, ["stage", "=evil"], [{"stage": "discovery", "=evil": 1}])
    assert table.to_csv().splitlines() == ["stage,'=evil", "discovery,1"]
