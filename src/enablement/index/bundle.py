"""The on-disk index bundle: one versioned folder per build, switched atomically via CURRENT."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.embedding import Vectors
from enablement.errors import EnablementError
from enablement.index.chunks import ChunkFile, save_chunks
from enablement.index.chunks import ChunkRecord as ChunkRecord  # where callers import it from
from enablement.index.dense import EF_SEARCH, DenseIndex, FaissIndex
from enablement.index.lexical import LexicalIndex

FORMAT = 1
CURRENT = "CURRENT"


class IndexMissingError(EnablementError):
    status = 503
    code = "index_missing"


@dataclass(frozen=True)
class AssetRecord:
    """What ranking needs to know about an asset, without a database round trip."""

    id: str
    title: str
    type: str | None = None
    stages: tuple[str, ...] = ()
    verticals: tuple[str, ...] = ()
    personas: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()
    language: str | None = None
    external: bool | None = None
    owner: str | None = None
    url: str | None = None
    format: str | None = None
    path: str | None = None
    updated_at: date | None = None
    expires_at: date | None = None
    content_hash: str = ""  # of the content indexed: tag suggestions are made for it
    # Unreviewed tag suggestions for fields the asset leaves empty, (field, value, confidence):
    # soft evidence for ranking (recommend/table.py), never a filter.
    suggested: tuple[tuple[str, str, float], ...] = ()

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> AssetRecord:
        values = dict(raw)
        for name in ("stages", "verticals", "personas", "products", "competitors"):
            values[name] = tuple(values.get(name) or ())
        values["suggested"] = tuple(
            (str(f), str(v), float(c)) for f, v, c in values.get("suggested") or ()
        )
        for name in ("updated_at", "expires_at"):
            value = values.get(name)
            values[name] = date.fromisoformat(value) if isinstance(value, str) else value
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("updated_at", "expires_at"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


@dataclass(frozen=True)
class BundleMeta:
    version: str
    model: str
    dimension: int
    catalog_version: int
    built_at: str
    assets: int
    chunks: int
    dense_kind: str
    format: int = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Bundle:
    """Everything a query needs. A loaded bundle maps its largest parts read-only from its folder
    (chunk texts, the FAISS index, the arrays), so the workers of a machine share them."""

    path: Path
    meta: BundleMeta
    assets: list[AssetRecord]
    chunks: Sequence[ChunkRecord]  # a list when built, a ChunkFile when loaded
    chunk_asset: npt.NDArray[np.int32]
    asset_vectors: Vectors
    dense: DenseIndex
    lexical: LexicalIndex

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        (folder / "assets.json").write_text(json.dumps([a.to_json() for a in self.assets]))
        save_chunks(self.chunks, folder)
        np.save(folder / "chunk_asset.npy", self.chunk_asset)
        np.save(folder / "asset_vectors.npy", self.asset_vectors)
        self.dense.save(folder / "dense.faiss")
        self.lexical.save(folder / "bm25")
        # meta.json last: a folder without it is an incomplete build and is never loaded
        (folder / "meta.json").write_text(json.dumps(asdict(self.meta), indent=2))


def read_meta(folder: Path) -> BundleMeta:
    """A bundle's metadata; raises IndexMissingError if the folder is an incomplete build."""
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        raise IndexMissingError(f"Index bundle {folder} is incomplete; run `enablement index`.")
    return BundleMeta(**json.loads(meta_path.read_text()))


def load_bundle(folder: Path, *, ef_search: int = EF_SEARCH) -> Bundle:
    """Load one bundle folder; raises IndexMissingError if it is incomplete."""
    meta = read_meta(folder)
    read_ahead(folder)
    assets = [
        AssetRecord.from_json(raw) for raw in json.loads((folder / "assets.json").read_text())
    ]
    return Bundle(
        path=folder,
        meta=meta,
        assets=assets,
        chunks=ChunkFile.open(folder),
        chunk_asset=_mapped(folder / "chunk_asset.npy"),
        asset_vectors=_mapped(folder / "asset_vectors.npy"),
        dense=FaissIndex.load(folder / "dense.faiss", meta.dense_kind, ef_search=ef_search),
        lexical=LexicalIndex.load(folder / "bm25"),
    )


def read_ahead(folder: Path) -> None:
    """Ask the kernel to read every file of `folder` into the page cache in the background
    (POSIX_FADV_WILLNEED), as Elasticsearch's store preload does: the mapped parts of a bundle
    then fault in from memory on the first queries, not from disk, where a query touching cold
    pages of a million-chunk index waits for each. Nothing where the platform has no
    posix_fadvise."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            descriptor = os.open(path, os.O_RDONLY)
            try:
                advise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
            finally:
                os.close(descriptor)


def _mapped(path: Path) -> npt.NDArray[Any]:
    """A saved array mapped read-only (nothing writes a loaded bundle's arrays: a write would
    raise); read into memory when it cannot be mapped (an empty array)."""
    try:
        array: npt.NDArray[Any] = np.asarray(np.load(path, mmap_mode="r"))
    except ValueError:
        array = np.load(path)
    return array


def current_folder(bundles: Path) -> Path:
    """The folder CURRENT points to; raises IndexMissingError naming the command to run."""
    pointer = bundles / CURRENT
    if not pointer.is_file():
        raise IndexMissingError(
            f"No index bundle in {bundles}: run `enablement index` (or `make run`) first."
        )
    return bundles / pointer.read_text().strip()


def publish(bundle: Bundle, bundles: Path, *, keep: int = 2) -> Path:
    """Write `bundle` as a new version and switch CURRENT to it atomically.

    A failure at any point leaves CURRENT, and the bundle it names, untouched.
    """
    bundles.mkdir(parents=True, exist_ok=True)
    staging = bundles / f".build-{bundle.meta.version}-{os.getpid()}"
    final = bundles / bundle.meta.version
    try:
        bundle.save(staging)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    point_current(bundles, final.name)
    prune(bundles, keep=keep, current=final.name)
    return final


def point_current(bundles: Path, version: str) -> None:
    """Switch CURRENT to `version` atomically; a temporary file of this thread's own, so two
    threads switching at once (a build here, a fetch of another node's) never collide."""
    pointer = bundles / f".{CURRENT}.{os.getpid()}.{threading.get_ident()}.tmp"
    pointer.write_text(version)
    pointer.replace(bundles / CURRENT)


def prune(bundles: Path, *, keep: int, current: str) -> None:
    """Drop old versions, and staging folders left by builds or fetches that were killed."""
    staged = [*bundles.glob(".build-*"), *bundles.glob(".fetch-*")]
    for staging in staged:
        if not _process_alive(staging.name.rsplit("-", 1)[-1]):
            shutil.rmtree(staging, ignore_errors=True)
    versions = sorted(
        (p for p in bundles.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in versions[keep:]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)


def _process_alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
