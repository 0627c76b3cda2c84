"""Finding what to ingest: documents in a folder, rows of JSONL/CSV manifests, and sidecars.

Every filesystem call here is guarded: a file that cannot be used (a symlink loop, a dangling
link, a pipe, a name that is not UTF-8, a permission error) becomes a Report, never an exception.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from enablement.catalog.manifests import manifest_rows, unstorable
from enablement.catalog.models import Report, printable
from enablement.errors import InvalidValueError

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


class _UnusableError(Exception):
    """A path discovery cannot use; the message is the reason reported."""


def resolve(path: Path) -> Path:
    """`path` made absolute with links resolved; raises InvalidValueError when it is unusable
    (missing, a loop, not UTF-8)."""
    try:
        resolved = path.absolute().resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise InvalidValueError(f"Cannot read {path}: {_reason(exc)}", field="path") from None
    if unstorable(str(resolved)):
        raise InvalidValueError(
            f"The path {printable(str(resolved))} is not valid UTF-8", field="path"
        )
    return resolved


def discover(path: Path, *, within: Path | None = None) -> Discovery:
    """Everything under `path` (a folder, or one manifest file) that could become an asset.

    With `within` (a resolved folder holding `path`: an already-ingested library), items are
    named relative to `within` and belong to it as a source, as if it were walked whole.
    Raises InvalidValueError when `path` itself is unusable (a loop, not UTF-8, not a file or
    folder); everything wrong below it is reported in the Discovery instead."""
    root = resolve(path)
    try:
        is_dir = root.is_dir()
    except OSError as exc:
        raise InvalidValueError(f"Cannot read {path}: {_reason(exc)}", field="path") from None
    base = within or (root if is_dir else root.parent)
    found = Discovery(source=str(within or root), root=base)
    if is_dir:
        return _discover_folder(found, root)
    try:
        _regular_file(root, base)
    except _UnusableError as exc:
        found.reports.append(Report(_rel(root, base), str(exc)))
    else:
        if root.suffix.casefold() in MANIFEST_SUFFIXES:
            _read_manifest(root, found)
        else:  # one document on its own (an upload, say)
            rel = _rel(root, base)
            found.items.append(Item(rel, rel, file=root, rel_path=rel))
    return found


def _discover_folder(found: Discovery, start: Path) -> Discovery:
    root = found.root
    files = list(dict.fromkeys(_walk(found, start)))  # a link to a file inside is the file, once
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
        rel = file.relative_to(root).as_posix()
        found.items.append(Item(locator=rel, display=rel, file=file, rel_path=rel, sidecar=sidecar))
    for orphan in sorted(sidecars - used):
        rel = orphan.relative_to(root).as_posix()
        found.reports.append(Report(rel, "metadata sidecar with no matching document"))
    return found


def _walk(found: Discovery, start: Path) -> Iterator[Path]:
    """Regular files under `start` (the root or a folder in it), in a stable order, resolved;
    hidden entries skipped, symlinked folders not descended into, and every entry that cannot
    be used reported."""
    root = found.root

    def unlistable(exc: OSError) -> None:
        where = _rel(Path(exc.filename), root) if exc.filename else "."
        reason = _reason(exc).removeprefix("cannot read: ")
        found.reports.append(Report(where, f"cannot list folder: {reason}"))

    for directory, dirnames, filenames in os.walk(start, onerror=unlistable):
        base = Path(directory)
        kept = []
        for name in sorted(d for d in dirnames if not d.startswith(".")):
            problem = _folder_problem(base / name, root)
            if problem:
                found.reports.append(Report(_rel(base / name, root), problem))
            elif not _is_link(base / name):  # a link inside the root: reached by its target
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(f for f in filenames if not f.startswith(".")):
            try:
                yield _regular_file(base / name, root, walked=True)
            except _UnusableError as exc:
                found.reports.append(Report(_rel(base / name, root), str(exc)))


def _folder_problem(folder: Path, root: Path) -> str | None:
    if unstorable(folder.name):
        return "folder name is not valid UTF-8; rename it (nothing inside was read)"
    try:
        if folder.is_symlink() and not folder.resolve(strict=True).is_relative_to(root):
            return "symlink leads outside the library root; not followed"
    except (OSError, RuntimeError) as exc:
        return _reason(exc)
    return None


def _regular_file(path: Path, root: Path, *, walked: bool = False) -> Path:
    """The regular file `path` names, resolved; raises _UnusableError with the reason.
    `walked`: `path` came from walking the resolved root (no `..`, no linked folders)."""
    if unstorable(path.name):
        raise _UnusableError("file name is not valid UTF-8; rename it")
    try:
        # One lstat for the common case: a plain entry met walking the (resolved) root is its own
        # resolved path, as linked folders are never descended into. Links, and paths given by a
        # manifest (which may hold `..`), are resolved and checked against the root.
        mode = path.lstat().st_mode
        target = path
        if not walked or stat.S_ISLNK(mode):
            target = path.resolve(strict=True)
            if not target.is_relative_to(root):
                raise _UnusableError("symlink leads outside the library root; not followed")
            mode = target.stat().st_mode
    except FileNotFoundError:
        raise _UnusableError(
            "dangling symlink: its target does not exist" if _is_link(path) else "does not exist"
        ) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise _UnusableError(_reason(exc)) from None
    if stat.S_ISDIR(mode):
        raise _UnusableError("is a folder, not a file")
    if not stat.S_ISREG(mode):  # opening a pipe would block the run forever
        raise _UnusableError("not a regular file (a pipe, socket or device); skipped")
    return target


def _is_link(path: Path) -> bool:
    try:
        return path.is_symlink()
    except (OSError, ValueError):
        return False


def _reason(exc: BaseException) -> str:
    """Plain words for an error from a filesystem call."""
    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
        return "symlink loop; not followed"  # Python 3.11-3.12 raise RuntimeError, 3.13 ELOOP
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or exc}"
    return f"cannot read: {exc}"


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _sidecar_for(file: Path, sidecars: set[Path]) -> Path | None:
    for suffix in SIDECAR_SUFFIXES:
        for candidate in (file.with_name(file.name + suffix), file.with_name(file.stem + suffix)):
            if candidate in sidecars:
                return candidate
    return None


def _read_manifest(manifest: Path, found: Discovery) -> None:
    rel = manifest.relative_to(found.root).as_posix()
    try:
        data = manifest.read_bytes()
    except OSError as exc:
        found.reports.append(Report(rel, f"cannot read manifest: {_reason(exc)}"))
        return
    for line, row, error in manifest_rows(data, suffix=manifest.suffix):
        where = f"{rel}:{line}"
        if error is not None:
            found.reports.append(Report(where, error))
            continue
        assert row is not None
        item = _row_item(row, where, rel, manifest.parent, found)
        if item is not None:
            found.items.append(item)


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
    raw = str(row["path"]).strip()
    try:
        file = _regular_file((base / raw).absolute(), found.root)
    except _UnusableError as exc:
        reason = str(exc).replace("symlink leads outside", "leaves")
        found.reports.append(Report(where, f"path '{raw}' {_as_clause(reason)}"))
        return None
    rel = file.relative_to(found.root).as_posix()
    return Item(
        locator=f"{manifest_rel}#{key or rel}", display=where, file=file, rel_path=rel, row=row
    )


def _as_clause(reason: str) -> str:
    """`reason` to follow "path 'x'": "does not exist", "leaves the library root", "(…)"."""
    if reason.startswith(("does not", "leaves", "is a")):
        return reason
    return f"cannot be used: {reason}"
