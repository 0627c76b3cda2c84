"""Finding what to ingest: documents in a folder, rows of JSONL/CSV manifests, and sidecars."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from enablement.catalog.models import Report

MANIFEST_SUFFIXES = (".jsonl", ".csv")
SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml")


@dataclass(frozen=True)
class Item:
    """One asset to ingest: a document file, a manifest row, or both."""

    locator: str  # unique within the source: a relative path, or manifest#id
    display: str  # how reports name it
    file: Path | None = None
    rel_path: str | None = None
    sidecar: Path | None = None
    row: dict[str, Any] | None = field(default=None, compare=False)


@dataclass
class Discovery:
    source: str
    root: Path
    items: list[Item] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)


def discover(path: Path) -> Discovery:
    """Everything under `path` (a folder, or one manifest file) that could become an asset."""
    path = path.absolute()
    if path.is_file() and path.suffix.casefold() in MANIFEST_SUFFIXES:
        found = Discovery(source=str(path.resolve()), root=path.parent.resolve())
        _read_manifest(path.resolve(), found)
        return found
    if path.is_file():  # one document on its own (an upload, say)
        found = Discovery(source=str(path.resolve()), root=path.parent.resolve())
        rel = path.name
        found.items.append(Item(locator=rel, display=rel, file=path.resolve(), rel_path=rel))
        return found
    found = Discovery(source=str(path.resolve()), root=path.resolve())
    files = list(_walk(found))
    manifests = [f for f in files if f.suffix.casefold() in MANIFEST_SUFFIXES]
    for manifest in manifests:
        _read_manifest(manifest, found)
    listed = {item.file for item in found.items if item.file is not None}
    sidecars = {f for f in files if f.name.casefold().endswith(SIDECAR_SUFFIXES)}
    used: set[Path] = set()
    for file in files:
        if file in listed or file in sidecars or file in manifests:
            continue
        sidecar = _sidecar_for(file, sidecars)
        if sidecar is not None:
            used.add(sidecar)
        rel = file.relative_to(found.root).as_posix()
        found.items.append(Item(locator=rel, display=rel, file=file, rel_path=rel, sidecar=sidecar))
    for orphan in sorted(sidecars - used):
        rel = orphan.relative_to(found.root).as_posix()
        found.reports.append(Report(rel, "metadata sidecar with no matching document"))
    return found


def _walk(found: Discovery) -> Iterator[Path]:
    """Files under the root, in a stable order; hidden entries skipped, no escaping symlinks."""
    for directory, dirnames, filenames in os.walk(found.root, followlinks=False):
        base = Path(directory)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in dirnames:
            if (base / name).is_symlink() and not _inside(base / name, found.root):
                found.reports.append(_escape_report(base / name, found.root))
        for name in sorted(filenames):
            file = base / name
            if name.startswith("."):
                continue
            if file.is_symlink():
                if not _inside(file, found.root):
                    found.reports.append(_escape_report(file, found.root))
                    continue
                file = file.resolve()
                if not file.is_file():
                    continue
            yield file


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root)


def _escape_report(path: Path, root: Path) -> Report:
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    return Report(rel, "symlink leads outside the library root; not followed")


def _sidecar_for(file: Path, sidecars: set[Path]) -> Path | None:
    for suffix in SIDECAR_SUFFIXES:
        for candidate in (file.with_name(file.name + suffix), file.with_name(file.stem + suffix)):
            if candidate in sidecars:
                return candidate
    return None


def _read_manifest(manifest: Path, found: Discovery) -> None:
    rel = manifest.relative_to(found.root).as_posix()
    try:
        text = manifest.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        found.reports.append(Report(rel, f"cannot read manifest: {exc}"))
        return
    rows = _jsonl_rows(text) if manifest.suffix.casefold() == ".jsonl" else _csv_rows(text)
    for line, row, error in rows:
        where = f"{rel}:{line}"
        if error is not None:
            found.reports.append(Report(where, error))
            continue
        assert row is not None
        item = _row_item(row, where, rel, manifest.parent, found)
        if item is not None:
            found.items.append(item)


Row = tuple[int, dict[str, Any] | None, str | None]


def _jsonl_rows(text: str) -> Iterator[Row]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"not valid JSON: {exc.msg} at column {exc.colno}"
            continue
        if not isinstance(row, dict):
            yield number, None, f"each line must be a JSON object, not {type(row).__name__}"
            continue
        yield number, row, None


def _csv_rows(text: str) -> Iterator[Row]:
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        line = reader.line_num
        if None in row or any(value is None for value in row.values()):
            yield line, None, "wrong number of columns for the header"
            continue
        yield line, {k.strip(): v for k, v in row.items() if k and v is not None and v != ""}, None


def _row_item(
    row: dict[str, Any], where: str, manifest_rel: str, base: Path, found: Discovery
) -> Item | None:
    has_text = isinstance(row.get("text"), str) and bool(row["text"].strip())
    has_path = isinstance(row.get("path"), str) and bool(row["path"].strip())
    if has_text == has_path:
        found.reports.append(Report(where, "give exactly one of 'text' or 'path'"))
        return None
    key = str(row.get("id") or "").strip()
    if not has_path:
        if not key:
            found.reports.append(Report(where, "a row with 'text' needs an 'id'"))
            return None
        return Item(locator=f"{manifest_rel}#{key}", display=where, row=row)
    file = (base / str(row["path"]).strip()).absolute()
    if not file.resolve().is_relative_to(found.root):
        found.reports.append(Report(where, f"path '{row['path']}' leaves the library root"))
        return None
    file = file.resolve()
    if not file.is_file():
        found.reports.append(Report(where, f"path '{row['path']}' does not exist"))
        return None
    rel = file.relative_to(found.root).as_posix()
    return Item(
        locator=f"{manifest_rel}#{key or rel}", display=where, file=file, rel_path=rel, row=row
    )
