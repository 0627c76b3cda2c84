"""Helpers shared by the commands: building the service, progress bars, options, safe text."""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from enablement.service import EnablementService
from enablement.settings import Settings

# C0 and C1 controls (ESC, BEL, CSI...), DEL, line/paragraph separators and the bidi embeddings,
# overrides and isolates that reorder what a terminal shows.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile("[\t\n\v\f\r\u2028\u2029]+")

database_option = click.option(
    "--database-url", envvar="ENABLEMENT_DATABASE_URL", help="SQLAlchemy URL of the store."
)


@contextmanager
def service(database_url: str | None = None) -> Iterator[EnablementService]:
    settings = Settings() if database_url is None else Settings(database_url=database_url)
    instance = EnablementService(settings)
    try:
        yield instance
    finally:
        instance.close()


@contextmanager
def progress(unit: str = "file", *, status: str = "") -> Iterator[Callable[..., None] | None]:
    """A progress bar on an interactive terminal, nothing otherwise. `status` is shown from the
    start until the first update (e.g. "loading model" while the encoder loads, which can take
    longer than the first passages do)."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=0, unit=unit, file=sys.stderr, leave=False, desc=status or None)
    if status:
        bar.refresh()  # now, not at the first update

    def update(done: int, total: int, name: str = "") -> None:
        if status and bar.desc:
            bar.set_description_str("", refresh=False)
        bar.total = total
        if name:
            bar.set_postfix_str(printable(name[-40:]), refresh=False)  # a file name
        bar.update(done - bar.n)
        if done == total:
            bar.refresh()  # updates are rate-limited; always show the final count

    try:
        yield update
    finally:
        bar.close()


def printable(value: Any, *, lines: bool = False) -> str:
    """`value` as text safe to write to a terminal: runs of whitespace controls (TAB, CR, LF...)
    become one space, other control and bidi characters (ESC sequences included) are shown as
    `\\x1b`-style escapes. With `lines`, newlines are kept (for multi-line output)."""
    if lines:
        return "\n".join(printable(line) for line in str(value).split("\n"))
    text = _SPACES.sub(" ", str(value))
    return _UNSAFE.sub(_escape, text)


def columns(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """`rows` under `header` as left-aligned text columns, two spaces apart; every cell made
    printable first, so a stored name cannot break the alignment or drive the terminal."""
    cells = [[printable(value) for value in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def os_user() -> str:
    """Who runs the command, for records that name a person (the audit log, experiments)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        return "unknown"


def say(text: str, *, err: bool = False) -> None:
    """click.echo of human-readable `text` made printable (newlines kept)."""
    click.echo(printable(text, lines=True), err=err)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
