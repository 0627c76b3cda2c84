"""The sidebar framed by CRM pages (the examples under examples/): postMessage, URL parameters,
frame-ancestors, where messages may come from, and accessibility."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from tests.web.browser import (
    assert_accessible,
    assert_framing_refused,
    serious_violations,
    sidebar_url,
)
from tests.web.conftest import WebServer
from tests.web.test_sidebar import DEAL, fresh, ready

FOCUSED_NAME = (
    "document.activeElement.textContent.trim() || document.activeElement.getAttribute('aria-label')"
)


def example(web_server: WebServer, host: str, name: str, user: str) -> str:
    query = urlencode({"server": web_server.url, "token": web_server.token(user)})
    return f"{host}/{name}/?{query}"


def test_a_salesforce_page_sends_the_deal_by_postmessage(
    page: Any, web_server: WebServer, screenshot_dir: Any
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(example(web_server, web_server.allowed_host, "salesforce", fresh("rep")))
    sidebar = page.frame_locator("iframe")
    sidebar.locator("body[data-state=ready]").wait_for(timeout=15_000)
    assert "token" not in page.locator("iframe").get_attribute("src")  # not in the URL
    first = sidebar.locator(".card").first
    assert first.locator(".title").is_visible() and first.locator(".reason").is_visible()
    # The stage as the CRM names it ("Needs Analysis"), not the canonical "Discovery".
    deal = sidebar.locator("#deal").inner_text()
    assert deal.startswith("Needs Analysis · Healthcare · IT security"), deal
    page.screenshot(path=str(screenshot_dir / "salesforce-example.png"))
    # The deal moves on: the page posts the new context and the sidebar follows.
    page.get_by_role("button", name="Proposal/Price Quote").click()
    sidebar.locator("#deal", has_text="Proposal").wait_for(timeout=15_000)
    sidebar.locator("body[data-state=ready]").wait_for()


def test_a_hubspot_card_gives_the_deal_in_the_url(page: Any, web_server: WebServer) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(example(web_server, web_server.allowed_host, "hubspot", fresh("rep")))
    sidebar = page.frame_locator("iframe")
    sidebar.locator("body[data-state=ready]").wait_for(timeout=15_000)
    # HubSpot passes its stage's internal value; the sidebar says it in words.
    deal = sidebar.locator("#deal").inner_text()
    assert deal.startswith("Presentation scheduled · Financial services"), deal
    assert sidebar.locator(".card .title").first.is_visible()


def test_an_origin_not_configured_cannot_frame_the_sidebar(
    page: Any, web_server: WebServer
) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(example(web_server, web_server.other_host, "salesforce", fresh("rep")))
    assert_framing_refused(page, console, web_server.url)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://127.0.0.1:8000", True),  # 'self'
        ("https://acme.lightning.force.com", True),
        ("https://a.b.lightning.force.com", True),
        ("https://lightning.force.com", False),  # *. needs a subdomain
        ("http://acme.lightning.force.com", False),  # scheme
        ("https://evil-lightning.force.com", False),
        ("https://app.hubspot.com", True),
        ("https://app.hubspot.com:8443", False),  # port
        ("https://app.hubspot.com.evil.example", False),
        ("http://localhost:3000", True),
        ("http://localhost:3001", False),
        ("null", False),
    ],
)
def test_which_origins_may_send_the_context(
    page: Any, web_server: WebServer, origin: str, allowed: bool
) -> None:
    page.goto(f"{web_server.url}/static/css/sidebar.css")  # any same-origin document
    sources = ["'self'", "https://*.lightning.force.com", "https://app.hubspot.com",
               "http://localhost:3000"]  # fmt: skip
    got = page.evaluate(
        """async ([origin, sources]) => {
            const { originAllowed } = await import('/static/js/context.js');
            return originAllowed(origin, sources, 'http://127.0.0.1:8000');
        }""",
        [origin, sources],
    )
    assert got is allowed


def test_the_sidebar_has_no_serious_accessibility_violations(
    page: Any, web_server: WebServer
) -> None:
    rep = fresh("rep")
    page.goto(sidebar_url(web_server.url, web_server.token(rep), deal_id=fresh("d"), **DEAL))
    ready(page)
    page.locator(".card button.copy").first.click()  # with the share link shown too
    page.locator(".share-url").first.wait_for(state="visible")
    assert_accessible(page, web_server.url)
    page.goto(sidebar_url(web_server.url, web_server.token(rep), deal_id="d", stage="nowhere"))
    page.wait_for_selector("body[data-state=problem]")
    assert_accessible(page, web_server.url)


def test_the_accessibility_check_finds_real_violations(page: Any, web_server: WebServer) -> None:
    """The helper is not a rubber stamp: a page with an unlabeled button fails it."""
    page.goto(f"{web_server.url}/static/css/sidebar.css")
    page.evaluate(
        "document.body.innerHTML = '<button></button><img src=x.png>'; document.title = 't'"
    )
    found = {v["id"] for v in serious_violations(page, web_server.url)}
    assert "button-name" in found


def test_the_sidebar_works_from_the_keyboard(page: Any, web_server: WebServer) -> None:
    rep = fresh("rep")
    page.goto(sidebar_url(web_server.url, web_server.token(rep), deal_id=fresh("d"), **DEAL))
    ready(page)
    # A card whose asset answers more than one question first offers its other answers.
    more = page.locator(".card").first.locator("details summary").count()
    order = []
    for _ in range(5 + more):
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUSED_NAME))
    expected = ["Open", "Copy link", "Mark as sent", "Helpful", "Not helpful"]
    assert order[more:] == expected and all("more answer" in name for name in order[:more])
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # focus is visible
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # on "Mark as sent"
    page.wait_for_selector(".card .badge.sent")
    assert page.locator("#announce").inner_text().startswith("Marked ")
