"""The dashboard's tag review in Chromium, over the server's real store: the real model's open
suggestions surest first with why in words; then, with suggestions written to the server's
database, accepting one (the tag written: GET /v1/assets/{id} shows its source), rejecting one,
the bulk accept of exactly those at or above a threshold after a confirm, a decision made
meanwhile shown in the API's words, the field filter, paging, the empty state, accessibility."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from enablement.db import tables
from enablement.tagging.store import SuggestionStore
from enablement.tagging.suggestion import FACET_OF, FIELDS, Neighbour, Suggestion, Why
from tests.web.browser import assert_accessible
from tests.web.conftest import WebServer
from tests.web.test_dashboard import FIELD_NAME, dashboard_url, marketer, open_dashboard

WORDS = {"type": "Asset type", "stages": "Stage", "verticals": "Vertical", "personas": "Persona"}
NONE = "No tag suggestions waiting. They are made each time the library is indexed."
ROWS = "#tags tbody tr"


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _open(web_server: WebServer, **params: Any) -> list[dict[str, Any]]:
    """Every open suggestion, as the API lists them (surest first)."""
    query = {"limit": 200, **params}
    items: list[dict[str, Any]] = _ok(web_server.api("GET", "/v1/tag-suggestions", params=query))[
        "items"
    ]
    return items


def _labels(web_server: WebServer) -> dict[str, dict[str, str]]:
    """{field: {value id: label}} from the taxonomy the dashboard loads."""
    taxonomy = _ok(web_server.api("GET", "/v1/taxonomy"))
    return {f: {t["id"]: t["label"] for t in taxonomy[FACET_OF[f]]} for f in FIELDS}


def _why(why: dict[str, Any]) -> str:
    parts = []
    if why["words"]:
        parts.append(f"Words: {', '.join(why['words'])}.")
    if why["neighbours"]:
        parts.append(f"Like: {', '.join(n['title'] for n in why['neighbours'])}.")
    return " ".join(parts) or "—"


def _shown(page: Any) -> list[list[str]]:
    """Each row's asset id, field, value, confidence and why, as shown (the asset's cell shows
    its title, its id beneath: _titles_shown reads the titles)."""
    rows = [row.locator("th, td").all_inner_texts()[:5] for row in page.locator(ROWS).all()]
    return [[cells[0].splitlines()[-1], *cells[1:]] for cells in rows]


def _titles_shown(page: Any) -> list[str]:
    return [row.locator(".asset").first.inner_text().splitlines()[0]
            for row in page.locator(ROWS).all()]  # fmt: skip


def _title(web_server: WebServer, asset_id: str) -> str:
    return str(_ok(web_server.api("GET", f"/v1/assets/{asset_id}"))["title"])


def _expected(web_server: WebServer, items: list[dict[str, Any]]) -> list[list[str]]:
    labels = _labels(web_server)
    return [
        [s["asset_id"], WORDS[s["field"]], labels[s["field"]][s["value"]],
         f"{s['confidence'] * 100:.1f}%", _why(s["why"])]
        for s in items
    ]  # fmt: skip


def _seed(web_server: WebServer, wanted: list[tuple[str, float]]) -> list[Suggestion]:
    """Make the open suggestions exactly `wanted` ((field, confidence) each), on live assets'
    current content, each for a value the asset lacks and never suggested before (so none was
    decided already); every other open one is voided, as an index build would."""
    engine = create_engine(f"sqlite:///{web_server.data_dir / 'enablement.db'}")
    try:
        a, s = tables.assets.c, tables.tag_suggestions.c
        with engine.connect() as connection:
            assets = [dict(r._mapping) for r in connection.execute(
                select(tables.assets).where(a.removed_at.is_(None)).order_by(a.id)
            )]  # fmt: skip
            known = set(connection.scalars(select(s.id)))
        valid = {f: list(values) for f, values in _labels(web_server).items()}
        made: list[Suggestion] = []
        for field, confidence in wanted:
            made.append(_fresh(assets, field, confidence, valid[field], known))
            known.add(made[-1].id)
        store = SuggestionStore(engine)
        held = {row["id"]: (row["content_hash"], dict.fromkeys(FIELDS, False)) for row in assets}
        store.refresh(made, assets=held, valid=valid, now=datetime.now(UTC))
    finally:
        engine.dispose()
    return made


def _fresh(
    assets: list[dict[str, Any]], field: str, confidence: float, values: list[str],
    known: set[str],
) -> Suggestion:  # fmt: skip
    """A new suggestion of `field` for the first asset lacking a value of it not suggested yet."""
    neighbour = Neighbour("case-hospital", "Hospital Case Study", 0.8)
    why = Why(words=("hospital", "clinic"), neighbours=(neighbour,))
    for asset in assets:
        if field == "type" and asset["type"]:
            continue
        for value in values:
            held = asset[field] if field != "type" else []
            made = Suggestion(asset["id"], field, value, confidence, asset["content_hash"], why)  # type: ignore[arg-type]
            if value not in held and made.id not in known:
                return made
    raise AssertionError(f"no asset is left to suggest a {field} for")


def _review(page: Any, web_server: WebServer) -> Any:
    open_dashboard(page, dashboard_url(web_server, marketer(web_server)))
    return page.locator("#tags")


def _wait_rows(page: Any, count: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#tags tbody tr').length === n "
        "&& !document.querySelector('#tags .body').hidden",
        arg=count,
        timeout=10_000,
    )


def _status(web_server: WebServer, suggestion: Suggestion) -> str:
    """The suggestion's status, as the API lists it."""
    for status in ("open", "accepted", "rejected", "void"):
        if any(r["id"] == suggestion.id for r in _open(web_server, asset_id=suggestion.asset_id,
                                                        status=status)):  # fmt: skip
            return status
    raise AssertionError(f"{suggestion.id} is not listed")


