"""Manifest rows from bytes: each bad line is reported with its number, the rest are read."""

from __future__ import annotations

import pytest

from enablement.catalog.manifests import manifest_rows


def _rows(data: bytes, suffix: str) -> list[tuple[int, object, str | None]]:
    return [
        (line, row.get("id") if row else None, error)
        for line, row, error in manifest_rows(data, suffix=suffix)
    ]


def test_jsonl_bad_bytes_spoil_only_their_line() -> None:
    data = (
        b'\xef\xbb\xbf{"id": "a"}\n{"id": "\xff"}\r\n\n{"id": "c"}\r\n[1]\n'
        b'{"id": "d", "text": "one\xe2\x80\xa8line"}\n'  # a raw U+2028 inside a string
        b'{"id": ' + b"[" * 100_000 + b"\n"
        b'{"id": "e"}'
    )
    rows = _rows(data, ".jsonl")
    assert rows[:5] == [
        (1, "a", None),
        (2, None, "not valid UTF-8 (bad byte at column 9)"),
        (4, "c", None),
        (5, None, "each line must be a JSON object, not list"),
        (6, "d", None),
    ]
    assert rows[5][:2] == (7, None) and "not valid JSON" in str(rows[5][2])
    assert rows[6] == (8, "e", None)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"id": "x", "text": "a\\u0000b"}', "holds a NUL character"),
        (b'{"id": "x", "title": "\\ud800"}', "not valid UTF-8"),
        (b'{"id": "x", "stages": ["ok", "\\udcff"]}', "not valid UTF-8"),
        (b'{"\\ud800": 1}', "not valid UTF-8"),
        (b'{"id": 1' + b"0" * 5000 + b"}", "not valid JSON"),
    ],
)
def test_jsonl_values_the_store_cannot_hold_are_reported(line: bytes, reason: str) -> None:
    [(number, row, error)] = _rows(line, ".jsonl")
    assert number == 1 and row is None and reason in str(error)


def test_csv_bad_bytes_spoil_only_their_row() -> None:
    data = b'id,text\na,"one\ntwo"\nb,caf\xe9\nc,fine\nd,"nul\x00"\n'
    assert _rows(data, ".csv") == [
        (3, "a", None),
        (4, None, "holds text that is not valid UTF-8 (bad bytes or a lone surrogate escape)"),
        (5, "c", None),
        (6, None, "holds a NUL character"),
    ]


def test_a_csv_header_that_is_not_utf8_is_reported() -> None:
    assert _rows(b"id,t\xffext\na,b\n", ".csv") == [
        (1, None, "the header is not valid UTF-8 text; nothing in this manifest is read")
    ]


def test_a_csv_field_longer_than_csvs_default_limit_is_read_and_so_are_later_rows() -> None:
    """A row's text can be a whole document: over csv's default 128 KB field limit it was an
    error that also lost every row after it."""
    huge = "x" * (1 << 20)
    rows = _rows(f"id,text\na,ok\nb,{huge}\nc,later\n".encode(), ".csv")
    assert [(line, row_id) for line, row_id, _ in rows] == [(2, "a"), (3, "b"), (4, "c")]
    assert [reason for _, _, reason in rows] == [None, None, None]
