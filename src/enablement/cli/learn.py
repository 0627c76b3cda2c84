"""`enablement learn`: train a candidate ranker on this library's own outcomes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from enablement.cli.common import database_option, os_user, say, service


@click.command("learn")
@click.option(
    "--since", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Learn from the lists shown from this day (UTC) on; default: all of them.",
)  # fmt: skip
@click.option(
    "--auto-promote", is_flag=True,
    help="Make the candidate live when its offline lower bound beats the live ranker.",
)  # fmt: skip
@click.option("--actor", envvar="ENABLEMENT_ACTOR", help="Who is acting (default: the OS user).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@database_option
def learn_command(
    since: datetime | None, auto_promote: bool, actor: str | None, as_json: bool,
    database_url: str | None,
) -> None:  # fmt: skip
    """Train a candidate ranker from the served lists and what reps and buyers did with them,
    position bias corrected; estimate it offline against the live ranker (IPS and SNIPS with
    intervals) and register it. It goes live only with --auto-promote when its lower bound
    beats the live ranker, or by `enablement rankers promote`. Examples:

        enablement learn --json

        enablement learn --since 2026-10-01 --auto-promote
    """
    with service(database_url) as svc:
        report = svc.learning.learn(
            requested_by=os_user() if actor is None else actor,
            since=since,
            auto_promote=auto_promote,
        )
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str))
        return
    say(_summary(report))


def _summary(report: dict[str, Any]) -> str:
    """The report in a few lines for people: the IPS estimates the promotion bar compares."""
    if report.get("ranker") is None:
        return f"No candidate: {report.get('skipped')}."
    lines = [f"Registered candidate {report['ranker']}."]
    for name in ("live", "candidate"):
        found = report["offline"].get(name)
        if found:
            ips = found["ips"]
            lines.append(
                f"  {name:9} IPS {ips['value']:.3f} per list [{ips['low']:.3f}, "
                f"{ips['high']:.3f}] over {found['lists']} held-out lists"
            )
    if report["promoted"]:
        lines.append("Promoted: every worker serves it within ENABLEMENT_RELOAD_INTERVAL_S.")
    elif not report.get("beats_live"):
        lines.append("Not promoted: its IPS lower bound does not beat the live ranker's IPS.")
    else:
        lines.append(
            "Not promoted: it clears the bar; run with --auto-promote, or `enablement rankers "
            "promote`, or compare it with the live ranker in an interleaving experiment."
        )
    return "\n".join(lines)
