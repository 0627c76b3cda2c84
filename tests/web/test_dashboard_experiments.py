"""The dashboard's experiments view in Chromium, from a real store: first with no experiment
(how to start one), then an interleave whose treatment items were opened (its decision and the
treatment's win share with its interval against 50%) and a holdout whose live deals were won
(each arm's shares with intervals, the difference "caused by" the live ranker), and an API
error shown in the API's words."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine

from enablement.events.feedback import learnable
from enablement.experiments.assign import position
from tests.web.browser import assert_accessible
from tests.web.conftest import WebServer
from tests.web.test_dashboard import dashboard_url, marketer, open_dashboard
from tests.web.test_sidebar import fresh

QUESTIONS = ("intake forms", "pricing", "security")


def _deals() -> list[dict[str, Any]]:
    return [
        {"deal_id": fresh("exp-deal"), "stage": "Needs Analysis", "vertical": v, "questions": [q],
         "k": 5}
        for v in ("healthcare", "retail") for q in QUESTIONS for _ in range(4)
    ]  # fmt: skip


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _start(web_server: WebServer, body: dict[str, Any]) -> dict[str, Any]:
    made: dict[str, Any] = _ok(web_server.api("POST", "/v1/experiments", json=body), 201)
    return made


def _serve(web_server: WebServer, deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = web_server.api("POST", "/v1/recommendations:batch", json={"deals": deals})
    results: list[dict[str, Any]] = _ok(response)["results"]
    return results


def _arms(web_server: WebServer, lists: set[str]) -> dict[str, list[tuple[str, str | None]]]:
    """Per served list, its (asset, arm) rows, once the server's log has written them all."""
    engine = create_engine(f"sqlite:///{web_server.data_dir / 'enablement.db'}")
    try:
        deadline = time.monotonic() + 20
        while True:
            found: dict[str, list[tuple[str, str | None]]] = {}
            for row in learnable(engine).impressions:
                if row.recommendation_id in lists:
                    found.setdefault(row.recommendation_id, []).append((row.asset_id, row.arm))
            if set(found) == lists or time.monotonic() > deadline:
                assert set(found) == lists, "the server did not log every served list"
                return found
            time.sleep(0.3)
    finally:
        engine.dispose()


def _events(web_server: WebServer, events: list[dict[str, Any]]) -> None:
    _ok(web_server.api("POST", "/v1/events:batch", json={"events": events}))


@pytest.fixture(scope="module")
def experiments(web_server: WebServer) -> Iterator[dict[str, dict[str, Any]]]:
    """An interleave (linear vs bm25_only) whose every deal opened a treatment item, then a
    holdout whose live deals were won and control deals lost; both stopped, so the other
    browser tests are served as without an experiment."""
    interleave = _start(web_server, {"name": "linear vs bm25", "kind": "interleave",
                                     "control": "linear", "treatment": "bm25_only"})  # fmt: skip
    deals = _deals()
    bodies = _serve(web_server, deals)
    placed = _arms(web_server, {b["recommendation_id"] for b in bodies})
    opened = []
    for deal, body in zip(deals, bodies, strict=True):
        asset = next(a for a, arm in placed[body["recommendation_id"]] if arm == "treatment")
        opened.append({"idempotency_key": fresh("open"), "type": "opened",
                       "deal_id": deal["deal_id"], "asset_id": asset,
                       "recommendation_id": body["recommendation_id"]})  # fmt: skip
    _events(web_server, opened)
    _ok(web_server.api("POST", f"/v1/experiments/{interleave['id']}:stop"))

    holdout = _start(web_server, {"name": "metadata pays", "kind": "holdout",
                                  "control": "no_metadata", "share": 0.5})  # fmt: skip
    deals = _deals()
    bodies = _serve(web_server, deals)
    _arms(web_server, {b["recommendation_id"] for b in bodies})
    _events(web_server, [
        {"idempotency_key": fresh("out"), "type": "deal_outcome", "deal_id": d["deal_id"],
         "outcome": "lost" if position(holdout["id"], d["deal_id"]) < 0.5 else "won"}
        for d in deals
    ])  # fmt: skip
    _ok(web_server.api("POST", f"/v1/experiments/{holdout['id']}:stop"))
    yield {"interleave": interleave, "holdout": holdout}


