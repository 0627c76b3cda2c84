"""`enablement embed-token`: a short-lived token for the sidebar or the dashboard, minted by an
operator."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import click

from enablement.access.keys import Role
from enablement.access.tokens import DEFAULT_TTL, MAX_TTL, MIN_TTL
from enablement.cli.common import database_option, say, service
from enablement.contract import EmbedTokenCreate, validate


@click.command("embed-token")
@click.option("--user", required=True, help="Who the token acts as; events carry this id.")
@click.option("--role", type=click.Choice(["rep", "marketer"]), default="rep", show_default=True,
              help="marketer: also signs in to the dashboard, whose URL is printed.")  # fmt: skip
@click.option("--ttl", "ttl_seconds", type=int, default=DEFAULT_TTL, show_default=True,
              help=f"Lifetime in seconds ({MIN_TTL} to {MAX_TTL}).")  # fmt: skip
@click.option("--url", "base_url", default="http://127.0.0.1:8000", show_default=True,
              envvar="ENABLEMENT_PUBLIC_URL", help="Where enablement is served.")  # fmt: skip
@click.option("--deal-id", help="Deal parameters to put in the printed sidebar URL: the id,")
@click.option("--stage", help="the stage,")
@click.option("--vertical", help="the vertical,")
@click.option("--question", "questions", multiple=True, help="buyer questions (repeatable).")
@click.option("--host-page", "host_pages", multiple=True,
              help="Also print a host page's URL with ?server=&token= (repeatable).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the token and URLs as JSON.")
@database_option
def embed_token(
    user: str, role: str, ttl_seconds: int, base_url: str, deal_id: str | None,
    stage: str | None, vertical: str | None, questions: tuple[str, ...],
    host_pages: tuple[str, ...], as_json: bool, database_url: str | None,
) -> None:  # fmt: skip
    """Mint an embed token for USER and print a ready-to-open sidebar (or dashboard) URL.

    The CLI mints as an operator (it has the database); CRMs call POST /v1/embed-tokens with
    their API key instead. Examples:

        enablement embed-token --user demo-rep --stage evaluation --question "do you sign a BAA?"

        enablement embed-token --user demo-marketer --role marketer --ttl 28800
    """
    # checked as POST /v1/embed-tokens checks its body: the same bounds, in the same words
    body = validate(EmbedTokenCreate, {"user": user, "role": role, "ttl_seconds": ttl_seconds})
    with service(database_url) as svc:
        token = svc.tokens.mint(user, role=Role[body.role], ttl_seconds=body.ttl_seconds)
    base = base_url.rstrip("/")
    deal = [("deal_id", deal_id), ("stage", stage), ("vertical", vertical)]
    params = [("token", token.token), *((k, v) for k, v in deal if v)]
    params += [("q", q) for q in questions]
    sidebar = f"{base}/sidebar?{urlencode(params)}"
    # The dashboard takes the token alone: its filters are chosen on the page.
    dashboard = f"{base}/dashboard?{urlencode({'token': token.token})}"
    pages = [f"{page}?{urlencode({'server': base, 'token': token.token})}" for page in host_pages]
    marketer = token.role is Role.marketer
    out = {**token.to_dict(), "sidebar_url": sidebar,
           "dashboard_url": dashboard if marketer else None, "host_pages": pages}  # fmt: skip
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    expires = token.expires_at.isoformat()
    say(f"Embed token for {token.user} ({token.role.name}), valid until {expires}:")
    if not marketer or len(params) > 1:  # a marketer gets the sidebar only for a given deal
        click.echo(f"  sidebar: {sidebar}")
    if marketer:
        click.echo(f"  dashboard: {dashboard}")
    for page in pages:
        say(f"  example: {page}")
