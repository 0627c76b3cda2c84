"""Rows of JSONL and CSV manifests, parsed from bytes so each bad line is reported on its own."""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
from collections.abc import Iterator
from typing import Any

# (line number, the row or None, the reason it is bad or None)
Row = tuple[int, dict[str, Any] | None, str | None]


def manifest_rows(data: bytes, *, suffix: str) -> Iterator[Row]:
    """The rows of a `.jsonl` or `.csv` manifest, with a reason for each line that is bad."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return _jsonl_rows(data) if suffix.casefold() == ".jsonl" else _csv_rows(data)


# Metadata is a few fields; these bounds refuse YAML alias bombs, self-referencing anchors and
# deep nesting in plain words before anything walks the value recursively.
MAX_DEPTH = 32
MAX_NODES = 10_000


def unstorable(value: Any) -> str | None:
    """Why `value` (a row, or any part of it) cannot be stored, or None when it can.

    SQL text columns refuse NUL characters (PostgreSQL) and lone surrogates (both stores), and
    PostgreSQL's JSON refuses NaN and Infinity, so a row holding one would otherwise fail the whole
    run's transaction. Values nested deeper than MAX_DEPTH or holding more than MAX_NODES parts
    (counting each use of a YAML alias) are refused too. The walk is iterative: never recursive."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            return f"holds more than {MAX_NODES:,} values (a YAML alias bomb?)"
        if isinstance(item, dict | list | tuple):
            if depth >= MAX_DEPTH:
                return f"is nested deeper than {MAX_DEPTH} levels (or refers to itself)"
            parts = [p for pair in item.items() for p in pair] if isinstance(item, dict) else item
            stack.extend((part, depth + 1) for part in parts)
        elif problem := _unstorable_scalar(item):
            return problem
    return None


def _unstorable_scalar(value: Any) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return "holds a number that is not finite (NaN or Infinity)"
    if isinstance(value, str):
        if "\x00" in value:
            return "holds a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "holds text that is not valid UTF-8 (bad bytes or a lone surrogate escape)"
    return None


def _jsonl_rows(data: bytes) -> Iterator[Row]:
    # Split on bytes, not str.splitlines(): that would also split inside JSON strings at U+2028.
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, None, f"not valid UTF-8 (bad byte at column {exc.start + 1})"
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"not valid JSON: {exc.msg} at column {exc.colno}"
            continue
        except (ValueError, RecursionError) as exc:  # too deep, or an integer of 5,000 digits
            yield number, None, f"not valid JSON: {type(exc).__name__}: {exc}"
            continue
        if not isinstance(row, dict):
            yield number, None, f"each line must be a JSON object, not {type(row).__name__}"
            continue
        problem = unstorable(row)
        yield (number, None, problem) if problem else (number, row, None)


def _csv_rows(data: bytes) -> Iterator[Row]:
    # No field can be longer than the manifest, which is already under the file-size limit: a
    # row whose `text` is a whole document (over csv's default 128 KB) is a good row, and the
    # field-limit error would also lose every row after it. The limit is process-wide: only raise.
    csv.field_size_limit(max(csv.field_size_limit(), len(data) + 1))
    # surrogateescape keeps bad bytes as markers, so only the rows holding them are refused.
    reader = csv.DictReader(io.StringIO(data.decode("utf-8", "surrogateescape")))
    try:
        if unstorable(list(reader.fieldnames or [])):
            yield 1, None, "the header is not valid UTF-8 text; nothing in this manifest is read"
            return
        for row in reader:
            line = reader.line_num
            if None in row or any(value is None for value in row.values()):
                yield line, None, "wrong number of columns for the header"
                continue
            problem = unstorable(row)
            if problem:
                yield line, None, problem
                continue
            yield line, {k.strip(): v for k, v in row.items() if k and v != ""}, None
    except csv.Error as exc:  # the parser cannot resynchronise after this, so stop here
        yield reader.line_num, None, f"not valid CSV: {exc}; the rest of this manifest is skipped"
