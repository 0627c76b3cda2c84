"""`enablement eval`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from enablement.cli.common import database_option, say, service
from enablement.embedding import base_spec
from enablement.errors import InvalidValueError
from enablement.evaluation import Evaluation
from enablement.learn.evaluate import format_table
from enablement.learn.holdout import format_holdout
from enablement.overlay import write_overlay
from enablement.recommend.answers import MANIFEST_FILE as ANSWERS_FILE
from enablement.recommend.answers import save_answers
from enablement.recommend.ranker import MODEL_FILE, save_ranker


@click.command("eval")
@click.option("--queries", type=click.Path(path_type=Path), help="Labelled deals (JSONL).")
@click.option("--beir", type=click.Path(path_type=Path), help="A BEIR-layout dataset folder.")
@click.option(
    "--libraries",
    type=click.Path(path_type=Path),
    help="A folder of libraries: hold each out, tune on the others, score it.",
)
@click.option("--compare", is_flag=True, help="Also run the BM25, dense and no-metadata baselines.")
@click.option(
    "--off-topic",
    type=click.Path(path_type=Path),
    help="Questions the catalog cannot answer (JSONL of {id, question}): count any claim.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@database_option
def eval_command(
    queries: Path | None,
    beir: Path | None,
    libraries: Path | None,
    compare: bool,
    off_topic: Path | None,
    as_json: bool,
    database_url: str | None,
) -> None:
    """Measure relevance: nDCG@5, nDCG@10, recall@10, MRR and hard-filter violations, and the
    precision and recall of "answers" claims.

    Examples:

        enablement eval --queries eval/deals.jsonl --compare
        enablement eval --queries eval/deals.jsonl --off-topic eval/off_topic/dev.jsonl
        enablement eval --beir ../shared/data/scifact --json
        enablement eval --libraries eval/libraries --compare
    """
    if libraries is not None and (queries or beir or off_topic):
        raise InvalidValueError("Give one of --queries, --beir or --libraries.", field="libraries")
    with service(database_url) as svc:
        runs = Evaluation(svc)
        if libraries is not None:
            result = runs.evaluate_libraries(libraries, compare=compare)
        else:
            result = runs.evaluate(queries=queries, beir=beir, compare=compare, off_topic=off_topic)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        say(format_holdout(result) if libraries is not None else format_table(result))


@click.command("train-ranker")
@click.option(
    "--libraries", type=click.Path(path_type=Path), help="A folder of labelled libraries."
)
@click.option(
    "--deals",
    type=click.Path(path_type=Path),
    help="Deals labelled over the current catalog (JSONL, as for eval --queries).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("data/ranker"),
    show_default=True,
    help="Folder for the model and its manifest.",
)
@click.option("--date", "card_date", default=None, help="The date on the model card (today).")
@click.option("--json", "as_json", is_flag=True, help="Print what was trained as JSON.")
@database_option
def train_ranker_command(
    libraries: Path | None,
    deals: Path | None,
    out: Path,
    card_date: str | None,
    as_json: bool,
    database_url: str | None,
) -> None:
    """Train the learned ranker (LightGBM LambdaRank) on labelled deals and save it.

    Serve it with ENABLEMENT_RANKER_PATH=OUT. Examples:

        enablement train-ranker --deals our-deals.jsonl --libraries eval/libraries
        enablement train-ranker --libraries eval/libraries --out models/ranker
    """
    with service(database_url) as svc:
        model, choice = Evaluation(svc).train_ranker(libraries=libraries, deals=deals)
    if model is None:
        raise InvalidValueError(f"No ranker trained: {choice.get('skipped')}", field="deals")
    card = {"trained": choice, "date": card_date or date.today().isoformat()}
    saved = save_ranker(model, out, **card)
    path = out / MODEL_FILE
    if as_json:
        click.echo(json.dumps({"file": str(path), "scorer": saved.name, **card}, indent=2))
    else:
        sizes = ", ".join(f"{name} {n}" for name, n in choice["trained_on"].items())
        say(f"Saved {saved.name} to {path} (deals: {sizes}; {choice['params']}).")
        say(f"Serve it with ENABLEMENT_RANKER_PATH={out}")


@click.command("train-answers")
@click.option(
    "--libraries",
    type=click.Path(path_type=Path),
    required=True,
    help="A folder of labelled libraries: their deals with questions fit it.",
)
@click.option(
    "--off-topic",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Questions no library answers (JSONL of {id, question}): count claims on them. "
    "Repeat for several files.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("data/answers"),
    show_default=True,
    help="Folder for the model's manifest.",
)
@click.option("--date", "card_date", default=None, help="The date on the model card (today).")
@click.option("--json", "as_json", is_flag=True, help="Print what was fitted as JSON.")
@database_option
def train_answers_command(
    libraries: Path,
    off_topic: tuple[Path, ...],
    out: Path,
    card_date: str | None,
    as_json: bool,
    database_url: str | None,
) -> None:
    """Fit the answer model (when a passage is claimed to answer a question) and save it.

    Its claim threshold is chosen out of library for precision. Serve it with
    ENABLEMENT_ANSWERS_PATH=OUT. Example:

        enablement train-answers --libraries eval/libraries --out models/answers \\
            --off-topic eval/off_topic/dev.jsonl --off-topic eval/off_topic/dev2.jsonl
    """
    with service(database_url) as svc:
        model, figures = Evaluation(svc).train_answers(libraries, off_topic=off_topic)
    card = {"trained": figures, "date": card_date or date.today().isoformat()}
    saved = save_answers(model, out, **card)
    path = out / ANSWERS_FILE
    if as_json:
        click.echo(json.dumps({"file": str(path), "answers": saved.name, **card}, indent=2))
        return
    pooled = figures["pooled"]
    say(
        f"Saved {saved.name} to {path}: claims at {figures['threshold']:.2f}, held out precision "
        f"{pooled['precision']}, recall {pooled['recall']} over {pooled['assets']} assets."
    )
    for depth, by_rank in figures["by_rank"].items():
        say(
            f"  claiming each list's first {depth}: precision {by_rank['precision']}, "
            f"recall {by_rank['recall']}"
        )
    for file, per_library in figures.get("off_topic", {}).items():
        for name, off in per_library.items():
            say(f"  {file}, {name}: {off['with_claims']} of {off['questions']} questions claimed")
    say(f"Serve it with ENABLEMENT_ANSWERS_PATH={out}")


@click.command("train-encoder")
@click.option(
    "--libraries",
    type=click.Path(path_type=Path),
    required=True,
    help="A folder of labelled libraries: their (question, answering passage) pairs train it.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("data/encoder"),
    show_default=True,
    help="Folder for the overlay weights and their manifest.",
)
@click.option("--date", "card_date", default=None, help="The date on the manifest (today).")
@click.option("--json", "as_json", is_flag=True, help="Print what was trained as JSON.")
@database_option
def train_encoder_command(
    libraries: Path, out: Path, card_date: str | None, as_json: bool, database_url: str | None
) -> None:
    """Fine-tune the encoder's top layers on labelled libraries and save them as an overlay.

    Serve it with ENABLEMENT_ENCODER_PATH=OUT, then re-index (`enablement index`): the index is
    keyed by the encoder's name. Each library is fine-tuned alone (about 4 minutes on 2 cores
    for ~450 pairs, kept in data/encoder-overlays) and the overlay is their soup. Example:

        enablement train-encoder --libraries eval/libraries --out models/encoder
    """
    with service(database_url) as svc:
        weights, trained = Evaluation(svc).train_encoder(libraries)
        base = base_spec(svc.model_spec).name
    card = {"trained": trained, "date": card_date or date.today().isoformat()}
    overlay = write_overlay(out, weights, base=base, **card)
    if as_json:
        click.echo(json.dumps({"file": str(overlay.path), "name": overlay.name, **card}, indent=2))
    else:
        sizes = ", ".join(f"{name} {n}" for name, n in trained["trained_on"].items())
        say(f"Saved {overlay.name} to {overlay.path} (pairs: {sizes}).")
        say(f"Serve it with ENABLEMENT_ENCODER_PATH={out}, then run `enablement index`.")
