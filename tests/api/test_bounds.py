"""Every hostile input is a 422 naming the field, on SQLite and PostgreSQL: control characters and
lone surrogates in every string of every request body (fields found from the OpenAPI document,
not listed by hand), in every query and path parameter, percent-escapes that are not UTF-8, and
dates whose arithmetic would overflow."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from enablement.api import (
    event_schemas,
    experiment_schemas,
    job_schemas,
    ranker_schemas,
    recommend_schemas,
    tag_schemas,
    token_schemas,
)
from enablement.catalog.build import BuildOptions
from enablement.contract import RequestModel
from tests.api.conftest import ApiEnv, make_env
from tests.conftest import fresh_postgres_url

BAD = ["\x00", "\x01", "\x0b", "\x1b", "\x1f", "\ud800", "\udfff"]
Path = tuple[str | int, ...]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def env(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    build_options: BuildOptions,
) -> Iterator[ApiEnv]:
    overrides: dict[str, object] = {"rate_limit_per_minute": 10**6}
    if request.param == "postgresql":
        overrides["database_url"] = fresh_postgres_url(request.getfixturevalue("postgres_server"))
    built = make_env(tmp_path_factory.mktemp("bounds"), build_options, **overrides)
    yield built
    built.client.close()
    built.service.close()


@pytest.fixture(scope="module")
def openapi(env: ApiEnv) -> dict[str, Any]:
    document: dict[str, Any] = env.client.get("/openapi.json").json()
    return document


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _paths(
    schema: dict[str, Any], document: dict[str, Any], leaf: Any, at: Path = ()
) -> list[Path]:
    """Where a value that `leaf(schema)` accepts goes in a body of this schema."""
    schema = _resolve(schema, document)
    if "anyOf" in schema:
        found = [p for option in schema["anyOf"] for p in _paths(option, document, leaf, at)]
        return list(dict.fromkeys(found))
    kind = schema.get("type")
    if kind == "array":
        return _paths(schema.get("items", {}), document, leaf, (*at, 0))
    if kind == "object":
        props = schema.get("properties", {})
        return [p for name, sub in props.items() for p in _paths(sub, document, leaf, (*at, name))]
    return [at] if leaf(schema) else []


def _free_string(schema: dict[str, Any]) -> bool:
    """A string a client writes freely (enums, consts and dates left out)."""
    return (
        schema.get("type") == "string"
        and not {"enum", "const"} & set(schema)
        and schema.get("format") not in ("date", "date-time")
    )


def _string_paths(schema: dict[str, Any], document: dict[str, Any]) -> list[Path]:
    return _paths(schema, document, _free_string)


def _number_paths(schema: dict[str, Any], document: dict[str, Any]) -> list[Path]:
    return _paths(schema, document, lambda leaf: leaf.get("type") in ("integer", "number"))


def _bodies(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, JSON schema) of every operation that takes a JSON body."""
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                found.append((method, path, content["application/json"]["schema"]))
    return found


def _example(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    example: dict[str, Any] = copy.deepcopy(_resolve(schema, document)["examples"][0])
    return example


def _put(body: Any, at: Path, value: object) -> None:
    *parents, last = at
    for step in parents:
        if isinstance(step, int):
            while len(body) <= step:
                body.append({})
        else:
            body = body.setdefault(step, [] if isinstance(step, int) else {})
        body = body[step] if isinstance(step, int) else body
    if isinstance(last, int):
        body[:] = [value]
    else:
        body[last] = value


def _field(at: Path) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in at).lstrip(".")


def _post(env: ApiEnv, method: str, path: str, body: Any) -> Any:
    # ensure_ascii keeps a lone surrogate as the \\ud800 escape a client would send
    content = json.dumps(body).encode()
    headers = env.auth("admin") | {"content-type": "application/json"}
    return env.client.request(method.upper(), path, content=content, headers=headers)


