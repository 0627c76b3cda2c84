"""The facade the API and CLI call: wires store, taxonomy, index and recommender from Settings.

It delegates to serving.ServingModels (the encoder and the models a recommender serves with),
recommending.Recommending (the live recommender, deals and searches checked against it), library
(build and index options, ingest paths, the removal audit log) and the stores of the catalog,
events, access keys, analytics and jobs, experimenting.Experimenting (experiments),
ranking.Ranking (the ranker registry and the live ranker), suggesting.Suggesting (tag
suggestions under review) and background.Background (jobs: queued ingests, rebuilds and
learning runs)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from enablement import library
from enablement.access import tokens
from enablement.access.keys import KeyStore, Principal
from enablement.access.tokens import EmbedTokenStore
from enablement.analytics.audit import Audit
from enablement.background import Background
from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import IngestSummary, Progress, ingest
from enablement.catalog.loaders import Limits
from enablement.catalog.removal import Removal, remove
from enablement.catalog.store import Actor, CatalogStore
from enablement.db import connect
from enablement.embedding import Encoder, ModelSpec
from enablement.events.service import Usage
from enablement.experimenting import Experimenting
from enablement.index.build import BuildReport, build_index
from enablement.index.bundle import Bundle, IndexMissingError, load_bundle, read_meta
from enablement.index.bundle_store import BundleStore
from enablement.index.cache import EmbeddingCache
from enablement.index.published import Bundles, FileBundles, SharedBundles
from enablement.jobs import Job, JobStore, node_name
from enablement.learning import Learning
from enablement.live import Pointer
from enablement.ranking import Ranking
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.context import Deal
from enablement.recommend.pipeline import Recommender
from enablement.recommend.ranker import load_ranker
from enablement.recommend.result import RecommendationResult
from enablement.recommend.search import SearchResult
from enablement.recommending import Recommending
from enablement.serving import ServingModels
from enablement.settings import Settings
from enablement.suggesting import Suggesting
from enablement.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)


class EnablementService:
    """One instance per process; heavy parts are built on first use."""

    def __init__(
        self,
        settings: Settings,
        *,
        encoder: Encoder | None = None,
        config: RecommenderConfig | None = None,
    ) -> None:
        self.settings = settings
        self.config = config or RecommenderConfig()
        self.models = ServingModels(settings, encoder=encoder, taxonomy=lambda: self.taxonomy)
        self.recommending = Recommending(
            settings,
            load=self._load_recommender,
            bundle=lambda: self.bundles.version(),
            taxonomy=lambda: self.taxonomy,
            assets=lambda: self.store.counts()[0],
            ranker=lambda: self.ranking.live_key(),
        )

    @cached_property
    def engine(self) -> Engine:
        return connect(self.settings.resolved_database_url)

    @cached_property
    def store(self) -> CatalogStore:
        return CatalogStore(self.engine)

    @cached_property
    def bundles(self) -> Bundles:
        """Where the live bundle is named: the CURRENT file under data_dir, or, with a shared
        bundle store, the database (see index/published.py)."""
        if self.settings.bundle_store is None:
            return FileBundles(self.settings.bundles_dir)
        store = BundleStore(self.settings.bundle_store)
        return SharedBundles(self.engine, store, self.settings.bundles_dir, node=node_name())

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return load_taxonomy(self.settings.taxonomy_path)

    @property
    def model_spec(self) -> ModelSpec:
        """The encoder to load (see ServingModels.model_spec)."""
        return self.models.model_spec

    @property
    def encoder(self) -> Encoder:
        return self.models.encoder

    @cached_property
    def build_options(self) -> BuildOptions:
        return library.build_options(self.settings, self.taxonomy)

    def ingest(
        self, path: Path, *, strict: bool = False, progress: Progress | None = None
    ) -> IngestSummary:
        """Ingest a folder or manifest into the catalog; see catalog.ingest.ingest."""
        return ingest(
            path, store=self.store, options=self.build_options, strict=strict, progress=progress
        )

    def remove(
        self,
        ids: Sequence[str] = (),
        *,
        source: Path | None = None,
        actor: Actor,
        rebuild: bool = False,
    ) -> tuple[Removal, Job | None]:
        """Remove assets by id and/or source path, all or nothing, with one audit row each (see
        catalog.removal.remove for the errors). With `rebuild`, an index rebuild job is queued
        when assets remain, so the removed ones stop being recommended; it is returned."""
        removal = remove(self.store, ids, source=source, actor=actor)
        job = None
        if rebuild and self.store.counts()[0]:
            job = self.background.submit_rebuild(requested_by=actor.key_id)
        return removal, job

    def audit_log(
        self, *, limit: int = 50, cursor: int | None = None, asset_id: str | None = None
    ) -> dict[str, Any]:
        """A page of who removed what and when, newest first (see library.audit_page)."""
        return library.audit_page(self.store, limit=limit, cursor=cursor, asset_id=asset_id)

    def index_is_current(self) -> bool:
        """True when a bundle exists, built from the catalog as it is now with the same model."""
        live = self.bundles.live()
        if live is None:
            return False
        model = self.models.encoder_name
        return live.catalog_version == self.store.catalog_version() and live.model == model

    def index_version(self) -> str | None:
        """The version of the live bundle (what a server would serve), None if none."""
        live = self.bundles.live()
        return live.version if live is not None else None

    def build_index(self, *, progress: Callable[[int, int], None] | None = None) -> BuildReport:
        """Build a bundle for the current catalog and switch to it atomically."""
        report = build_index(
            self.store,
            encoder=self.encoder,
            cache=EmbeddingCache(self.engine),
            bundles=self.settings.bundles_dir,
            options=library.index_options(self.settings),
            progress=progress,
            annotate=self.suggesting.annotate,
        )
        self.bundles.built(report.path, read_meta(report.path))  # shared: published, named live
        self.recommending.reload()
        return replace(report, tags=self.suggesting.last_refresh)

    def bundle_sync(self) -> dict[str, str | None]:
        """The live bundle's version (None when there is none, or the database does not
        answer) and why this process serves another, if it does and knows why."""
        try:
            live = self.index_version()
        except Exception:  # /readyz's store check names the failure
            live = None
        return {"live_bundle_version": live, "bundle_problem": self.recommending.problem}

    def serving_version(self) -> str | None:
        """The version of the bundle this process serves, or None before one is loaded."""
        return self.recommending.serving_version()

    @property
    def recommender(self) -> Recommender:
        """The recommender over the current bundle (see Recommending.recommender)."""
        return self.recommending.recommender

    def _load_recommender(self, pointer: Pointer, current: Recommender | None) -> Recommender:
        """A recommender ranking with live ranker `pointer.ranker` (see Ranking.model), over
        `current`'s bundle when given (only the ranker changed), else over bundle
        `pointer.bundle` (fetched from the shared store first, if need be)."""
        if current is not None:
            bundle = current.bundle
        else:
            folder = self.bundles.folder(pointer.bundle)
            bundle = load_bundle(folder, ef_search=self.settings.hnsw_ef_search)
        serving = self.recommending.current is not None  # then a bad new ranker file raises
        config = self.ranking.config(pointer.ranker, self.linear_config, serving=serving)
        return Recommender(bundle, self.encoder, self.taxonomy, config)

    @property
    def serving_config(self) -> RecommenderConfig:
        """What this process ranks with: its recommender's config once one is loaded, else the
        linear config plus the live learned ranker (the registry's, else the shipped one)
        unless `scorer` is linear. On the first load, a ranker file that is missing, corrupt or
        built for other features or another encoder is named in a warning and the linear scorer
        serves."""
        current = self.recommending.current
        if current is not None:
            return current.config
        return self.ranking.config(self.ranking.live_key(), self.linear_config)

    @cached_property
    def linear_config(self) -> RecommenderConfig:
        """The config with the shipped type-intent model when its weight is on (a model file that
        is missing, corrupt or built for another encoder is named in a warning and left off)."""
        return self.models.linear_config(self.config)

    @property
    def scorer(self) -> dict[str, str | None]:
        """Which scorer ranks ("linear" or the learned ranker's name) and why, and which ranker
        the registry says is live (`live_ranker`; null when rankers are not followed)."""
        serving = self.serving_config
        described = self.models.describe(self.config, serving, ranker_note=self.ranking.note())
        return {**described, "live_ranker": self.ranking.live_name()}

    @cached_property
    def learning(self) -> Learning:
        """`enablement learn`: a candidate trained on this library's outcomes (learning.py)."""
        return Learning(
            self.engine, recommender=lambda: self.recommender, ranking=lambda: self.ranking,
            shipped=lambda: load_ranker(
                self.models.shipped_ranker, features=self.recommender.feature_names,
                encoder=self.encoder.name,
            )[0],
        )  # fmt: skip

    @cached_property
    def ranking(self) -> Ranking:
        """Rankers: the registry, the live one, what this worker holds (ranking.py)."""
        follows = self.settings.scorer != "linear" and self.config.ranker is None
        return Ranking(self.engine, self.models, follows=follows)

    def recommend(self, deal: Mapping[str, Any]) -> RecommendationResult:
        """Recommendations for a deal given as loose input (CRM values and aliases work), less
        the assets the store knows were sent or shared in its `deal_id` (`already_sent`)."""
        (resolved,) = self.usage.remember([self.resolve_deal(deal)])
        return self.recommender.recommend(resolved)

    def resolve_deal(
        self,
        raw: Mapping[str, Any],
        *,
        prefix: str = "deal",
        recommender: Recommender | None = None,
    ) -> Deal:
        """A Deal from loose input, checked against the taxonomy and what the assets of
        `recommender`'s bundle (default: the current one) declare (see Recommending)."""
        return self.recommending.resolve_deal(raw, prefix=prefix, recommender=recommender)

    def search(
        self,
        query: str,
        *,
        filters: Mapping[str, Any],
        limit: int = 10,
        cursor: str | None = None,
    ) -> SearchResult:
        """A page of free-text search over the library, with optional metadata filters; an
        unknown language is refused as for a deal."""
        return self.recommending.search(query, filters=filters, limit=limit, cursor=cursor)

    @cached_property
    def usage(self) -> Usage:
        """Served recommendations, usage events and share links."""
        s = self.settings
        limits = Limits(max_file_bytes=s.max_file_bytes, max_unpacked_bytes=s.max_unpacked_bytes)
        return Usage(
            self.engine,
            self.taxonomy,
            self.store,
            limits=limits,
            arrange=self.experimenting.serving.arrange,
            explore_share=s.explore_share,
        )

    @cached_property
    def audit(self) -> Audit:
        """The marketer's audit views over events, deals and the catalog."""
        return Audit(
            self.engine,
            self.store,
            self.taxonomy,
            bundle=self._bundle_if_any,
            encoder=lambda: self.encoder,
        )

    def _bundle_if_any(self) -> Bundle | None:
        try:
            return self.recommender.bundle
        except IndexMissingError:
            return None

    @cached_property
    def keys(self) -> KeyStore:
        return KeyStore(self.engine)

    @cached_property
    def tokens(self) -> EmbedTokenStore:
        return EmbedTokenStore(self.engine)

    def principal(self, secret: str) -> Principal | None:
        """Who an API key or embed token belongs to (None if unknown or revoked); an embed
        token's principal carries its expiry, which the caller checks."""
        store = self.tokens if secret.startswith(tokens.PREFIX) else self.keys
        return store.verify(secret)

    @cached_property
    def experimenting(self) -> Experimenting:
        """Experiments: the registry, their rankers, serving and reports (experimenting.py)."""
        return Experimenting(
            self.engine, self.models, linear_config=lambda: self.linear_config,
            taxonomy=lambda: self.taxonomy, cache_seconds=self.settings.experiment_cache_s,
            learned=self.ranking.learned_rankers,
        )  # fmt: skip

    @cached_property
    def suggesting(self) -> Suggesting:
        """Tag suggestions (suggesting.py): made by the tag model at each index build, reviewed
        by marketers, read by ranking."""
        return Suggesting(
            self.store, taxonomy=lambda: self.taxonomy, encoder=lambda: self.encoder,
            bundle=self._served_bundle,
        )  # fmt: skip

    def _served_bundle(self) -> Bundle | None:
        try:
            return self.recommending.recommender.bundle
        except IndexMissingError:
            return None

    @cached_property
    def background(self) -> Background:
        """Ingests, rebuilds and learning runs queued as jobs (background.py)."""
        return Background(JobStore(self.engine), self.settings, self)

    def close(self) -> None:
        self.recommending.close()
        if "background" in self.__dict__:
            self.background.close()
        if "usage" in self.__dict__:
            self.usage.close()
        if "engine" in self.__dict__:
            self.engine.dispose()
