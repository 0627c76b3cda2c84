"""The encoder and the models a recommender serves with (type intent, answer model, learned
ranker), loaded from Settings on first use; a model file that is missing, corrupt or built for
other features or another encoder is named in a warning and left off."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from pathlib import Path

from enablement.embedding import (
    BatchingEncoder,
    Encoder,
    ModelSpec,
    SentenceTransformerEncoder,
    load_model_spec,
)
from enablement.recommend.answers import DEFAULT_FOLDER as DEFAULT_ANSWERS
from enablement.recommend.answers import AnswerModel, load_answers
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.features import feature_names
from enablement.recommend.intent import DEFAULT_FOLDER as DEFAULT_INTENT
from enablement.recommend.intent import load_intent
from enablement.recommend.ranker import DEFAULT_FOLDER as DEFAULT_RANKER
from enablement.recommend.ranker import (
    MODEL_FILE,
    LearnedRanker,
    load_ranker,
    read_ranker,
    scorer_name,
)
from enablement.settings import Settings
from enablement.taxonomy import Taxonomy

CANDIDATE_FOLDER = "ranker"  # under data_dir: where `enablement train-ranker` saves by default


class ServingModels:
    """One per service; each model is loaded when first asked for (`encoder`: the one given,
    else the configured model; `taxonomy`: called only when the ranker is loaded)."""

    def __init__(
        self, settings: Settings, *, encoder: Encoder | None, taxonomy: Callable[[], Taxonomy]
    ) -> None:
        self.settings = settings
        self._encoder = encoder
        self._taxonomy = taxonomy

    @cached_property
    def model_spec(self) -> ModelSpec:
        """The encoder to load: the packaged model, with its fine-tuned overlay unless
        ENABLEMENT_ENCODER=base, or ENABLEMENT_MODEL_PATH's model."""
        return load_model_spec(
            self.settings.model_path,
            tuned=self.settings.encoder == "tuned",
            overlay=self.settings.encoder_path,
        )

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            model = SentenceTransformerEncoder(
                self.model_spec,
                threads=self.settings.torch_threads,
                quantize_queries=self.settings.quantize_queries,
                device=self.settings.device,
                query_device=self.settings.query_device,
            )
            self._encoder = BatchingEncoder(model)
        return self._encoder

    @property
    def encoder_name(self) -> str:
        """The encoder's name, read from its spec when it is not loaded yet (never loads it)."""
        return self._encoder.name if self._encoder else self.model_spec.name

    def linear_config(self, config: RecommenderConfig) -> RecommenderConfig:
        """`config` with the shipped type-intent model when its weight is on, and the answer
        model, where `config` has none."""
        if config.intent is None and config.weights.type_intent:
            folder = self.settings.intent_path or DEFAULT_INTENT
            encoder = self.encoder
            intent = load_intent(folder, encoder=encoder.name, dimension=encoder.dimension)
            config = replace(config, intent=intent)
        if config.answers is None:
            config = replace(config, answers=self.answers[0])
        return config

    @cached_property
    def answers(self) -> tuple[AnswerModel | None, str]:
        """The answer model (None if unusable) and where it came from, or why not."""
        folder = self.settings.answers_path or DEFAULT_ANSWERS
        return load_answers(folder, encoder=self.encoder.name)

    @cached_property
    def ranker(self) -> tuple[LearnedRanker | None, str]:
        """The shipped learned ranker (None if unusable or not wanted) and where it came from,
        or why not; what serves until another is promoted (see ranking.py)."""
        if self.settings.scorer == "linear":
            return None, "the linear scorer, as configured (ENABLEMENT_SCORER=linear)"
        names = feature_names(self._taxonomy().asset_types.ids)
        return load_ranker(self.shipped_ranker, features=names, encoder=self.encoder.name)

    @property
    def shipped_ranker(self) -> Path:
        """The folder of the ranker that serves when none was promoted: ENABLEMENT_RANKER_PATH,
        else models/ranker."""
        return self.settings.ranker_path or DEFAULT_RANKER

    def read_ranker(self, folder: Path) -> LearnedRanker:
        """The ranker in `folder`, checked for this taxonomy's features and this encoder (named
        from its spec, never loaded); RankerFileError naming the file when it does not load."""
        names = feature_names(self._taxonomy().asset_types.ids)
        return read_ranker(folder, features=names, encoder=self.encoder_name)

    def learned_rankers(self) -> list[tuple[LearnedRanker, str]]:
        """Each learned ranker that loads for this encoder (named from its spec, never loaded)
        and taxonomy, with where it came from: the served one (ENABLEMENT_RANKER_PATH, else
        models/ranker), whatever `scorer` says, and a trained candidate in data_dir/ranker
        (train-ranker's default --out). One that does not load is named in a warning and left
        out; an absent candidate is simply not there."""
        served = self.shipped_ranker
        candidate = self.settings.data_dir / CANDIDATE_FOLDER
        names = feature_names(self._taxonomy().asset_types.ids)
        found = []
        for folder in dict.fromkeys([served, candidate]):
            if folder == candidate and not (folder / MODEL_FILE).is_file():
                continue
            model, note = load_ranker(folder, features=names, encoder=self.encoder_name)
            if model is not None:
                found.append((model, note))
        return found

    def describe(
        self, config: RecommenderConfig, serving: RecommenderConfig, *, ranker_note: str
    ) -> dict[str, str]:
        """Which scorer ranks ("linear" or the learned ranker's name) and which answer model
        claims, and why: `config` as the service was given it, `serving` as it serves, and
        `ranker_note` where its ranker came from."""
        ranker, answers = serving.ranker, serving.answers
        note = ranker_note if config.ranker is None else "given in the config"
        answers_note = self.answers[1] if config.answers is None else "given in the config"
        return {
            "scorer": scorer_name(ranker),
            "scorer_note": note,
            "answers": answers.name if answers is not None else "off",
            "answers_note": answers_note,
        }