def _detail(web_server: WebServer, made: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = _ok(web_server.api("GET", f"/v1/experiments/{made['id']}"))
    return found


def test_with_no_experiment_the_view_says_how_to_start_one(
    page: Any, web_server: WebServer
) -> None:
    # Runs before the module's experiments are made (tests run in file order).
    assert _ok(web_server.api("GET", "/v1/experiments"))["items"] == []
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    section = page.locator("#experiments")
    assert section.get_attribute("data-state") == "empty"
    text = section.locator(".status").inner_text()
    assert text.startswith("No experiment yet.")
    assert "enablement experiments create --kind interleave" in text
    assert "POST /v1/experiments" in text
    assert not section.locator(".body").is_visible()
    assert "The filters above do not apply here" in section.locator(".lede").inner_text()
    assert "Experiments" in page.locator("#section-nav").inner_text()


def test_the_view_lists_experiments_and_shows_the_interleaves_decision_and_interval(
    page: Any, web_server: WebServer, experiments: dict[str, dict[str, Any]]
) -> None:
    results = _detail(web_server, experiments["interleave"])["results"]
    assert results["decision"] == "treatment_better"
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    section = page.locator("#experiments")
    rows = section.locator("tbody tr")
    # Newest first, kind and rankers in words, an ISO start day.
    assert rows.locator("th").all_inner_texts()[:2] == ["metadata pays", "linear vs bm25"]
    first = rows.nth(0).locator("td").all_inner_texts()
    assert first[:3] == [
        "Holdout",
        "Text only, no deal fields held out for 50.0% of deals",
        "Stopped",
    ]
    assert first[3] == experiments["holdout"]["created_at"][:10]
    assert rows.nth(1).locator("td").all_inner_texts()[:2] == [
        "Interleave", "Weighted scorer vs Keyword match only",
    ]  # fmt: skip
    snake = [w for t in rows.all_inner_texts() for w in re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", t)]
    assert snake == [], "rankers are named in words, not by their API names"
    # The newest is shown first; the interleave on asking.
    section.get_by_role("button", name="Show results of linear vs bm25").click()
    page.wait_for_function(
        "() => document.querySelector('#experiments .results h3').textContent"
        ".startsWith('linear vs bm25: Interleave')"
    )
    box = section.locator(".results")
    figures = dict(
        zip(box.locator("dt").all_inner_texts(), box.locator("dd").all_inner_texts(), strict=True)
    )
    assert figures["Decision"] == "Treatment better"
    assert figures["Treatment won"] == str(results["wins"])
    assert figures["Treatment lost"] == str(results["losses"])
    assert figures["Tied"] == str(results["ties"])
    fixed = box.locator(".fixed").inner_text()
    assert "fixed-horizon test: decide once" in fixed
    interval = re.search(r"95% interval ([\d.]+)% to ([\d.]+)%", fixed)
    assert interval, fixed
    shown = [float(n) for n in interval.groups()]
    assert shown == pytest.approx([results["low"] * 100, results["high"] * 100], abs=0.051)
    assert box.locator(".sentence").inner_text() == results["summary"]
    assert "caused" not in box.inner_text()
    chart = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.querySelector('#experiments canvas'));
          return {data: chart.data.datasets.map(d => d.data), min: chart.scales.x.min,
                  max: chart.scales.x.max};
        }"""
    )
    assert chart == {"data": [[[results["low"], results["high"]]], [results["share"]]],
                     "min": 0, "max": 1}  # fmt: skip
    # Each Show results button's name starts with its visible text (axe-core's
    # label-content-name-mismatch), so speech users can say what they see.
    assert_accessible(page, web_server.url)


def test_the_holdout_shows_each_arm_and_a_difference_caused_by_the_live_ranker(
    page: Any, web_server: WebServer, experiments: dict[str, dict[str, Any]]
) -> None:
    results = _detail(web_server, experiments["holdout"])["results"]
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    box = page.locator("#experiments .results")
    assert box.locator("h3").inner_text().startswith("metadata pays: Holdout")
    cells = [r.locator("th, td").all_inner_texts() for r in box.locator(".arms tbody tr").all()]
    control = results["arms"]["control"]["won"]
    assert cells[0][0] == "Held-out control"
    shown = [float(n) for n in re.findall(r"([\d.]+)%", cells[0][1])]  # share (low to high)
    expected = [control[k] * 100 for k in ("share", "low", "high")]
    assert shown == pytest.approx(expected, abs=0.051), cells[0][1]
    assert cells[1][0] == "Live ranker" and cells[2][0] == "Live minus control"
    assert "caused by the live ranker (win rate)" in cells[2][1] and "not shown" not in cells[2][1]
    assert "Deals were assigned to the arms at random" in box.locator(".fixed").inner_text()
    assert box.locator(".sentence").inner_text() == results["summary"]


def test_an_api_error_shows_the_apis_message(page: Any, web_server: WebServer) -> None:
    missing = web_server.api("GET", "/v1/experiments/exp-missing")
    assert missing.status_code == 404
    message = missing.json()["error"]["message"]
    page.route(
        "**/v1/experiments",
        lambda route: route.fulfill(status=404, content_type="application/json", body=missing.text),
    )
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    section = page.locator("#experiments")
    assert section.get_attribute("data-state") == "error"
    assert section.locator(".status").inner_text() == f"This view could not be loaded: {message}"
    assert section.locator(".retry").is_visible()
    assert page.locator("#funnel").get_attribute("data-state") == "ready"  # the others still load


def test_the_running_experiment_is_marked_and_its_results_shown_first(
    page: Any, web_server: WebServer, experiments: dict[str, dict[str, Any]]
) -> None:
    running = _start(web_server, {"name": "running holdout", "kind": "holdout",
                                  "control": "bm25_only", "share": 0.1})  # fmt: skip
    try:
        open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
        rows = page.locator("#experiments tbody tr")
        assert rows.locator("th").all_inner_texts()[0] == "running holdout"
        assert rows.evaluate_all("trs => trs.map(tr => tr.className)")[:2] == ["running", ""]
        assert rows.nth(0).locator(".badge").inner_text() == "Running"
        assert page.locator("#experiments .results h3").inner_text().startswith("running holdout")
    finally:
        _ok(web_server.api("POST", f"/v1/experiments/{running['id']}:stop"))
