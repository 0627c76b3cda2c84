"""The sidebar in Chromium: recommendations from URL parameters, the rep's actions as stored
events, the error states, and its screenshot (with the deal's "Already sent" list)."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, update

from enablement.db import tables
from tests.web.browser import assert_accessible, sidebar_url
from tests.web.conftest import CONTENT_HOST, WebServer

DEAL = {
    "stage": "Needs Analysis",
    "vertical": "healthcare",
    "persona": "CISO",
    "q": ["do you sign a BAA?", "how long does implementation take?"],
}
_numbers = itertools.count()
VISIBLE = "performance.getEntriesByName('enablement:results-visible')"


def fresh(prefix: str) -> str:
    """A user or deal id no other test uses, so counts below are this test's alone."""
    return f"{prefix}-{next(_numbers)}-{time.monotonic_ns()}"


def ready(page: Any) -> None:
    page.wait_for_selector("body[data-state=ready]", timeout=15_000)


def count(server: WebServer, table: Any, **where: Any) -> int:
    engine = create_engine(f"sqlite:///{server.data_dir / 'enablement.db'}")
    try:
        query = select(func.count()).select_from(table)
        for name, value in where.items():
            query = query.where(table.c[name] == value)
        with engine.connect() as connection:
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


def settle(server: WebServer, table: Any, expected: int, **where: Any) -> None:
    """Wait until `expected` rows match, then check no more arrive (a retry, a double click)."""
    deadline = time.monotonic() + 5
    while count(server, table, **where) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.4)
    assert count(server, table, **where) == expected, where


def buyer_opens(link: str, times: int) -> None:
    """`times` buyers' browsers (no cookies) open a share link."""
    for _ in range(times):
        opened = httpx.get(link, headers={"User-Agent": "Mozilla/5.0 Chrome/131.0"})
        assert opened.status_code == 302, opened.text


def sent_earlier(server: WebServer, deal_id: str, asset_id: str, *, days: int, views: int) -> None:
    """What another rep did in the deal before: a share link the buyer opened, marked sent."""
    link = server.api("POST", "/v1/share-links", json={"deal_id": deal_id, "asset_id": asset_id})
    buyer_opens(link.json()["url"], views)
    at = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    event = {"idempotency_key": fresh("sent"), "type": "sent", "deal_id": deal_id,
             "asset_id": asset_id, "occurred_at": at}  # fmt: skip
    assert server.api("POST", "/v1/events", json=event).status_code == 201


def test_url_parameters_show_the_deals_top_assets_at_360px(
    page: Any, web_server: WebServer, screenshot_dir: Any
) -> None:
    deal_id = fresh("deal")
    body = {"deal_id": deal_id, "stage": DEAL["stage"], "vertical": DEAL["vertical"],
            "persona": DEAL["persona"], "questions": DEAL["q"], "k": 5}  # fmt: skip
    before = web_server.api("POST", "/v1/recommendations", json=body).json()
    sent = next(item for item in before["items"] if item["external"])
    sent_earlier(web_server, deal_id, sent["asset_id"], days=2, views=3)
    page.goto(sidebar_url(web_server.url, web_server.token(fresh("rep")), deal_id=deal_id, **DEAL))
    ready(page)
    expected = web_server.api("POST", "/v1/recommendations", json=body).json()
    first = page.locator(".card").first
    assert first.locator(".title").inner_text() == expected["items"][0]["title"]
    assert first.locator(".title").is_visible() and first.locator(".reason").is_visible()
    assert first.locator(".reason").inner_text() == expected["items"][0]["summary"]
    assert page.locator(".card").count() == len(expected["items"]) == 5
    caption = first.locator(".passage figcaption").first.inner_text()
    assert caption.startswith("Answers “do you sign a BAA?”") or "implementation" in caption
    assert page.locator("#unanswered").is_hidden()
    # The stage as the CRM named it, not the canonical "Discovery".
    assert (
        page.locator("#deal").inner_text()
        == "Needs Analysis · Healthcare · IT security · 2 buyer questions"
    )
    # What the deal's buyer already has is listed under the cards, not offered again.
    shown = page.eval_on_selector_all(".card", "cards => cards.map(c => c.dataset.assetId)")
    assert sent["asset_id"] not in shown
    listed = page.locator(f"#already-sent li[data-asset-id='{sent['asset_id']}']")
    assert listed.locator(".sent-title").inner_text() == sent["title"]
    assert listed.locator(".sent-status").inner_text() == "Sent 2 days ago · viewed 3×"
    assert_accessible(page, web_server.url)
    # Readable at the panel's width: nothing wider than the viewport, no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert "token=" not in page.url  # taken out of the address bar and history
    page.screenshot(path=str(screenshot_dir / "sidebar.png"), full_page=True)


