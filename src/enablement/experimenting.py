"""Experiments over the service: the registry, the rankers one may name, serving under the
running experiment, and its report. The facade (service.py) builds one and the API and CLI
reach it as `service.experimenting`."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from sqlalchemy import Engine

from enablement.events.feedback import learnable
from enablement.experiments.model import Definition, Experiment, check_definition
from enablement.experiments.rankers import Ranker, known_rankers, ranker
from enablement.experiments.results import furthest_stages, results
from enablement.experiments.serving import ExperimentServing
from enablement.experiments.store import ExperimentStore
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.ranker import LearnedRanker
from enablement.serving import ServingModels
from enablement.taxonomy import Taxonomy


class Experimenting:
    """What the service does with experiments; `linear_config` and `taxonomy` are read only when
    a ranker's config or a report needs them (they load the encoder and the taxonomy)."""

    def __init__(
        self,
        engine: Engine,
        models: ServingModels,
        *,
        linear_config: Callable[[], RecommenderConfig],
        taxonomy: Callable[[], Taxonomy],
        cache_seconds: float,
        learned: Callable[[], list[tuple[LearnedRanker, str]]] | None = None,
    ) -> None:
        self.engine = engine
        self.models = models
        self._linear_config = linear_config
        self._taxonomy = taxonomy
        self._cache_seconds = cache_seconds
        self._learned = learned or models.learned_rankers

    @cached_property
    def store(self) -> ExperimentStore:
        return ExperimentStore(self.engine)

    def rankers(self) -> dict[str, Ranker]:
        """The rankers an experiment may name, by name, each with its config (see
        experiments.rankers); learned ones as `learned` finds them (the service's: those
        ServingModels.learned_rankers finds and the registered ones)."""
        return known_rankers(self._learned())

    def create(self, definition: Definition, *, created_by: str) -> Experiment:
        """Start an experiment: checked against the known rankers (InvalidValueError naming the
        field, see check_definition), refused while another runs (ConflictError)."""
        checked = check_definition(definition, rankers=self.rankers())
        created = self.store.create(checked, created_by=created_by)
        self.serving.forget()
        return created

    def stop(self, experiment_id: str, *, stopped_by: str) -> Experiment:
        """Stop an experiment (see ExperimentStore.stop); this process serves without it at
        once, other workers within `experiment_cache_s`."""
        stopped = self.store.stop(experiment_id, stopped_by=stopped_by)
        self.serving.forget()
        return stopped

    @cached_property
    def serving(self) -> ExperimentServing:
        """How lists are served under the running experiment (read at most once per
        `experiment_cache_s`), each ranker's recommender built once."""
        return ExperimentServing(self.store, config_for=self._config, ttl=self._cache_seconds)

    def _config(self, name: str) -> RecommenderConfig:
        return ranker(name, self.rankers(), field="ranker").config(self._linear_config())

    def report(self, experiment_id: str) -> dict[str, Any]:
        """The experiment (NotFoundError when unknown) with its `results` from the impressions
        logged under it since it was created (see experiments.results)."""
        experiment = self.store.get(experiment_id)
        shown = learnable(self.engine, since=experiment.created_at).impressions
        deals = {row.deal_id for row in shown if row.experiment_id == experiment.id}
        ranks = {stage: i + 1 for i, stage in enumerate(self._taxonomy().stages.ids)}
        furthest = furthest_stages(self.engine, [d for d in deals if d])
        found = results(experiment, shown, stage_rank=ranks, furthest=furthest)
        return {**experiment.to_dict(), "results": found}
