"""Deal memory over HTTP: what was sent or shared in a deal_id is never recommended again for it,
and the response lists it, without the CRM passing `already_shared`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.api.conftest import ApiEnv

DEAL = {"deal_id": "opp-1", "stage": "discovery", "questions": ["encrypted at rest?"], "k": 3}
CHROME = {"User-Agent": "Mozilla/5.0 Chrome/131.0"}


def recommend(api: ApiEnv, deal: dict[str, Any] = DEAL) -> dict[str, Any]:
    response = api.client.post("/v1/recommendations", json=deal, headers=api.auth("rep"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def shown(body: dict[str, Any]) -> list[str]:
    return [item["asset_id"] for item in body["items"]]


def mark_sent(api: ApiEnv, asset_id: str, deal_id: str = "opp-1") -> None:
    event = {"idempotency_key": f"sent-{asset_id}", "type": "sent", "deal_id": deal_id,
             "asset_id": asset_id, "occurred_at": datetime.now(UTC).isoformat()}  # fmt: skip
    response = api.client.post("/v1/events", json=event, headers=api.auth("rep"))
    assert response.status_code == 201, response.text


def test_an_asset_marked_sent_a_moment_ago_is_gone_and_listed(api: ApiEnv) -> None:
    before = recommend(api)
    assert before["already_sent"] == []
    top = before["items"][0]
    mark_sent(api, top["asset_id"])

    after = recommend(api)  # the very next request, with nothing passed but the deal_id

    assert top["asset_id"] not in shown(after)
    (sent,) = after["already_sent"]
    assert sent["asset_id"] == top["asset_id"] and sent["title"] == top["title"]
    assert sent["via"] == "sent" and sent["buyer_views"] is None
    assert datetime.fromisoformat(sent["sent_at"]) <= datetime.now(UTC)
    assert after["deal"]["already_shared"] == []  # the CRM's own list, as it sent it
    # Another deal, or a deal without an id, knows nothing of it.
    assert top["asset_id"] in shown(recommend(api, DEAL | {"deal_id": "opp-2"}))
    no_id = {key: value for key, value in DEAL.items() if key != "deal_id"}
    assert recommend(api, no_id)["already_sent"] == []


def test_a_shared_link_counts_as_sent_with_the_buyers_views(api: ApiEnv) -> None:
    top = recommend(api)["items"][0]
    made = api.client.post(
        "/v1/share-links", json={"deal_id": "opp-1", "asset_id": top["asset_id"]},
        headers=api.auth("rep"),
    ).json()  # fmt: skip
    (sent,) = recommend(api)["already_sent"]
    assert (sent["via"], sent["buyer_views"], sent["last_viewed_at"]) == ("link", 0, None)

    api.client.get(made["url"].removeprefix(api.settings.public_url), headers=CHROME)
    after = recommend(api)
    (sent,) = after["already_sent"]
    assert sent["buyer_views"] == 1 and sent["last_viewed_at"] is not None
    assert top["asset_id"] not in shown(after)


def test_each_deal_of_a_batch_gets_its_own_memory(api: ApiEnv) -> None:
    top = recommend(api)["items"][0]["asset_id"]
    mark_sent(api, top, deal_id="opp-2")
    other = DEAL | {"deal_id": "opp-2"}
    response = api.client.post(
        "/v1/recommendations:batch", json={"deals": [DEAL, other]}, headers=api.auth("rep")
    )
    first, second = response.json()["results"]
    assert top in shown(first) and first["already_sent"] == []
    assert top not in shown(second) and [s["asset_id"] for s in second["already_sent"]] == [top]


def test_the_crm_stage_name_is_kept_for_display(api: ApiEnv) -> None:
    deal = recommend(api, DEAL | {"stage": "Needs Analysis"})["deal"]
    assert (deal["stage"], deal["stage_name"]) == ("discovery", "Needs Analysis")
    deal = recommend(api, DEAL | {"stage": "discovery"})["deal"]
    assert (deal["stage"], deal["stage_name"]) == ("discovery", "Discovery")  # an id: its label
    no_stage = {key: value for key, value in DEAL.items() if key != "stage"}
    assert recommend(api, no_stage)["deal"]["stage_name"] is None


def test_the_openapi_document_describes_already_sent(api: ApiEnv) -> None:
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]
    response = schemas["RecommendationResponse"]
    assert "already_sent" in response["required"]
    sent = schemas["SentAsset"]
    assert set(sent["properties"]) == {
        "asset_id", "title", "sent_at", "via", "buyer_views", "last_viewed_at",
    }  # fmt: skip
    assert sent["examples"][0]["via"] == "sent"
    assert sent["properties"]["via"]["enum"] == ["sent", "link"]
    assert "stage_name" in schemas["ResolvedDeal"]["required"]