def test_every_request_body_model_applies_the_rule(openapi: dict[str, Any]) -> None:
    modules = (recommend_schemas, job_schemas, event_schemas, token_schemas, experiment_schemas,
               ranker_schemas, tag_schemas)  # fmt: skip
    names = {_resolve(s, openapi).get("title") for _, _, s in _bodies(openapi)}
    assert len(names) >= 6
    for name in names:
        model = next(getattr(m, name) for m in modules if hasattr(m, name))
        assert issubclass(model, RequestModel), name


@pytest.mark.parametrize("char", BAD, ids=lambda c: f"U+{ord(c):04X}")
def test_a_bad_character_in_any_body_string_is_a_422_naming_it(
    env: ApiEnv, openapi: dict[str, Any], char: str
) -> None:
    checked = 0
    for method, path, schema in _bodies(openapi):
        for at in _string_paths(schema, openapi):
            body = _example(schema, openapi)
            _put(body, at, f"ok{char}ok")
            response = _post(env, method, path, body)
            where = f"{method} {path} {_field(at)}"
            assert response.status_code == 422, (where, response.text)
            error = response.json()["error"]
            assert error["field"] == _field(at), (where, error)
            named = (
                "lone surrogate"
                if ord(char) >= 0xD800
                else f"control character (U+{ord(char):04X})"
            )
            assert named in error["message"], (where, error)
            checked += 1
    assert checked >= 30  # deal fields, batch deals, event fields, links, tokens, ingest


def test_true_or_false_for_any_body_number_is_a_422_naming_it(
    env: ApiEnv, openapi: dict[str, Any]
) -> None:
    checked = 0
    for method, path, schema in _bodies(openapi):
        for at in _number_paths(schema, openapi):
            body = _example(schema, openapi)
            _put(body, at, True)
            response = _post(env, method, path, body)
            where = f"{method} {path} {_field(at)}"
            assert response.status_code == 422, (where, response.text)
            error = response.json()["error"]
            assert error["field"] == _field(at), (where, error)
            assert "not true/false" in error["message"], (where, error)
            checked += 1
    assert checked >= 5  # k, batch k, rank, amount, expires_in_days, ttl_seconds


