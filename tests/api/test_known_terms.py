"""Deals and searches over HTTP and MCP, checked against what the library's assets declare: an
unknown language is a 422 naming the field and the languages there are; an unknown competitor or
product is served with a warning naming the closest known one."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from mcp.server.mcpserver.exceptions import ToolError

from enablement.mcp_server import build_mcp
from tests.api.conftest import ApiEnv

# The small library (tests/index/library.py): one asset declares a language (fr), two name
# competitors (brightwell, oxley), none a product.
UNKNOWN_LANGUAGE = "Unknown language 'de'. Valid values: fr."


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/recommendations", {"language": "de"}, "language"),
        ("/v1/recommendations:batch", {"deals": [{}, {"language": "de"}]}, "deals[1].language"),
    ],
)
def test_an_unknown_deal_language_is_a_422_listing_the_catalogs(
    api: ApiEnv, path: str, body: dict[str, Any], field: str
) -> None:
    response = api.client.post(path, json=body, headers=api.auth("rep"))
    assert response.status_code == 422, response.text
    assert response.json() == {
        "error": {
            "code": "unknown_language",
            "message": UNKNOWN_LANGUAGE,
            "field": field,
            "valid": ["fr"],
        }
    }


def test_an_unknown_search_language_is_a_422_and_a_known_one_filters(api: ApiEnv) -> None:
    refused = api.client.get(
        "/v1/search", params={"q": "approvals", "language": "de"}, headers=api.auth("rep")
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert (error["code"], error["field"], error["valid"]) == (
        "unknown_language",
        "language",
        ["fr"],
    )
    found = api.client.get(
        "/v1/search", params={"q": "approbations formulaires", "language": "FR"},
        headers=api.auth("rep"),
    ).json()  # fmt: skip
    ids = [item["asset_id"] for item in found["items"]]
    assert "guide-fr" in ids
    for asset_id in ids:  # French, or declaring no language
        language = api.service.store.get(asset_id)["language"]  # type: ignore[index]
        assert language in (None, "fr"), asset_id


def test_an_unknown_competitor_or_product_is_a_warning(api: ApiEnv) -> None:
    body = {"competitor": "Oxly", "products": ["workflow"], "stage": "evaluation"}
    response = api.client.post("/v1/recommendations", json=body, headers=api.auth("rep"))
    assert response.status_code == 200, response.text
    served = response.json()
    assert served["warnings"] == [
        "Unknown product 'workflow'; no asset in the catalog names a product.",
        "Unknown competitor 'oxly'; did you mean 'oxley'?",
    ]
    assert served["items"] and served["deal"]["competitor"] == "oxly"  # kept, as CRMs send it
    known = api.client.post(
        "/v1/recommendations", json={"competitor": "oxley"}, headers=api.auth("rep")
    )
    assert known.json()["warnings"] == []


def _tool(api: ApiEnv, name: str, arguments: dict[str, Any]) -> Any:
    server = build_mcp(api.service)

    async def call() -> Any:
        return await server.call_tool(name, arguments)

    return anyio.run(call)


def test_the_mcp_tools_warn_and_refuse_alike(api: ApiEnv) -> None:
    result = _tool(api, "recommend_content", {"competitor": "oxly"})
    served = json.loads(result.content[0].text)
    assert served["warnings"] == ["Unknown competitor 'oxly'; did you mean 'oxley'?"]
    for name, arguments in (
        ("recommend_content", {"language": "de"}),
        ("search_content", {"query": "approvals", "language": "de"}),
    ):
        with pytest.raises(ToolError) as caught:
            _tool(api, name, arguments)
        assert str(caught.value).endswith(
            f"{name}: unknown_language (field language): {UNKNOWN_LANGUAGE}"
        )
