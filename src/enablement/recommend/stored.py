"""A resolved Deal as JSON and back: how a served list keeps the deal it was served for, so the
same deal can be ranked again later (by another ranker, for counterfactual estimates) exactly as
it was then, down to the assets its buyer already had and the day it was served as of.

The JSON holds every field of the Deal (ids already resolved, so reading it needs no taxonomy);
`deal_from_json(deal_to_json(deal)) == deal`. Its `v` says which shape it is, so a later change
of Deal can still read rows written before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from enablement.errors import InvalidInputError
from enablement.recommend.context import Deal, SentAsset

VERSION = 1


def deal_to_json(deal: Deal) -> dict[str, Any]:
    """`deal` as a JSON-ready dict (lists, ISO dates; `already_shared` sorted)."""
    return {
        "v": VERSION,
        "deal_id": deal.deal_id,
        "stage": deal.stage,
        "stage_name": deal.stage_name,
        "vertical": deal.vertical,
        "persona": deal.persona,
        "products": list(deal.products),
        "competitor": deal.competitor,
        "questions": list(deal.questions),
        "question_positions": list(deal.question_positions),
        "already_shared": sorted(deal.already_shared),
        "external_only": deal.external_only,
        "language": deal.language,
        "k": deal.k,
        "as_of": deal.as_of.isoformat(),
        "warnings": list(deal.warnings),
        "sent": [item.to_dict() for item in deal.sent],
    }


def deal_from_json(data: Mapping[str, Any]) -> Deal:
    """The Deal `deal_to_json` wrote. Raises InvalidInputError (field `deal`) for a shape it
    does not know or a field missing or of the wrong type."""
    if data.get("v") != VERSION:
        raise InvalidInputError(f"Unknown stored deal version {data.get('v')!r}.", field="deal")
    try:
        return Deal(
            deal_id=data["deal_id"],
            stage=data["stage"],
            stage_name=data["stage_name"],
            vertical=data["vertical"],
            persona=data["persona"],
            products=tuple(data["products"]),
            competitor=data["competitor"],
            questions=tuple(data["questions"]),
            question_positions=tuple(int(p) for p in data["question_positions"]),
            already_shared=frozenset(data["already_shared"]),
            external_only=bool(data["external_only"]),
            language=data["language"],
            k=int(data["k"]),
            as_of=date.fromisoformat(data["as_of"]),
            warnings=tuple(data["warnings"]),
            sent=tuple(_sent(item) for item in data["sent"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"A stored deal that cannot be read: {exc!r}.", field="deal"
        ) from None


def _sent(item: Mapping[str, Any]) -> SentAsset:
    """SentAsset.to_dict read back."""
    last = item["last_viewed_at"]
    return SentAsset(
        asset_id=item["asset_id"],
        title=item["title"],
        sent_at=datetime.fromisoformat(item["sent_at"]),
        via=item["via"],
        buyer_views=item["buyer_views"],
        last_viewed_at=None if last is None else datetime.fromisoformat(last),
    )
