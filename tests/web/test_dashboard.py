"""The marketer dashboard in Chromium: every view drawn from the simulated history, CSV
downloads, filters in the URL, the sticky section bar, words for every field and for an empty
period, influence's verdicts, demand's themes, ISO dates, sign-in and its failures,
accessibility, framing, screenshot."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import create_engine, select, update

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
CHARTS = """() => [...document.querySelectorAll('section.view[data-view] canvas')].map(canvas => {
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
    # An interval dataset per verdict present, and the differences as points.
    assert len(charts["influence"]["lengths"]) >= 2
    assert set(charts["influence"]["lengths"]) == {len(expected["influence"]["rows"])}
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


def focused(page: Any) -> list[str]:
    """The focused element's text (or id, when it has none) and its outline style."""
    return list(
        page.evaluate(
            "() => { const e = document.activeElement; "
            "return [e.textContent.trim() ? e.textContent : e.id, "
            "getComputedStyle(e).outlineStyle]; }"
        )
    )


def current_section(page: Any) -> list[str]:
    return list(page.locator("#section-nav a[aria-current=true]").all_inner_texts())


def wait_current(page: Any, name: str) -> None:
    page.wait_for_function(
        "name => [...document.querySelectorAll('#section-nav a[aria-current=true]')]"
        ".map(a => a.textContent).join() === name",
        arg=name,
        timeout=5_000,
    )


def test_the_section_bar_stays_in_view_and_marks_the_section_being_read(
    page: Any, web_server: WebServer
) -> None:
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    nav = page.get_by_role("navigation", name="Sections")
    assert nav.get_by_role("link").all_inner_texts() == [
        "Funnel", "Unused", "Health", "Coverage", "Demand", "Influence", "Experiments",
        "Tag review",
    ]  # fmt: skip
    assert current_section(page) == ["Funnel"]
    bar = "() => document.querySelector('#sticky').getBoundingClientRect().toJSON()"
    # Scrolled by hand to the heat map, then to the very bottom: the bar stays at the top of
    # the window and follows.
    page.evaluate("document.querySelector('#coverage .figure').scrollIntoView()")
    wait_current(page, "Coverage")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    wait_current(page, "Tag review")
    assert page.evaluate("window.scrollY") > 2000
    assert page.evaluate(bar)["top"] == 0 and nav.is_visible()
    # From the keyboard: Tab from the filters reaches the links; Enter on Demand scrolls to it,
    # below the bar, and moves the focus into it.
    page.focus("#f-reset")
    for _ in range(5):
        page.keyboard.press("Tab")
    assert focused(page) == ["Demand", "solid"]
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'demand'")
    wait_current(page, "Demand")
    top = page.evaluate("document.querySelector('#demand').getBoundingClientRect().top")
    assert page.evaluate(bar)["bottom"] <= top <= page.evaluate(bar)["bottom"] + 40
    assert "#" not in page.url  # no fragment in the history, which Back treats as filters
    page.evaluate("window.scrollTo(0, 0)")
    wait_current(page, "Funnel")


# Every text the dashboard shows: the page, accessible names and titles, and each chart's
# legend, axis titles, ticks and the tooltip of every element.
SHOWN_TEXT = """() => {
  const out = [document.querySelector('main').innerText];
  for (const e of document.querySelectorAll('main [aria-label], main [title]')) {
    out.push(e.getAttribute('aria-label') || '', e.getAttribute('title') || '');
  }
  for (const canvas of document.querySelectorAll('section.view canvas')) {
    const chart = Chart.getChart(canvas);
    if (!chart) continue;
    out.push(...(chart.legend ? chart.legend.legendItems.map(i => i.text) : []));
    for (const scale of Object.values(chart.scales)) {
      out.push(...scale.ticks.map(t => [].concat(t.label).join(' ')));
      if (scale.options.title && scale.options.title.display) out.push(scale.options.title.text);
    }
    chart.data.datasets.forEach((dataset, d) => dataset.data.forEach((value, i) => {
      if (value === null) return;
      const element = chart.getDatasetMeta(d).data[i];
      chart.tooltip.setActiveElements([{datasetIndex: d, index: i}], {x: element.x, y: element.y});
      const t = chart.tooltip;
      out.push(...t.title, ...t.body.flatMap(b => [...b.before, ...b.lines, ...b.after]),
               ...t.footer);
    }));
    chart.tooltip.setActiveElements([], {x: 0, y: 0});
  }
  return out;
}"""
FIELD_NAME = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case: buyer_viewed, answered_share


def test_every_label_is_in_words_never_a_field_name(page: Any, web_server: WebServer) -> None:
    """Headers, summaries, notes, captions, cells, chart labels, legends and tooltips; the CSV
    keeps the field names as its header (see test_a_csv_download_matches_the_api)."""
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    for button in page.locator("section.view .more").all():
        if button.is_visible():
            button.click()  # every row, not the top ten
    texts = page.evaluate(SHOWN_TEXT)
    page.get_by_label("Personas").check()
    page.wait_for_function(
        "() => Chart.getChart(document.querySelector('#coverage canvas'))"
        ".data.datasets[0].data.some(p => p.x === 'it_security')"
    )
    texts += page.evaluate(SHOWN_TEXT)
    fields = {"buyer_viewed", "mean_best_score", "answered_share", "deals_won"}
    fields |= {"never_recommended", "recommended_never_used"}
    for view in VIEWS:
        table = api_view(web_server, view)
        fields |= {name for name in [*table["columns"], *table["summary"]] if "_" in name}
    # The page and the charts' own texts were read (an influence tooltip, a heat-map tick).
    assert any(t.startswith("Difference: ") for t in texts) and "Closed Won" in texts
    assert sorted({m for text in texts for m in FIELD_NAME.findall(text)}) == []
    assert [f for f in sorted(fields) if any(f in text for text in texts)] == []


def test_an_empty_period_says_so_in_words(page: Any, web_server: WebServer) -> None:
    token = marketer(web_server)
    open_dashboard(page, dashboard_url(web_server, token, since="2020-01-01", until="2020-01-31"))
    period = "between 2020-01-01 and 2020-01-31"
    assets = api_view(web_server, "unused", since="2020-01-01", until="2020-01-31")
    expected = {
        "funnel": f"No recommendations {period}. Widen the dates.",
        "unused": f"No recommendations {period}, so all {assets['summary']['assets']} assets "
        "count as never recommended. Widen the dates.",
        "demand": f"No buyer questions {period}. Widen the dates.",
        "influence": f"No closed deals {period}. Widen the dates.",
    }
    chart = "view => Chart.getChart(document.querySelector(`#${view} canvas`)) !== undefined"
    for view, text in expected.items():
        section = page.locator(f"#{view}")
        assert section.get_attribute("data-state") == "empty", view
        assert section.locator(".status").inner_text() == text
        # No empty chart, empty table or row of zeros in its place.
        assert not section.locator(".body").is_visible() and not page.evaluate(chart, view)
    # Coverage still maps the content, which the dates do not change, and says why no cell is
    # weak for its questions; health is judged as of the period's last day.
    coverage = page.locator("#coverage")
    assert coverage.locator(".status").inner_text().startswith(f"No buyer questions {period}:")
    assert page.evaluate(chart, "coverage") and coverage.locator("tbody tr").count() > 0
    assert "as of 2020-01-31" in page.locator("#health").inner_text()
    # Narrowed by a filter too, the sentence says which to widen.
    open_dashboard(
        page,
        dashboard_url(web_server, since="2020-01-01", until="2020-01-31", vertical="retail"),
    )
    assert page.locator("#funnel .status").inner_text() == (
        f"No recommendations {period} for these filters. Widen the dates or clear a filter."
    )


def test_influence_marks_the_intervals_that_leave_out_zero_and_sorts_by_their_lower_end(
    page: Any, web_server: WebServer
) -> None:
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    rows = api_view(web_server, "influence")["rows"]
    assert [r["low"] for r in rows] == sorted((r["low"] for r in rows), reverse=True)

    def reading(row: dict[str, Any]) -> str:
        return "helps" if row["low"] > 0 else "hurts" if row["high"] < 0 else "unclear"

    readings = [reading(r) for r in rows]
    assert {"helps", "hurts"} & set(readings), "the history has no clear interval to mark"
    table = page.locator("#influence tbody")
    assert table.locator(".asset-id").all_inner_texts() == [r["asset_id"] for r in rows]
    words = {"helps": "Clearly helps", "hurts": "Clearly hurts", "unclear": "Unclear"}
    assert table.locator(".badge").all_inner_texts() == [words[r] for r in readings]
    marked = table.locator("tr").evaluate_all("trs => trs.map(tr => tr.className)")
    assert marked == readings
    # In the chart each interval sits in its verdict's dataset, in its own colour, and the
    # chart's text names the clear ones.
    chart = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.querySelector('#influence canvas'));
          const bars = chart.data.datasets.filter(d => d.type === 'bar');
          return {
            per_row: chart.data.labels.map((_, i) =>
              bars.find(d => d.data[i] !== null).label.split(' (')[0]),
            colours: bars.map(d => d.backgroundColor),
            legend: chart.legend.legendItems.map(item => item.text),
          };
        }"""
    )
    assert chart["per_row"] == [words[r] for r in readings]
    assert len(set(chart["colours"])) == len(chart["colours"]) == len(set(readings))
    why = {
        "helps": "interval above 0",
        "hurts": "interval below 0",
        "unclear": "interval includes 0",
    }
    present = [kind for kind in why if kind in readings]
    assert chart["legend"] == [f"{words[k]} ({why[k]})" for k in present] + [
        "Difference in win rate"
    ]
    described = page.locator("#influence canvas").get_attribute("aria-label")
    clear = [r["title"] for r, kind in zip(rows, readings, strict=True) if kind == "helps"]
    if clear:
        assert f"Clearly helps (the whole interval is above 0): {', '.join(clear)}." in described


def test_demand_themes_are_named_by_a_question_buyers_asked(
    page: Any, web_server: WebServer
) -> None:
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    engine = create_engine(f"sqlite:///{web_server.data_dir / 'enablement.db'}")
    with engine.connect() as connection:
        asked = set(connection.scalars(select(tables.questions.c.text)))
    engine.dispose()
    themes = page.locator("#demand tbody th").all_inner_texts()
    assert themes == [row["theme"] for row in api_view(web_server, "demand")["rows"]]
    assert themes and set(themes) <= asked
    labels = page.evaluate("Chart.getChart(document.querySelector('#demand canvas')).data.labels")
    assert labels == themes


def test_dates_are_typed_and_shown_as_yyyy_mm_dd(page: Any, web_server: WebServer) -> None:
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    period = api_view(web_server, "funnel")["filters"]
    assert page.input_value("#f-since") == period["since"]
    assert page.input_value("#f-until") == period["until"]
    # A day typed as YYYY-MM-DD (as a browser's date field would not take it) is applied.
    since = (datetime.now(UTC).date() - timedelta(days=30)).isoformat()
    page.click("#f-since", click_count=3)
    page.keyboard.type(since)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "since => document.querySelector('#applied').textContent.startsWith(`Showing ${since} to`)",
        arg=since,
    )
    assert parse_qs(urlsplit(page.url).query) == {"since": [since]}
    # The calendar's choice is written into the field as YYYY-MM-DD.
    page.locator("#f-until ~ .picker").fill(period["until"])
    assert page.input_value("#f-until") == period["until"]
    # Anything else is refused in the form's words, before any request.
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if "/v1/analytics/" in r.url else None)
    page.fill("#f-since", "10/01/2026")
    page.keyboard.press("Enter")
    page.wait_for_selector("#filter-error:not([hidden])")
    assert "write it as YYYY-MM-DD" in page.locator("#filter-error").inner_text()
    assert page.locator("#f-since").get_attribute("aria-invalid") == "true"
    assert requested == []
    # Every date on the page is ISO, and so is the time the views were loaded.
    page.go_back()
    page.wait_for_selector("body[data-state=ready]")
    text = page.locator("body").inner_text()
    assert re.search(r"updated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", text), text[:500]
    assert re.search(r"as of \d{4}-\d{2}-\d{2}", text)
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", text)
    months = r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}\b"
    assert not re.search(months, text)


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
    # Keyboard focus is visible: tab to the section bar's first link, then past its last one
    # (Tag review) to the first download button.
    page.focus("#f-reset")
    page.keyboard.press("Tab")
    assert focused(page) == ["Funnel", "solid"]
    for _ in range(8):
        page.keyboard.press("Tab")
    assert focused(page) == ["Download CSV (funnel)", "solid"]


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