def test_the_real_suggestions_are_listed_surest_first_with_why_in_words(
    page: Any, web_server: WebServer, screenshot_dir: Any
) -> None:
    # Runs before the module seeds its own (tests run in file order): what the index build made.
    items = _open(web_server)
    assert items, "the sample library's index build suggested nothing"
    section = _review(page, web_server)
    assert section.get_attribute("data-state") == "ready"
    assert _shown(page) == _expected(web_server, items)
    assert _titles_shown(page) == [s["title"] for s in items]  # which asset, in words
    confidences = [s["confidence"] for s in items]
    assert confidences == sorted(confidences, reverse=True)
    assert any(why.startswith("Words: ") and ". Like: " in why for *_, why in _shown(page))
    at_80 = sum(s["confidence"] >= 0.8 for s in items)
    assert section.locator(".bulk").inner_text() == f"Accept all at or above 80% ({at_80})"
    assert FIELD_NAME.findall(section.inner_text()) == []  # values by label, never by id
    assert "Tag review" in page.locator("#section-nav").inner_text()
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "dashboard-tags.png"), full_page=True)


def test_accepting_one_writes_the_tag_and_the_row_leaves(page: Any, web_server: WebServer) -> None:
    made = _seed(web_server, [("personas", 0.9), ("verticals", 0.7), ("stages", 0.6)])
    section = _review(page, web_server)
    assert [r[0] for r in _shown(page)] == [s.asset_id for s in made]
    chosen = made[1]
    label = _labels(web_server)[chosen.field][chosen.value]
    name = f"Accept Vertical “{label}” for {_title(web_server, chosen.asset_id)}"
    # From the keyboard: focus the row's Accept and press Enter.
    section.get_by_role("button", name=name).focus()
    page.keyboard.press("Enter")
    _wait_rows(page, 2)
    assert [r[0] for r in _shown(page)] == [made[0].asset_id, made[2].asset_id]
    assert section.locator(".outcome").inner_text() == (
        f"Accepted Vertical “{label}” for {_title(web_server, chosen.asset_id)}."
    )
    # The focus moved to the next row's Accept, for the next decision.
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith("Accept Stage ") and focused.endswith(
        _title(web_server, made[2].asset_id)
    )
    asset = _ok(web_server.api("GET", f"/v1/assets/{chosen.asset_id}"))
    assert chosen.value in asset["verticals"]
    assert asset["tag_sources"]["verticals"]
    assert _status(web_server, chosen) == "accepted"
    assert [s["id"] for s in _open(web_server)] == [made[0].id, made[2].id]


