"""`enablement tags suggest|accept|reject`: review the tags the model suggests for assets missing
a type, stage, vertical or persona."""

from __future__ import annotations

import json
from typing import Any

import click

from enablement.cli.common import columns, database_option, os_user, say, service
from enablement.suggesting import Suggesting
from enablement.tagging.suggestion import Why

actor_option = click.option(
    "--actor",
    envvar="ENABLEMENT_ACTOR",
    help="Who decides, for the record (default: the OS user).",
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help='Print {"items": [...]}, the suggestions decided.'
)
KEYS = (
    "id",
    "asset_id",
    "title",
    "field",
    "value",
    "confidence",
    "why",
)  # what `suggest --json` prints


@click.group()
def tags() -> None:
    """Review tag suggestions: list them, accept or reject them (the source files are never
    written; an accepted tag is kept in the catalog and survives re-ingest)."""


@tags.command("suggest")
@click.option("--field", help="Only this field: type, stages, verticals or personas.")
@click.option(
    "--min-confidence", type=click.FloatRange(0, 1), help="Only suggestions at least this sure."
)
@click.option("--json", "as_json", is_flag=True, help="Print a list of suggestions as JSON.")
@database_option
def suggest(
    field: str | None, min_confidence: float | None, as_json: bool, database_url: str | None
) -> None:
    """Recompute the suggestions from the catalog as it is, then list the open ones, most
    confident first; what the refresh added, kept and voided (and why) goes to stderr.
    Example:

    enablement tags suggest --field personas --min-confidence 0.7
    """
    with service(database_url) as svc:
        report = svc.suggesting.refresh()
        rows = _all_open(svc.suggesting, field=field, min_confidence=min_confidence)
    say(f"Refreshed: {report.sentence()}", err=True)
    for void in report.void:
        if void["reason"] == "value_removed":
            say(f"Voided {void['id']}: '{void['value']}' is no longer a {void['field']} "
                "value in the taxonomy", err=True)  # fmt: skip
    if as_json:
        click.echo(json.dumps([{k: row[k] for k in KEYS} for row in rows], indent=2))
        return
    header = ("ID", "ASSET", "TITLE", "FIELD", "VALUE", "CONFIDENCE", "WHY")
    cells = [
        (r["id"], r["asset_id"], r["title"] or "-", r["field"], r["value"],
         f"{r['confidence']:.2f}", Why.from_dict(r["why"]).sentence() or "-")
        for r in rows
    ]  # fmt: skip
    say(columns(header, cells) if cells else "No open suggestions.")


@tags.command("accept")
@click.argument("ids", nargs=-1, required=True)
@actor_option
@json_option
@database_option
def accept(
    ids: tuple[str, ...], actor: str | None, as_json: bool, database_url: str | None
) -> None:
    """Accept suggestions: each tag is written to its asset in the catalog, with who and when
    (the next `enablement index` uses it). All or nothing: an unknown or decided id is named
    and nothing is accepted. Example:

    enablement tags accept ts_0f3c9a1b2d4e5f60718a ts_9a8b7c6d5e4f3a2b1c0d
    """
    who = os_user() if actor is None else actor
    with service(database_url) as svc:
        decided = svc.suggesting.accept(list(ids), actor=who)
    _print(decided, "Accepted", as_json)


@tags.command("reject")
@click.argument("ids", nargs=-1, required=True)
@actor_option
@json_option
@database_option
def reject(
    ids: tuple[str, ...], actor: str | None, as_json: bool, database_url: str | None
) -> None:
    """Reject suggestions: not proposed again for the same content. All or nothing, as accept.
    Example:

    enablement tags reject ts_0f3c9a1b2d4e5f60718a
    """
    who = os_user() if actor is None else actor
    with service(database_url) as svc:
        decided = svc.suggesting.reject(list(ids), actor=who)
    _print(decided, "Rejected", as_json)


def _all_open(suggesting: Suggesting, **filters: Any) -> list[dict[str, Any]]:
    """Every open suggestion matching `filters`, page by page."""
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = suggesting.page(**filters, cursor=cursor, limit=500)
        rows += page["items"]
        cursor = page["next"]
        if cursor is None:
            return rows


def _print(decided: list[dict[str, Any]], verb: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"items": decided}, indent=2))
        return
    for row in decided:
        say(f"{verb} {row['id']}: {row['asset_id']} {row['field']} = {row['value']}")
