"""The OpenAPI document as generated clients use it: one readable camelCase operationId a route."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from fastapi.routing import APIRoute


def operation_id(route: APIRoute) -> str:
    """The route's name in camelCase: `recommend_batch` -> `recommendBatch` (a generated client's
    method name). FastAPI's default, `recommend_batch_v1_recommendations_batch_post`, is not."""
    first, *rest = route.name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def check_operation_ids(routers: Iterable[APIRouter]) -> None:
    """Raise RuntimeError when two documented operations of `routers` would share an operationId
    (two routes of one name), which a generated client could not tell apart."""
    seen: dict[str, str] = {}
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            for method in sorted(route.methods or ()):
                where = f"{method} {route.path}"
                other = seen.setdefault(operation_id(route), where)
                if other != where:
                    raise RuntimeError(
                        f"operationId '{operation_id(route)}' is used by {other} and {where}: "
                        "give one of the routes another name."
                    )
