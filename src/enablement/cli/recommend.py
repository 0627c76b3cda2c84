"""`enablement recommend` and `enablement search`."""

from __future__ import annotations

import json
import textwrap

import click

from enablement.cli.common import database_option, service
from enablement.recommend.pipeline import RecommendationResult
from enablement.recommend.search import SearchResult


@click.command()
@click.option("--stage", help="Deal stage: an id or a CRM stage name (e.g. 'Needs Analysis').")
@click.option("--vertical", help="Industry vertical, e.g. healthcare.")
@click.option("--persona", help="Buyer role, e.g. it_security or CISO.")
@click.option("--product", "products", multiple=True, help="Product in the deal (repeatable).")
@click.option("--competitor", help="Competitor in the deal, e.g. brightwell.")
@click.option("--question", "questions", multiple=True, help="A buyer question (repeatable).")
@click.option("--shared", "already_shared", multiple=True, help="Asset id already sent.")
@click.option("--external-only", is_flag=True, help="Only assets that may be sent to buyers.")
@click.option("--language", help="Language code, e.g. en.")
@click.option("-k", "k", type=int, default=5, show_default=True, help="How many assets.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@database_option
def recommend(as_json: bool, database_url: str | None, **deal: object) -> None:
    """Recommend what to send next for a deal.

    Example:

        enablement recommend --stage "Needs Analysis" --vertical healthcare \\
            --persona operations --question "how fast are prior auths turned around?"
    """
    raw = {key: list(value) if isinstance(value, tuple) else value for key, value in deal.items()}
    raw = {key: value for key, value in raw.items() if value not in (None, [], False)}
    with service(database_url) as svc:
        result = svc.recommend(raw)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else _format_result(result))


@click.command()
@click.argument("query")
@click.option("--stage", help="Only assets for this stage.")
@click.option("--vertical", help="Only assets for this vertical.")
@click.option("--persona", help="Only assets for this persona.")
@click.option("--type", "type_", help="Only assets of this type, e.g. case_study.")
@click.option("--external-only", is_flag=True, help="Only assets that may be sent to buyers.")
@click.option("--include-expired", is_flag=True, help="Include expired assets.")
@click.option("--limit", type=int, default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@database_option
def search(
    query: str, type_: str | None, limit: int, as_json: bool, database_url: str | None,
    **filters: object,
) -> None:  # fmt: skip
    """Search the library in free text.

    Example:

        enablement search "data residency in the EU" --type security_doc
    """
    with service(database_url) as svc:
        result = svc.search(query, filters={**filters, "type": type_}, limit=limit)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else _format_search(result))


def _format_result(result: RecommendationResult) -> str:
    lines = [f"{w}" for w in result.warnings]
    if not result.items:
        lines.append("No eligible assets for this deal.")
    for item in result.items:
        lines.append(
            f"{item.rank}. {item.asset.title}  [{item.asset.type or 'untyped'}]  {item.asset.id}"
        )
        lines.append(f"   {item.summary}")
        for passage in item.passages[:2]:
            where = f" ({passage.location})" if passage.location else ""
            lines.append("   " + textwrap.shorten(f"\u201c{passage.text}\u201d{where}", width=150))
    return "\n".join(lines)


def _format_search(result: SearchResult) -> str:
    if not result.hits:
        return "No matches."
    lines = []
    for rank, hit in enumerate(result.hits, start=1):
        lines.append(f"{rank}. {hit.asset.title}  [{hit.asset.type or 'untyped'}]  {hit.asset.id}")
        where = f" ({hit.passage.location})" if hit.passage.location else ""
        lines.append("   " + textwrap.shorten(f"\u201c{hit.passage.text}\u201d{where}", width=150))
    return "\n".join(lines)