def test_each_action_stores_exactly_one_event(
    page: Any, context: Any, web_server: WebServer
) -> None:
    rep, deal_id = fresh("rep"), fresh("deal")
    url = sidebar_url(web_server.url, web_server.token(rep), deal_id=deal_id, **DEAL)
    page.goto(url)
    ready(page)
    card = page.locator(".card").filter(has=page.locator("button.copy")).first
    asset = card.get_attribute("data-asset-id")
    events = tables.events
    mine = {"user_id": rep, "deal_id": deal_id}

    with context.expect_page() as opened:
        card.locator("a.open").click()
    assert opened.value.url.startswith(CONTENT_HOST)
    settle(web_server, events, 1, type="opened", asset_id=asset, **mine)

    card.locator("button.copy").click()
    share = card.locator(".share-url")
    share.wait_for(state="visible")
    link = share.input_value()
    assert link.startswith(f"{web_server.url}/s/")
    assert page.evaluate("navigator.clipboard.readText()") == link
    card.locator("button.copy").click()  # copying again reuses the link
    settle(web_server, tables.share_links, 1, deal_id=deal_id, asset_id=asset, user_id=rep)

    card.locator("button.sent").click()
    page.wait_for_selector(f'.card[data-asset-id="{asset}"] .badge.sent')
    card.locator("button.sent").click(force=True)  # already sent: not recorded twice
    settle(web_server, events, 1, type="sent", asset_id=asset, **mine)

    card.locator("button.up").click()
    page.wait_for_selector(f'.card[data-asset-id="{asset}"] button.up[aria-pressed=true]')
    card.locator("button.up").click()
    settle(web_server, events, 1, type="feedback", asset_id=asset, rating=1, **mine)
    shown = count(web_server, events, type="recommended", **mine)  # logged by the server
    assert count(web_server, events, **mine) - shown == 3  # opened, sent, feedback: no more

    engine = create_engine(f"sqlite:///{web_server.data_dir / 'enablement.db'}")
    with engine.connect() as connection:
        mine_only = (events.c.user_id == rep) & (events.c.type != "recommended")
        rows = connection.execute(select(events).where(mine_only)).all()
    engine.dispose()
    assert {r.stage for r in rows} == {"discovery"} and all(r.recommendation_id for r in rows)
    sent = next(r for r in rows if r.type == "sent")
    assert sent.link_id is not None  # the sent event names the share link copied before

    # The buyer opens the link; the card says so at once (on the tab's return)...
    # The link redirects to the asset's url, a host the browser cannot route a redirect to here.
    opened_link = context.request.get(link, max_redirects=0)
    assert opened_link.status == 302 and opened_link.headers["location"].startswith(CONTENT_HOST)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    status = page.locator(f'.card[data-asset-id="{asset}"] .link-status')
    status.wait_for(state="visible")
    page.wait_for_function(
        "s => document.querySelector(s).textContent.startsWith('Buyer viewed it 1×')",
        arg=f'.card[data-asset-id="{asset}"] .link-status',
    )
    # ...and the rep's next look at the deal lists it as sent, instead of offering it again.
    page.goto(url)
    ready(page)
    assert page.locator(f'.card[data-asset-id="{asset}"]').count() == 0
    listed = page.locator(f'#already-sent li[data-asset-id="{asset}"] .sent-status')
    assert listed.inner_text() == "Sent just now · viewed 1×"


def test_already_sent_assets_are_marked(page: Any, web_server: WebServer) -> None:
    token = web_server.token(fresh("rep"))
    page.goto(sidebar_url(web_server.url, token, deal_id=fresh("deal"), **DEAL))
    ready(page)
    ids = page.eval_on_selector_all(".card", "cards => cards.map(c => c.dataset.assetId)")
    page.goto(sidebar_url(web_server.url, token, deal_id=fresh("deal"), sent=ids[1], **DEAL))
    ready(page)
    marked = page.eval_on_selector_all(
        ".card:has(.badge.sent)", "cards => cards.map(c => c.dataset.assetId)"
    )
    assert marked == [ids[1]]
    button = page.locator(f'.card[data-asset-id="{ids[1]}"] button.sent')
    assert button.inner_text() == "Sent ✓"