def test_rejecting_one_removes_it_and_leaves_the_asset_as_it_was(
    page: Any, web_server: WebServer
) -> None:
    made = _seed(web_server, [("personas", 0.85), ("personas", 0.55)])
    before = _ok(web_server.api("GET", f"/v1/assets/{made[0].asset_id}"))
    section = _review(page, web_server)
    label = _labels(web_server)["personas"][made[0].value]
    section.get_by_role(
        "button", name=f"Reject Persona “{label}” for {_title(web_server, made[0].asset_id)}"
    ).click()
    _wait_rows(page, 1)
    assert [r[0] for r in _shown(page)] == [made[1].asset_id]
    assert section.locator(".outcome").inner_text().startswith("Rejected Persona")
    assert _status(web_server, made[0]) == "rejected"
    assert _ok(web_server.api("GET", f"/v1/assets/{made[0].asset_id}")) == before


def test_bulk_accept_takes_exactly_those_at_or_above_the_threshold_after_a_confirm(
    page: Any, web_server: WebServer
) -> None:
    made = _seed(web_server, [("personas", 0.95), ("verticals", 0.85), ("stages", 0.8),
                              ("personas", 0.79), ("verticals", 0.5)])  # fmt: skip
    section = _review(page, web_server)
    bulk = section.locator(".bulk")
    assert bulk.inner_text() == "Accept all at or above 80% (3)"
    section.get_by_label("Bulk accept at or above").fill("90")
    assert bulk.inner_text() == "Accept all at or above 90% (1)"
    section.get_by_label("Bulk accept at or above").fill("101")
    assert bulk.is_disabled()
    assert section.locator("#t-threshold").get_attribute("aria-invalid") == "true"
    assert "from 0 to 100" in section.locator("#t-threshold-error").inner_text()
    section.get_by_label("Bulk accept at or above").fill("80")
    # The first click asks to confirm (and sends nothing); Cancel takes it back.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    bulk.click()
    assert bulk.inner_text() == "Confirm: accept 3 suggestions at or above 80%"
    assert "Press the button again to confirm" in section.locator(".outcome").inner_text()
    section.get_by_role("button", name="Cancel").click()
    assert bulk.inner_text() == "Accept all at or above 80% (3)"
    assert requests == [] and len(_open(web_server)) == 5
    bulk.click()
    bulk.click()
    _wait_rows(page, 2)
    assert [r[0] for r in _shown(page)] == [made[3].asset_id, made[4].asset_id]
    assert [u for u in requests if u.endswith("/v1/tag-suggestions:accept")] == [
        f"{web_server.url}/v1/tag-suggestions:accept"
    ]
    assert section.locator(".outcome").inner_text() == "Accepted 3 suggestions at or above 80%."
    assert [_status(web_server, s) for s in made] == ["accepted"] * 3 + ["open"] * 2
    assert bulk.inner_text() == "Accept all at or above 80% (0)" and bulk.is_disabled()


