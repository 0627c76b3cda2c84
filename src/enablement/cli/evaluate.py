"""`enablement eval`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from enablement.cli.common import database_option, say, service
from enablement.errors import InvalidValueError
from enablement.evaluation import Evaluation
from enablement.learn.evaluate import format_table
from enablement.learn.holdout import format_holdout


@click.command("eval")
@click.option("--queries", type=click.Path(path_type=Path), help="Labelled deals (JSONL).")
@click.option("--beir", type=click.Path(path_type=Path), help="A BEIR-layout dataset folder.")
@click.option(
    "--libraries",
    type=click.Path(path_type=Path),
    help="A folder of libraries: hold each out, tune on the others, score it.",
)
@click.option("--compare", is_flag=True, help="Also run the BM25, dense and no-metadata baselines.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@database_option
def eval_command(
    queries: Path | None,
    beir: Path | None,
    libraries: Path | None,
    compare: bool,
    as_json: bool,
    database_url: str | None,
) -> None:
    """Measure relevance: nDCG@5, nDCG@10, recall@10, MRR and hard-filter violations.

    Examples:

        enablement eval --queries eval/deals.jsonl --compare
        enablement eval --beir ../shared/data/scifact --json
        enablement eval --libraries eval/libraries --compare
    """
    if libraries is not None and (queries or beir):
        raise InvalidValueError("Give one of --queries, --beir or --libraries.", field="libraries")
    with service(database_url) as svc:
        runs = Evaluation(svc)
        if libraries is not None:
            result = runs.evaluate_libraries(libraries, compare=compare)
        else:
            result = runs.evaluate(queries=queries, beir=beir, compare=compare)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        say(format_holdout(result) if libraries is not None else format_table(result))
