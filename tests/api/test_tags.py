"""The tag-suggestion review over HTTP, on SQLite and PostgreSQL, with a fake model: listing
(filters, paging), accepting and rejecting one or many, the errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from enablement.suggesting import Suggesting
from tests.api.conftest import ApiEnv
from tests.tagging.library import FakeModel

PROPOSALS = {
    ("notes", "type"): {"faq": 0.7, "whitepaper": 0.2},
    ("notes", "personas"): {"operations": 0.8, "finance": 0.6},
    ("datasheet", "verticals"): {"technology": 0.5},
}
URL = "/v1/tag-suggestions"


@pytest.fixture
def api(api_on_both: ApiEnv) -> Iterator[ApiEnv]:
    service = api_on_both.service
    if not service.store.counts()[0]:  # PostgreSQL: the library was indexed on SQLite only
        service.ingest(api_on_both.settings.data_dir / "library")
    model = FakeModel(service.store, PROPOSALS)
    service.__dict__["suggesting"] = Suggesting(
        service.store, suggest=model, taxonomy=lambda: service.taxonomy
    )
    service.suggesting.refresh()  # what an index build does
    yield api_on_both


def listed(api: ApiEnv, **params: Any) -> dict[str, Any]:
    response = api.client.get(URL, params=params, headers=api.auth("marketer"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(api: ApiEnv) -> dict[tuple[str, str], str]:
    return {(r["field"], r["value"]): r["id"] for r in listed(api)["items"]}


def test_the_list_pages_and_filters(api: ApiEnv) -> None:
    first = listed(api, limit=2)
    assert [(r["value"], r["confidence"]) for r in first["items"]] == [
        ("operations", 0.8), ("faq", 0.7),
    ]  # fmt: skip
    second = listed(api, limit=2, cursor=first["next"])
    assert [r["value"] for r in second["items"]] == ["finance", "technology"]
    last = listed(api, limit=2, cursor=second["next"])
    assert [r["value"] for r in last["items"]] == ["whitepaper"] and last["next"] is None
    only = listed(api, field="personas", min_confidence=0.7, asset_id="notes")["items"]
    assert [r["value"] for r in only] == ["operations"]
    assert only[0]["why"] == {"words": ["hospital"], "neighbours": []}
    assert only[0]["status"] == "open" and only[0]["decided_by"] is None
    assert (
        only[0]["title"]
        == api.client.get("/v1/assets/notes", headers=api.auth("rep")).json()["title"]
    )


def test_accept_writes_the_asset_with_provenance_and_reject_records_who(api: ApiEnv) -> None:
    found = ids(api)
    accepted = api.client.post(f"{URL}/{found['type', 'faq']}:accept", headers=api.auth("marketer"))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_by"] == "test-marketer"
    asset = api.client.get("/v1/assets/notes", headers=api.auth("rep")).json()
    assert asset["type"] == "faq"
    provenance = asset["tag_sources"]["type"]
    assert (provenance["source"], provenance["by"], provenance["values"]) == (
        "suggested", "test-marketer", ["faq"],
    )  # fmt: skip
    rejected = api.client.post(
        f"{URL}/{found['personas', 'finance']}:reject", headers=api.auth("marketer")
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert [r["value"] for r in listed(api, status="rejected")["items"]] == ["finance"]
    assert [r["void_reason"] for r in listed(api, status="void")["items"]] == ["field_set"]


def test_bulk_accept_is_all_or_nothing_naming_the_first_bad_id(api: ApiEnv) -> None:
    found = ids(api)
    ops, finance = found["personas", "operations"], found["personas", "finance"]
    tech = found["verticals", "technology"]
    api.client.post(f"{URL}/{tech}:reject", headers=api.auth("marketer"))
    refused = api.client.post(
        f"{URL}:accept", json={"ids": [ops, tech, "ts_nope"]}, headers=api.auth("marketer")
    )
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["field"] == "ids" and f"'{tech}' is rejected" in error["message"]
    assert len(listed(api, field="personas")["items"]) == 2  # ops was not accepted
    missing = api.client.post(f"{URL}:accept", json={"ids": ["ts_nope"]},
                              headers=api.auth("marketer"))  # fmt: skip
    assert missing.status_code == 404 and "'ts_nope'" in missing.json()["error"]["message"]
    done = api.client.post(f"{URL}:accept", json={"ids": [ops, finance]},
                           headers=api.auth("marketer"))  # fmt: skip
    assert done.status_code == 200, done.text
    assert [r["status"] for r in done.json()["items"]] == ["accepted", "accepted"]
    asset = api.client.get("/v1/assets/notes", headers=api.auth("rep")).json()
    assert asset["personas"] == ["operations", "finance"]


def test_deciding_twice_is_a_409_naming_the_id_and_its_status(api: ApiEnv) -> None:
    ops = ids(api)["personas", "operations"]
    assert api.client.post(f"{URL}/{ops}:accept", headers=api.auth("marketer")).status_code == 200
    again = api.client.post(f"{URL}/{ops}:reject", headers=api.auth("marketer"))
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "conflict", "field": "suggestion_id",
        "message": f"Tag suggestion '{ops}' is accepted, not open: it cannot be rejected "
        "(nothing was changed).",
    }  # fmt: skip
    unknown = api.client.post(f"{URL}/ts_nope:accept", headers=api.auth("marketer"))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["field"] == "suggestion_id"


@pytest.mark.parametrize(
    ("params", "field", "valid"),
    [
        ({"field": "colour"}, "field", ["type", "stages", "verticals", "personas"]),
        ({"status": "maybe"}, "status", ["open", "accepted", "rejected", "void"]),
        ({"min_confidence": 1.5}, "min_confidence", None),
        ({"cursor": "nonsense"}, "cursor", None),
    ],
)
def test_bad_filters_are_422_naming_the_field(
    api: ApiEnv, params: dict[str, Any], field: str, valid: list[str] | None
) -> None:
    response = api.client.get(URL, params=params, headers=api.auth("marketer"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert error.get("valid") == valid


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", URL), ("POST", f"{URL}/ts_x:accept"), ("POST", f"{URL}/ts_x:reject"),
     ("POST", f"{URL}:accept")],
)  # fmt: skip
def test_a_rep_may_not_review(api: ApiEnv, method: str, path: str) -> None:
    body = {"json": {"ids": ["ts_x"]}} if method == "POST" else {}
    response = api.client.request(method, path, headers=api.auth("rep"), **body)
    assert response.status_code == 403
    assert api.client.request(method, path, **body).status_code == 401
