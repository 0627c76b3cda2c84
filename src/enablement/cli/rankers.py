"""`enablement rankers list|show|promote|rollback`: the registry of learned rankers and which
one is live."""

from __future__ import annotations

import json
from typing import Any

import click

from enablement.cli.common import columns, database_option, os_user, printable, say, service

actor_option = click.option(
    "--actor",
    envvar="ENABLEMENT_ACTOR",
    help="Who is acting, for the record (default: the OS user).",
)
reason_option = click.option("--reason", default="", help="Why, for the record.")
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the ranker as GET /v1/rankers/ID."
)


@click.group()
def rankers() -> None:
    """List, show, promote and roll back learned rankers (one is live; every worker follows)."""


@rankers.command("list")
@click.option("--json", "as_json", is_flag=True, help='Print {"items": [...]} as GET /v1/rankers.')
@database_option
def list_rankers(as_json: bool, database_url: str | None) -> None:
    """List the rankers one may promote: the shipped one, then the trained ones newest first,
    the live one marked. Example:

    enablement rankers list --json
    """
    with service(database_url) as svc:
        rows = svc.ranking.list()
    if as_json:
        click.echo(json.dumps({"items": rows}, indent=2))
        return
    header = ("", "ID", "KIND", "CREATED", "BY", "NOTE")
    cells = [
        ("*" if r["live"] else "", r["id"], r["kind"], _when(r["created_at"]),
         r["created_by"] or "-", r["note"] or "-")
        for r in rows
    ]  # fmt: skip
    say(columns(header, cells))
    say("* live")


@rankers.command("show")
@click.argument("ranker_id")
@json_option
@database_option
def show(ranker_id: str, as_json: bool, database_url: str | None) -> None:
    """Print one ranker: where it lives, what it was trained on, its offline figures, and when
    and by whom it was made live if it is. Example:

    enablement rankers show lambdarank:3905b22b21ec
    """
    with service(database_url) as svc:
        row = svc.ranking.get(ranker_id)
    _print(row, as_json)


@rankers.command("promote")
@click.argument("ranker_id")
@reason_option
@actor_option
@json_option
@database_option
def promote(
    ranker_id: str, reason: str, actor: str | None, as_json: bool, database_url: str | None
) -> None:
    """Make a ranker live; every running worker switches to it within its reload interval. Its
    file is read first: one that does not load is refused and the live ranker stays. Promoting
    the live one changes nothing. Example:

    enablement rankers promote lambdarank:3f2a9c01b7de --reason "won the interleave"
    """
    who = os_user() if actor is None else actor
    with service(database_url) as svc:
        row = svc.ranking.promote(ranker_id, by=who, reason=reason)
    if as_json:
        click.echo(json.dumps(row, indent=2))
        return
    say(f"Live ranker: {row['id']} ({row['kind']}), since {row['promoted_at'] or 'always'}")


@rankers.command("rollback")
@reason_option
@actor_option
@json_option
@database_option
def rollback(reason: str, actor: str | None, as_json: bool, database_url: str | None) -> None:
    """Make the ranker live before the current one live again (the shipped one when there was
    none); refused when nothing was promoted. Example:

    enablement rankers rollback --reason "fewer sends since the promotion"
    """
    who = os_user() if actor is None else actor
    with service(database_url) as svc:
        row = svc.ranking.rollback(by=who, reason=reason)
    if as_json:
        click.echo(json.dumps(row, indent=2))
        return
    say(f"Rolled back; live ranker: {row['id']} ({row['kind']})")


def _print(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(row, indent=2))
        return
    fields = ("id", "kind", "live", "source", "sha256", "created_at", "created_by", "note",
              "promoted_at", "promoted_by", "promoted_how", "reason")  # fmt: skip
    width = max(len(f) for f in (*fields, "trained_on"))
    lines = [f"{f:{width}}  {_cell(row[f])}" for f in fields]
    for name in ("trained_on", "offline"):
        lines.append(f"{name:{width}}  {printable(json.dumps(row[name], sort_keys=True))}")
    say("\n".join(lines))


def _cell(value: Any) -> str:
    return printable(value) if value not in (None, "") else "-"


def _when(moment: str | None) -> str:
    return (moment or "-")[:16].replace("T", " ")
