"""`enablement learn` over the service: the impressions and feedback in the store, a candidate
trained on them over the serving ranker, its offline estimates against the live ranker, and its
registration (and promotion, when asked and earned). The facade (service.py) builds one, and the
CLI and the `POST /v1/rankers:train` job reach it as `service.learning`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from enablement.events.feedback import Learnable, learnable
from enablement.learn.candidate import LearnOptions, Trained, train_candidate
from enablement.learn.outcomes import Outcomes, outcomes
from enablement.learn.replay import Replayer
from enablement.ranking import Ranking
from enablement.recommend.pipeline import Recommender
from enablement.recommend.ranker import DEFAULT_DEPTH, LearnedRanker


def stored_outcomes(
    engine: Engine, *, since: datetime | None = None
) -> tuple[Learnable, Outcomes | None]:
    """The store's impressions and feedback from `since` (all when None), and what they teach
    (None when no list was shown)."""
    data = learnable(engine, since=since)
    if not data.impressions:
        return data, None
    swaps = {rec: served.swap for rec, served in data.lists.items()}
    deals = {rec: served.deal for rec, served in data.lists.items()}
    return data, outcomes(data.impressions, swaps=swaps, deals=deals)


class Learning:
    """`recommender` is the live one (its config's ranker is the live ranker); `shipped` the
    shipped ranker, the base when the linear scorer is live."""

    def __init__(
        self,
        engine: Engine,
        *,
        recommender: Callable[[], Recommender],
        ranking: Callable[[], Ranking],
        shipped: Callable[[], LearnedRanker | None],
    ) -> None:
        self.engine = engine
        self._recommender = recommender
        self._ranking = ranking
        self._shipped = shipped

    def learn(
        self,
        *,
        requested_by: str,
        since: datetime | None = None,
        auto_promote: bool = False,
        options: LearnOptions | None = None,
    ) -> dict[str, Any]:
        """Train, evaluate and register a candidate from the impressions shown since `since`
        (all when None); with `auto_promote`, promote it when its offline lower bound beats the
        live ranker. Returns the report `enablement learn --json` prints."""
        data, found = stored_outcomes(self.engine, since=since)
        report: dict[str, Any] = {
            "ranker": None,
            "trained_on": {"since": since.isoformat() if since else None},
            "offline": {},
            "promoted": False,
            "unlearnable": data.unlearnable.to_dict(),
        }
        if found is None:
            return {**report, "skipped": "too little data: no impressions were logged"}
        live_recommender = self._recommender()
        live = live_recommender.config.ranker
        base = live or self._shipped()
        depth = base.depth if base is not None else DEFAULT_DEPTH
        trained = train_candidate(
            found,
            Replayer(live_recommender, depth),
            live=live,
            base=base,
            names=live_recommender.feature_names,
            encoder=live_recommender.encoder.name,
            options=options,
        )
        trained = replace(trained, trained_on={**report["trained_on"], **trained.trained_on})
        return {**report, **self._register(trained, requested_by, auto_promote=auto_promote)}

    def _register(
        self, trained: Trained, requested_by: str, *, auto_promote: bool
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"trained_on": trained.trained_on, "offline": trained.offline}
        if trained.candidate is None:
            return {**out, "skipped": trained.skipped}
        ranking = self._ranking()
        record = ranking.register(
            trained.candidate,
            trained_on=trained.trained_on,
            offline=trained.offline,
            created_by=requested_by,
        )
        out["ranker"] = record.id
        beats = trained.beats_live()
        out["beats_live"] = beats
        if auto_promote and beats:
            ranking.promote(record.id, by=requested_by, reason="auto-promote: offline lower bound")
            out["promoted"] = True
        return out
