"""`enablement experiments create|list|show|stop`: the registry of online experiments."""

from __future__ import annotations

import json
from typing import Any

import click

from enablement.cli.common import columns, database_option, os_user, printable, say, service
from enablement.contract import ExperimentCreate, ExperimentListRequest, validate
from enablement.experiments.model import KINDS, Definition

actor_option = click.option(
    "--actor",
    envvar="ENABLEMENT_ACTOR",
    help="Who is acting, for the record (default: the OS user).",
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the experiment as GET /v1/experiments/ID."
)


@click.group()
def experiments() -> None:
    """Start, list, show and stop online experiments between rankers (one runs at a time)."""


@experiments.command("create")
@click.option("--name", required=True, help="What the experiment is for, for people.")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="interleave or holdout.")
@click.option(
    "--control", required=True,
    help="A ranker: linear, a learned ranker's name (lambdarank:…) or a baseline "
    "(bm25_only, dense_only, no_metadata).",
)  # fmt: skip
@click.option("--treatment", help="interleave only: the ranker compared with the control.")
@click.option(
    "--share", type=float, help="holdout only: the share of deals served the control (0 to 0.5]."
)
@actor_option
@json_option
@database_option
def create(
    name: str, kind: str, control: str, treatment: str | None, share: float | None,
    actor: str | None, as_json: bool, database_url: str | None,
) -> None:  # fmt: skip
    """Start an experiment, checked as POST /v1/experiments checks it (an unknown ranker is
    refused with the names it may be; a second experiment while one runs is refused).

    Examples:

        enablement experiments create --kind holdout --control no_metadata --share 0.1 \\
            --name "metadata pays its way"

        enablement experiments create --kind interleave --control linear \\
            --treatment lambdarank:3f2a9c01b7de --name "learned vs linear"
    """
    raw = {"name": name, "kind": kind, "control": control, "treatment": treatment, "share": share}
    body = validate(ExperimentCreate, {k: v for k, v in raw.items() if v is not None})
    with service(database_url) as svc:
        made = svc.experimenting.create(
            Definition(**body.model_dump()), created_by=os_user() if actor is None else actor
        )
    if as_json:
        click.echo(json.dumps(made.to_dict(), indent=2))
        return
    say(f"Started experiment {made.id}: {_what(made.to_dict())}")


@experiments.command("list")
@click.option("--limit", default=50, show_default=True, type=int, help="Per page (1 to 200).")
@click.option("--cursor", help="The `next` of a page: the older experiments after it.")
@click.option("--json", "as_json", is_flag=True, help='Print {"items": [...], "next": ...}.')
@database_option
def list_experiments(
    limit: int, cursor: str | None, as_json: bool, database_url: str | None
) -> None:
    """List experiments, newest first, running or stopped (as GET /v1/experiments). Example:

    enablement experiments list --json
    """
    raw = {"limit": limit, "cursor": cursor}
    params = validate(ExperimentListRequest, {k: v for k, v in raw.items() if v is not None})
    with service(database_url) as svc:
        page, after = svc.experimenting.store.page(limit=params.limit, cursor=params.cursor)
    rows = [e.to_dict() for e in page]
    if as_json:
        click.echo(json.dumps({"items": rows, "next": after}, indent=2))
        return
    if not rows:
        say("No experiments yet: start one with `enablement experiments create`.")
        return
    header = ("ID", "NAME", "KIND", "CONTROL", "TREATMENT", "SHARE", "STATUS", "CREATED")
    cells = [
        (r["id"], r["name"], r["kind"], r["control"], r["treatment"] or "-",
         _share(r["share"]), r["status"], r["created_at"][:16].replace("T", " "))
        for r in rows
    ]  # fmt: skip
    say(columns(header, cells))
    if after is not None:
        say(f"More: --cursor {after}")


@experiments.command("show")
@click.argument("experiment_id")
@json_option
@database_option
def show(experiment_id: str, as_json: bool, database_url: str | None) -> None:
    """Print an experiment's definition, state and results so far, as GET
    /v1/experiments/ID: an interleave's deal wins, losses, ties and decision; a holdout's win
    rate and stage progression per arm and their difference. Example:

    enablement experiments show exp-20261205120000000000-3f2a
    """
    with service(database_url) as svc:
        row = svc.experimenting.report(experiment_id)
    if as_json:
        click.echo(json.dumps(row, indent=2))
        return
    say(_details(row))
    say(_results(row["results"]))


@experiments.command("stop")
@click.argument("experiment_id")
@actor_option
@json_option
@database_option
def stop(experiment_id: str, actor: str | None, as_json: bool, database_url: str | None) -> None:
    """Stop an experiment; another may then start. Stopping a stopped one changes nothing.
    Example:

    enablement experiments stop exp-20261205120000000000-3f2a
    """
    who = os_user() if actor is None else actor
    with service(database_url) as svc:
        row = svc.experimenting.stop(experiment_id, stopped_by=who).to_dict()
    if as_json:
        click.echo(json.dumps(row, indent=2))
        return
    say(f"Stopped {row['id']} ({printable(row['name'])}) at {row['stopped_at']}")


def _what(row: dict[str, Any]) -> str:
    if row["kind"] == "holdout":
        return (
            f"holdout, {printable(row['control'])} for {_share(row['share'])} of deals "
            "(by deal id), the live ranker for the rest"
        )
    return f"interleave, {printable(row['control'])} (control) with {printable(row['treatment'])}"


def _details(row: dict[str, Any]) -> str:
    fields = ("id", "name", "kind", "control", "treatment", "share", "status", "created_at",
              "created_by", "stopped_at", "stopped_by")  # fmt: skip
    shown = {**row, "share": _share(row["share"])}
    width = max(len(f) for f in fields)
    lines = [f"{f:{width}}  {printable(shown[f]) if shown[f] is not None else '-'}" for f in fields]
    return "\n".join([*lines, f"{'design':{width}}  {_what(row)}"])


def _results(results: dict[str, Any]) -> str:
    if results["kind"] == "interleave":
        share = "-" if results["share"] is None else f"{results['share']:.3f}"
        line = (
            f"results   {results['deals']} deals, {results['lists']} lists: treatment won "
            f"{results['wins']}, lost {results['losses']}, tied {results['ties']}; win share "
            f"{share} (95% {results['low']:.3f} to {results['high']:.3f}); {results['decision']}"
        )
        return f"{line}\n          {results['summary']}"
    lines = [f"results   {results['deals']} deals"]
    for arm, figures in results["arms"].items():
        won, moved = figures["won"], figures["progressed"]
        lines.append(
            f"  {arm:8} {figures['deals']} deals, won {won['count']} "
            f"({_interval(won)}), progressed {moved['count']} ({_interval(moved)})"
        )
    lines.append(f"  {results['summary']}")
    return "\n".join(lines)


def _interval(figure: dict[str, Any]) -> str:
    if figure["share"] is None:
        return "-"
    return f"{figure['share']:.3f}, 95% {figure['low']:.3f} to {figure['high']:.3f}"


def _share(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:g}%"
