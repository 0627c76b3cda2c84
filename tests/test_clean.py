"""The one text-and-date rule: which characters and days are refused, and where it says they are."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from enablement import clean
from enablement.errors import InvalidValueError

REFUSED = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\ud800", "\udbff", "\udfff"]


@pytest.mark.parametrize("char", REFUSED)
def test_every_c0_control_but_tab_newline_cr_and_every_lone_surrogate_is_refused(
    char: str,
) -> None:
    problem = clean.text_problem(f"do you sign a BAA?{char}")
    assert problem is not None and f"(U+{ord(char):04X})" in problem


@pytest.mark.parametrize("text", ["tab\there", "two\nlines", "crlf\r\n", "émoji 🙂", "\x7f", ""])
def test_ordinary_text_passes(text: str) -> None:
    assert clean.text_problem(text) is None


def test_the_path_names_the_first_bad_string_at_any_depth() -> None:
    value = {"questions": ["fine", "bad\x00"], "deal": {"ok": "x", "name": "\ud800"}}
    assert clean.find_problem(value) == (
        ".questions[1]",
        "contains a control character (U+0000)",
    )
    assert clean.find_problem({"a\x01": 1}) == ("", "contains a control character (U+0001)")
    with pytest.raises(InvalidValueError) as caught:
        clean.check({"deal": {"name": "\ud800"}}, field="body")
    assert caught.value.field == "body.deal.name"
    assert "lone surrogate (U+D800)" in caught.value.message
    with pytest.raises(InvalidValueError) as caught:
        clean.check(["a", "b\x1f"], field="")
    assert caught.value.field == "[1]"


@pytest.mark.parametrize(
    "day",
    [date(9999, 12, 31), date(1, 1, 1), date(1899, 12, 31), date(3000, 1, 1),
     datetime(9999, 12, 31, 23, 59, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)],
)  # fmt: skip
def test_days_beyond_the_range_are_refused(day: date) -> None:
    assert clean.find_problem([day]) == ("[0]", "must be between 1900-01-01 and 2999-12-31")


@pytest.mark.parametrize("day", [clean.MIN_DAY, clean.MAX_DAY, datetime(2026, 11, 25, tzinfo=UTC)])
def test_days_in_range_pass(day: date) -> None:
    assert clean.find_problem(day) is None
