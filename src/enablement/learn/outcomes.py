"""What the served lists and their feedback teach, corrected for position: the logged lists,
the propensities their exploration swaps measure, and per shown item a reward divided by how often
its position is looked at (the IPS reward).

The reward of a shown item grows up the ladder (`learn.logged`): opened 1, sent 2, viewed by the
buyer 3, and 4 when it was sent in a deal that was then won; a rep's latest thumbs down makes it
-1 whatever else happened (the rep said it was wrong for the deal). Dividing by theta(position)
(Joachims, Swaminathan & Schnabel 2017) undoes position bias in expectation: an item shown third,
looked at half as often as the first, has its actions counted twice.

Lists are grouped into contexts: lists served for the same deal fields and questions ask the same
thing, so their items' rewards pool (as a search engine pools the clicks of one query). A list
logged without its deal (before deals were recorded) still teaches the priors and the
propensities, but not the model, which needs the deal to compute features.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from enablement.learn.logged import NONE, SENT, LoggedList, Reward
from enablement.learn.priors import Shown
from enablement.learn.propensity import Propensities, estimate_propensities
from enablement.recommend.context import Deal

WON = 4.0  # the reward of an item sent in a deal that was won: the top of the ladder
THUMBS_DOWN = -1.0
LADDER = Reward(opened=1.0, sent=2.0, viewed=3.0)


class Impression(Protocol):
    """An impression as the store gives it (events.feedback.Impression)."""

    @property
    def recommendation_id(self) -> str: ...
    @property
    def deal_id(self) -> str | None: ...
    @property
    def asset_id(self) -> str: ...
    @property
    def position(self) -> int: ...
    @property
    def stage(self) -> str | None: ...
    @property
    def vertical(self) -> str | None: ...
    @property
    def persona(self) -> str | None: ...
    @property
    def shown_at(self) -> datetime: ...
    @property
    def step(self) -> int: ...
    @property
    def rating(self) -> int | None: ...
    @property
    def outcome(self) -> str | None: ...


def reward(impression: Impression) -> float:
    """What happened to a shown item, as a number (see the module docstring)."""
    if impression.rating is not None and impression.rating < 0:
        return THUMBS_DOWN
    if impression.step >= SENT and impression.outcome == "won":
        return WON
    return LADDER.of(impression.step) if impression.step != NONE else 0.0


def context_key(deal: Deal) -> str:
    """What a list was asked for, less who asked and when: lists with the same key pool."""
    fields = {
        "stage": deal.stage,
        "vertical": deal.vertical,
        "persona": deal.persona,
        "products": sorted(deal.products),
        "competitor": deal.competitor,
        "questions": list(deal.questions),
        "language": deal.language,
        "external_only": deal.external_only,
    }
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Context:
    """Lists asked for the same thing: the latest list's deal (to replay), and per shown asset
    the sum of its IPS rewards and how many lists showed it."""

    key: str
    deal: Deal
    last_shown: datetime
    rewards: dict[str, float] = field(default_factory=dict)
    shown: dict[str, int] = field(default_factory=dict)
    lists: int = 0

    def mean_rewards(self) -> dict[str, float]:
        """Per shown asset, its mean IPS reward per list that showed it."""
        return {asset: self.rewards[asset] / n for asset, n in self.shown.items()}

    @property
    def acted(self) -> bool:
        return any(value != 0 for value in self.rewards.values())


@dataclass(frozen=True)
class Outcomes:
    """Everything `learn` trains and evaluates on (see the module docstring)."""

    logs: list[LoggedList]  # one per served list, its context's key as context
    propensities: Propensities
    contexts: dict[str, Context]  # by key, for the lists whose deal is known
    shown: list[tuple[str | None, Shown]]  # per impression: its context key, for the priors
    impressions: int
    lists: int
    actions: int

    def to_dict(self) -> dict[str, object]:
        return {
            "impressions": self.impressions,
            "lists": self.lists,
            "actions": self.actions,
            "contexts": len(self.contexts),
            "contexts_with_actions": sum(c.acted for c in self.contexts.values()),
            "propensities": self.propensities.to_dict(),
        }


def outcomes(
    impressions: Sequence[Impression],
    *,
    swaps: Mapping[str, int | None],
    deals: Mapping[str, Deal],
) -> Outcomes:
    """The logged lists, their propensities and rewards from `impressions` (oldest first, as
    events.feedback.learnable gives them), the exploration swap of each list by recommendation
    id (`swaps`) and the deal each list was served for (`deals`; a list without one still counts
    for propensities and priors). Raises InvalidInputError when there are no impressions."""
    by_list: dict[str, list[Impression]] = {}
    for impression in impressions:
        by_list.setdefault(impression.recommendation_id, []).append(impression)
    keys = {rec: context_key(deal) for rec, deal in deals.items()}
    logs = [
        _logged(rows, keys.get(rec), swaps.get(rec))
        for rec, rows in by_list.items()
        if len({row.asset_id for row in rows}) == len(rows)
    ]
    propensities = estimate_propensities(logs)
    contexts: dict[str, Context] = {}
    shown: list[tuple[str | None, Shown]] = []
    theta, depth = propensities.theta, propensities.depth
    for rec, rows in by_list.items():
        key = keys.get(rec)
        context: Context | None = None
        if key is not None:
            context = _context(contexts, key, deals[rec], rows[0].shown_at)
            context.lists += 1
        for row in rows:
            acted = row.step != NONE or row.rating is not None
            value = reward(row) / theta[min(row.position, depth) - 1] if acted else 0.0
            shown.append((key, Shown(row.asset_id, row.stage, row.vertical, row.persona, value)))
            if context is not None:
                context.rewards[row.asset_id] = context.rewards.get(row.asset_id, 0.0) + value
                context.shown[row.asset_id] = context.shown.get(row.asset_id, 0) + 1
    return Outcomes(
        logs,
        propensities,
        contexts,
        shown,
        impressions=len(impressions),
        lists=len(by_list),
        actions=sum(1 for row in impressions if row.step != NONE or row.rating is not None),
    )


def _logged(rows: Sequence[Impression], key: str | None, swap: int | None) -> LoggedList:
    """One served list in position order, its context the key (see _fallback_context)."""
    ordered = sorted(rows, key=lambda row: row.position)
    return LoggedList.of(
        key or _fallback_context(ordered[0]),
        [row.asset_id for row in ordered],
        [row.step for row in ordered],
        _swap(swap, len(ordered)),
    )


def _context(contexts: dict[str, Context], key: str, deal: Deal, at: datetime) -> Context:
    """The context of `key`, created or moved on to the latest list's deal."""
    found = contexts.get(key)
    if found is None:
        found = contexts[key] = Context(key, deal, at)
    elif at >= found.last_shown:
        found.deal, found.last_shown = deal, at
    return found


def _fallback_context(row: Impression) -> str:
    """A list without its deal: its deal id, else its own id, as the bootstrap's unit."""
    return row.deal_id or row.recommendation_id


def _swap(swap: int | None, length: int) -> int | None:
    """The list's swap when it names a pair of it (an older or truncated list may not)."""
    return swap if swap is not None and 1 <= swap < length else None
