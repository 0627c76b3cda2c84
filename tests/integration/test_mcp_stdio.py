"""`enablement mcp` over stdio, driven by the official SDK client, on the real model."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

from enablement.access.keys import Role
from enablement.service import EnablementService
from enablement.settings import Settings


async def _session(
    params: StdioServerParameters,
) -> tuple[list[str], dict[str, object], dict[str, object]]:
    async with Client(params, read_timeout_seconds=120) as client:
        tools = [tool.name for tool in (await client.list_tools()).tools]
        result = await client.call_tool(
            "recommend_content",
            {
                "stage": "Contract Sent",
                "persona": "procurement_legal",
                "external_only": True,
                "questions": ["what's your liability cap?"],
                "k": 3,
            },
        )
        asset = await client.call_tool("get_asset", {"asset_id": "faqs-contracting-and-msa-faq"})
        return tools, json.loads(result.content[0].text), json.loads(asset.content[0].text)  # type: ignore[union-attr]


def test_stdio_session_lists_tools_and_recommends(sample_data_dir: Path) -> None:
    service = EnablementService(Settings(data_dir=sample_data_dir))
    key = service.keys.create("mcp-stdio-test", Role.rep).key
    service.close()
    # exploration off: a list with its first pair swapped (a random 5% share of lists, by
    # default) would make the first item below a matter of chance
    env = {**os.environ, "ENABLEMENT_DATA_DIR": str(sample_data_dir), "ENABLEMENT_API_KEY": key,
           "ENABLEMENT_EXPLORE_SHARE": "0"}  # fmt: skip
    params = StdioServerParameters(
        command=sys.executable,
        args=["-c", "from enablement.cli import main; main()", "mcp"],
        env=env,
    )
    tools, result, asset = anyio.run(_session, params)
    assert {"recommend_content", "search_content", "get_asset"} <= set(tools)
    assert result["items"][0]["asset_id"] == "faqs-contracting-and-msa-faq"  # type: ignore[index]
    assert asset["type"] == "faq"
    assert not {"source", "content_hash", "extra"} & set(asset)  # the REST view, no more
