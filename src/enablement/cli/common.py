"""Helpers shared by the commands: building the service, progress bars, options."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from enablement.service import EnablementService
from enablement.settings import Settings

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
def progress(unit: str = "file") -> Iterator[Callable[..., None] | None]:
    """A progress bar on an interactive terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=0, unit=unit, file=sys.stderr, leave=False)

    def update(done: int, total: int, name: str = "") -> None:
        bar.total = total
        if name:
            bar.set_postfix_str(name[-40:], refresh=False)
        bar.update(done - bar.n)
        if done == total:
            bar.refresh()  # updates are rate-limited; always show the final count

    try:
        yield update
    finally:
        bar.close()
