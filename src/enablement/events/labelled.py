"""Simulated deals whose clicks follow the click model on true grades (`simulate --labels`).

Each simulated deal is one of a labelled deals file's deals (cycled in a seeded order), served
once at its own stage by the real recommender with its fields and questions (and its k, the
list a rep sees). The list is explored as live serving explores it (`impressions.explored`: one
adjacent pair swapped in a share of lists, so position bias can be measured; the swap is stored
on the served list, as live), and the rep and the buyer act on what is shown as
`events.clicks.ClickModel.act` draws it from the shown assets' true grades (0 when not
labelled). What the simulation knows and the events cannot say, the truth, is returned
beside them: the click model, each position's examination and the served lists' true nDCG@10.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from enablement.events.clicks import ClickModel
from enablement.events.impressions import Served, explored, log_entry
from enablement.events.model import EventType, NewEvent
from enablement.events.service import Usage
from enablement.learn.evaluate import LabelledDeal
from enablement.learn.logged import OPENED, SENT, VIEWED
from enablement.learn.metrics import ndcg
from enablement.recommend.context import resolve_deal
from enablement.recommend.pipeline import Recommender
from enablement.recommend.ranker import scorer_name

NDCG_AT = 10  # the served lists are scored as offline evaluation scores rankings
STEP_EVENTS = ((OPENED, EventType.opened, 5), (SENT, EventType.sent, 30),
               (VIEWED, EventType.buyer_viewed, 600))  # fmt: skip


@dataclass
class Truth:
    """What the labelled simulation knows: the click model, per simulated deal id the labelled
    deal it is (`deals`), per recommendation id the swap made (k: the ranker's positions k and
    k+1 shown swapped; the store keeps it too, on the served list, for `learn`), and per
    served list its true nDCG@10 against the labels."""

    model: ClickModel
    labels: int
    explore_share: float
    deals: dict[str, LabelledDeal] = field(default_factory=dict)
    swaps: dict[str, int] = field(default_factory=dict)
    ndcgs: list[float] = field(default_factory=list)
    depth: int = 0

    def to_dict(self) -> dict[str, Any]:
        lists = len(self.ndcgs)
        return {
            "labelled_deals": self.labels,
            "click_model": {
                "eta": self.model.eta,
                "attraction": list(self.model.attraction),
                "send": list(self.model.send),
                "view": list(self.model.view),
            },
            "examination": [
                {"position": k, "examination": round(self.model.examination(k), 4)}
                for k in range(1, self.depth + 1)
            ],
            "explore_share": self.explore_share,
            "explored": len(self.swaps),
            "ndcg@10": round(sum(self.ndcgs) / lists, 4) if lists else None,
        }


def cycle(labels: Sequence[LabelledDeal], count: int, rng: random.Random) -> list[LabelledDeal]:
    """`count` labelled deals: all of them in a seeded order, again and again."""
    order = list(labels)
    rng.shuffle(order)
    return [order[number % len(order)] for number in range(count)]


def serve_labelled(
    usage: Usage, recommender: Recommender, labelled: LabelledDeal, *, deal_id: str, rep: str,
    at: datetime, truth: Truth, rng: random.Random,
) -> list[NewEvent]:  # fmt: skip
    """Serve `labelled` (as deal `deal_id`) once, explore the list, log what was shown, and
    return the events of what the rep and the buyer did with it, drawn from the true grades."""
    raw = {**labelled.deal, "deal_id": deal_id}
    deal = resolve_deal(raw, recommender.taxonomy)
    served = explored(Served(f"{deal_id}-0", recommender.recommend(deal)), truth.explore_share, rng)
    ranker = scorer_name(recommender.config.ranker)
    model = recommender.encoder.name
    usage.log.submit(log_entry(served, rep, model=model, ranker=ranker, at=at, deal=deal))
    if served.swap is not None:
        truth.swaps[served.id] = served.swap
    shown = [item.asset.id for item in served.result.items]
    truth.deals[deal_id] = labelled
    truth.depth = max(truth.depth, len(shown))
    truth.ndcgs.append(ndcg(shown, labelled.relevant, NDCG_AT))
    grades = [labelled.relevant.get(a, 0) for a in shown]
    events = []
    for asset, step in zip(shown, truth.model.act(grades, rng), strict=True):
        for reached, kind, minutes in STEP_EVENTS:
            if step >= reached:
                events.append(NewEvent(
                    type=kind, idempotency_key=f"{deal_id}-0-{kind}-{asset}",
                    occurred_at=at + timedelta(minutes=minutes), deal_id=deal_id,
                    asset_id=asset, stage=deal.stage, vertical=deal.vertical,
                    recommendation_id=served.id,
                    user_agent="Chrome" if kind is EventType.buyer_viewed else None,
                ))  # fmt: skip
    return events
