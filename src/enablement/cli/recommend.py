"""`enablement recommend` and `enablement search`."""

from __future__ import annotations

import json
import textwrap

import click

from enablement.cli.common import database_option, printable, say, service
from enablement.recommend.context import SentAsset
from enablement.recommend.pipeline import RecommendationResult
from enablement.recommend.readable import quoted
from enablement.recommend.search import SearchResult


@click.command()
@click.option(
    "--deal-id", help="The CRM's deal id: assets already sent or shared by link in it are left out."
)
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
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        say(_format_result(result))


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
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        say(_format_search(result))


def _format_result(result: RecommendationResult) -> str:
    """The result as text; stored and asked text is made printable, one line per field."""
    lines = [printable(w) for w in result.warnings]
    if not result.items:
        lines.append("No eligible assets for this deal.")
    for item in result.items:
        title, kind = printable(item.asset.title), item.asset.type or "untyped"
        lines.append(f"{item.rank}. {title}  [{kind}]  {printable(item.asset.id)}")
        lines.append(f"   {printable(item.summary)}")
        lines += [_quote(passage.text, passage.location) for passage in item.passages[:2]]
    if result.deal.sent:
        lines.append("Already sent in this deal (not recommended again):")
        lines += [_sent(item) for item in result.deal.sent]
    return "\n".join(lines)


def _sent(item: SentAsset) -> str:
    """One line per asset the buyer has: when, how, and what the buyer did with its links."""
    how = "marked sent" if item.via == "sent" else "share link"
    line = f"   {printable(item.title or item.asset_id)}  {printable(item.asset_id)}  "
    line += f"{how} {item.sent_at:%Y-%m-%d %H:%M} UTC"
    if item.buyer_views is not None:
        line += f" · viewed {item.buyer_views}×" if item.buyer_views else " · not opened yet"
    if item.last_viewed_at is not None:
        line += f", last {item.last_viewed_at:%Y-%m-%d %H:%M} UTC"
    return line


def _format_search(result: SearchResult) -> str:
    if not result.hits:
        return "No matches."
    lines = []
    for rank, hit in enumerate(result.hits, start=1):
        title, kind = printable(hit.asset.title), hit.asset.type or "untyped"
        lines.append(f"{rank}. {title}  [{kind}]  {printable(hit.asset.id)}")
        lines.append(_quote(hit.passage.text, hit.passage.location))
    return "\n".join(lines)


def _quote(text: str, location: str | None) -> str:
    """A passage on one line, in quote marks unless it brings its own."""
    where = f" ({location})" if location else ""
    return "   " + textwrap.shorten(printable(f"{quoted(text)}{where}"), width=150)
