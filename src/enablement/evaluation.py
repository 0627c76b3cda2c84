"""Offline evaluation over the service: a labelled deals file, a BEIR set, and libraries held
out in turn (leave-one-library-out), plus training the type-intent model on libraries.

An adapter above the service (`enablement eval`, scripts/, benchmarks/), so the serving facade
carries none of it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from enablement.embedding import Encoder, base_spec
from enablement.errors import InvalidValueError
from enablement.index.cache import EmbeddingCache
from enablement.learn.answers import answer_rows, load_off_topic, off_topic_claims, train_answers
from enablement.learn.beir import prepare_beir
from enablement.learn.encoder_holdout import EncodedLibraries, nested_holdout, overlay_settings
from enablement.learn.evaluate import (
    LabelledDeal,
    baseline_configs,
    evaluate_with_baselines,
    load_labelled,
)
from enablement.learn.holdout import leave_one_library_out, with_config
from enablement.learn.intent import tune_type_intent
from enablement.learn.libraries import (
    Library,
    LibrarySource,
    build_library_bundle,
    check_labels,
    discover_libraries,
    load_deals,
)
from enablement.learn.ranker import train_ranker
from enablement.learn.tune import MemoEncoder, tune_on_libraries, with_ranker
from enablement.library import index_options
from enablement.recommend.answers import AnswerModel
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender
from enablement.recommend.ranker import LearnedRanker
from enablement.service import EnablementService

OVERLAY_CACHE = "encoder-overlays"  # under data_dir: overlays trained for held-out evaluation
OWN_LIBRARY = "catalog"  # the current catalog, when its own labelled deals train the ranker


class Evaluation:
    """Evaluation and training runs that use `service`'s store, encoder, cache and settings."""

    def __init__(self, service: EnablementService) -> None:
        self.service = service

    def evaluate(
        self,
        *,
        queries: Path | None = None,
        beir: Path | None = None,
        compare: bool = False,
        off_topic: Path | None = None,
    ) -> dict[str, Any]:
        """Metrics on a labelled deals file (current catalog) or a BEIR set (temporary catalog);
        with `off_topic`, also how many of those questions the current catalog claims to answer."""
        if (queries is None) == (beir is None):
            raise InvalidValueError("Give exactly one of --queries or --beir.", field="queries")
        if off_topic is not None and queries is None:
            raise InvalidValueError("--off-topic goes with --queries.", field="off_topic")
        if queries is not None:
            if not queries.is_file():
                raise InvalidValueError(f"No such file: {queries}", field="queries")
            deals = load_labelled(queries)
            questions = self._off_topic(off_topic)
            recommender = self.service.recommender
            result = evaluate_with_baselines(recommender, deals, compare=compare)
            if questions is not None:
                result["off_topic"] = off_topic_claims(recommender, questions)
            return result
        assert beir is not None
        with tempfile.TemporaryDirectory(prefix="enablement-beir-") as workdir:
            recommender, deals = self.beir_recommender(beir, Path(workdir))
            return evaluate_with_baselines(recommender, deals, compare=compare)

    def beir_recommender(
        self, directory: Path, workdir: Path
    ) -> tuple[Recommender, list[LabelledDeal]]:
        """A recommender over a BEIR set ingested in `workdir`, and its judged queries."""
        bundle, deals = prepare_beir(
            directory,
            workdir,
            options=self.service.build_options,
            encoder=self.service.encoder,
            cache=EmbeddingCache(self.service.engine),
            index_options=index_options(self.service.settings),
        )
        return Recommender(
            bundle, self.service.encoder, self.service.taxonomy, self.service.serving_config
        ), deals

    def evaluate_libraries(self, directory: Path, *, compare: bool = False) -> dict[str, Any]:
        """Leave-one-library-out over the libraries under `directory` (see learn.holdout).

        Raises InvalidValueError naming a folder that is not a library or a label that names
        an asset its catalog does not hold.
        """
        # Never the shipped intent model, ranker or encoder overlay: they were trained on these
        # libraries, so they cannot be scored held out. Each fold trains its own on the others.
        config = replace(self.service.config, intent=None, ranker=None)
        tuner = with_ranker(tune_on_libraries)
        if not self._serves_overlay():
            with self.libraries(directory) as libraries:
                return leave_one_library_out(libraries, config=config, tuner=tuner, compare=compare)
        fixed = {"default": config, **(baseline_configs(config) if compare else {})}
        with self.encoded_libraries(directory) as encoded:
            return nested_holdout(
                encoded.names,
                library_with=encoded,
                encoders=encoded.encoders,
                tuner=tuner,
                config=config,
                fixed=fixed,
            )

    def _serves_overlay(self) -> bool:
        """True when the served encoder is the packaged model with a fine-tuned overlay (not a
        model of ENABLEMENT_MODEL_PATH, the packaged model alone, or an injected encoder)."""
        spec = self.service.model_spec
        return spec.overlay is not None and self.service.encoder.name == spec.name

    def train_encoder(self, directory: Path) -> tuple[dict[str, Any], dict[str, Any]]:
        """The encoder overlay for every library under `directory`: the soup of each library's
        own fine-tuning (learn.encoder), each trained once and kept in data_dir/encoder-overlays,
        with what it was trained on."""
        with self.encoded_libraries(directory) as encoded:
            weights = encoded.encoders.soup(frozenset(encoded.names))
            trained_on = {name: len(encoded.pairs(name)) for name in encoded.names}
            settings = encoded.settings
        return weights, {
            "trained_on": trained_on,
            "settings": asdict(settings),
            "combined": "soup: base + mix x the mean of each library's fine-tuned change",
        }

    @contextmanager
    def encoded_libraries(self, directory: Path) -> Iterator[EncodedLibraries]:
        """The libraries under `directory`, indexed on demand by the base encoder or by encoders
        fine-tuned on some of them (kept under data_dir/encoder-overlays, trained once)."""
        sources = {source.name: source for source in discover_libraries(directory)}
        deals = {name: load_deals(source) for name, source in sources.items()}

        def build(name: str, encoder: Encoder, workdir: Path) -> Library:
            return self.library(sources[name], deals[name], workdir, encoder=encoder)

        spec = self.service.model_spec
        with tempfile.TemporaryDirectory(prefix="enablement-libraries-") as workdir:
            yield EncodedLibraries(
                build,
                sorted(sources),
                Path(workdir),
                base=base_spec(spec),
                settings=overlay_settings(spec),
                folder=self.service.settings.data_dir / OVERLAY_CACHE,
                threads=self.service.settings.torch_threads,
                quantize_queries=self.service.settings.quantize_queries,
            )

    def train_intent(self, directory: Path) -> tuple[RecommenderConfig, dict[str, Any]]:
        """The type-intent model trained on every library under `directory`, with its weight
        chosen out of library (each library ranked by a model trained on the others). It is
        named for the served encoder, which the libraries' own encoders stand in for."""
        with self._training_libraries(directory) as libraries:
            config, choice = tune_type_intent(libraries, replace(self.service.config, intent=None))
        if config.intent is not None:
            served = replace(config.intent, encoder=self.service.encoder.name)
            config = replace(config, intent=served)
        return config, choice

    def train_ranker(
        self, *, libraries: Path | None = None, deals: Path | None = None
    ) -> tuple[LearnedRanker | None, dict[str, Any]]:
        """The learned ranker trained on labelled deals: the libraries under `libraries`, and/or
        `deals` labelled over the current catalog (a company's own). It re-orders the serving
        linear scorer (shipped weights and intent model). Settings are chosen library-out when
        there are two or more libraries. Raises InvalidValueError for a missing or bad input."""
        if libraries is None and deals is None:
            raise InvalidValueError("Give --libraries, --deals or both.", field="libraries")
        if deals is not None and not deals.is_file():
            raise InvalidValueError(f"No such file: {deals}", field="deals")
        config = replace(self.service.linear_config, ranker=None)
        with ExitStack() as stack:
            found = stack.enter_context(self._training_libraries(libraries)) if libraries else []
            if deals is not None:
                found.append(self._own_library(deals, config))
            model, choice = train_ranker(found, config, encoder=self.service.encoder.name)
            trained_on = {library.name: len(library.deals) for library in found}
        return model, {"trained_on": trained_on, **choice}

    def train_answers(
        self, directory: Path, *, off_topic: Sequence[Path] = ()
    ) -> tuple[AnswerModel, dict[str, Any]]:
        """The answer model fitted on every library under `directory` as the service ranks it,
        its claim threshold chosen out of library, with the held-out claim figures; per file of
        `off_topic`, how many of its questions each library then claims to answer."""
        sets = {str(path): self._off_topic(path) or [] for path in off_topic}
        config = replace(self.service.serving_config, answers=None)
        encoder = self.service.encoder.name
        with self._training_libraries(directory) as libraries:
            rows = answer_rows(libraries, lambda _: config)
            try:
                model, figures = train_answers(rows, encoder=encoder)
            except ValueError as exc:
                message = f"No answer model trained: {exc}"
                raise InvalidValueError(message, field="libraries") from None
            if sets:
                served = [with_config(lib, replace(config, answers=model)) for lib in libraries]
                figures["off_topic"] = {
                    name: {
                        lib.name: off_topic_claims(recommender, questions)
                        for lib, recommender in zip(libraries, served, strict=True)
                    }
                    for name, questions in sets.items()
                }
        trained_on = {library: sum(1 for n in rows.libraries if n == library)
                      for library in sorted(set(rows.libraries))}  # fmt: skip
        return model, {"rows": trained_on, **figures}

    @staticmethod
    def _off_topic(path: Path | None) -> list[str] | None:
        if path is None:
            return None
        if not path.is_file():
            raise InvalidValueError(f"No such file: {path}", field="off_topic")
        return load_off_topic(path)

    @contextmanager
    def _training_libraries(self, directory: Path) -> Iterator[list[Library]]:
        """The libraries the shipped intent model and ranker learn from. With a fine-tuned
        encoder served, each is encoded by an encoder fine-tuned on the others, so its vectors
        are the kind a new library gets, not ones the encoder learned on it."""
        if not self._serves_overlay():
            with self.libraries(directory) as libraries:
                yield libraries
            return
        with self.encoded_libraries(directory) as encoded:
            yield [encoded.out_of_library(name) for name in encoded.names]

    def _own_library(self, deals: Path, config: RecommenderConfig) -> Library:
        """The current catalog as a library, with `deals` labelled over it."""
        labelled = load_labelled(deals)
        if not labelled:
            raise InvalidValueError(f"No deals in {deals}", field="deals")
        base = self.service.recommender
        recommender = Recommender(base.bundle, MemoEncoder(base.encoder), base.taxonomy, config)
        library = Library(OWN_LIBRARY, recommender, tuple(labelled))
        check_labels(OWN_LIBRARY, labelled, library.asset_ids)
        return library

    @contextmanager
    def libraries(self, directory: Path) -> Iterator[list[Library]]:
        """Every library under `directory`, each indexed on its own bundle in a temporary folder
        that lasts as long as the context. Raises InvalidValueError as evaluate_libraries does."""
        sources = discover_libraries(directory)
        deals = {source.name: load_deals(source) for source in sources}
        with tempfile.TemporaryDirectory(prefix="enablement-libraries-") as workdir:
            yield [
                self.library(source, deals[source.name], Path(workdir) / str(number))
                for number, source in enumerate(sources)
            ]

    def library(
        self,
        source: LibrarySource,
        deals: list[LabelledDeal],
        workdir: Path,
        *,
        encoder: Encoder | None = None,
    ) -> Library:
        """One library indexed in `workdir` by `encoder` (the service's by default)."""
        encoder = encoder or self.service.encoder
        bundle = build_library_bundle(
            source,
            workdir,
            options=self.service.build_options,
            encoder=encoder,
            cache=EmbeddingCache(self.service.engine),
            index_options=index_options(self.service.settings),
        )
        # One query memo per library: folds and configs re-rank the same questions many times.
        recommender = Recommender(
            bundle, MemoEncoder(encoder), self.service.taxonomy, self.service.config
        )
        library = Library(source.name, recommender, tuple(deals))
        check_labels(source.name, deals, library.asset_ids)
        return library
