"""`enablement report` and `enablement simulate`: the marketer's audit, and a history to audit."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click

from enablement.analytics.audit import VIEWS
from enablement.analytics.filters import AuditFilters
from enablement.analytics.table import AuditTable
from enablement.cli.common import printable, say, service
from enablement.errors import InvalidValueError
from enablement.events.simulate import SimulationOptions, simulate
from enablement.learn.evaluate import LabelledDeal, load_labelled
from enablement.recommend.explore import MAX_SHARE

MAX_CELL = 40


@click.command()
@click.argument("views", nargs=-1, type=click.Choice(VIEWS))
@click.option("--since", help="First day, YYYY-MM-DD (default: 90 days ago).")
@click.option("--until", help="Last day, YYYY-MM-DD (default: today).")
@click.option("--stage", help="Only this deal stage (any CRM alias).")
@click.option("--vertical", help="Only this vertical.")
@click.option("--type", "type_", help="Only this asset type.")
@click.option("--owner", help="Only assets of this owner.")
@click.option(
    "--format", "format_", type=click.Choice(["table", "csv", "json"]), default=None,
    help="table (the default), csv, or json (as --json).",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True,
              help='Print {"items": [...]}, each view as GET /v1/analytics/VIEW.')  # fmt: skip
@click.option("--output", type=click.Path(file_okay=False, path_type=Path),
              help="Write one VIEW.csv or VIEW.json per view into this folder.")  # fmt: skip
def report(views: tuple[str, ...], since: str | None, until: str | None, stage: str | None,
           vertical: str | None, type_: str | None, owner: str | None, format_: str | None,
           as_json: bool, output: Path | None) -> None:  # fmt: skip
    """Print the content audit: funnel, unused, health, coverage, demand, influence (all by
    default).

    Examples:

        enablement report unused health --since 2026-09-01 --format csv --output audit/

        enablement report funnel --json
    """
    if as_json and format_ not in (None, "json"):
        raise InvalidValueError(f"Give --json or --format {format_}, not both.", field="format")
    format_ = "json" if as_json else format_ or "table"
    raw = {"since": since, "until": until, "stage": stage, "vertical": vertical,
           "type": type_, "owner": owner}  # fmt: skip
    with service() as svc:
        filters = AuditFilters.parse(raw, svc.taxonomy)
        tables = [svc.audit.view(name, filters) for name in views or VIEWS]
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        suffix = "json" if format_ == "json" else "csv"
        for table in tables:
            path = output / f"{table.view}.{suffix}"
            text = (
                json.dumps(table.to_dict(), indent=2, default=str)
                if suffix == "json"
                else table.to_csv()
            )
            path.write_text(text)
            say(f"wrote {path} ({len(table.rows)} rows)")
        return
    if format_ == "json":
        items = [t.to_dict() for t in tables]
        click.echo(json.dumps({"items": items}, indent=2, default=str))
    elif format_ == "csv":
        click.echo("\n".join(t.to_csv() for t in tables), nl=False)
    else:
        say("\n\n".join(_table(t) for t in tables))


def _table(table: AuditTable) -> str:
    """The table as aligned text; every cell, note and summary value made printable."""
    head = f"== {table.view} ({table.filters['since']} to {table.filters['until']}) "
    summary = ", ".join(f"{k}: {v}" for k, v in table.summary.items())
    lines = [head + "=" * max(0, 78 - len(head)), summary] + [f"note: {n}" for n in table.notes]
    lines = [printable(line) for line in lines]
    if not table.rows:
        return "\n".join([*lines, "(no rows)"])
    cells = [[_text(row.get(c)) for c in table.columns] for row in table.rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(table.columns)]
    lines.append("  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True)))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list | dict):
        value = "; ".join(map(str, value)) if isinstance(value, list) else ", ".join(
            f"{k}={v}" for k, v in value.items())  # fmt: skip
    text = printable(value)  # one line, no escape sequences: the operator's terminal is safe
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


@click.command("simulate")
@click.option("--deals", default=400, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--reps", default=12, show_default=True, type=click.IntRange(1, 1000))
@click.option("--days", default=180, show_default=True, type=click.IntRange(7, 3650))
@click.option("--planted", default=3, show_default=True, type=click.IntRange(0, 10),
              help="How many assets get a hidden effect on winning.")  # fmt: skip
@click.option("--effect", default=0.3, show_default=True, type=click.FloatRange(0, 0.6))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--labels", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A labelled deals file (eval/deals.jsonl): simulate those deals, with clicks "
                   "drawn by the click model from their true grades.")  # fmt: skip
@click.option("--eta", default=1.0, show_default=True, type=float,
              help="With --labels: position bias, position k looked at (1/k)^eta.")  # fmt: skip
@click.option("--explore-share", default=0.05, show_default=True, type=float,
              help=f"With --labels: share of lists with one adjacent pair swapped (0 to "
                   f"{MAX_SHARE}).")  # fmt: skip
@click.option(
    "--if-empty",
    is_flag=True,
    help="Only when no event is stored yet (a fresh install); says so either way.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts and the truth as JSON.")
def simulate_command(
    deals: int, reps: int, days: int, planted: int, effect: float, seed: int,
    labels: Path | None, eta: float, explore_share: float, if_empty: bool, as_json: bool,
) -> None:  # fmt: skip
    """Generate a realistic event history over the indexed catalog (for demos and tests).

    Prints the counts and the planted assets with their true effect on the win rate of the
    deals they were sent in, which `enablement report influence` should recover (--json: as
    JSON). With --if-empty, a store that already holds events is left alone (one line on
    stderr). With --labels, the deals are the file's labelled deals and the rep's and buyer's
    actions follow a position-based click model on their true grades; the truth printed adds
    the click model, each position's examination and the served lists' true nDCG@10.

    Examples:

        enablement simulate --deals 600 --seed 7

        enablement simulate --labels eval/deals.jsonl --deals 2000 --eta 1 --explore-share 0.1
    """
    options = SimulationOptions(deals=deals, reps=reps, days=days, planted=planted,
                                effect=effect, seed=seed, eta=eta,
                                explore_share=explore_share)  # fmt: skip
    _check_click_options(eta=eta, explore_share=explore_share)
    labelled = None if labels is None else _labels(labels)
    with service() as svc:
        if if_empty and not svc.usage.events.is_empty():
            click.echo("Events are already stored: no simulated history added.", err=True)
            return
        if if_empty:
            click.echo(f"No events yet: simulating {deals} deals over {days} days, a demo "
                       "history for the dashboard…", err=True)  # fmt: skip
        result = simulate(svc.usage, svc.recommender, options, labels=labelled)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    say(
        f"Simulated {result.deals} deals ({result.won} won): {result.events} events, "
        f"{result.recommendations} recommendations."
    )
    for asset_id, effect in result.planted.items():
        say(f"  planted  {printable(asset_id)}  {effect:+.3f} on the win rate")
    if result.truth is not None:
        truth = result.truth.to_dict()
        say(f"  click model eta {eta}: true nDCG@10 of the served lists {truth['ndcg@10']}, "
            f"{truth['explored']} lists explored")  # fmt: skip


def _check_click_options(*, eta: float, explore_share: float) -> None:
    """Raises InvalidValueError naming --eta or --explore-share when out of range."""
    if not math.isfinite(eta) or eta < 0:
        raise InvalidValueError(f"--eta must be 0 or more, not {eta}.", field="eta")
    if not math.isfinite(explore_share) or not 0 <= explore_share <= MAX_SHARE:
        raise InvalidValueError(
            f"--explore-share must be from 0 to {MAX_SHARE}, not {explore_share}.",
            field="explore_share",
        )


def _labels(path: Path) -> list[LabelledDeal]:
    """The labelled deals of `path`; raises InvalidValueError naming --labels when it holds
    none or a line is not a labelled deal."""
    try:
        deals = load_labelled(path)
    except InvalidValueError as exc:
        raise InvalidValueError(f"--labels: {exc.message}", field="labels") from None
    except UnicodeDecodeError:
        raise InvalidValueError(f"--labels: {path} is not UTF-8 text.", field="labels") from None
    if not deals:
        raise InvalidValueError(f"--labels: {path} holds no labelled deals.", field="labels")
    return deals
