"""Serving under the running experiment: a holdout deal's list ranked by the control ranker, an
interleave deal's list team-drafted from the control's and the treatment's rankings, each shown
item logged with its arm; deals outside an experiment are served as they would be without one."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from enablement.embedding import Encoder, Vectors
from enablement.errors import UnknownChoiceError
from enablement.events.impressions import INTERLEAVE, Served, plain
from enablement.experiments.assign import arm_for
from enablement.experiments.interleave import CONTROL, SHARED, TREATMENT, team_draft
from enablement.experiments.model import Experiment
from enablement.experiments.store import ExperimentStore
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.context import Deal
from enablement.recommend.pipeline import Recommender
from enablement.recommend.reasons import Recommendation
from enablement.recommend.result import RecommendationResult

log = logging.getLogger(__name__)


class RecentQueries:
    """An encoder that remembers the query vectors of its last `size` calls: an interleave's
    second ranking of a deal asks for the very queries the first just encoded (the same batch,
    so the same vectors, int8 or not), and gets them without running the model again."""

    def __init__(self, encoder: Encoder, *, size: int = 64) -> None:
        self.encoder = encoder
        self.name = encoder.name
        self.dimension = encoder.dimension
        self.size = size
        self._recent: OrderedDict[tuple[str, ...], Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def encode_queries(self, texts: list[str]) -> Vectors:
        key = tuple(texts)
        with self._lock:
            found = self._recent.get(key)
        if found is not None:
            return found.copy()  # the caller may write to its vectors; the next one reads these
        vectors = self.encoder.encode_queries(texts)
        with self._lock:
            self._recent[key] = vectors
            while len(self._recent) > self.size:
                self._recent.popitem(last=False)
        return vectors

    def encode_passages(self, texts: list[str]) -> Vectors:
        return self.encoder.encode_passages(texts)


class ExperimentServing:
    """One per service (so one per worker). The running experiment is read from the store at
    most once per `ttl` seconds (and again at once after `forget`, which creating or stopping
    one in this process calls): with several workers, one that did not see a create or stop
    follows it within `ttl`. The recommender of each ranker an experiment names is built once
    per bundle, over the live recommender's bundle and taxonomy, and kept; they share one
    RecentQueries over the live encoder, so a deal's questions are encoded once for both."""

    def __init__(
        self,
        store: ExperimentStore,
        *,
        config_for: Callable[[str], RecommenderConfig],
        ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.config_for = config_for
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._read: tuple[float, Experiment | None] | None = None
        self._built: dict[str, Recommender] = {}
        self._bundle: str | None = None
        self._encoder: RecentQueries | None = None

    def running(self) -> Experiment | None:
        """The running experiment as last read, read again when older than `ttl`."""
        now = self.clock()
        read = self._read
        if read is None or now - read[0] >= self.ttl:
            read = (now, self.store.running())
            self._read = read
        return read[1]

    def forget(self) -> None:
        """Read the running experiment again on the next request."""
        self._read = None

    def recommender(self, live: Recommender, name: str) -> Recommender:
        """The recommender ranking as ranker `name` over `live`'s bundle (built once per bundle;
        UnknownChoiceError when no ranker has that name any more)."""
        version = live.bundle.meta.version
        with self._lock:
            if self._bundle != version or self._encoder is None:
                self._built, self._bundle = {}, version
                self._encoder = RecentQueries(live.encoder)
            if name not in self._built:
                config = self.config_for(name)
                encoder = self._encoder
                self._built[name] = Recommender(live.bundle, encoder, live.taxonomy, config)
            return self._built[name]

    def arrange(self, live: Recommender, deal: Deal, served_id: str) -> Served:
        """The list for `deal` under the running experiment (see events.service.Arrange): its
        arm's, logged with the experiment and arm; the live list, as without one, when none
        runs, the deal has no id, or a ranker it names can no longer be loaded (a warning)."""
        experiment = self.running()
        arm = arm_for(experiment, deal.deal_id) if experiment is not None else None
        if experiment is None or arm is None:
            return plain(live, deal, served_id)
        try:
            if arm == "live":
                result = live.recommend(deal)
                count = len(result.items)
                return Served(served_id, result, experiment.id, ("live",) * count, arm="live")
            if arm == "control":
                result = self.recommender(live, experiment.control).recommend(deal)
                count = len(result.items)
                return Served(
                    served_id, result, experiment.id, ("control",) * count,
                    (experiment.control,) * count, arm="control", ranker=experiment.control,
                )  # fmt: skip
            return self._interleave(experiment, live, deal, served_id)
        except UnknownChoiceError as exc:
            log.warning("experiment %s not applied: %s", experiment.id, exc)
            return plain(live, deal, served_id)

    def _interleave(
        self, experiment: Experiment, live: Recommender, deal: Deal, served_id: str
    ) -> Served:
        """Both rankings of `deal` team-drafted to `deal.k` (a coin seeded by the list's id); each
        item written up (reasons, passages) by the ranking that placed it. The linear scorer's
        pass (encoding, retrieval, scoring) is shared when the two differ only in what re-ranks
        its candidates (the learned ranker, the answer model, diversity); otherwise only the
        questions' encoding is (RecentQueries)."""
        treatment_name = experiment.treatment or experiment.control
        control = self.recommender(live, experiment.control)
        treatment = self.recommender(live, treatment_name)
        scored = control.score(deal)
        first = control.rank(scored)
        shared = same_scoring(control.config, treatment.config)
        second = treatment.rank(scored if shared else treatment.score(deal))
        draft = team_draft(
            [item.asset.id for item in first.items],
            [item.asset.id for item in second.items],
            max(deal.k, 1),
            random.Random(served_id),
        )
        # a shared position (both rankings agree on it) is written up and named as the control's
        written = {CONTROL: _by_asset(first), TREATMENT: _by_asset(second)}
        written[SHARED] = written[CONTROL]
        items = [
            replace(written[p.team][p.item], rank=rank)
            for rank, p in enumerate(draft.placements, start=1)
        ]
        teams = tuple(p.team for p in draft.placements)
        names = {CONTROL: experiment.control, TREATMENT: treatment_name, SHARED: experiment.control}
        rankers = tuple(names[team] for team in teams)
        return Served(
            served_id, replace(first, items=items), experiment.id, teams, rankers, arm=INTERLEAVE
        )


def same_scoring(a: RecommenderConfig, b: RecommenderConfig) -> bool:
    """Whether two configs make the same linear scorer's pass (they may differ in the learned
    ranker, the answer model or diversity, which act after it)."""
    plain_a = replace(a, ranker=None, answers=None, diversity=b.diversity)
    return plain_a == replace(b, ranker=None, answers=None) and a.intent is b.intent


def _by_asset(result: RecommendationResult) -> dict[str, Recommendation]:
    return {item.asset.id: item for item in result.items}
