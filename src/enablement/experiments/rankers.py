"""The rankers an experiment may name: the linear scorer, each learned ranker found, and the
evaluation baselines, each with the config that ranks with it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from enablement.errors import UnknownChoiceError
from enablement.learn.evaluate import baseline_configs
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.ranker import LINEAR, LearnedRanker

RankerKind = Literal["linear", "learned", "baseline"]
BASELINES: tuple[str, ...] = tuple(baseline_configs(RecommenderConfig()))


@dataclass(frozen=True, eq=False)
class Ranker:
    """A ranker by the name serving reports (`linear`, `lambdarank:<sha256 prefix>`) or the
    baseline's name in `enablement eval --compare` (`bm25_only`, `dense_only`, `no_metadata`)."""

    name: str
    kind: RankerKind
    source: str  # where it came from, for people
    model: LearnedRanker | None = None  # a learned ranker's model

    def config(self, linear: RecommenderConfig) -> RecommenderConfig:
        """The config that ranks as this ranker, from the service's `linear` config (its
        weights, type-intent and answer models): the learned model on top, none for the linear
        scorer, or the baseline's variant."""
        if self.kind == "baseline":
            return baseline_configs(linear)[self.name]
        return replace(linear, ranker=self.model)


def known_rankers(learned: Iterable[tuple[LearnedRanker, str]]) -> dict[str, Ranker]:
    """Every ranker an experiment may name, by name: `linear`, each of the `learned` (model and
    where it was loaded from; one entry a name, the first found), then the baselines."""
    found = {LINEAR: Ranker(LINEAR, "linear", "the weighted linear scorer")}
    for model, source in learned:
        found.setdefault(model.name, Ranker(model.name, "learned", source, model))
    for name in BASELINES:
        found[name] = Ranker(name, "baseline", "a baseline of `enablement eval --compare`")
    return found


def ranker(name: str, known: Mapping[str, Ranker], *, field: str) -> Ranker:
    """The ranker called `name`; UnknownChoiceError (422) naming `field` and the known names."""
    try:
        return known[name]
    except KeyError:
        raise UnknownChoiceError("ranker", name, sorted(known), field=field) from None