@pytest.mark.parametrize("value", [2**63, 2**70, -(2**63) - 1])
def test_a_number_too_big_for_the_database_is_refused_not_a_500(
    env: ApiEnv, openapi: dict[str, Any], value: int
) -> None:
    """Past a 64-bit integer, SQLite (and PostgreSQL's BIGINT) cannot take it: every integer in a
    body or a query is refused naming its field (or, where it is only compared, simply finds
    nothing), never a 500 and never a 2xx that stored something else."""
    checked = 0
    for method, path, schema in _bodies(openapi):
        for at in _number_paths(schema, openapi):
            body = _example(schema, openapi)
            _put(body, at, value)
            response = _post(env, method, path, body)
            where = f"{method} {path} {_field(at)}"
            assert response.status_code == 422, (where, response.text)
            assert response.json()["error"]["field"] == _field(at), (where, response.text)
            checked += 1
    for path, operations in openapi["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        queried = [p for p in parameters if p["in"] == "query"]
        required = [f"{p['name']}=x&" for p in queried if p.get("required")]
        for parameter in parameters:
            options = parameter["schema"].get("anyOf", [parameter["schema"]])
            if parameter["in"] != "query" or not any(o.get("type") == "integer" for o in options):
                continue
            url = f"{_filled(path)}?{''.join(required)}{parameter['name']}={value}"
            response = env.client.get(url, headers=env.auth("admin"))
            assert response.status_code == 422, (url, response.text)
            assert response.json()["error"]["field"] == parameter["name"], (url, response.text)
            checked += 1
    assert checked >= 8


@pytest.mark.parametrize("text", ["tab\there", "line\nbreak", "pasted\r\nmail"])
def test_tab_newline_and_cr_are_kept(env: ApiEnv, text: str) -> None:
    response = _post(env, "post", "/v1/recommendations", {"questions": [text], "k": 1})
    assert response.status_code == 200, response.text


def _parameters(document: dict[str, Any], where: str) -> list[tuple[str, str]]:
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method != "get":
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                options = schema.get("anyOf", [schema])
                free = any(o.get("type") == "string" and "enum" not in o for o in options)
                if parameter["in"] == where and free and "format" not in schema:
                    found.append((path, parameter["name"]))
    return found


def _filled(path: str, bad: str = "") -> str:
    """The path with each {parameter} filled (with `bad` when given)."""
    return re.sub(r"\{\w+\}", bad or "x", path)


@pytest.mark.parametrize("escape", ["%00", "%01", "%1F", "%ED%A0%80", "%FF", "%C3"])
def test_a_bad_query_parameter_is_a_422_naming_it(
    env: ApiEnv, openapi: dict[str, Any], escape: str
) -> None:
    params = _parameters(openapi, "query")
    assert ("/v1/search", "q") in params and ("/v1/share-links", "deal_id") in params
    for path, name in params:
        url = f"{_filled(path)}?{name}=a{escape}b"
        response = env.client.get(url, headers=env.auth("admin"))
        assert response.status_code == 422, (url, response.text)
        assert response.json()["error"]["field"] == name, (url, response.text)


@pytest.mark.parametrize("escape", ["%00", "%1B", "%ED%A0%80", "%FF"])
def test_a_bad_path_parameter_is_a_422(env: ApiEnv, openapi: dict[str, Any], escape: str) -> None:
    paths = {path for path in openapi["paths"] if "{" in path} | {"/s/{token}"}
    assert len(paths) >= 3
    for path in paths:
        methods = openapi["paths"].get(path, {"get": {}})
        for method in methods:
            url = _filled(path, f"a{escape}b")
            response = env.client.request(method.upper(), url, headers=env.auth("admin"))
            assert response.status_code == 422, (url, response.text)
            name = re.findall(r"\{(\w+)\}", path)[0]
            expected = "path" if escape in ("%FF", "%ED%A0%80") else name  # not UTF-8 at all
            assert response.json()["error"]["field"] == expected, (url, response.text)


@pytest.mark.parametrize(
    "query",
    ["until=9999-12-31", "since=0001-01-01", "since=0001-01-01&until=0001-01-02",
     "until=3000-01-01", "since=1899-12-31"],
)  # fmt: skip
def test_analytics_dates_that_would_overflow_are_a_422(env: ApiEnv, query: str) -> None:
    for view in ("funnel", "unused", "health", "demand", "influence", "coverage"):
        response = env.client.get(f"/v1/analytics/{view}?{query}", headers=env.auth("admin"))
        assert response.status_code == 422, (view, query, response.text)
        assert response.json()["error"]["field"] in ("since", "until")


def _date_fields(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], Path, str]]:
    found = []
    for method, path, schema in _bodies(document):
        for at, kind in _dated(schema, document):
            found.append((method, path, schema, at, kind))
    return found


def _dated(schema: dict[str, Any], document: dict[str, Any], at: Path = ()) -> list[Any]:
    schema = _resolve(schema, document)
    if "anyOf" in schema:
        return [p for option in schema["anyOf"] for p in _dated(option, document, at)]
    if schema.get("format") in ("date", "date-time"):
        return [(at, schema["format"])]
    if schema.get("type") == "array":
        return _dated(schema.get("items", {}), document, (*at, 0))
    props = schema.get("properties", {}) if schema.get("type") == "object" else {}
    return [p for name, sub in props.items() for p in _dated(sub, document, (*at, name))]


EXTREMES = {
    "date": ["9999-12-31", "0001-01-01", "3000-01-01"],
    "date-time": ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "3000-01-01T00:00Z"],
}


def test_every_body_date_out_of_range_is_a_422_naming_it(
    env: ApiEnv, openapi: dict[str, Any]
) -> None:
    fields = _date_fields(openapi)
    assert {_field(at) for *_, at, _ in fields} >= {"as_of", "occurred_at", "close_date"}
    for method, path, schema, at, kind in fields:
        for value in EXTREMES[kind]:
            body = _example(schema, openapi)
            _put(body, at, value)
            response = _post(env, method, path, body)
            assert response.status_code == 422, (path, at, value, response.text)
            assert response.json()["error"]["field"] == _field(at), response.text
