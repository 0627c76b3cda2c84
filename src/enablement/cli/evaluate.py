"""`enablement eval`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from enablement.cli.common import database_option, say, service
from enablement.learn.evaluate import format_table


@click.command("eval")
@click.option("--queries", type=click.Path(path_type=Path), help="Labelled deals (JSONL).")
@click.option("--beir", type=click.Path(path_type=Path), help="A BEIR-layout dataset folder.")
@click.option("--compare", is_flag=True, help="Also run the BM25, dense and no-metadata baselines.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@database_option
def eval_command(
    queries: Path | None, beir: Path | None, compare: bool, as_json: bool, database_url: str | None
) -> None:
    """Measure relevance: nDCG@5, nDCG@10, recall@10, MRR and hard-filter violations.

    Examples:

        enablement eval --queries eval/deals.jsonl --compare
        enablement eval --beir ../shared/data/scifact --json
    """
    with service(database_url) as svc:
        result = svc.evaluate(queries=queries, beir=beir, compare=compare)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        say(format_table(result))
