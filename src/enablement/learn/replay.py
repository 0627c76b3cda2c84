"""A context replayed for learning: its deal scored again by the linear scorer, the features of
its candidates (the features serving computes, `recommend.features`), and the labels of the
assets its lists showed: each one's mean IPS reward in the context (`learn.outcomes`), in half
steps, so LambdaRank's gain is linear in the reward."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt

from enablement.learn.outcomes import Context
from enablement.learn.tune import MemoEncoder
from enablement.recommend.pipeline import Recommender

Floats = npt.NDArray[np.float32]
LABEL_SCALE = 2.0  # labels in half reward steps
MAX_LABEL = 8  # reward 4 (sent in a won deal)


@dataclass(frozen=True)
class Replayed:
    """A context replayed: its candidates' asset ids (the linear scorer's best `depth`), their
    features, and per shown asset its row among them."""

    context: Context
    ids: list[str]
    features: Floats
    linear: Floats  # the linear scorer's scores of those candidates

    @cached_property
    def shown_rows(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
        """Rows of the shown assets still among the candidates, and their labels (computed
        once: training and tuning read them many times)."""
        where = {asset: i for i, asset in enumerate(self.ids)}
        means = self.context.mean_rewards()
        rows = [where[a] for a in means if a in where]
        labels = [label(means[a]) for a in means if a in where]
        return np.array(rows, dtype=np.int64), np.array(labels, dtype=np.int32)


def label(mean_reward: float) -> int:
    return int(min(MAX_LABEL, max(0, round(mean_reward * LABEL_SCALE))))


class Replayer:
    """Replays contexts' deals through `recommender`'s linear scorer (its ranker is not used)
    to `depth` candidates. `prepare` encodes the questions of many contexts in batches first, so
    replaying thousands of deals costs one model call per batch, not one per deal."""

    BATCH = 256

    def __init__(self, recommender: Recommender, depth: int) -> None:
        self.recommender = recommender
        self.depth = depth

    @cached_property
    def encoder(self) -> MemoEncoder:
        return MemoEncoder(self.recommender.encoder)

    @cached_property
    def linear(self) -> Recommender:
        """The recommender without its ranker, built when first replaying (a run that trains
        nothing never builds it)."""
        source = self.recommender
        config = replace(source.config, ranker=None)
        return Recommender(source.bundle, self.encoder, source.taxonomy, config)

    def prepare(self, contexts: Sequence[Context]) -> None:
        questions = list(dict.fromkeys(q for c in contexts for q in c.deal.questions))
        for start in range(0, len(questions), self.BATCH):
            self.encoder.encode_queries(questions[start : start + self.BATCH])

    def __call__(self, context: Context) -> Replayed | None:
        scored = self.linear.score(replace(context.deal, k=self.depth))
        head = scored.candidates[: self.depth]
        if not len(head):
            return None
        ids = [self.linear.bundle.assets[row].id for row in head]
        features = self.linear.features(scored, head)
        return Replayed(context, ids, features, scored.scores[head].astype(np.float32))