def test_a_decision_made_meanwhile_is_shown_in_the_apis_words(
    page: Any, web_server: WebServer
) -> None:
    made = _seed(web_server, [("personas", 0.9), ("verticals", 0.85), ("stages", 0.6)])
    section = _review(page, web_server)
    # Another reviewer accepts the first one after this list was loaded.
    _ok(web_server.api("POST", f"/v1/tag-suggestions/{made[0].id}:accept"))
    label = _labels(web_server)["personas"][made[0].value]
    section.get_by_role(
        "button", name=f"Accept Persona “{label}” for {_title(web_server, made[0].asset_id)}"
    ).click()
    outcome = section.locator(".outcome")
    page.wait_for_function("() => document.querySelector('#tags .outcome').textContent !== ''")
    again = web_server.api("POST", f"/v1/tag-suggestions/{made[0].id}:accept")
    assert again.status_code == 409
    message = again.json()["error"]["message"]
    assert outcome.inner_text() == f"Not accepted: {message}"
    assert re.search(r"is accepted, not open", message)
    assert "error-text" in (outcome.get_attribute("class") or "")
    assert page.locator(ROWS).count() == 3  # nothing left the list on a failure
    # The bulk accept is all or nothing: one rejected meanwhile, none is accepted, and the list
    # is loaded again without it.
    _ok(web_server.api("POST", f"/v1/tag-suggestions/{made[1].id}:reject"))
    section.get_by_label("Bulk accept at or above").fill("50")
    section.locator(".bulk").click()
    section.locator(".bulk").click()
    page.wait_for_function(
        "() => document.querySelector('#tags .outcome').textContent.startsWith('Nothing was')"
    )
    bad = web_server.api("POST", "/v1/tag-suggestions:accept", json={"ids": [made[0].id]})
    assert bad.status_code == 409
    assert outcome.inner_text().startswith("Nothing was accepted: Tag suggestion '")
    assert f"'{made[0].id}'" in outcome.inner_text()
    _wait_rows(page, 1)
    assert _status(web_server, made[2]) == "open"


def test_the_field_filter_lists_one_field(page: Any, web_server: WebServer) -> None:
    made = _seed(web_server, [("verticals", 0.9), ("type", 0.8), ("verticals", 0.7),
                              ("personas", 0.6)])  # fmt: skip
    section = _review(page, web_server)
    _wait_rows(page, 4)
    with page.expect_request(lambda r: "field=verticals" in r.url):
        section.get_by_label("Field", exact=True).select_option(label="Vertical")
    _wait_rows(page, 2)
    assert [r[1] for r in _shown(page)] == ["Vertical", "Vertical"]
    assert [r[0] for r in _shown(page)] == [made[0].asset_id, made[2].asset_id]
    section.get_by_label("Field", exact=True).select_option(label="Asset type")
    _wait_rows(page, 1)
    assert _shown(page)[0][:2] == [made[1].asset_id, "Asset type"]
    section.get_by_label("Field", exact=True).select_option(label="Stage")
    page.wait_for_selector("#tags[data-state=empty]")
    assert section.locator(".status").inner_text() == (
        "No stage suggestions waiting. Choose “All fields” to see the others."
    )
    section.get_by_label("Field", exact=True).select_option(label="All fields")
    _wait_rows(page, 4)


def test_paging_loads_more_with_the_apis_next(page: Any, web_server: WebServer) -> None:
    # Under the bulk threshold, so only the first page of 100 is loaded at first.
    made = _seed(web_server, [("personas", 0.7 - i / 1000) for i in range(104)])
    section = _review(page, web_server)
    _wait_rows(page, 100)
    assert "(100 shown; more to load)" in section.locator("caption").inner_text()
    with page.expect_request(lambda r: "cursor=" in r.url):
        section.get_by_role("button", name="Load more").click()
    _wait_rows(page, 104)
    assert [r[0] for r in _shown(page)] == [s.asset_id for s in made]
    assert not section.get_by_role("button", name="Load more").is_visible()
    # The focus is on the first new row's Accept.
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith("Accept Persona ") and focused.endswith(
        _title(web_server, made[100].asset_id)
    )


def test_with_nothing_waiting_the_review_says_so(page: Any, web_server: WebServer) -> None:
    _seed(web_server, [])
    section = _review(page, web_server)
    assert section.get_attribute("data-state") == "empty"
    assert section.locator(".status").inner_text() == NONE
    assert not section.locator(".body").is_visible()
    assert section.locator(".bulk").is_disabled()


@pytest.mark.parametrize("rows", [0, 3])
def test_no_serious_accessibility_violations(page: Any, web_server: WebServer, rows: int) -> None:
    _seed(web_server, [("personas", 0.9), ("verticals", 0.8), ("stages", 0.4)][:rows])
    _review(page, web_server)
    page.locator("#tags").scroll_into_view_if_needed()
    assert_accessible(page, web_server.url)
    if rows:
        page.locator("#tags .bulk").click()  # the confirm step too
        assert_accessible(page, web_server.url)
