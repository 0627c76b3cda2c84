"""MCP: an SDK client session lists the tools and gets recommendations, over HTTP with keys."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import httpx2
from mcp import Client
from sqlalchemy import select

from enablement.api import create_app
from enablement.catalog.build import BuildOptions
from enablement.db import tables
from tests.api.conftest import make_env
from tests.api.server import running


async def _session(url: str, key: str) -> tuple[list[str], dict[str, object], str]:
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
        from mcp.client.streamable_http import streamable_http_client

        async with Client(streamable_http_client(url, http_client=http)) as client:  # type: ignore[arg-type]
            tools = [tool.name for tool in (await client.list_tools()).tools]
            result = await client.call_tool(
                "recommend_content",
                {
                    "stage": "Needs Analysis",
                    "vertical": "healthcare",
                    "questions": ["intake forms"],
                    "k": 3,
                },
            )
            body = json.loads(result.content[0].text)  # type: ignore[union-attr]
            bad = await client.call_tool("recommend_content", {"stage": "signing"})
            assert bad.is_error
            return tools, body, bad.content[0].text  # type: ignore[union-attr]


def test_mcp_over_http_with_the_api_keys(tmp_path: Path, build_options: BuildOptions) -> None:
    env = make_env(tmp_path, build_options)
    with running(create_app(env.settings, service=env.service)) as base:
        tools, body, refusal = anyio.run(_session, f"{base}/mcp/", env.keys["rep"])
        refused = httpx2.post(f"{base}/mcp/", json={}, headers={"Authorization": "Bearer nope"})
    assert {"recommend_content", "search_content", "get_asset"} <= set(tools)
    assert body["deal"]["stage"] == "discovery"  # type: ignore[index]
    assert body["items"][0]["asset_id"] == "datasheet-healthcare"  # type: ignore[index]
    assert "unknown_stage (field stage)" in refusal and "discovery" in refusal  # a clear reason
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    # what the tool served is logged under the key's user, like the REST route's
    assert env.service.usage.log.flush()
    e = tables.events.c
    with env.service.engine.connect() as connection:
        logged = connection.execute(
            select(e.user_id, e.recommendation_id).where(e.type == "recommended")
        ).all()
    assert {row.user_id for row in logged} == {"test-rep"}
    assert {row.recommendation_id for row in logged} == {body["recommendation_id"]}  # type: ignore[index]
