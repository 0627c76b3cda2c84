"""The `enablement` command: one subcommand per verb, each a thin call into the service."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from enablement import __version__
from enablement.catalog.ingest import IngestSummary
from enablement.errors import EnablementError
from enablement.service import EnablementService
from enablement.settings import Settings


class _Group(click.Group):
    """Turns our errors into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EnablementError as exc:
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(1)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            click.echo(f"Error: invalid setting {where}: {first['msg']}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="enablement")
def cli() -> None:
    """Index a sales content library and recommend what to send next.

    Settings come from ENABLEMENT_* environment variables (see the README).
    """


@contextmanager
def _service(database_url: str | None) -> Iterator[EnablementService]:
    settings = Settings() if database_url is None else Settings(database_url=database_url)
    service = EnablementService(settings)
    try:
        yield service
    finally:
        service.close()


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail, writing nothing, if any file is reported.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--database-url", envvar="ENABLEMENT_DATABASE_URL", help="SQLAlchemy URL of the store."
)
def ingest(path: Path, strict: bool, as_json: bool, database_url: str | None) -> None:
    """Ingest a folder of documents or a JSONL/CSV manifest into the catalog.

    Only new and changed files are processed; files that cannot be read are
    reported and skipped. Example:

        enablement ingest content_catalog/ --json
    """
    with _service(database_url) as service, _progress() as progress:
        summary = service.ingest(path, strict=strict, progress=progress)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        _print_summary(summary)
    if summary.reports:
        click.echo(f"{len(summary.reports)} file(s) skipped; see the list above.", err=True)


@contextmanager
def _progress() -> Iterator[Callable[[int, int, str], None] | None]:
    """A progress bar on an interactive terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=0, unit="file", file=sys.stderr, leave=False)

    def update(done: int, total: int, name: str) -> None:
        bar.total = total
        bar.set_postfix_str(name[-40:], refresh=False)
        bar.update(done - bar.n)
        if done == total:
            bar.refresh()  # updates are rate-limited; always show the final count

    try:
        yield update
    finally:
        bar.close()


_LISTED = 10  # ids listed per kind of change in the text summary


def _print_summary(summary: IngestSummary) -> None:
    click.echo(f"Ingested {summary.source}")
    rows = [
        ("added", len(summary.added)),
        ("changed", len(summary.changed)),
        ("unchanged", len(summary.unchanged)),
        ("removed", len(summary.removed)),
        ("skipped", len(summary.reports)),
    ]
    click.echo("  " + "  ".join(f"{name}: {count}" for name, count in rows))
    click.echo(
        f"  catalog: {summary.assets} assets, {summary.chunks} chunks "
        f"(version {summary.catalog_version}, {summary.seconds:.1f}s)"
    )
    for label, ids in (
        ("added", summary.added),
        ("changed", summary.changed),
        ("removed", summary.removed),
    ):
        for asset_id in ids[:_LISTED]:
            click.echo(f"  {label:8} {asset_id}")
        if len(ids) > _LISTED:
            click.echo(f"  {label:8} ... and {len(ids) - _LISTED} more (--json lists them all)")
    for report in summary.reports:
        click.echo(f"  skipped  {report.path}: {report.reason}")


def main() -> None:
    cli(prog_name="enablement")
