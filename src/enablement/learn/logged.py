"""A served list as logged, with what happened at each position (the input of propensity
estimation, `learn.propensity`, and of counterfactual estimates, `learn.counterfactual`), and
what each step of that is worth.

What happened to a shown item is the highest step of the ladder it reached: none, opened by the
rep, sent to the buyer, viewed by the buyer. Each step implies the ones before it. This module is
the ladder's one home: the click model (`events.clicks`), the impressions join
(`events.feedback`) and interleaving's credit (`experiments.interleave`) take NONE ... VIEWED and
STEP_BY_EVENT, which maps the stored event types onto them, from here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from enablement.errors import InvalidInputError

NONE, OPENED, SENT, VIEWED = 0, 1, 2, 3
STEP_NAMES = ("none", "opened", "sent", "viewed")
STEP_BY_EVENT = {"opened": OPENED, "sent": SENT, "buyer_viewed": VIEWED}


@dataclass(frozen=True)
class Reward:
    """What an action is worth, by the highest ladder step it reached. The default grows with
    each step (opened 1, sent 2, buyer viewed 3: linear gain, as metrics.py counts grades):
    sending, and a buyer reading it, say more about an asset's value than a rep's open.
    OPENS counts any action once, the scale of ClickModel.expected_opens."""

    opened: float = 1.0
    sent: float = 2.0
    viewed: float = 3.0

    def __post_init__(self) -> None:
        values = (self.opened, self.sent, self.viewed)
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in values
        ):
            raise InvalidInputError("Rewards must be finite numbers.", field="reward")
        if not 0 <= self.opened <= self.sent <= self.viewed or self.viewed == 0:
            raise InvalidInputError(
                "Rewards must grow up the ladder, 0 <= opened <= sent <= viewed, and not all be "
                f"0; got opened {self.opened}, sent {self.sent}, viewed {self.viewed}.",
                field="reward",
            )

    def of(self, step: int) -> float:
        """The reward of ladder step `step` (0 for none)."""
        return {NONE: 0.0, OPENED: self.opened, SENT: self.sent, VIEWED: self.viewed}[step]


DEFAULT_REWARD = Reward()
OPENS = Reward(1.0, 1.0, 1.0)


@dataclass(frozen=True)
class LoggedList:
    """One served list: the `context` it was served for (a deal: the unit intervals resample),
    the asset ids as `shown`, best first, per position the highest ladder step reached
    (`steps`), and the exploration swap made (`recommend.explore`: None, or k when the ranker's
    positions k and k+1 were swapped before showing).

    Raises InvalidInputError (a ValueError) when steps and shown differ in length, a step is
    not 0-3, an id is shown twice or the swap is not a pair of the list."""

    context: str
    shown: tuple[str, ...]
    steps: tuple[int, ...]
    swap: int | None = None

    def __post_init__(self) -> None:
        where = f"list for '{self.context}'"
        if not isinstance(self.context, str) or not self.context:
            raise InvalidInputError("A logged list needs its context (a deal id).", field="context")
        if len(self.steps) != len(self.shown):
            raise InvalidInputError(
                f"The {where} has {len(self.steps)} steps for {len(self.shown)} shown items; "
                "give one step per shown position.",
                field="steps",
            )
        if len(set(self.shown)) != len(self.shown):
            twice = next(item for item in self.shown if self.shown.count(item) > 1)
            raise InvalidInputError(f"The {where} shows '{twice}' twice.", field="shown")
        for position, step in enumerate(self.steps, start=1):
            if isinstance(step, bool) or not isinstance(step, int) or not NONE <= step <= VIEWED:
                raise InvalidInputError(
                    f"Step {step!r} at position {position} of the {where} is not one of "
                    f"0-3 ({', '.join(STEP_NAMES)}).",
                    field="steps",
                )
        if self.swap is not None and not 1 <= self.swap < len(self.shown):
            raise InvalidInputError(
                f"The {where} has swap {self.swap!r}; a swap k names positions k and k+1 of "
                f"its {len(self.shown)} shown, so 1 to {len(self.shown) - 1}, or None.",
                field="swap",
            )

    @classmethod
    def of(
        cls, context: str, shown: Sequence[str], steps: Sequence[int], swap: int | None = None
    ) -> LoggedList:
        """A LoggedList from any sequences (tuples are stored, so it stays hashable)."""
        return cls(context, tuple(shown), tuple(steps), swap)

    def to_dict(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "shown": list(self.shown),
            "steps": list(self.steps),
            "swap": self.swap,
        }
