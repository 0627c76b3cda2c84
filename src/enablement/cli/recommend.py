"""`enablement recommend` and `enablement search`."""

from __future__ import annotations

import json
import textwrap

import click

from enablement.cli.common import database_option, printable, say, service
from enablement.contract import DealContext, SearchRequest, validate
from enablement.recommend.context import SentAsset
from enablement.recommend.readable import quoted
from enablement.recommend.result import RecommendationResult
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
@click.option("--language", help="Language code, e.g. en (one the library's assets are in).")
@click.option("-k", "k", type=int, default=5, show_default=True, help="How many assets (1 to 50).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@database_option
def recommend(as_json: bool, database_url: str | None, **deal: object) -> None:
    """Recommend what to send next for a deal.

    The deal is checked as POST /v1/recommendations checks it: the same bounds, and the same
    message for a value out of them. A product or competitor no asset names is a warning.

    Example:

        enablement recommend --stage "Needs Analysis" --vertical healthcare \\
            --persona operations --question "how fast are prior auths turned around?"
    """
    raw = {key: list(value) if isinstance(value, tuple) else value for key, value in deal.items()}
    body = validate(DealContext, _given(raw))
    with service(database_url) as svc:
        result = svc.recommend(body.to_raw())
    if as_json:  # the API's body; the CLI logs no served recommendation, so no id to quote
        click.echo(json.dumps({"recommendation_id": None, **result.to_dict()}, indent=2))
    else:
        say(_format_result(result))


@click.command()
@click.argument("query")
@click.option("--stage", help="Only assets for this stage.")
@click.option("--vertical", help="Only assets for this vertical.")
@click.option("--persona", help="Only assets for this persona.")
@click.option("--type", "type_", help="Only assets of this type, e.g. case_study.")
@click.option("--language", help="Only assets in this language (or with none declared).")
@click.option("--external-only", is_flag=True, help="Only assets that may be sent to buyers.")
@click.option("--include-expired", is_flag=True, help="Include expired assets.")
@click.option("--limit", type=int, default=10, show_default=True, help="Hits per page (1 to 50).")
@click.option("--cursor", help="The `next` of a page: the page after it.")
@click.option("--json", "as_json", is_flag=True, help='Print {"items": [...], "next": ...}.')
@database_option
def search(
    query: str, type_: str | None, include_expired: bool, as_json: bool,
    database_url: str | None, **options: object,
) -> None:  # fmt: skip
    """Search the library in free text, a page at a time (as GET /v1/search).

    Example:

        enablement search "data residency in the EU" --type security_doc
    """
    params = validate(SearchRequest, {"q": query, **_given({**options, "type": type_})})
    filters = {**params.filters(), "include_expired": include_expired}
    with service(database_url) as svc:
        result = svc.search(params.q, filters=filters, limit=params.limit, cursor=params.cursor)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        say(_format_search(result))


def _given(options: dict[str, object]) -> dict[str, object]:
    """The options the user gave: unset ones (None, an empty repeatable, an unset flag) left
    out. `is`, not `in`: 0 == False, and `-k 0` must reach the check that refuses it."""
    return {k: v for k, v in options.items() if not (v is None or v is False or v == [])}


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
    lines: list[str] = []
    for rank, hit in enumerate(result.hits, start=1):
        title, kind = printable(hit.asset.title), hit.asset.type or "untyped"
        lines.append(f"{rank}. {title}  [{kind}]  {printable(hit.asset.id)}")
        lines.append(_quote(hit.passage.text, hit.passage.location))
    if result.next is not None:
        lines.append(f"More: --cursor {result.next}")
    return "\n".join(lines)


def _quote(text: str, location: str | None) -> str:
    """A passage on one line, in quote marks unless it brings its own."""
    where = f" ({location})" if location else ""
    return "   " + textwrap.shorten(printable(f"{quoted(text)}{where}"), width=150)
