"""The MCP tools in-process: bounded by the REST models, refusals as tool errors naming the field,
get_asset exactly the REST body, and no crash on arguments generated from the tools' schemas."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError

from enablement.access.keys import Role
from enablement.catalog.build import BuildOptions
from enablement.mcp_server import build_mcp
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.api.conftest import ApiEnv, make_env


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, build_options: BuildOptions) -> Iterator[ApiEnv]:
    built = make_env(tmp_path_factory.mktemp("mcp"), build_options, rate_limit_per_minute=10**6)
    yield built
    built.client.close()
    built.service.close()


@pytest.fixture(scope="module")
def server(env: ApiEnv) -> MCPServer:
    return build_mcp(env.service)


def _call(server: MCPServer, name: str, arguments: dict[str, Any]) -> Any:
    async def call() -> Any:
        return await server.call_tool(name, arguments)

    result = anyio.run(call)
    return json.loads(result.content[0].text)


def _refusal(server: MCPServer, name: str, arguments: dict[str, Any]) -> str:
    with pytest.raises(ToolError) as caught:
        _call(server, name, arguments)
    assert not isinstance(caught.value, UnexpectedToolError), caught.value.__cause__
    return str(caught.value)


@pytest.mark.parametrize(
    ("name", "arguments", "field"),
    [
        ("search_content", {"query": "x" * 980_000}, "query"),
        ("search_content", {"query": ""}, "query"),
        ("search_content", {"query": "baa", "limit": 10_000}, "limit"),
        ("search_content", {"query": "baa", "stage": "s" * 5000}, "stage"),
        ("search_content", {"query": "b\x00aa"}, "query"),
        ("recommend_content", {"products": ["p"] * 60_000}, "products"),
        ("recommend_content", {"questions": ["q"] * 11}, "questions"),
        ("recommend_content", {"questions": ["ok", "bad\x00"]}, "questions[1]"),
        ("recommend_content", {"already_shared": ["\ud800"]}, "already_shared[0]"),
        ("recommend_content", {"k": 0}, "k"),
        ("recommend_content", {"competitor": "c" * 201}, "competitor"),
        ("get_asset", {"asset_id": "a\x00b"}, "asset_id"),
        ("get_asset", {"asset_id": "a" * 201}, "asset_id"),
    ],
)
def test_the_rest_bounds_hold_over_mcp(
    server: MCPServer, name: str, arguments: dict[str, Any], field: str
) -> None:
    message = _refusal(server, name, arguments)
    assert f"(field {field})" in message and len(message) < 500, message


def test_an_unknown_stage_is_a_tool_error_listing_the_valid_ones(server: MCPServer) -> None:
    message = _refusal(server, "recommend_content", {"stage": "signing"})
    assert "unknown_stage (field stage)" in message
    assert "Valid values:" in message and "discovery" in message


def test_get_asset_over_mcp_is_exactly_the_rest_body(env: ApiEnv, server: MCPServer) -> None:
    asset_id = env.client.get("/v1/assets", headers=env.auth("rep")).json()["items"][0]["id"]
    for chunks in (False, True):
        rest = env.client.get(
            f"/v1/assets/{asset_id}",
            params={"include_chunks": str(chunks).lower()},
            headers=env.auth("rep"),
        )
        assert rest.status_code == 200
        tool = _call(server, "get_asset", {"asset_id": asset_id, "include_chunks": chunks})
        assert tool == rest.json()
        assert not {"source", "content_hash", "extra"} & set(tool)
    message = _refusal(server, "get_asset", {"asset_id": "no-such-asset"})
    assert "not_found (field asset_id)" in message


def test_search_and_recommend_still_answer(server: MCPServer) -> None:
    found = _call(server, "search_content", {"query": "intake forms", "limit": 3})
    assert found["items"] and len(found["items"]) <= 3
    served = _call(server, "recommend_content", {"stage": "Needs Analysis", "k": 2})
    assert served["deal"]["stage"] == "discovery" and len(served["items"]) <= 2


def test_a_deal_id_leaves_out_and_lists_what_was_sent_in_the_deal(
    env: ApiEnv, server: MCPServer
) -> None:
    deal = {"deal_id": "mcp-deal", "stage": "discovery", "k": 3}
    top = _call(server, "recommend_content", deal)["items"][0]["asset_id"]
    event = {"idempotency_key": "mcp-sent", "type": "sent", "deal_id": "mcp-deal", "asset_id": top}
    assert env.client.post("/v1/events", json=event, headers=env.auth("rep")).status_code == 201
    served = _call(server, "recommend_content", deal)
    assert top not in [item["asset_id"] for item in served["items"]]
    assert [(s["asset_id"], s["via"]) for s in served["already_sent"]] == [(top, "sent")]


HOSTILE = st.sampled_from(["", " ", "\x00", "a\ud800", "\x1b[2J", "x" * 5000, "CISO", "1"])
TEXT = st.text(st.characters(exclude_categories=[]), max_size=40) | HOSTILE


def _from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values for a JSON schema of the shapes the tools use, with hostile strings mixed in."""
    if "anyOf" in schema:
        return st.one_of([_from_schema(option) for option in schema["anyOf"]])
    kind = schema.get("type")
    if kind == "array":
        return st.lists(_from_schema(schema.get("items", {})), max_size=25)
    simple: dict[str, st.SearchStrategy[Any]] = {
        "string": TEXT,
        "integer": st.integers(-(2**70), 2**70),
        "boolean": st.booleans(),
        "null": st.none(),
        "number": st.floats(),
    }
    return simple.get(str(kind), st.none() | st.booleans() | TEXT | st.integers())


