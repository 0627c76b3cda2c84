"""The OpenAPI document a client generator reads: camelCase operationIds, unique, and the bearer
scheme on exactly the operations that refuse a request without a key."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI

from enablement.api.limits import RateLimiter
from enablement.api.openapi import check_operation_ids, operation_id
from tests.api.conftest import ApiEnv

METHODS = {"get", "put", "post", "delete", "patch"}
PUBLIC = {("get", "/healthz"), ("get", "/readyz")}


@pytest.fixture
def document(api: ApiEnv) -> dict[str, Any]:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_operation_has_a_unique_camel_case_id(document: dict[str, Any]) -> None:
    ids = [operation.get("operationId", "") for _, _, operation in _operations(document)]
    assert len(ids) > 20
    assert [i for i in ids if not re.fullmatch(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*", i)] == []
    assert len(set(ids)) == len(ids)
    by_path = {(m, p): op["operationId"] for m, p, op in _operations(document)}
    assert by_path[("post", "/v1/recommendations")] == "recommend"
    assert by_path[("post", "/v1/recommendations:batch")] == "recommendBatch"
    assert by_path[("get", "/v1/analytics/funnel")] == "analyticsFunnel"  # from the route's name
    assert by_path[("post", "/v1/embed-tokens")] == "createEmbedToken"


def test_the_bearer_scheme_is_declared(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert list(document["components"]["securitySchemes"]) == ["bearerAuth"]


def test_the_document_says_which_operations_need_a_key(
    api: ApiEnv, document: dict[str, Any]
) -> None:
    """Each operation is called without a key: those declaring bearerAuth answer 401 with our
    error body, and only the public ones declare nothing."""
    # more operations than ENABLEMENT_AUTH_FAILURES_PER_MINUTE (30) lets one address fail
    api.client.app.state.auth_failures = RateLimiter(10**6)  # type: ignore[attr-defined]
    operations = _operations(document)
    assert {(method, path) for method, path, _ in operations} >= PUBLIC
    for method, path, operation in operations:
        url = re.sub(r"\{[^}]+\}", "x", path)
        response = api.client.request(method, url, json={} if method == "post" else None)
        if (method, path) in PUBLIC:
            assert "security" not in operation, path
            assert response.status_code == 200, path
            continue
        assert operation.get("security") == [{"bearerAuth": []}], (method, path)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.json()["error"]["message"].startswith("An API key is required")


def test_a_bad_key_keeps_its_error_body(api: ApiEnv) -> None:
    for headers in ({"Authorization": "Bearer enb_wrong"}, {"Authorization": "Basic eDp5"}):
        response = api.client.get("/v1/taxonomy", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    assert api.client.get("/v1/taxonomy", headers={"X-API-Key": api.keys["rep"]}).is_success


def test_operation_ids_camel_case_the_route_name() -> None:
    app = FastAPI(generate_unique_id_function=operation_id)
    router = APIRouter()

    @router.get("/a", name="list_share_links")
    def first() -> None: ...

    app.include_router(router)
    assert app.openapi()["paths"]["/a"]["get"]["operationId"] == "listShareLinks"


def test_two_routes_of_one_name_are_refused() -> None:
    routers = [APIRouter(prefix="/v1"), APIRouter(include_in_schema=False), APIRouter()]
    for router, path in zip(routers, ("/a", "/hidden", "/b"), strict=True):

        @router.get(path)
        def recommend() -> None: ...

    check_operation_ids(routers[:2])  # an undocumented route may share the name
    with pytest.raises(RuntimeError, match="'recommend' is used by GET /v1/a and GET /b"):
        check_operation_ids(routers)


def test_an_unknown_id_is_a_documented_404_naming_its_path_parameter(
    api: ApiEnv, document: dict[str, Any]
) -> None:
    """Every operation with an id in its path: an id that does not exist is a 404 whose error
    names that path parameter, and the document lists the 404 a client will meet."""
    checked = 0
    for method, path, operation in _operations(document):
        names = re.findall(r"\{(\w+)\}", path)
        if not names:
            continue
        url = path
        for name in names:
            url = url.replace("{" + name + "}", "no-such-id")
        response = api.client.request(method.upper(), url, headers=api.auth("admin"))
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["field"] == names[-1], (method, path, response.text)
        assert "404" in operation["responses"], (method, path)
        checked += 1
    assert checked >= 4  # an asset (get, delete), a job, a share link's revoke


def test_metrics_documents_its_refusals(document: dict[str, Any]) -> None:
    responses = document["paths"]["/metrics"]["get"]["responses"]
    assert {"200", "401", "403"} <= set(responses)
