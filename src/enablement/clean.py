"""The one rule for text and dates from outside, shared by every entry point (REST, MCP, CLI).

Refused in any string (at any depth of lists and dicts, keys included): the C0 control
characters other than tab, newline and carriage return (CR stays: pasted e-mails carry CRLF),
and lone surrogates (U+D800-U+DFFF), which no encoder can write. PostgreSQL cannot store NUL,
and neither can JSON carry a lone surrogate out again. Dates must fall in MIN_DAY..MAX_DAY, so
that date arithmetic (a period's end, a time zone) can never overflow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from enablement.errors import InvalidValueError

MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2999, 12, 31)
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """What is wrong with `text` (e.g. "contains a control character (U+0000)"), or None."""
    found = _BAD.search(text)
    if found is None:
        return None
    point = ord(found.group())
    kind = "a lone surrogate" if point >= 0xD800 else "a control character"
    return f"contains {kind} (U+{point:04X})"


def day_problem(day: date) -> str | None:
    """Why `day` (a date or a datetime) is out of range, or None."""
    if MIN_DAY <= (day.date() if hasattr(day, "date") else day) <= MAX_DAY:
        return None
    return f"must be between {MIN_DAY.isoformat()} and {MAX_DAY.isoformat()}"


def find_problem(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first refused string or date in `value`, searched through lists, tuples and dicts,
    as (its path below `value`, e.g. "[2]" or ".name", what is wrong); None when all is well."""
    if isinstance(value, str):
        problem = text_problem(value)
        return (path, problem) if problem else None
    if isinstance(value, date):
        problem = day_problem(value)
        return (path, problem) if problem else None
    if isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            found = find_problem(item, f"{path}[{index}]")
            if found:
                return found
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = find_problem(key, path) or find_problem(item, f"{path}.{key}")
            if found:
                return found
    return None


def check(value: Any, *, field: str) -> None:
    """Raise InvalidValueError naming the exact place (e.g. `deal.questions[2]`) when `value`
    holds a refused string or date."""
    found = find_problem(value)
    if found is not None:
        where = join(field, found[0])
        raise InvalidValueError(f"{where} {found[1]}.", field=where)


def join(field: str, path: str) -> str:
    """`field` followed by a sub-path from find_problem ("[2]", ".name"), without a leading dot."""
    return f"{field}{path}" if field else path.lstrip(".")
