"""The marketer dashboard in Chromium: every view drawn from the simulated history, CSV
downloads, filters in the URL, sign-in and its failures, accessibility, framing, screenshot."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import create_engine, update

from enablement.access.keys import Role
from enablement.db import tables
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.api.server import free_port
from tests.web.browser import assert_accessible, assert_framing_refused, static_server
from tests.web.conftest import WebServer
from tests.web.test_sidebar import fresh

VIEWS = ("funnel", "unused", "health", "coverage", "demand", "influence")
WIDE = {"width": 1280, "height": 900}
# Per view: whether its chart exists, its datasets' lengths, and whether any value is not zero.
CHARTS = """() => [...document.querySelectorAll('section.view canvas')].map(canvas => {
  const chart = Chart.getChart(canvas);
  const values = chart ? chart.data.datasets.flatMap(d => d.data)
    .flatMap(v => (v !== null && typeof v === 'object' && !Array.isArray(v) ? [v.v] : v)) : [];
  return {view: canvas.closest('section').id, type: chart ? chart.config.type : null,
          lengths: chart ? chart.data.datasets.map(d => d.data.length) : [],
          nonzero: values.some(v => Number(v) !== 0),
          role: canvas.getAttribute('role'), label: canvas.getAttribute('aria-label') || ''};
})"""


def marketer(web_server: WebServer) -> str:
    return web_server.token(fresh("marketer"), role="marketer")


def open_dashboard(page: Any, url: str, state: str = "ready") -> None:
    page.set_viewport_size(WIDE)
    page.goto(url)
    page.wait_for_selector(f"body[data-state={state}]", timeout=30_000)


def dashboard_url(web_server: WebServer, token: str | None = None, **filters: str) -> str:
    params = ({"token": token} if token else {}) | filters
    return f"{web_server.url}/dashboard" + (f"?{urlencode(params)}" if params else "")


def api_view(web_server: WebServer, view: str, **params: str) -> Any:
    response = web_server.api("GET", f"/v1/analytics/{view}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def summary_shown(page: Any, view: str) -> dict[str, str]:
    items = page.locator(f"#{view} .summary > div")
    return {
        items.nth(i).locator("dt").inner_text(): items.nth(i).locator("dd").inner_text()
        for i in range(items.count())
    }


def test_every_view_draws_its_chart_and_table_from_the_history(
    page: Any, web_server: WebServer, screenshot_dir: Any
) -> None:
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    assert "token" not in page.url  # taken out of the address bar at once
    expected = {view: api_view(web_server, view) for view in VIEWS}
    charts = {c["view"]: c for c in page.evaluate(CHARTS)}
    assert set(charts) == set(VIEWS)
    for view, chart in charts.items():
        assert chart["type"] is not None, f"{view} has no chart"
        assert chart["lengths"] and min(chart["lengths"]) > 0 and chart["nonzero"], chart
        assert chart["role"] == "img" and len(chart["label"]) > 20, chart
        assert page.locator(f"#{view}").get_attribute("data-state") == "ready", view
        assert page.locator(f"#{view} tbody tr").count() > 0, view
    assert charts["coverage"]["type"] == "matrix"
    # Each row of the heat map is labelled with its own stage, the first stage at the top.
    rows = page.evaluate(
        """() => {
          const y = Chart.getChart(document.querySelector('#coverage canvas')).scales.y;
          return y.ticks.map(t => [y.getLabels()[t.value], t.label, y.getPixelForValue(t.value)]);
        }"""
    )
    labels = {t["id"]: t["label"] for t in web_server.api("GET", "/v1/taxonomy").json()["stages"]}
    assert [stage for stage, _, _ in rows] == list(labels)
    assert all(shown == labels[stage] for stage, shown, _ in rows), rows
    assert [pixel for _, _, pixel in rows] == sorted(pixel for _, _, pixel in rows)
    assert charts["coverage"]["lengths"] == [len(expected["coverage"]["rows"])]
    assert charts["influence"]["lengths"] == [len(expected["influence"]["rows"])] * 2
    assert charts["demand"]["lengths"] == [len(expected["demand"]["rows"])]
    # The figures are the API's.
    funnel = expected["funnel"]["summary"]
    assert summary_shown(page, "funnel") == {
        "Recommended": f"{funnel['recommended']:,}", "Opened": f"{funnel['opened']:,}",
        "Sent": f"{funnel['sent']:,}", "Buyer viewed": f"{funnel['buyer_viewed']:,}",
        "In won deals": f"{funnel['deals_won']:,}",
    }  # fmt: skip
    weak = sum(row["weak"] for row in expected["coverage"]["rows"])
    assert page.locator("#coverage td.weak").count() == weak > 0
    assert page.locator("#influence tbody tr").count() == len(expected["influence"]["rows"])
    assert "Association, not cause" in page.locator("#influence .notes").inner_text()
    owners = page.locator("#unused tbody tr").first.locator("td").nth(1).inner_text()
    assert owners == (expected["unused"]["rows"][0]["owner"] or "No owner")
    page.screenshot(path=str(screenshot_dir / "dashboard.png"), full_page=True)
    # Readable at a small laptop's width: once the charts have followed the new width (they
    # resize on the next frames), the page itself does not scroll sideways.
    page.set_viewport_size({"width": 1024, "height": 800})
    page.wait_for_function("() => document.documentElement.scrollWidth <= 1024", timeout=5_000)


def test_a_csv_download_matches_the_api(page: Any, web_server: WebServer) -> None:
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV (funnel)").click()
    download = download_info.value
    assert download.suggested_filename == "funnel.csv"
    with Path(download.path()).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = api_view(web_server, "funnel")["rows"]
    shown = page.locator("#funnel tbody tr").count()
    assert len(rows) == len(expected) > shown  # every row, not the top few on the page
    assert {r["asset_id"]: int(r["sent"]) for r in rows} == {
        r["asset_id"]: r["sent"] for r in expected
    }
    assert sum(int(r["sent"]) for r in rows) > 0


def test_a_filter_changes_the_requests_the_views_and_the_url(
    page: Any, web_server: WebServer
) -> None:
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    everyone = api_view(web_server, "funnel")["summary"]
    healthcare = api_view(web_server, "funnel", vertical="healthcare")["summary"]
    assert healthcare["sent"] != everyone["sent"]
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if "/v1/analytics/" in r.url else None)
    page.select_option("#f-vertical", label="Healthcare")
    page.focus("#f-owner")
    page.keyboard.press("Enter")  # the form submits from the keyboard
    page.wait_for_selector("body[data-state=ready]")
    page.wait_for_function(
        "() => document.querySelector('#applied').textContent.includes('Healthcare')"
    )
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"vertical": ["healthcare"]}  # bookmarkable, and never the token
    views = {urlsplit(u).path.rsplit("/", 1)[1]: parse_qs(urlsplit(u).query) for u in requested}
    assert set(views) == set(VIEWS)
    assert all(params.get("vertical") == ["healthcare"] for params in views.values()), views
    assert summary_shown(page, "funnel")["Sent"] == f"{healthcare['sent']:,}"
    columns = page.evaluate(
        "Chart.getChart(document.querySelector('#coverage canvas')).data.datasets[0].data"
        ".map(p => p.x)"
    )
    assert set(columns) == {"healthcare"}
    # The bookmark reopens the same view (the token stays in this tab's sessionStorage).
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    assert page.locator("#f-vertical").input_value() == "healthcare"
    assert summary_shown(page, "funnel")["Sent"] == f"{healthcare['sent']:,}"
    page.go_back()  # before the filter: everyone again
    page.wait_for_function("() => !location.search.includes('vertical')")
    page.wait_for_selector("body[data-state=ready]")
    assert page.locator("#f-vertical").input_value() == ""
    assert summary_shown(page, "funnel")["Sent"] == f"{everyone['sent']:,}"


def test_a_bad_filter_shows_the_apis_error(page: Any, web_server: WebServer) -> None:
    open_dashboard(page, dashboard_url(web_server, marketer(web_server), vertical="atlantis"))
    error = page.locator("#filter-error")
    assert error.is_visible()
    assert "Unknown vertical 'atlantis'" in error.inner_text()
    assert "healthcare" in page.locator("#filter-error-valid li").all_inner_texts()
    assert page.locator("#f-vertical").get_attribute("aria-invalid") == "true"
    for view in VIEWS:
        assert page.locator(f"#{view}").get_attribute("data-state") == "error", view
    # Choosing a valid vertical clears it.
    page.select_option("#f-vertical", "education")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_selector("#funnel[data-state=ready]")
    assert not error.is_visible()


def _expire(web_server: WebServer, user: str) -> None:
    engine = create_engine(f"sqlite:///{web_server.data_dir / 'enablement.db'}")
    with engine.begin() as connection:
        t = tables.embed_tokens
        connection.execute(update(t).where(t.c.user_id == user).values(expires_at=t.c.created_at))
    engine.dispose()


@pytest.mark.parametrize(
    ("how", "title"),
    [
        ("expired", "Your session expired — sign in again"),
        ("forged", "Your sign-in is not valid — sign in again"),
    ],
)
def test_a_dead_token_asks_to_sign_in_again(
    page: Any, web_server: WebServer, how: str, title: str
) -> None:
    if how == "expired":
        user = fresh("marketer")
        token = web_server.token(user, role="marketer")
        _expire(web_server, user)
    else:
        token = "enbt_" + "x" * 43
    open_dashboard(page, dashboard_url(web_server, token), state="signin")
    assert page.locator("#sign-in-title").inner_text() == title
    assert page.locator("#secret").is_visible() and not page.locator("#views").is_visible()
    assert page.evaluate("sessionStorage.length") == 0  # the dead token is forgotten


def test_a_rep_is_told_the_dashboard_needs_the_marketer_role(
    page: Any, web_server: WebServer
) -> None:
    open_dashboard(page, dashboard_url(web_server, web_server.token(fresh("rep"))), "forbidden")
    assert page.locator("#sign-in-title").inner_text() == "The dashboard needs the marketer role"
    assert "rep" in page.locator("#sign-in-text").inner_text()
    assert page.locator("canvas").evaluate_all("cs => cs.filter(c => Chart.getChart(c))") == []


def _key(web_server: WebServer, role: Role) -> str:
    service = EnablementService(Settings(data_dir=web_server.data_dir))
    try:
        return service.keys.create(fresh(role.name), role).key
    finally:
        service.close()


def test_the_sign_in_form_takes_a_pasted_key(page: Any, web_server: WebServer) -> None:
    open_dashboard(page, dashboard_url(web_server), state="signin")
    assert page.locator("#sign-in-title").inner_text() == "Sign in to the dashboard"
    page.fill("#secret", _key(web_server, Role.rep))
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#sign-in-error').textContent !== ''")
    assert "needs the marketer role" in page.locator("#sign-in-error").inner_text()

    key = _key(web_server, Role.marketer)
    page.fill("#secret", key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("body[data-state=ready]")
    assert page.locator("#funnel tbody tr").count() > 0
    stored = page.evaluate("Object.values(sessionStorage)")
    # The key was exchanged for a token: only the token is kept, and never in the URL.
    assert len(stored) == 1 and stored[0].startswith("enbt_") and key not in page.url
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("body[data-state=signin]")
    assert page.evaluate("sessionStorage.length") == 0


def test_no_serious_accessibility_violations(page: Any, web_server: WebServer) -> None:
    open_dashboard(page, dashboard_url(web_server), state="signin")
    assert_accessible(page, web_server.url)
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    assert_accessible(page, web_server.url)
    # Keyboard focus is visible: tab to the first download button.
    page.focus("#f-reset")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement; "
        "return [e.textContent, getComputedStyle(e).outlineStyle]; }"
    )
    assert focused == ["Download CSV (funnel)", "solid"]


def test_only_the_configured_origins_may_frame_the_dashboard(
    page: Any, web_server: WebServer, tmp_path: Path
) -> None:
    target = dashboard_url(web_server)
    # 'self' is configured: the dashboard framing itself loads.
    open_dashboard(page, target, state="signin")
    page.evaluate(
        "src => document.body.append(Object.assign(document.createElement('iframe'), {src}))",
        target,
    )
    page.frame_locator("iframe").locator("body[data-state=signin]").wait_for(timeout=15_000)
    # A page on an origin that is not configured (a real server: Chromium also refuses local
    # pages to documents it cannot place on the local network).
    (tmp_path / "crm.html").write_text(
        f'<!doctype html><title>CRM</title><iframe src="{target}" title="Dashboard"></iframe>'
    )
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    with static_server(tmp_path, free_port()) as host:
        page.goto(f"{host}/crm.html")
        assert_framing_refused(page, console, web_server.url)
