"""`enablement ingest`, `index`, `remove` and `audit-log`."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from enablement.catalog.ingest import IngestSummary
from enablement.catalog.store import Actor
from enablement.cli.common import database_option, os_user, printable, progress, say, service
from enablement.contract import AuditLogRequest, validate
from enablement.errors import InvalidValueError
from enablement.service import EnablementService

_LISTED = 10  # ids listed per kind of change in the text summary


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--strict", is_flag=True, help="Fail, writing nothing, if any file is skipped or truncated."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--no-index", is_flag=True, help="Do not update the search index afterwards.")
@database_option
def ingest(
    path: Path, strict: bool, as_json: bool, no_index: bool, database_url: str | None
) -> None:
    """Ingest a folder of documents or a JSONL/CSV manifest into the catalog.

    Only new and changed files are processed; files that cannot be read are
    reported and skipped (exit status 0), and files stored truncated are listed
    as warnings; --strict fails on either. The search index is then brought up to date, encoding
    only passages it has not seen. Example:

        enablement ingest content_catalog/ --json
    """
    with service(database_url) as svc:
        before = svc.store.catalog_version()
        with _interruptible(svc, before, again=f"enablement ingest {shlex.quote(str(path))}"):
            with progress() as update:
                summary = svc.ingest(path, strict=strict, progress=update)
            index = None
            if not no_index and summary.assets and not svc.index_is_current():
                with progress("passage", status="loading model") as update:
                    index = svc.build_index(progress=update).to_dict()
    if as_json:
        click.echo(json.dumps({**summary.to_dict(), "index": index}, indent=2))
    else:
        _print_summary(summary)
        if index is not None:
            say(f"  index: {index['version']} ({index['encoded']} passages encoded)")
    if summary.reports:
        say(f"{len(summary.reports)} file(s) skipped; see the list above.", err=True)
    if summary.warnings:
        say(f"{len(summary.warnings)} file(s) stored with a warning.", err=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print what was built as JSON.")
@database_option
def index(as_json: bool, database_url: str | None) -> None:
    """Build the search index (FAISS + BM25) for the catalog and switch to it.

    The new bundle replaces the old one atomically; if the build fails, the old
    one stays in use. Example:

        enablement index --json
    """
    with service(database_url) as svc:
        before = svc.store.catalog_version()
        with _interruptible(svc, before), progress("passage", status="loading model") as update:
            report = svc.build_index(progress=update)
        scorer = svc.scorer
    if as_json:
        click.echo(json.dumps({**report.to_dict(), **scorer}, indent=2))
    else:
        say(
            f"Index {report.version}: {report.assets} assets, {report.chunks} chunks, "
            f"{report.encoded} newly encoded, {report.dense_kind} dense index, "
            f"{report.seconds:.1f}s"
        )
        say(f"Scorer: {scorer['scorer_note']}")
        say(f"Answers: {scorer['answers_note']}")


@click.command()
@click.argument("asset_ids", nargs=-1)
@click.option(
    "--source", type=click.Path(path_type=str),
    help="Also remove every asset that came from this path (a library, a folder in it, a file).",
)  # fmt: skip
@click.option(
    "--actor", envvar="ENABLEMENT_ACTOR",
    help="Who is removing, for the audit log (default: the OS user).",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print what was removed as JSON.")
@click.option("--no-index", is_flag=True, help="Do not rebuild the search index afterwards.")
@database_option
def remove(
    asset_ids: tuple[str, ...], source: str | None, actor: str | None, as_json: bool,
    no_index: bool, database_url: str | None,
) -> None:  # fmt: skip
    """Remove assets from the catalog by id, or all that came from a source path.

    All or nothing: an unknown id stops the command before anything is removed. Each removed
    asset leaves an audit row (who, when, what; see `enablement audit-log`), keeps its events
    and its row for analytics, and leaves the search index, which is rebuilt now (unless
    --no-index). Ingesting its file again brings it back. Examples:

        enablement remove faqs-buyer-faq battlecard-oxley

        enablement remove --source content_catalog/faqs --actor alice --json
    """
    if source is not None and not source.strip():  # '' would be the current folder
        raise InvalidValueError(
            "--source needs a path: a library, or a folder or file in one.", field="source"
        )
    who = Actor(os_user() if actor is None else actor, "cli")  # --actor "" is refused too
    with service(database_url) as svc:
        removal, _ = svc.remove(
            asset_ids, source=None if source is None else Path(source), actor=who
        )
        index = None
        if not no_index and svc.store.counts()[0] and not svc.index_is_current():
            with progress("passage") as update:
                index = svc.build_index(progress=update).to_dict()
    if as_json:
        click.echo(json.dumps({**removal.to_dict(), "index": index}, indent=2))
        return
    say(f"Removed {len(removal.removed)} asset(s) (by {who.name}):")
    for row in removal.removed:
        say(f"  {printable(row['id'])}  {printable(row['title'])}  ({printable(row['source'])})")
    if index is not None:
        say(f"  index: {index['version']} ({index['assets']} assets)")


@click.command("audit-log")
@click.option("--limit", default=50, show_default=True, type=int, help="Rows per page (1 to 500).")
@click.option("--cursor", type=int, help="The `next` of a page: the older rows after it.")
@click.option("--asset", "asset_id", help="Only the rows of this asset id.")
@click.option("--json", "as_json", is_flag=True, help='Print {"items": [...], "next": ...}.')
@database_option
def audit_log(
    limit: int, cursor: int | None, asset_id: str | None, as_json: bool, database_url: str | None
) -> None:
    """List who removed which assets and when, newest first, a page at a time (as
    GET /v1/audit-log).

    Example:

        enablement audit-log --limit 20 --json
    """
    raw = {"limit": limit, "cursor": cursor, "asset_id": asset_id}
    params = validate(AuditLogRequest, {k: v for k, v in raw.items() if v is not None})
    with service(database_url) as svc:
        page = svc.audit_log(limit=params.limit, cursor=params.cursor, asset_id=params.asset_id)
    if as_json:
        click.echo(json.dumps(page, indent=2))
        return
    if not page["items"]:
        say("No asset has been removed by hand.")
    for row in page["items"]:
        say(_audit_line(row))
    if page["next"] is not None:
        say(f"More: --cursor {page['next']}")


@contextmanager
def _interruptible(svc: EnablementService, before: int, *, again: str = "") -> Iterator[None]:
    """Ctrl-C in the block: one line on stderr saying whether the catalog changed (an ingest
    writes in one transaction, so not before its commit) and what to run next; exit 130."""
    try:
        yield
    except KeyboardInterrupt:
        serving = svc.index_version()
        index = f"the index {serving} still serves" if serving else "there is no index yet"
        if svc.store.catalog_version() == before:
            what = "the catalog is unchanged"
            then = f"run `{again}` again" if again else "run `enablement index` again"
        else:
            what = "the catalog changed but the index was not rebuilt"
            then = "run `enablement index`"
        say(f"Interrupted: {what}; {index}; {then}.", err=True)
        sys.exit(130)


def _audit_line(row: dict[str, Any]) -> str:
    return printable(
        f"{row['at']}  {row['action']} via {row['via']} by {row['actor']}: {row['asset_id']} "
        f"({row['title']}) from {row['source']}" + (f" ({row['path']})" if row["path"] else "")
    )


def _print_summary(summary: IngestSummary) -> None:
    say(f"Ingested {summary.path or summary.source}")
    for note in summary.notes:  # a folder already in the catalog: same source, same ids
        say(f"  note: {note}")
    rows = [
        ("added", len(summary.added)),
        ("changed", len(summary.changed)),
        ("unchanged", len(summary.unchanged)),
        ("removed", len(summary.removed)),
        ("skipped", len(summary.reports)),
    ]
    say("  " + "  ".join(f"{name}: {count}" for name, count in rows))
    say(
        f"  catalog: {summary.assets} assets, {summary.chunks} chunks "
        f"(version {summary.catalog_version}, {summary.seconds:.1f}s)"
    )
    changes = (("added", summary.added), ("changed", summary.changed), ("removed", summary.removed))
    for label, ids in changes:
        for asset_id in ids[:_LISTED]:
            say(f"  {label:8} {printable(asset_id)}")
        if len(ids) > _LISTED:
            say(f"  {label:8} ... and {len(ids) - _LISTED} more (--json lists them all)")
    for report in summary.reports:
        say(f"  skipped  {printable(report.path)}: {printable(report.reason)}")
    for report in summary.warnings:
        say(f"  warning  {printable(report.path)}: {printable(report.reason)}")
