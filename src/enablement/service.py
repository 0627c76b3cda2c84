"""The facade the API and CLI call: wires store, taxonomy, index and recommender from Settings."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from enablement.access import tokens
from enablement.access.keys import KeyStore, Principal
from enablement.access.tokens import EmbedTokenStore
from enablement.analytics.audit import Audit
from enablement.catalog.build import BuildOptions
from enablement.catalog.chunking import ChunkSpec
from enablement.catalog.ingest import IngestSummary, Progress, ingest
from enablement.catalog.loaders import Limits
from enablement.catalog.removal import Removal, audit_log, remove
from enablement.catalog.store import Actor, CatalogStore
from enablement.catalog.tokens import token_counter
from enablement.db import connect
from enablement.embedding import (
    BatchingEncoder,
    Encoder,
    ModelSpec,
    SentenceTransformerEncoder,
    load_model_spec,
)
from enablement.errors import InvalidValueError
from enablement.events.service import Usage
from enablement.index.build import BuildReport, IndexOptions, build_index
from enablement.index.bundle import (
    Bundle,
    IndexMissingError,
    current_folder,
    load_bundle,
    read_meta,
)
from enablement.index.cache import EmbeddingCache
from enablement.jobs import Job, JobRunner, JobStore, Report
from enablement.live import LiveRecommender
from enablement.recommend.answers import DEFAULT_FOLDER as DEFAULT_ANSWERS
from enablement.recommend.answers import AnswerModel, load_answers
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.context import Deal, resolve_deal
from enablement.recommend.features import feature_names
from enablement.recommend.intent import DEFAULT_FOLDER as DEFAULT_INTENT
from enablement.recommend.intent import load_intent
from enablement.recommend.known import KnownTerms, check_deal, check_language
from enablement.recommend.pipeline import Recommender
from enablement.recommend.ranker import DEFAULT_FOLDER as DEFAULT_RANKER
from enablement.recommend.ranker import LearnedRanker, load_ranker, scorer_name
from enablement.recommend.result import RecommendationResult
from enablement.recommend.search import SearchFilters, SearchResult, search
from enablement.settings import Settings
from enablement.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)


def default_model_path(settings: Settings) -> Path | None:
    """The configured model folder, else the one models/manifest.yaml names (None if missing)."""
    try:
        return load_model_spec(settings.model_path, tuned=False).path
    except Exception:  # the tokenizer falls back to an estimate; the encoder reports the problem
        return settings.model_path


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
        self._encoder = encoder
        self.config = config or RecommenderConfig()
        self._known: tuple[str, KnownTerms] | None = None  # (bundle version, its known terms)

    @cached_property
    def engine(self) -> Engine:
        return connect(self.settings.resolved_database_url)

    @cached_property
    def store(self) -> CatalogStore:
        return CatalogStore(self.engine)

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return load_taxonomy(self.settings.taxonomy_path)

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
            )
            self._encoder = BatchingEncoder(model)
        return self._encoder

    @cached_property
    def build_options(self) -> BuildOptions:
        s = self.settings
        return BuildOptions(
            taxonomy=self.taxonomy,
            limits=Limits(
                max_file_bytes=s.max_file_bytes,
                max_unpacked_bytes=s.max_unpacked_bytes,
                max_compression_ratio=s.max_compression_ratio,
            ),
            chunk_spec=ChunkSpec(
                max_tokens=s.chunk_tokens,
                overlap_tokens=s.chunk_overlap,
                max_chunks=s.max_chunks_per_asset,
            ),
            count_tokens=token_counter(default_model_path(s)),
        )

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
            job = self.submit_rebuild(requested_by=actor.key_id)
        return removal, job

    def audit_log(
        self, *, limit: int = 50, cursor: int | None = None, asset_id: str | None = None
    ) -> dict[str, Any]:
        """A page of who removed what and when, newest first (see catalog.removal.audit_log):
        `{"items": [...], "next": ...}`, `next` being the `cursor` of older rows (None at the
        end)."""
        rows = audit_log(self.store, limit=limit + 1, before=cursor, asset_id=asset_id)
        items = rows[:limit]
        return {"items": items, "next": items[-1]["id"] if len(rows) > limit else None}

    def index_is_current(self) -> bool:
        """True when a bundle exists, built from the catalog as it is now with the same model."""
        try:
            meta = read_meta(current_folder(self.settings.bundles_dir))
        except (IndexMissingError, OSError, ValueError, TypeError):
            return False
        model = self._encoder.name if self._encoder else self.model_spec.name
        return meta.catalog_version == self.store.catalog_version() and meta.model == model

    def index_version(self) -> str | None:
        """The version of the bundle CURRENT names (what a server would serve), None if none."""
        try:
            return read_meta(current_folder(self.settings.bundles_dir)).version
        except (IndexMissingError, OSError, ValueError, TypeError):
            return None

    def build_index(self, *, progress: Callable[[int, int], None] | None = None) -> BuildReport:
        """Build a bundle for the current catalog and switch to it atomically."""
        report = build_index(
            self.store,
            encoder=self.encoder,
            cache=EmbeddingCache(self.engine),
            bundles=self.settings.bundles_dir,
            options=self._index_options(),
            progress=progress,
        )
        if "live" in self.__dict__:
            self.live.reload_now()
        return report

    def _index_options(self) -> IndexOptions:
        s = self.settings
        return IndexOptions(
            dense_kind=s.dense_index, hnsw_threshold=s.hnsw_threshold, ef_search=s.hnsw_ef_search
        )

    @cached_property
    def live(self) -> LiveRecommender:
        return LiveRecommender(
            self._load_recommender,
            self.settings.bundles_dir,
            interval=self.settings.reload_interval_s,
        )

    def serving_version(self) -> str | None:
        """The version of the bundle this process serves (`v<catalog>-<built at>`), or None
        before one is loaded; never loads one."""
        current = self.live.current if "live" in self.__dict__ else None
        return current.bundle.meta.version if current is not None else None

    @property
    def recommender(self) -> Recommender:
        """The recommender over the current bundle; raises IndexMissingError if there is none,
        naming the command that works next: `enablement ingest PATH` while the catalog is empty
        (`enablement index` would refuse it), else `enablement index`."""
        try:
            return self.live.get()
        except IndexMissingError:
            if self.store.counts()[0]:
                raise
            raise IndexMissingError(
                "No index yet, and the catalog is empty: run `enablement ingest PATH` first "
                "(it builds the index too)."
            ) from None

    def _load_recommender(self) -> Recommender:
        bundle = load_bundle(
            current_folder(self.settings.bundles_dir), ef_search=self.settings.hnsw_ef_search
        )
        return Recommender(bundle, self.encoder, self.taxonomy, self.serving_config)

    @cached_property
    def serving_config(self) -> RecommenderConfig:
        """The linear config plus the learned ranker unless `scorer` is linear; a ranker file that
        is missing, corrupt or built for other features or another encoder is named in a
        warning and the linear scorer serves."""
        config = self.linear_config
        return replace(config, ranker=self._ranker[0]) if config.ranker is None else config

    @cached_property
    def linear_config(self) -> RecommenderConfig:
        """The config with the shipped type-intent model when its weight is on (a model file that
        is missing, corrupt or built for another encoder is named in a warning and left off)."""
        config = self.config
        if config.intent is None and config.weights.type_intent:
            folder = self.settings.intent_path or DEFAULT_INTENT
            encoder = self.encoder
            intent = load_intent(folder, encoder=encoder.name, dimension=encoder.dimension)
            config = replace(config, intent=intent)
        if config.answers is None:
            config = replace(config, answers=self._answers[0])
        return config

    @cached_property
    def _answers(self) -> tuple[AnswerModel | None, str]:
        folder = self.settings.answers_path or DEFAULT_ANSWERS
        return load_answers(folder, encoder=self.encoder.name)

    @cached_property
    def _ranker(self) -> tuple[LearnedRanker | None, str]:
        if self.settings.scorer == "linear":
            return None, "the linear scorer, as configured (ENABLEMENT_SCORER=linear)"
        folder = self.settings.ranker_path or DEFAULT_RANKER
        names = feature_names(self.taxonomy.asset_types.ids)
        return load_ranker(folder, features=names, encoder=self.encoder.name)

    @property
    def scorer(self) -> dict[str, str]:
        """Which scorer ranks ("linear" or the learned ranker's name), and why."""
        ranker = self.serving_config.ranker
        note = self._ranker[1] if self.config.ranker is None else "given in the config"
        answers = self.serving_config.answers
        answers_note = self._answers[1] if self.config.answers is None else "given in the config"
        return {
            "scorer": scorer_name(ranker),
            "scorer_note": note,
            "answers": answers.name if answers is not None else "off",
            "answers_note": answers_note,
        }

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
        """A Deal from loose input, checked against the taxonomy, then (which needs an index)
        against what the assets of `recommender`'s bundle (default: the current one) declare:
        an unknown language is refused (422, listing those there are), an unknown product or
        competitor gets a warning naming the closest known one."""
        deal = resolve_deal(raw, self.taxonomy, prefix=prefix)
        known = self.known_terms(recommender or self.recommender)
        return check_deal(deal, known, prefix=prefix)

    def known_terms(self, recommender: Recommender) -> KnownTerms:
        """The languages, products and competitors the bundle's assets declare (cached per
        bundle: a new bundle brings new ones)."""
        version = recommender.bundle.meta.version
        cached = self._known
        if cached is None or cached[0] != version:
            cached = self._known = (version, KnownTerms.of(recommender.table))
        return cached[1]

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
        parsed = SearchFilters.parse(filters, self.taxonomy)
        recommender = self.recommender
        check_language(parsed.language, self.known_terms(recommender), field="language")
        return search(recommender, query, parsed, limit=limit, cursor=cursor)

    @cached_property
    def usage(self) -> Usage:
        """Served recommendations, usage events and share links."""
        s = self.settings
        limits = Limits(max_file_bytes=s.max_file_bytes, max_unpacked_bytes=s.max_unpacked_bytes)
        return Usage(self.engine, self.taxonomy, self.store, limits=limits)

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
    def jobs(self) -> JobStore:
        return JobStore(self.engine)

    @cached_property
    def _runner(self) -> JobRunner:
        return JobRunner(self.jobs)

    def submit_ingest(self, path: Path, *, requested_by: str | None) -> Job:
        """Queue an ingest of `path`, which must lie under a configured library root."""
        try:
            resolved = path.resolve()
        except (OSError, ValueError) as exc:  # e.g. a NUL byte, or a loop of symlinks
            raise InvalidValueError(f"Not a usable path: {exc}", field="path") from None
        roots = [*self.settings.ingest_roots, self.uploads_dir.resolve()]
        if not any(resolved.is_relative_to(root) for root in roots):
            shown = ", ".join(str(root) for root in self.settings.ingest_roots)
            raise InvalidValueError(
                f"Path '{path}' is not under a configured library root ({shown}).", field="path"
            )
        if not resolved.exists():
            raise InvalidValueError(f"No such file or folder: {path}", field="path")
        return self._runner.submit(
            "ingest", {"path": str(resolved)}, requested_by, lambda r: self._ingest_job(resolved, r)
        )

    def submit_rebuild(self, *, requested_by: str | None) -> Job:
        return self._runner.submit("rebuild", {}, requested_by, self._rebuild_job)

    @property
    def uploads_dir(self) -> Path:
        return self.settings.data_dir / "uploads"

    def _ingest_job(self, path: Path, report: Report) -> dict[str, Any]:
        summary = self.ingest(path, progress=lambda done, total, _name: report(done, total))
        result: dict[str, Any] = {**summary.to_dict(), "index": None}  # as `ingest --json`
        if summary.assets and not self.index_is_current():
            result["index"] = self.build_index().to_dict()
        return result

    def _rebuild_job(self, report: Report) -> dict[str, Any]:
        built = self.build_index(progress=lambda done, total: report(done, total))
        return {**built.to_dict(), **self.scorer}  # as `enablement index --json`

    def close(self) -> None:
        if "_runner" in self.__dict__:
            self._runner.close()
        if "usage" in self.__dict__:
            self.usage.close()
        if "engine" in self.__dict__:
            self.engine.dispose()
