"""What every audit view returns: a table of rows with its filters, summary and notes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from numbers import Number
from typing import Any


@dataclass
class AuditTable:
    view: str
    filters: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "view": self.view,
            "filters": self.filters,
            "summary": self.summary,
            "notes": self.notes,
            "columns": self.columns,
            "rows": self.rows,
        }

    def to_csv(self) -> str:
        """The rows as CSV under `columns`; lists become `a | b`, mappings `k=v; k=v`. Text that
        a spreadsheet would run as a formula gets a leading `'` (see `neutralise`)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([neutralise(column) for column in self.columns])  # taxonomy ids too
        for row in self.rows:
            writer.writerow([_cell(row.get(column)) for column in self.columns])
        return out.getvalue()


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator to 4 places, or None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


def tally(values: list[str], kinds: Iterable[str] = ()) -> dict[str, int]:
    """How many of each value, most frequent first; every one of `kinds` is counted, at 0 if
    absent, so a summary has the same keys whatever the data."""
    counts: dict[str, int] = dict.fromkeys(kinds, 0)
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def neutralise(text: str) -> str:
    """`text` with a leading `'` if a spreadsheet could read it as a formula (OWASP CSV
    injection): it starts with = + - @ TAB or CR, or with one of = + - @ after leading
    whitespace (some spreadsheets trim it first). Other text is returned unchanged."""
    if text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START[:4]):
        return "'" + text
    return text


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell: numbers, booleans and None as they are, everything else neutralised text."""
    if isinstance(value, list):
        value = " | ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = "; ".join(f"{k}={v}" for k, v in value.items())
    if value is None or isinstance(value, Number):  # a negative number is no formula
        return value
    return neutralise(str(value))
