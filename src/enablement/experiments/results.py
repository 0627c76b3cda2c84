"""What an experiment's logged impressions say: for an interleave, the treatment's wins, losses
and ties over deals and the decision; for a holdout, each arm's win rate and stage progression
with intervals, and the difference between arms, which random assignment lets one call caused."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

from sqlalchemy import Engine, select

from enablement.db import tables
from enablement.events.feedback import Impression
from enablement.experiments.decision import decide
from enablement.experiments.interleave import (
    SIDES,
    Credit,
    Interleaving,
    Placement,
    Side,
    count_outcomes,
    credit,
    per_deal,
)
from enablement.experiments.model import Experiment

Z95: Final = 1.959963984540054  # the normal quantile of a two-sided 95% interval
HOLDOUT_ARMS: Final = ("control", "live")


def results(
    experiment: Experiment,
    impressions: Iterable[Impression],
    *,
    stage_rank: Mapping[str, int],
    furthest: Mapping[str, int],
) -> dict[str, Any]:
    """The experiment's results from `impressions` (learnable's; those of other experiments are
    skipped). `stage_rank`: each stage's place in the taxonomy (1 first); `furthest`: per deal
    id, the furthest stage rank the store has seen for it (the deals table)."""
    mine = [row for row in impressions if row.experiment_id == experiment.id and row.deal_id]
    if experiment.kind == "interleave":
        return interleave_results(mine)
    return holdout_results(mine, stage_rank=stage_rank, furthest=furthest)


def interleave_results(impressions: Sequence[Impression]) -> dict[str, Any]:
    """Each served list credited to the team that placed each item (its highest step: opened,
    sent, buyer viewed; a shared position to neither), summed per deal; the treatment's wins,
    losses and ties over deals and the exact interval and decision of experiments.decision."""
    lists: dict[str, list[Impression]] = defaultdict(list)
    for row in impressions:
        if row.arm in SIDES:
            lists[row.recommendation_id].append(row)
    earned: list[tuple[str, Credit]] = []
    for rows in lists.values():
        rows.sort(key=lambda row: row.position)
        shown = Interleaving(tuple(Placement(row.asset_id, _side(row.arm)) for row in rows))
        earned.append((str(rows[0].deal_id), credit(shown, [row.step for row in rows])))
    deals = per_deal(earned)
    counts = count_outcomes(deals.values())
    decision = decide(counts.wins, counts.losses, ties=counts.ties)
    return {
        "kind": "interleave",
        "lists": len(lists),
        "deals": len(deals),
        **decision.to_dict(),
        "causal": False,
        "summary": _interleave_summary(decision.to_dict()),
    }


def _side(arm: str | None) -> Side:
    return cast(Side, arm) if arm in SIDES else "control"


def _interleave_summary(decision: Mapping[str, Any]) -> str:
    said = {
        "treatment_better": "Reps and buyers preferred the treatment's items",
        "control_better": "Reps and buyers preferred the control's items",
        "undecided": "No preference can be called yet",
    }[decision["decision"]]
    return (
        f"{said} ({decision['wins']} deals won by the treatment, {decision['losses']} lost, "
        f"{decision['ties']} tied). This compares the rankings within the same lists; it says "
        "nothing of an effect on deals."
    )


@dataclass(frozen=True)
class DealFate:
    """A deal in a holdout: its arm, and whether it was won and moved past its first stage."""

    arm: str
    won: bool
    progressed: bool


def holdout_results(
    impressions: Sequence[Impression],
    *,
    stage_rank: Mapping[str, int],
    furthest: Mapping[str, int],
) -> dict[str, Any]:
    """Per arm: deals, the share won and the share that progressed, each with a 95% Wilson
    interval; and live minus control for both, with Newcombe's interval (from the two Wilson
    intervals). A deal progressed when it was won or the furthest stage the store has seen for
    it is later than the stage of its first list in the experiment."""
    fates = _fates(impressions, stage_rank=stage_rank, furthest=furthest)
    arms = {arm: _arm([f for f in fates.values() if f.arm == arm]) for arm in HOLDOUT_ARMS}
    difference = {
        measure: _difference(arms["live"][measure], arms["control"][measure])
        for measure in ("won", "progressed")
    }
    return {
        "kind": "holdout",
        "deals": len(fates),
        "arms": arms,
        "difference": difference,
        "causal": True,
        "summary": _holdout_summary(difference),
    }


def _fates(
    impressions: Sequence[Impression], *, stage_rank: Mapping[str, int], furthest: Mapping[str, int]
) -> dict[str, DealFate]:
    first: dict[str, Impression] = {}
    for row in impressions:
        deal = str(row.deal_id)
        if row.arm in HOLDOUT_ARMS and (deal not in first or row.shown_at < first[deal].shown_at):
            first[deal] = row
    fates = {}
    for deal, row in first.items():
        won = row.outcome == "won"
        start = stage_rank.get(row.stage or "", 0)
        fates[deal] = DealFate(str(row.arm), won, won or furthest.get(deal, 0) > start)
    return fates


def _arm(fates: Sequence[DealFate]) -> dict[str, Any]:
    n = len(fates)
    return {
        "deals": n,
        "won": _share(sum(f.won for f in fates), n),
        "progressed": _share(sum(f.progressed for f in fates), n),
    }


def _share(k: int, n: int) -> dict[str, Any]:
    low, high = wilson(k, n)
    return {"count": k, "share": None if n == 0 else round(k / n, 4), "low": round(low, 4),
            "high": round(high, 4)}  # fmt: skip


def wilson(k: int, n: int, *, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for `k` successes in `n` trials ((0, 1) when n is 0)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _difference(live: Mapping[str, Any], control: Mapping[str, Any]) -> dict[str, Any]:
    """live - control with Newcombe's hybrid score interval; None when an arm has no deals."""
    if live["share"] is None or control["share"] is None:
        return {"difference": None, "low": None, "high": None}
    p1, l1, u1 = live["share"], live["low"], live["high"]
    p2, l2, u2 = control["share"], control["low"], control["high"]
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return {"difference": round(d, 4), "low": round(low, 4), "high": round(high, 4)}


def _holdout_summary(difference: Mapping[str, Mapping[str, Any]]) -> str:
    sentences = []
    for measure, label in (("won", "win rate"), ("progressed", "stage progression")):
        d = difference[measure]
        if d["difference"] is None:
            sentences.append(f"No {label} to compare yet: an arm has no deals.")
        elif d["low"] > 0 or d["high"] < 0:
            sentences.append(
                f"The live ranker caused a {d['difference'] * 100:+.1f} point difference in "
                f"{label} over the held-out control (95% interval {d['low'] * 100:+.1f} to "
                f"{d['high'] * 100:+.1f})."
            )
        else:
            sentences.append(
                f"No difference in {label} can be said to be caused by the live ranker yet "
                f"({d['difference'] * 100:+.1f} points, 95% interval {d['low'] * 100:+.1f} to "
                f"{d['high'] * 100:+.1f})."
            )
    return " ".join(sentences) + " Deals were assigned at random, so a difference is causal."


def furthest_stages(engine: Engine, deal_ids: Iterable[str]) -> dict[str, int]:
    """Per deal id, the furthest stage rank the store has seen (the deals table)."""
    ids = sorted(set(deal_ids))
    d = tables.deals.c
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for start in range(0, len(ids), 500):
            query = select(d.id, d.stage_rank).where(d.id.in_(ids[start : start + 500]))
            found.update({row[0]: int(row[1]) for row in connection.execute(query)})
    return found