def test_an_unknown_stage_lists_the_valid_stages(page: Any, web_server: WebServer) -> None:
    token = web_server.token(fresh("rep"))
    page.goto(sidebar_url(web_server.url, token, deal_id="d", stage="negotation"))
    page.wait_for_selector("body[data-state=problem]")
    assert page.locator("#problem-title").inner_text() == "This deal's stage is not one we know"
    assert (
        "Unknown stage 'negotation'. Did you mean 'negotiation'?"
        in page.locator("#problem-text").inner_text()
    )
    stages = page.locator("#problem-list li").all_inner_texts()
    assert stages == [
        "prospecting", "discovery", "evaluation", "proposal", "negotiation", "closed_won",
    ]  # fmt: skip
    assert page.evaluate("document.activeElement.id") == "problem"  # focus moves to the message


def test_an_expired_token_asks_to_sign_in_again(page: Any, web_server: WebServer) -> None:
    rep = fresh("rep")
    token = web_server.token(rep)
    engine = create_engine(f"sqlite:///{web_server.data_dir / 'enablement.db'}")
    with engine.begin() as connection:
        t = tables.embed_tokens
        connection.execute(update(t).where(t.c.user_id == rep).values(expires_at=t.c.created_at))
    engine.dispose()
    page.goto(sidebar_url(web_server.url, token, deal_id="d", **DEAL))
    page.wait_for_selector("body[data-state=signin]")
    assert page.locator("#problem-title").inner_text() == "Your session expired — sign in again"
    assert page.locator(".card").count() == 0


def test_a_forged_token_asks_to_sign_in_again(page: Any, web_server: WebServer) -> None:
    page.goto(sidebar_url(web_server.url, "enbt_" + "x" * 43, deal_id="d", **DEAL))
    page.wait_for_selector("body[data-state=signin]")
    assert page.locator("#problem-title").inner_text() == (
        "Your sign-in is not valid — sign in again"
    )
    page.goto(f"{web_server.url}/sidebar?stage=evaluation")  # no token at all
    page.wait_for_selector("body[data-state=signin]")
    assert "Sign in" in page.locator("#problem-title").inner_text()


def test_results_show_soon_after_the_page_starts(page: Any, web_server: WebServer) -> None:
    """A loose guard (the figures come from benchmarks/sidebar.py): a warm load's results are
    visible well within a second of navigation start."""
    url = sidebar_url(web_server.url, web_server.token(fresh("rep")), deal_id="d", **DEAL)
    times = []
    for _ in range(3):
        page.goto(url)
        ready(page)
        marks: list[float] = []
        for _ in range(50):  # the mark is set in the animation frame after the cards
            marks = page.evaluate(f"{VISIBLE}.map(e => e.startTime)")
            if marks:
                break
            page.wait_for_timeout(20)
        times.append(marks[0])
    assert 0 < sorted(times)[1] < 1000, times


def test_a_question_nothing_answers_is_said_plainly_and_the_deal_still_gets_assets(
    page: Any, web_server: WebServer
) -> None:
    question = "can your product make pizza for our office party?"
    deal = {**DEAL, "q": [question]}
    page.goto(sidebar_url(web_server.url, web_server.token(fresh("rep")), **deal))
    ready(page)
    expected = web_server.api(
        "POST", "/v1/recommendations",
        json={"stage": DEAL["stage"], "vertical": DEAL["vertical"], "persona": DEAL["persona"],
              "questions": [question], "k": 5},
    ).json()  # fmt: skip
    assert expected["questions"][0]["answered"] is False
    notice = page.locator("#unanswered")
    assert notice.is_visible()
    assert notice.inner_text().startswith("Nothing in the library answers this yet.")
    assert page.locator(".card").count() == len(expected["items"]) > 0
    captions = page.locator(".passage figcaption").all_inner_texts()
    assert captions and not any(c.startswith("Answers") for c in captions)
    assert not any(r["code"] == "answers_question" for i in expected["items"] for r in i["reasons"])
