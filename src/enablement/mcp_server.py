"""The service as Model Context Protocol tools, for assistants (stdio, or HTTP under the API)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError

from enablement.contract import (
    AssetRequest,
    DealContext,
    SearchRequest,
    describe,
    public_asset,
)
from enablement.errors import EnablementError, NotFoundError
from enablement.service import EnablementService

# Over stdio the assistant runs on the user's machine with no key: its recommendations are logged
# under this user id. Over HTTP the caller's key names the user, as for the REST API.
STDIO_USER = "mcp-stdio"

INSTRUCTIONS = (
    "Sales-content recommendations. Use recommend_content with what you know of the deal (stage, "
    "industry vertical, buyer persona, the buyer's questions) to get the assets to send next, "
    "each with reasons and the passage that answers. Use search_content for free-text lookups "
    "and get_asset for one asset's details."
)


def build_mcp(service: EnablementService) -> MCPServer:
    """An MCP server whose tools call `service`, exactly as the REST routes do: arguments are
    validated with the routes' models, and a refusal is a tool error naming the field."""
    server = MCPServer(name="enablement", instructions=INSTRUCTIONS)

    @server.tool()
    def recommend_content(
        deal_id: str | None = None,
        stage: str | None = None,
        vertical: str | None = None,
        persona: str | None = None,
        questions: list[str] | None = None,
        products: list[str] | None = None,
        competitor: str | None = None,
        already_shared: list[str] | None = None,
        external_only: bool = False,
        language: str | None = None,
        k: int = 5,
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        """Recommend sales assets for a deal. Stages, verticals and personas accept CRM names and
        aliases (e.g. stage "Needs Analysis", persona "CISO"). Returns ranked assets with reasons
        and the passages that answer each buyer question, and a recommendation_id that usage
        events can quote. With the CRM's deal_id, assets already sent or shared by link in that
        deal are left out and listed in already_sent (when, how, and how often the buyer
        viewed them). An unknown language is refused (the error lists those the library
        holds); an unknown product or competitor is named in `warnings`."""
        raw = {
            "deal_id": deal_id,
            "stage": stage,
            "vertical": vertical,
            "persona": persona,
            "questions": questions,
            "products": products,
            "competitor": competitor,
            "already_shared": already_shared,
            "external_only": external_only,
            "language": language,
            "k": k,
        }
        with _tool_errors():
            body = DealContext.model_validate({k: v for k, v in raw.items() if v is not None})
            deal = service.resolve_deal(body.to_raw(), prefix="")
            (served,) = service.usage.serve(service.recommender, [deal], user_id=_caller(ctx))
            return served.to_dict()

    @server.tool()
    def search_content(
        query: str,
        stage: str | None = None,
        vertical: str | None = None,
        persona: str | None = None,
        type: str | None = None,
        external_only: bool = False,
        language: str | None = None,
        limit: int = 10,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """Search the content library in free text, optionally filtered by stage, vertical,
        persona, asset type (e.g. "case_study") or language. Returns a page: `items`, and
        `next`, the cursor of the next page (null on the last)."""
        raw = {
            "q": query,
            "stage": stage,
            "vertical": vertical,
            "persona": persona,
            "type": type,
            "external_only": external_only,
            "language": language,
            "limit": limit,
            "cursor": cursor,
        }
        with _tool_errors(renamed={"q": "query"}):
            params = SearchRequest.model_validate(raw)
            result = service.search(
                params.q, filters=params.filters(), limit=params.limit, cursor=params.cursor
            )
            return result.to_dict()

    @server.tool()
    def get_asset(asset_id: str, include_chunks: bool = False) -> dict[str, Any]:
        """One asset's metadata (title, type, stages, verticals, owner, dates, URL), and its text
        chunks with page/slide/heading when include_chunks is true."""
        with _tool_errors():
            params = AssetRequest(asset_id=asset_id, include_chunks=include_chunks)
            row = service.store.get(params.asset_id)
            if row is None:
                raise NotFoundError(f"No asset with id '{asset_id}'.", field="asset_id")
            chunks = service.store.chunks(params.asset_id) if params.include_chunks else None
            return public_asset(row, chunks)

    return server


@contextmanager
def _tool_errors(*, renamed: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn a refusal into a tool error the assistant can act on: the field, and what is valid
    (unknown taxonomy values list the valid ones). The SDK (mcp>=2.1) answers a ToolError with
    an is_error result carrying its text and logs one line, no traceback. Anything else stays a
    crash: logged once with its traceback, and the client told only "Error executing tool X"."""
    try:
        yield
    except ValidationError as exc:
        field, message = describe(exc.errors()[0])
        if renamed and field in renamed:
            message = message.replace(field, renamed[field], 1)
            field = renamed[field]
        raise ToolError(f"invalid_request (field {field}): {message}") from None
    except EnablementError as exc:
        where = f" (field {exc.field})" if exc.field else ""
        raise ToolError(f"{exc.code}{where}: {exc.message}") from None


def _caller(ctx: Context | None) -> str:
    """The user behind a tool call: the API key's name over HTTP, STDIO_USER over stdio."""
    try:
        request = ctx.request_context.request if ctx is not None else None
    except ValueError:  # called outside a request (in-process)
        request = None
    principal = getattr(getattr(request, "state", None), "principal", None)
    return str(principal.name) if principal is not None else STDIO_USER
