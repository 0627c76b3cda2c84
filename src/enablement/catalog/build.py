"""Turning one discovered item into an Asset: read, check, merge metadata, chunk."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from enablement.catalog.chunking import ChunkSpec, chunk_capped
from enablement.catalog.loaders import Limits, format_for
from enablement.catalog.manifests import unstorable
from enablement.catalog.metadata import load_yaml_mapping, parse_metadata, slugify
from enablement.catalog.models import Asset, BadFileError, Document, Section
from enablement.catalog.sources import Item
from enablement.catalog.tokens import TokenCounter
from enablement.errors import InvalidValueError
from enablement.taxonomy import Taxonomy


@dataclass(frozen=True)
class BuildOptions:
    taxonomy: Taxonomy
    limits: Limits
    chunk_spec: ChunkSpec
    count_tokens: TokenCounter


@dataclass(frozen=True)
class Payload:
    """The raw bytes of an item, read once, and the hash that says whether it changed."""

    item: Item
    document: bytes | None
    sidecar: bytes | None
    content_hash: str


def read_payload(item: Item, limits: Limits) -> Payload:
    """Read an item's bytes and hash them; raises BadFileError for empty or oversized files."""
    document = _read_checked(item.file, limits) if item.file is not None else None
    sidecar = _read_checked(item.sidecar, limits) if item.sidecar is not None else None
    digest = hashlib.sha256()
    for part in (document, sidecar):
        digest.update(b"\x00" if part is None else hashlib.sha256(part).digest())
    if item.row is not None:
        digest.update(json.dumps(item.row, sort_keys=True, default=str).encode("utf-8"))
    return Payload(item, document, sidecar, digest.hexdigest())


def _read_checked(path: Path, limits: Limits) -> bytes:
    mb = 1024 * 1024
    try:
        # O_NONBLOCK: if the file became a pipe since discovery, opening it must not hang the run.
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise BadFileError("not a regular file (a pipe, socket or device)")
            if info.st_size > limits.max_file_bytes:
                raise BadFileError(
                    f"file is {info.st_size / mb:.1f} MB, "
                    f"over the {limits.max_file_bytes / mb:.0f} MB limit"
                )
            if info.st_size == 0:
                raise BadFileError("empty file")
            return handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise BadFileError(f"cannot read file: {exc.strerror or exc}") from None


def build_asset(
    payload: Payload,
    *,
    source: str,
    options: BuildOptions,
    choose_id: Callable[[str], str] | None = None,
) -> Asset:
    """The asset for a payload; raises BadFileError with the reason it cannot be ingested.

    Its id is the one its metadata sets, else one derived from its path, passed through
    `choose_id` (which may keep an earlier id or avoid another library's)."""
    item = payload.item
    document = _load_document(payload, options.limits)
    raw: dict[str, Any] = dict(document.front_matter)
    if payload.sidecar is not None:
        raw.update(load_yaml_mapping(_sidecar_text(payload.sidecar), "metadata sidecar"))
    if item.row is not None:
        raw.update(item.row)
    problem = unstorable(raw)  # YAML's "\0" and "\ud800" escapes would fail the whole write
    if problem:
        raise BadFileError(f"metadata {problem}")
    try:
        metadata = parse_metadata(raw, options.taxonomy)
    except InvalidValueError as exc:
        raise BadFileError(f"invalid metadata: {exc.message}") from None
    asset_id = metadata.id or (choose_id or str)(_derived_id(item))
    title = metadata.title or document.title or _title_from_path(item) or asset_id
    sections = document.sections
    if not sections:
        raise BadFileError("no text could be extracted (a scanned or empty document?)")
    chunked = chunk_capped(sections, spec=options.chunk_spec, count=options.count_tokens)
    warnings = (truncation_warning(options.chunk_spec.max_chunks),) if chunked.truncated else ()
    return Asset(
        id=asset_id,
        title=title,
        metadata=replace(metadata, id=asset_id, title=title),
        source=source,
        locator=item.locator,
        path=item.rel_path,
        format=_format_name(item),
        content_hash=payload.content_hash,
        chunks=chunked.chunks,
        word_count=sum(len(section.text.split()) for section in sections),
        warnings=warnings,
    )


def truncation_warning(cap: int) -> str:
    return (
        f"truncated: only the first {cap:,} chunks are stored and searchable "
        "(max_chunks_per_asset, setting ENABLEMENT_MAX_CHUNKS_PER_ASSET)"
    )


def _load_document(payload: Payload, limits: Limits) -> Document:
    item = payload.item
    if item.file is None:
        text = str((item.row or {}).get("text", "")).strip()
        return Document(sections=[Section(text=text)] if text else [])
    assert payload.document is not None
    loader = format_for(item.file.suffix)
    try:
        return loader.load(payload.document, limits)
    except BadFileError:
        raise
    except Exception as exc:  # a parser bug on one odd file must not stop the run
        raise BadFileError(f"could not read {loader.name}: {type(exc).__name__}: {exc}") from None


def _sidecar_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadFileError("metadata sidecar is not UTF-8 text") from None


def derived_id(item: Item) -> str | None:
    """The id an item's path gives it when its metadata sets none (None if it gives none)."""
    if item.rel_path is None:
        return None
    stem = item.rel_path.rsplit(".", 1)[0] if "." in Path(item.rel_path).name else item.rel_path
    return slugify(stem)[:200] or None


def _derived_id(item: Item) -> str:
    if item.rel_path is None:
        raise BadFileError("no id")  # discovery guarantees manifest text rows have one
    derived = derived_id(item)
    if not derived:
        raise BadFileError("cannot derive an asset id from the file name; set 'id' in metadata")
    return derived


def _title_from_path(item: Item) -> str | None:
    if item.rel_path is None:
        return None
    stem = Path(item.rel_path).stem.replace("-", " ").replace("_", " ").strip()
    return stem[:1].upper() + stem[1:] if stem else None


def _format_name(item: Item) -> str:
    return format_for(item.file.suffix).name if item.file is not None else "text"
