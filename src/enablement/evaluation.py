"""Offline evaluation over the service: a labelled deals file, a BEIR set, and libraries held
out in turn (leave-one-library-out), plus training the type-intent model on libraries.

An adapter above the service (`enablement eval`, scripts/, benchmarks/), so the serving facade
carries none of it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from enablement.errors import InvalidValueError
from enablement.index.cache import EmbeddingCache
from enablement.learn.beir import prepare_beir
from enablement.learn.evaluate import LabelledDeal, evaluate_with_baselines, load_labelled
from enablement.learn.holdout import leave_one_library_out
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
from enablement.recommend.pipeline import Recommender, RecommenderConfig
from enablement.recommend.ranker import LearnedRanker
from enablement.service import EnablementService

OWN_LIBRARY = "catalog"  # the current catalog, when its own labelled deals train the ranker


class Evaluation:
    """Evaluation and training runs that use `service`'s store, encoder, cache and settings."""

    def __init__(self, service: EnablementService) -> None:
        self.service = service

    def evaluate(
        self, *, queries: Path | None = None, beir: Path | None = None, compare: bool = False
    ) -> dict[str, Any]:
        """Metrics on a labelled deals file (current catalog) or a BEIR set (temporary catalog)."""
        if (queries is None) == (beir is None):
            raise InvalidValueError("Give exactly one of --queries or --beir.", field="queries")
        if queries is not None:
            if not queries.is_file():
                raise InvalidValueError(f"No such file: {queries}", field="queries")
            deals = load_labelled(queries)
            return evaluate_with_baselines(self.service.recommender, deals, compare=compare)
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
            index_options=self.service._index_options(),
        )
        return Recommender(
            bundle, self.service.encoder, self.service.taxonomy, self.service.serving_config
        ), deals

    def evaluate_libraries(self, directory: Path, *, compare: bool = False) -> dict[str, Any]:
        """Leave-one-library-out over the libraries under `directory` (see learn.holdout).

        Raises InvalidValueError naming a folder that is not a library or a label that names
        an asset its catalog does not hold.
        """
        # Never the shipped intent model or ranker: they were trained on these libraries, so they
        # cannot be scored held out. Each fold trains its own on the training libraries.
        config = replace(self.service.config, intent=None, ranker=None)
        with self.libraries(directory) as libraries:
            return leave_one_library_out(
                libraries, config=config, tuner=with_ranker(tune_on_libraries), compare=compare
            )

    def train_intent(self, directory: Path) -> tuple[RecommenderConfig, dict[str, Any]]:
        """The type-intent model trained on every library under `directory`, with its weight
        chosen out of library (each library ranked by a model trained on the others)."""
        with self.libraries(directory) as libraries:
            return tune_type_intent(libraries, replace(self.service.config, intent=None))

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
            found = stack.enter_context(self.libraries(libraries)) if libraries else []
            if deals is not None:
                found.append(self._own_library(deals, config))
            model, choice = train_ranker(found, config)
            trained_on = {library.name: len(library.deals) for library in found}
        return model, {"trained_on": trained_on, **choice}

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
                self._library(source, deals[source.name], Path(workdir) / str(number))
                for number, source in enumerate(sources)
            ]

    def _library(self, source: LibrarySource, deals: list[LabelledDeal], workdir: Path) -> Library:
        bundle = build_library_bundle(
            source,
            workdir,
            options=self.service.build_options,
            encoder=self.service.encoder,
            cache=EmbeddingCache(self.service.engine),
            index_options=self.service._index_options(),
        )
        # One query memo per library: folds and configs re-rank the same questions many times.
        recommender = Recommender(
            bundle, MemoEncoder(self.service.encoder), self.service.taxonomy, self.service.config
        )
        library = Library(source.name, recommender, tuple(deals))
        check_labels(source.name, deals, library.asset_ids)
        return library
