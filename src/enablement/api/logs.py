"""Secrets kept out of logs: keys and tokens in query strings, share-link tokens in paths.

uvicorn's access log writes each request's path and query string, so `?token=enbt_…` (the
sidebar's URL) and `/s/<token>` (a buyer's share link) would otherwise sit in plain text in log
files, where anyone who reads them could use them. `install()` puts a filter on uvicorn's loggers
that rewrites each record with `redact()`; it runs in `create_app`, so every worker process
(`enablement serve --workers N` imports the app once per worker) gets it.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

# Query parameters whose values are secrets (compared case-insensitively, after %-decoding).
SECRET_PARAMS = frozenset(
    {
        "token", "key", "api_key", "apikey", "api-key", "x-api-key", "x_api_key",
        "access_token", "refresh_token", "id_token", "embed_token", "auth", "authorization",
        "secret", "client_secret", "password", "signature", "sig",
    }
)  # fmt: skip
LOGGERS = ("uvicorn.access", "uvicorn.error")
_PARAM = re.compile(r"(?P<lead>[?&;])(?P<name>[^=&;#\s\"']+)=(?P<value>[^&;#\s\"']*)")
_SHARE_PATH = re.compile(r"/s/[^/?#\s\"']+")
_BARE_SECRET = re.compile(r"\b(?P<prefix>enbt?_)[A-Za-z0-9_\-]{8,}")


def redact(text: str) -> str:
    """`text` (a URL, a path or a log line) with secret query values replaced by `REDACTED`,
    share-link tokens by `/s/[redacted]`, and any enablement key or token (`enb_…`, `enbt_…`)
    by its prefix and `[redacted]`."""
    text = _PARAM.sub(_param, text)
    text = _SHARE_PATH.sub("/s/[redacted]", text)
    return _BARE_SECRET.sub(r"\g<prefix>[redacted]", text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and string arguments with `redact()`; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _clean(value) for key, value in record.args.items()}
        return True


def install(names: tuple[str, ...] = LOGGERS) -> None:
    """Put one RedactSecrets filter on each named logger (again is a no-op)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


def _param(match: re.Match[str]) -> str:
    if unquote(match["name"]).strip().lower() not in SECRET_PARAMS:
        return match.group()
    return f"{match['lead']}{match['name']}=REDACTED"


def _clean(value: object) -> object:
    return redact(value) if isinstance(value, str) else value
