"""Which source an ingested path belongs to, so asset ids stay the same however it is reached.

Ids derived from file paths are relative to a source's root. A folder already in the catalog
keeps being the root of everything under it: ingesting one of its subfolders or files later
updates those assets under the same source and ids. Ingesting a folder that holds sources ingested
before (a subfolder, a single file) merges them into it, their assets keeping their ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from enablement.catalog.metadata import slugify

MAX_ID = 200


@dataclass(frozen=True)
class Scope:
    """Where an ingest's items belong: `source` (a resolved path, as stored), the `root` ids and
    locators are relative to, and the part of it this run covers."""

    path: Path  # what was ingested, resolved
    source: str
    root: Path
    prefix: str = ""  # `path` relative to `root` when it lies inside a known source; "" for all
    adopted: dict[str, str] = field(default_factory=dict)  # source under `path` -> its prefix

    @property
    def within(self) -> Path | None:
        """The known folder `path` lies inside, or None when `path` is a source of its own."""
        return self.root if self.prefix else None

    def covers(self, locator: str) -> bool:
        """Whether an asset of `source` at `locator` lies under the ingested path."""
        return covers(locator, self.prefix)


def covers(locator: str, prefix: str) -> bool:
    """Whether `locator` (a relative path, or `manifest#key`) lies at or under `prefix`."""
    return not prefix or locator == prefix or locator.startswith((f"{prefix}/", f"{prefix}#"))


def rebased(locator: str, prefix: str) -> str:
    """A child source's `locator` as its parent source names it."""
    return f"{prefix}/{locator}" if prefix else locator


def scope_for(path: Path, known: Iterable[str]) -> Scope:
    """The scope of ingesting `path` (resolved) into a catalog holding the sources `known`: the
    outermost known folder holding `path` wins; sources under `path` are adopted."""
    sources = [Path(source) for source in known]
    holders = [s for s in sources if s != path and path.is_relative_to(s) and s.is_dir()]
    if holders:
        root = min(holders, key=lambda s: len(s.parts))
        scope = Scope(path, str(root), root, _relative(path, root))
    else:
        scope = Scope(path, str(path), path if path.is_dir() else path.parent)
    for child in sources:
        if str(child) != scope.source and (child == path or child.is_relative_to(path)):
            child_root = child if child.is_dir() else child.parent  # a file: its folder
            scope.adopted[str(child)] = _relative(child_root, scope.root)
    return scope


def _relative(path: Path, root: Path) -> str:
    relative = path.relative_to(root).as_posix()
    return "" if relative == "." else relative


def disambiguated(derived: str, scope: Scope) -> list[str]:
    """Ids to try, in order, for a derived id another library already holds: prefixed with the
    source's folder name, then suffixed with a hash of the source path (unique per source)."""
    digest = hashlib.sha256(scope.source.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    folder = slugify(scope.root.name)
    candidates = [f"{folder}-{derived}"[:MAX_ID]] if folder else []
    return [*candidates, f"{derived[: MAX_ID - 9]}-{digest}"]


def yields_id(holder: str, scope: Scope) -> bool:
    """Whether the source `holder` gives its derived ids up to `scope`'s source: when its path
    is gone (the library moved), or when both are single files of one name (a new upload of a
    document replaces the old)."""
    held = Path(holder)
    if not held.exists():
        return True
    source = Path(scope.source)
    return held.is_file() and source.is_file() and held.name == source.name
