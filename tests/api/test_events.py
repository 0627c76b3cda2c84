"""Usage over HTTP: events with idempotency keys, recommended events, share links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from enablement.db import tables
from tests.api.conftest import ApiEnv

SENT = {
    "idempotency_key": "k-1",
    "type": "sent",
    "deal_id": "d1",
    "asset_id": "security-faq",
    "stage": "Needs Analysis",
    "vertical": "hospital",
}


def stored_events(api: ApiEnv) -> list[dict[str, object]]:
    with api.service.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(tables.events))]


def test_an_event_is_stored_once_under_the_callers_name(api: ApiEnv) -> None:
    first = api.client.post("/v1/events", json=SENT, headers=api.auth("rep"))
    retry = api.client.post("/v1/events", json=SENT, headers=api.auth("rep"))
    assert first.status_code == 201 and first.json()["status"] == "stored"
    assert retry.status_code == 200 and retry.json() == {**first.json(), "status": "duplicate"}
    (row,) = stored_events(api)
    assert row["user_id"] == "test-rep"  # from the key, never from the body
    assert (row["stage"], row["vertical"]) == ("discovery", "healthcare")  # CRM aliases resolved


def test_no_one_can_post_in_another_reps_name(api: ApiEnv) -> None:
    response = api.client.post(
        "/v1/events", json=SENT | {"user_id": "boss"}, headers=api.auth("rep")
    )
    assert response.status_code == 422 and "user_id" in response.json()["error"]["field"]


def test_bad_events_name_the_field_and_the_valid_values(api: ApiEnv) -> None:
    cases = [
        (SENT | {"type": "feedback"}, "rating", "up, down"),
        (SENT | {"type": "deal_outcome"}, "outcome", "won, lost"),
        (SENT | {"stage": "nowhere"}, "stage", "prospecting"),
        (SENT | {"type": "recommended"}, "type", "opened"),
    ]
    for body, field, valid in cases:
        response = api.client.post("/v1/events", json=body, headers=api.auth("rep"))
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert field in error["field"] and valid in error["message"] + str(error.get("valid")), (
            error
        )
    batch = {"events": [SENT, SENT | {"idempotency_key": "k-2", "type": "feedback"}]}
    response = api.client.post("/v1/events:batch", json=batch, headers=api.auth("rep"))
    assert response.json()["error"]["field"] == "events[1].rating"
    assert stored_events(api) == []  # all or nothing


def test_a_batch_reports_each_event_and_flags_unknown_assets(api: ApiEnv) -> None:
    events = [SENT, SENT | {"idempotency_key": "k-2", "asset_id": "not-in-catalog"}, SENT]
    response = api.client.post("/v1/events:batch", json={"events": events}, headers=api.auth("rep"))
    body = response.json()
    assert (body["stored"], body["duplicates"], body["flagged"]) == (2, 1, 1)
    assert body["results"][1]["flags"] == ["unknown_asset"]
    assert len(stored_events(api)) == 2


def test_every_item_served_is_logged_as_recommended(api: ApiEnv) -> None:
    deal = {"deal_id": "d9", "stage": "discovery", "questions": ["approvals", "moon weather"]}
    response = api.client.post("/v1/recommendations", json=deal, headers=api.auth("rep"))
    body = response.json()
    assert api.service.usage.log.flush()
    rows = [r for r in stored_events(api) if r["type"] == "recommended"]
    assert [(r["asset_id"], r["rank"]) for r in rows] == [
        (item["asset_id"], item["rank"]) for item in body["items"]
    ]
    assert {r["recommendation_id"] for r in rows} == {body["recommendation_id"]}
    assert all(r["deal_id"] == "d9" and r["user_id"] == "test-rep" for r in rows)
    with api.service.engine.connect() as connection:
        asked = connection.execute(select(tables.questions.c.text)).scalars().all()
    assert sorted(asked) == ["approvals", "moon weather"]


def test_a_share_link_counts_buyer_views_but_not_link_checkers(api: ApiEnv) -> None:
    created = api.client.post(
        "/v1/share-links",
        json={"deal_id": "d1", "asset_id": "security-faq"},
        headers=api.auth("rep"),
    ).json()
    path = created["url"].removeprefix(api.settings.public_url)
    buyer = api.client.get(path, headers={"User-Agent": "Mozilla/5.0 Chrome/131.0"})
    checker = api.client.get(path, headers={"User-Agent": "Microsoft SafeLinks scanner"})
    assert buyer.status_code == 200 and checker.status_code == 200
    assert "encrypted at rest" in buyer.text  # the asset itself
    links = api.client.get("/v1/share-links?deal_id=d1", headers=api.auth("rep")).json()["items"]
    assert links[0]["views"] == 1 and links[0]["last_viewed_at"] is not None
    (viewed,) = [r for r in stored_events(api) if r["type"] == "buyer_viewed"]
    assert viewed["user_id"] == "test-rep" and viewed["user_agent"] == "Chrome"


def test_expired_revoked_and_forged_links_show_a_plain_page(api: ApiEnv) -> None:
    made = [
        api.client.post(
            "/v1/share-links",
            json={"deal_id": "d1", "asset_id": "security-faq"},
            headers=api.auth("rep"),
        ).json()
        for _ in range(2)
    ]
    with api.service.engine.begin() as connection:
        connection.execute(
            update(tables.share_links)
            .where(tables.share_links.c.id == made[0]["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    other = api.client.post(f"/v1/share-links/{made[1]['id']}:revoke", headers=api.auth("marketer"))
    assert other.status_code == 403  # only its creator or an admin
    revoked = api.client.post(f"/v1/share-links/{made[1]['id']}:revoke", headers=api.auth("rep"))
    assert revoked.json()["revoked_at"] is not None
    for link, phrase in ((made[0], "expired"), (made[1], "withdrew")):
        page = api.client.get(link["url"].removeprefix(api.settings.public_url))
        assert page.status_code == 410 and phrase in page.text
    forged = api.client.get("/s/not-a-real-token")
    assert forged.status_code == 404 and "text/html" in forged.headers["content-type"]
    assert [r for r in stored_events(api) if r["type"] == "buyer_viewed"] == []


OUTCOME = {"idempotency_key": "won-1", "type": "deal_outcome", "deal_id": "d1", "outcome": "won"}


def test_only_crm_and_admin_keys_record_deal_outcomes(api: ApiEnv) -> None:
    for role in ("rep", "marketer"):
        refused = api.client.post("/v1/events", json=OUTCOME, headers=api.auth(role))
        assert refused.status_code == 403, refused.text
        error = refused.json()["error"]
        assert (error["code"], error["field"]) == ("forbidden", "type")
        assert "crm" in error["message"] and "admin" in error["message"]
    assert stored_events(api) == []
    for role in ("crm", "admin"):
        stored = api.client.post("/v1/events", json=OUTCOME, headers=api.auth(role))
        assert stored.status_code == 201, (role, stored.text)
    assert sorted(r["user_id"] for r in stored_events(api)) == ["test-admin", "test-crm"]


def test_a_reps_batch_with_an_outcome_stores_nothing(api: ApiEnv) -> None:
    batch = {"events": [SENT, OUTCOME]}
    refused = api.client.post("/v1/events:batch", json=batch, headers=api.auth("rep"))
    assert refused.status_code == 403
    assert refused.json()["error"]["field"] == "events[1].type"
    assert stored_events(api) == []
    token = api.service.tokens.mint("jordan").token  # a rep's embed token is a rep too
    bearer = {"Authorization": f"Bearer {token}"}
    as_token = api.client.post("/v1/events", json=OUTCOME, headers=bearer)
    assert as_token.status_code == 403
    done = api.client.post("/v1/events:batch", json=batch, headers=api.auth("crm"))
    assert done.status_code == 200 and done.json()["stored"] == 2


def test_a_crm_key_recommends_and_records_but_reads_no_analytics(api: ApiEnv) -> None:
    crm = api.auth("crm")
    deal = {"deal_id": "d9", "stage": "discovery", "questions": ["approvals"]}
    assert api.client.post("/v1/recommendations", json=deal, headers=crm).status_code == 200
    assert api.client.post("/v1/events", json=SENT, headers=crm).status_code == 201
    link = {"deal_id": "d1", "asset_id": "security-faq"}
    assert api.client.post("/v1/share-links", json=link, headers=crm).status_code == 201
    for path in ("/v1/analytics/funnel", "/metrics", "/v1/index:rebuild"):
        method = "POST" if path.endswith("rebuild") else "GET"
        refused = api.client.request(method, path, headers=crm)
        assert refused.status_code == 403, (path, refused.text)
    minted = api.client.post("/v1/embed-tokens", json={"user": "jordan"}, headers=crm)
    assert minted.status_code == 201 and minted.json()["role"] == "rep"
