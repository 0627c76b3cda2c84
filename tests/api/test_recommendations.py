"""Recommendations, search, assets and the shared error body over HTTP."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiEnv

DEAL = {
    "stage": "Needs Analysis",
    "vertical": "healthcare",
    "questions": ["how do approvals and intake forms work?"],
    "k": 3,
    "as_of": "2026-06-01",
}


def test_recommendation_body_and_bundle_header(api: ApiEnv) -> None:
    response = api.client.post("/v1/recommendations", json=DEAL, headers=api.auth("rep"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["recommendation_id"]) == 24
    assert body["deal"]["stage"] == "discovery" and body["deal"]["vertical"] == "healthcare"
    assert response.headers["x-bundle-version"] == body["bundle_version"]
    items = body["items"]
    assert [i["rank"] for i in items] == [1, 2, 3]
    assert items[0]["asset_id"] == "datasheet-healthcare"
    assert all(i["reasons"] and i["summary"] and i["passages"] for i in items)


def test_batch(api: ApiEnv) -> None:
    deals = [DEAL, {**DEAL, "vertical": "retail"}]
    response = api.client.post(
        "/v1/recommendations:batch", json={"deals": deals}, headers=api.auth("rep")
    )
    results = response.json()["results"]
    assert [r["items"][0]["asset_id"] for r in results] == [
        "datasheet-healthcare",
        "datasheet-retail",
    ]
    too_many = api.client.post(
        "/v1/recommendations:batch", json={"deals": [DEAL] * 101}, headers=api.auth("rep")
    )
    assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "deals"


@pytest.mark.parametrize(
    ("body", "status", "field", "fragment"),
    [
        ({"stage": "negotation"}, 422, "stage", "Did you mean 'negotiation'?"),
        ({"colour": "red"}, 422, "colour", "Unknown field 'colour'"),
        ({"k": 0}, 422, "k", "greater than or equal to 1"),
        ({"k": 51}, 422, "k", "less than or equal to 50"),
        ({"questions": ["q"] * 11}, 422, "questions", "at most 10"),
        ({"external_only": "sometimes"}, 422, "external_only", "boolean"),
    ],
)
def test_bad_deals_name_the_field(
    api: ApiEnv, body: dict[str, object], status: int, field: str, fragment: str
) -> None:
    response = api.client.post("/v1/recommendations", json=body, headers=api.auth("rep"))
    assert response.status_code == status
    error = response.json()["error"]
    assert error["field"] == field
    assert fragment in error["message"]


def test_unknown_stage_lists_the_valid_ones(api: ApiEnv) -> None:
    error = api.client.post(
        "/v1/recommendations", json={"stage": "x"}, headers=api.auth("rep")
    ).json()["error"]
    assert error["code"] == "unknown_stage"
    assert error["valid"] == [
        "prospecting",
        "discovery",
        "evaluation",
        "proposal",
        "negotiation",
        "closed_won",
    ]


def test_batch_error_names_the_deal(api: ApiEnv) -> None:
    body = {"deals": [DEAL, {"persona": "astronaut"}]}
    error = api.client.post("/v1/recommendations:batch", json=body, headers=api.auth("rep")).json()[
        "error"
    ]
    assert error["field"] == "deals[1].persona"


def test_oversized_body_is_413(api: ApiEnv) -> None:
    huge = {"questions": ["x" * (2 * 1024 * 1024)]}
    response = api.client.post("/v1/recommendations", json=huge, headers=api.auth("rep"))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_search_pages_with_a_cursor(api: ApiEnv) -> None:
    first = api.client.get(
        "/v1/search", params={"q": "workflow approvals", "limit": 2}, headers=api.auth("rep")
    ).json()
    assert len(first["items"]) == 2 and first["next"]
    second = api.client.get(
        "/v1/search",
        params={"q": "workflow approvals", "limit": 2, "cursor": first["next"]},
        headers=api.auth("rep"),
    ).json()
    ids = [h["asset_id"] for h in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 4
    bad = api.client.get(
        "/v1/search", params={"q": "x", "cursor": "nonsense"}, headers=api.auth("rep")
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "cursor"


def test_search_filters(api: ApiEnv) -> None:
    body = api.client.get(
        "/v1/search", params={"q": "pricing", "type": "pricing guide"}, headers=api.auth("rep")
    ).json()
    assert body["items"] and all(h["type"] == "pricing_guide" for h in body["items"])
    bad = api.client.get(
        "/v1/search", params={"q": "pricing", "type": "poster"}, headers=api.auth("rep")
    )
    assert bad.status_code == 422 and "datasheet" in bad.json()["error"]["message"]


def test_assets_are_paged_and_detailed(api: ApiEnv) -> None:
    seen, cursor = [], None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/v1/assets", params=params, headers=api.auth("rep")).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == sorted(seen) and len(seen) == 12
    detail = api.client.get(
        "/v1/assets/security-faq", params={"include_chunks": True}, headers=api.auth("rep")
    ).json()
    assert detail["chunks"][0]["heading_path"] == ["Encryption"]
    missing = api.client.get("/v1/assets/nope", headers=api.auth("rep"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_unknown_route_and_method_share_the_body(api: ApiEnv) -> None:
    assert api.client.get("/v1/nothing").json()["error"]["code"] == "not_found"
    assert api.client.put("/v1/taxonomy").json()["error"]["code"] == "method_not_allowed"


def test_unexpected_errors_hide_the_trace(api: ApiEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(type(api.service.recommender), "recommend", boom)
    response = api.client.post("/v1/recommendations", json=DEAL, headers=api.auth("rep"))
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "Something went wrong on our side."}
    }
    assert "secret" not in response.text


def test_every_schema_in_the_openapi_document_has_an_example(api: ApiEnv) -> None:
    document = api.client.get("/openapi.json").json()
    ours = {
        name: schema
        for name, schema in document["components"]["schemas"].items()
        if not name.startswith(("HTTPValidationError", "ValidationError"))
    }
    missing = [
        name
        for name, schema in ours.items()
        if "examples" not in schema and "example" not in schema
    ]
    assert not missing, missing
    assert document["paths"]["/v1/recommendations"]["post"]["responses"]["422"]


@pytest.mark.parametrize(
    ("questions", "fragments", "kept"),
    [
        (["asdfgh qwerty zxcv", DEAL["questions"][0]], ["questions[0]", "looks like gibberish"], 1),
        (["ユーザーあたりの費用はいくらですか？"], ["looks like Japanese"], 0),
        (["???", "жжж ррр"], ["questions[0]", "questions[1]"], 0),
    ],
)
def test_unusable_questions_warn_and_fall_back(
    api: ApiEnv, questions: list[str], fragments: list[str], kept: int
) -> None:
    body = {**DEAL, "questions": questions}
    response = api.client.post("/v1/recommendations", json=body, headers=api.auth("rep"))
    assert response.status_code == 200, response.text
    result = response.json()
    assert all(any(f in w for w in result["warnings"]) for f in fragments)
    assert len(result["deal"]["questions"]) == kept
    assert result["items"][0]["asset_id"] == "datasheet-healthcare"


def test_only_gibberish_and_no_fields_is_not_an_error(api: ApiEnv) -> None:
    body = {"questions": ["qwertyuiop asdf"], "as_of": "2026-06-01"}
    response = api.client.post("/v1/recommendations", json=body, headers=api.auth("rep"))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["warnings"] == [
        "questions[0] (\u201cqwertyuiop asdf\u201d) looks like gibberish; ranked on the deal's "
        "fields."
    ]
    assert result["deal"]["questions"] == [] and result["items"]
