"""Online experiments between two rankers: the registry (store, the rankers one may name, each
deal's sticky arm), and team-draft interleaving, its credit per deal, and a decision with a
binomial interval (pure functions; serving wires them in)."""

from enablement.experiments.decision import (
    MIN_DECIDED_DEALS,
    Counts,
    Decision,
    Verdict,
    decide,
)
from enablement.experiments.interleave import (
    CONTROL,
    DEFAULT_WEIGHTS,
    SHARED,
    TREATMENT,
    Credit,
    CreditWeights,
    Interleaving,
    Outcome,
    Placement,
    common_prefix,
    count_outcomes,
    credit,
    per_deal,
    steps_from_actions,
    team_draft,
)

__all__ = [
    "CONTROL",
    "DEFAULT_WEIGHTS",
    "MIN_DECIDED_DEALS",
    "SHARED",
    "TREATMENT",
    "Counts",
    "Credit",
    "CreditWeights",
    "Decision",
    "Interleaving",
    "Outcome",
    "Placement",
    "Verdict",
    "common_prefix",
    "count_outcomes",
    "credit",
    "decide",
    "per_deal",
    "steps_from_actions",
    "team_draft",
]