def _arguments(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {name: _from_schema(sub) for name, sub in properties.items() if name in required},
        optional={
            name: _from_schema(sub) for name, sub in properties.items() if name not in required
        },
    )


@pytest.mark.parametrize("name", ["recommend_content", "search_content", "get_asset"])
def test_no_arguments_from_the_tools_schemas_crash_a_tool(server: MCPServer, name: str) -> None:
    (tool,) = [tool for tool in anyio.run(server.list_tools) if tool.name == name]

    @given(arguments=_arguments(tool.input_schema))
    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
    def check(arguments: dict[str, Any]) -> None:
        try:
            _call(server, name, arguments)
        except UnexpectedToolError as exc:  # a crash: the model would see no reason
            raise AssertionError(f"{name}({arguments!r}) crashed") from exc.__cause__
        except ToolError as exc:
            assert str(exc).startswith(f"Error executing tool {name}: ")

    check()


async def _over_the_protocol(
    server: MCPServer | Any, name: str, arguments: dict[str, Any]
) -> tuple[bool, str]:
    """A tool call through an SDK client session: (is_error, the text the client gets)."""
    async with Client(server, read_timeout_seconds=120) as client:
        result = await client.call_tool(name, arguments)
        return bool(result.is_error), result.content[0].text  # type: ignore[union-attr]


def test_a_refusal_reaches_the_client_with_its_message_and_logs_no_traceback(
    server: MCPServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    error, text = anyio.run(
        _over_the_protocol, server, "recommend_content", {"stage": "negotation"}
    )
    assert error
    assert "Unknown stage 'negotation'. Did you mean 'negotiation'? Valid values:" in text
    assert "unknown_stage (field stage)" in text
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING] == []


def test_a_crash_is_logged_once_and_tells_the_client_nothing_of_it(
    env: ApiEnv, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("connection string postgres://admin:secret@db")

    monkeypatch.setattr(env.service, "search", crash)
    error, text = anyio.run(
        _over_the_protocol, build_mcp(env.service), "search_content", {"query": "x"}
    )
    assert error and text == "Error executing tool search_content"
    logged = [r for r in caplog.records if r.exc_info]
    assert len(logged) == 1 and "admin:secret@db" in caplog.text  # the traceback, for the operator


def test_over_stdio_a_refusal_is_a_tool_error_and_stderr_has_no_traceback(
    tmp_path: Path,
) -> None:
    """`enablement mcp` as an assistant runs it: the refusal comes back as an is_error result
    carrying the message, and the server's stderr holds no traceback (no index is needed)."""
    service = EnablementService(Settings(data_dir=tmp_path))
    key = service.keys.create("assistant", Role.rep).key
    service.close()
    env = {**os.environ, "ENABLEMENT_DATA_DIR": str(tmp_path), "ENABLEMENT_API_KEY": key}
    params = StdioServerParameters(
        command=sys.executable,
        args=["-c", "from enablement.cli import main; main()", "mcp"],
        env=env,
    )
    with (tmp_path / "stderr.txt").open("w+") as stderr:
        transport = stdio_client(params, errlog=stderr)
        error, text = anyio.run(
            _over_the_protocol, transport, "recommend_content", {"stage": "negotation"}
        )
        stderr.seek(0)
        logged = stderr.read()
    assert error and "Did you mean 'negotiation'?" in text
    assert "Traceback" not in logged
