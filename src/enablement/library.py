"""The library's upkeep as Settings configures it: how files become assets and indexes, which
paths may be queued for ingest, and the removal audit log in pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from enablement.catalog.build import BuildOptions
from enablement.catalog.chunking import ChunkSpec
from enablement.catalog.loaders import Limits
from enablement.catalog.removal import audit_log
from enablement.catalog.store import CatalogStore
from enablement.catalog.tokens import token_counter
from enablement.embedding import load_model_spec
from enablement.errors import InvalidValueError
from enablement.index.build import IndexOptions
from enablement.settings import Settings
from enablement.taxonomy import Taxonomy


def default_model_path(settings: Settings) -> Path | None:
    """The configured model folder, else the one models/manifest.yaml names (None if missing)."""
    try:
        return load_model_spec(settings.model_path, tuned=False).path
    except Exception:  # the tokenizer falls back to an estimate; the encoder reports the problem
        return settings.model_path


def build_options(settings: Settings, taxonomy: Taxonomy) -> BuildOptions:
    """How ingest turns files into assets and chunks: the size limits, chunk sizes and token
    counter Settings name."""
    s = settings
    return BuildOptions(
        taxonomy=taxonomy,
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


def index_options(settings: Settings) -> IndexOptions:
    """The dense index an index build makes (its kind, the sizes `auto` switches kind at, and
    the search breadth)."""
    s = settings
    return IndexOptions(
        dense_kind=s.dense_index,
        hnsw_threshold=s.hnsw_threshold,
        sq_threshold=s.sq_threshold,
        ef_search=s.hnsw_ef_search,
        nprobe=s.ivf_nprobe,
    )


def ingest_path(path: Path, settings: Settings, *, uploads: Path) -> Path:
    """`path` resolved, once checked to exist under a configured library root or `uploads`;
    raises InvalidValueError (field `path`) otherwise."""
    try:
        resolved = path.resolve()
    except (OSError, ValueError) as exc:  # e.g. a NUL byte, or a loop of symlinks
        raise InvalidValueError(f"Not a usable path: {exc}", field="path") from None
    roots = [*settings.ingest_roots, uploads.resolve()]
    if not any(resolved.is_relative_to(root) for root in roots):
        shown = ", ".join(str(root) for root in settings.ingest_roots)
        raise InvalidValueError(
            f"Path '{path}' is not under a configured library root ({shown}).", field="path"
        )
    if not resolved.exists():
        raise InvalidValueError(f"No such file or folder: {path}", field="path")
    return resolved


def audit_page(
    store: CatalogStore, *, limit: int, cursor: int | None, asset_id: str | None
) -> dict[str, Any]:
    """A page of who removed what and when, newest first (see catalog.removal.audit_log):
    `{"items": [...], "next": ...}`, `next` being the `cursor` of older rows (None at the
    end)."""
    rows = audit_log(store, limit=limit + 1, before=cursor, asset_id=asset_id)
    items = rows[:limit]
    return {"items": items, "next": items[-1]["id"] if len(rows) > limit else None}
