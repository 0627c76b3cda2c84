"""The text rule for the URL: every route's path and query parameters, checked in one place.

Installed as an app-wide dependency, so a route added later is covered without a thought. A
percent-escape that is not UTF-8 (`%ff`) is refused too, rather than silently becoming U+FFFD.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from fastapi import Request

from enablement import clean
from enablement.errors import InvalidValueError


async def check_url(request: Request) -> None:
    """Raise InvalidValueError (422) naming the path or query parameter that breaks the rule.
    async: a cheap check that would otherwise cost a thread-pool hop on every request."""
    raw_path = request.scope.get("raw_path") or request.scope["path"].encode()
    _decode(raw_path, field="path")
    for name, value in request.path_params.items():
        clean.check(value, field=str(name))
    for pair in request.scope.get("query_string", b"").split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        name = _decode(raw_name.replace(b"+", b" "), field="query")
        clean.check(name, field="query")
        clean.check(_decode(raw_value.replace(b"+", b" "), field=name), field=name)


def _decode(raw: bytes, *, field: str) -> str:
    try:
        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidValueError(
            f"{field} has a percent-escape that is not UTF-8.", field=field
        ) from None
