"""PostgreSQL LISTEN: wait for a NOTIFY on a channel, or a timeout, on a connection of its own.

Used by live.Watcher so nodes switch bundles within a moment of a publish; polling stays the
fallback, so a lost connection or a missed notification costs at most one poll interval."""

from __future__ import annotations

import contextlib
import logging
import threading

import psycopg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


class Listener:
    """`wait(timeout)` returns when `channel` is notified or after `timeout` seconds. The
    connection is opened on first use, and again after it fails (each failure waits out the
    timeout, so a database that is down is not hammered)."""

    def __init__(self, database_url: str, channel: str) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self._channel = channel
        self._connection: psycopg.Connection | None = None
        self._closed = threading.Event()

    def wait(self, timeout: float) -> bool:
        """True when notified, False after the timeout (or a failure, logged)."""
        try:
            connection = self._connect()
            for _ in connection.notifies(timeout=timeout, stop_after=1):
                return True
            return False
        except psycopg.Error as exc:
            log.warning("LISTEN %s failed (%s); polling until it reconnects", self._channel, exc)
            self._drop()
            self._closed.wait(timeout)
            return False

    def close(self) -> None:
        self._closed.set()
        self._drop()

    def _connect(self) -> psycopg.Connection:
        if self._connection is None or self._connection.closed:
            connection = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5)
            connection.execute(f'LISTEN "{self._channel}"')
            self._connection = connection
        return self._connection

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(psycopg.Error):
                connection.close()
