"""The sidebar as a rep uses it, in Chromium: the rep's own preview of a share link is not a buyer
view, an empty deal says what the CRM should pass, no deal id disables tracking with the reason,
passages read as text and tables (no pipes, no speaker notes, no doubled quotes), and two and a
half cards fit above the fold at 360 x 640."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import create_engine, select

from enablement.db import tables
from tests.web.browser import assert_accessible, sidebar_url
from tests.web.conftest import CONTENT_HOST, WebServer
from tests.web.test_sidebar import DEAL, count, fresh, ready

NO_DEAL = "Open this from a deal to track sends"


def link_views(server: WebServer, deal_id: str) -> list[int]:
    engine = create_engine(f"sqlite:///{server.data_dir / 'enablement.db'}")
    try:
        with engine.connect() as connection:
            links = tables.share_links
            query = select(links.c.views).where(links.c.deal_id == deal_id)
            return [int(v) for v in connection.execute(query).scalars()]
    finally:
        engine.dispose()


def expected(server: WebServer, **deal: Any) -> dict[str, Any]:
    response = server.api("POST", "/v1/recommendations", json=deal)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_reps_own_preview_of_a_link_is_not_a_buyer_view(
    page: Any, context: Any, browser: Any, web_server: WebServer
) -> None:
    deal_id = fresh("deal")
    page.goto(sidebar_url(web_server.url, web_server.token(fresh("rep")), deal_id=deal_id, **DEAL))
    ready(page)
    card = page.locator(".card").filter(has=page.locator("button.copy")).first
    card.locator("button.copy").click()
    card.locator(".share-url").wait_for(state="visible")
    link = card.locator(".share-url").input_value()
    preview = card.locator("a.preview")
    assert preview.get_attribute("href").startswith(f"{link}?preview=")

    with context.expect_page() as opened:  # the rep looks at what the buyer will get
        preview.click()
    opened.value.wait_for_url(f"{CONTENT_HOST}**")
    assert link_views(web_server, deal_id) == [0]
    # Later the rep clicks the plain link in their sent mail: the same browser, still the rep.
    again = context.request.get(link, max_redirects=0)
    assert again.status == 302
    assert link_views(web_server, deal_id) == [0]

    buyer = browser.new_context()  # the buyer's browser counts
    try:
        assert buyer.request.get(link, max_redirects=0).status == 302
    finally:
        buyer.close()
    assert link_views(web_server, deal_id) == [1]


def test_a_deal_without_context_says_what_the_crm_should_pass(
    page: Any, web_server: WebServer
) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    url = sidebar_url(web_server.url, web_server.token(fresh("rep")), deal_id=fresh("deal"))
    page.goto(url)
    page.wait_for_selector("body[data-state=empty]")
    empty = page.locator("#empty")
    assert empty.is_visible() and page.locator("#problem").is_hidden()
    assert page.locator("#empty-title").inner_text() == "No deal details yet"
    text = empty.inner_text()
    for field in ("stage", "vertical", "persona", "q", "questions", "product", "products",
                  "competitor", "deal_id", "enablement:context"):  # fmt: skip
        assert re.search(rf"\b{re.escape(field)}\b", text), field
    assert page.locator(".card").count() == 0
    assert not [u for u in asked if "/v1/recommendations" in u]  # no generic list asked for
    assert_accessible(page, web_server.url)


def test_without_a_deal_id_sending_and_copying_are_disabled_and_say_why(
    page: Any, web_server: WebServer
) -> None:
    rep = fresh("rep")
    page.goto(sidebar_url(web_server.url, web_server.token(rep), **DEAL))
    ready(page)
    card = page.locator(".card").filter(has=page.locator("button.copy")).first
    for selector in ("button.copy", "button.sent"):
        button = card.locator(selector)
        assert button.get_attribute("aria-disabled") == "true"
        assert button.get_attribute("title") == NO_DEAL
        expect(button).to_have_accessible_description(re.compile(re.escape(NO_DEAL)))
        button.focus()  # still reachable by keyboard, so the reason can be read
        assert page.evaluate("document.activeElement.classList.contains('unavailable')")
        button.click(force=True)  # what a rep's click does: nothing (Playwright would wait)
    page.wait_for_timeout(500)
    assert card.locator(".share").is_hidden()
    assert card.locator("button.sent").inner_text() == "Mark as sent"
    assert count(web_server, tables.share_links, user_id=rep) == 0
    assert count(web_server, tables.events, user_id=rep, type="sent") == 0
    assert_accessible(page, web_server.url)


def test_passages_read_as_text_and_tables_without_pipes_notes_or_doubled_quotes(
    page: Any, web_server: WebServer
) -> None:
    token = web_server.token(fresh("rep"))
    question = "what prior authorization turnaround did Meridian get before and after?"
    table_deal = {"stage": "Needs Analysis", "vertical": "healthcare", "q": question}
    api = expected(web_server, stage="Needs Analysis", vertical="healthcare", questions=[question])
    shown = [p for item in api["items"] for p in item["passages"]]
    tables_ = [b for p in shown for b in p["blocks"] if b["kind"] == "table" and b["header"]]
    assert tables_ and any(p["location"].startswith("slide") for p in shown)  # a deck's, too
    page.goto(sidebar_url(web_server.url, token, **table_deal))
    ready(page)
    headers = page.eval_on_selector_all(
        ".passage-table th:first-child",
        "cells => cells.map(th => [...th.parentElement.children].map(c => c.textContent))",
    )
    assert tables_[0]["header"] in headers
    _assert_readable(page)
    assert_accessible(page, web_server.url)

    quoting = {"stage": "evaluation", "competitor": "brightwell",
               "q": "they say we already own Brightwell, why switch?"}  # fmt: skip
    page.goto(sidebar_url(web_server.url, token, **quoting))
    ready(page)
    quotes = page.locator(".passage blockquote").all_inner_texts()
    assert any(text.startswith('"We already own Brightwell."') for text in quotes), quotes
    _assert_readable(page)


def _assert_readable(page: Any) -> None:
    for text in page.locator(".passage blockquote").all_inner_texts():
        assert " | " not in text and "Speaker notes" not in text, text
        assert not re.match(r"^[\"“”]{2}", text) and not re.search(r"[\"“”]{2}$", text), text


def test_two_and_a_half_cards_fit_above_the_fold_at_360_by_640(
    browser: Any, web_server: WebServer
) -> None:
    unanswered = {**DEAL, "q": [*DEAL["q"], "can your product make pizza for our office party?"]}
    small = browser.new_context(viewport={"width": 360, "height": 640})
    try:
        page = small.new_page()
        for deal in (DEAL, unanswered):  # the second with its "nothing answers" notice
            page.goto(sidebar_url(web_server.url, web_server.token(fresh("rep")), **deal))
            ready(page)
            third = page.locator(".card").nth(2).bounding_box()
            assert third["y"] + third["height"] / 2 <= 640, (deal, third)
        assert page.locator("#unanswered").is_visible()
    finally:
        small.close()
