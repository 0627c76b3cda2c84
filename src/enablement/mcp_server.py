"""The service as Model Context Protocol tools, for assistants (stdio, or HTTP under the API)."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer

from enablement.errors import NotFoundError
from enablement.service import EnablementService

INSTRUCTIONS = (
    "Sales-content recommendations. Use recommend_content with what you know of the deal (stage, "
    "industry vertical, buyer persona, the buyer's questions) to get the assets to send next, "
    "each with reasons and the passage that answers. Use search_content for free-text lookups "
    "and get_asset for one asset's details."
)


def build_mcp(service: EnablementService) -> MCPServer:
    """An MCP server whose tools call `service`, exactly as the REST routes do."""
    server = MCPServer(name="enablement", instructions=INSTRUCTIONS)

    @server.tool()
    def recommend_content(
        stage: str | None = None,
        vertical: str | None = None,
        persona: str | None = None,
        questions: list[str] | None = None,
        products: list[str] | None = None,
        competitor: str | None = None,
        already_shared: list[str] | None = None,
        external_only: bool = False,
        k: int = 5,
    ) -> dict[str, Any]:
        """Recommend sales assets for a deal. Stages, verticals and personas accept CRM names and
        aliases (e.g. stage "Needs Analysis", persona "CISO"). Returns ranked assets with reasons
        and the passages that answer each buyer question."""
        raw = {
            "stage": stage,
            "vertical": vertical,
            "persona": persona,
            "questions": questions,
            "products": products,
            "competitor": competitor,
            "already_shared": already_shared,
            "external_only": external_only,
            "k": k,
        }
        return service.recommend(
            {key: value for key, value in raw.items() if value is not None}
        ).to_dict()

    @server.tool()
    def search_content(
        query: str,
        stage: str | None = None,
        vertical: str | None = None,
        persona: str | None = None,
        type: str | None = None,
        external_only: bool = False,
        limit: int = 10,
    ) -> dict[str, Any]:
        """Search the content library in free text, optionally filtered by stage, vertical,
        persona or asset type (e.g. "case_study")."""
        filters = {
            "stage": stage,
            "vertical": vertical,
            "persona": persona,
            "type": type,
            "external_only": external_only,
        }
        return service.search(query, filters=filters, limit=limit).to_dict()

    @server.tool()
    def get_asset(asset_id: str, include_chunks: bool = False) -> dict[str, Any]:
        """One asset's metadata (title, type, stages, verticals, owner, dates, URL), and its text
        chunks with page/slide/heading when include_chunks is true."""
        row = service.store.get(asset_id)
        if row is None:
            raise NotFoundError(f"No asset with id '{asset_id}'.", field="asset_id")
        asset = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        if include_chunks:
            asset["chunks"] = service.store.chunks(asset_id)
        return asset

    return server
