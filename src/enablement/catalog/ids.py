"""The id of a file new to its source: the one it had when it was removed, the one a library
that moved away held for it, else its derived id unless another file holds that.

Only the same file (the same library folder and relative path) gets a removed row's id back, so
restoring one library's file never takes over another's history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from enablement.catalog.roots import Scope, disambiguated, yields_id
from enablement.catalog.store import CatalogStore, Holder


def file_key(source: str, locator: str) -> str:
    """Where an asset's file is, whatever source named it: its library root joined with the
    locator (a single-file source's root is its folder)."""
    held = Path(source)
    if locator.split("#", 1)[0] == held.name and not held.is_dir():
        held = held.parent
    return f"{held}/{locator}"


@dataclass
class IdChooser:
    """Reads every asset row once, on the first id it chooses."""

    store: CatalogStore
    scope: Scope
    natural: set[str]  # the ids this run's paths derive: no disambiguated id may take one
    holders: dict[str, Holder] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)  # file key -> removed id
    gone: dict[str, list[str]] = field(default_factory=dict)  # locator -> ids of moved sources
    loaded: bool = False

    def choose(self, derived: str, locator: str) -> str:
        """The id for the file at `locator` (under the scope's root) deriving `derived`."""
        if not self.loaded:
            self._load()
        chosen = (
            self.removed.pop(file_key(str(self.scope.root), locator), None)
            or self._handed_over(derived, locator)
            or self._free(derived)
        )
        self.holders[chosen] = Holder(self.scope.source, locator, removed=False)
        return chosen

    def _load(self) -> None:
        self.holders = self.store.holders()
        exists: dict[str, bool] = {}
        gone: defaultdict[str, list[str]] = defaultdict(list)
        for asset_id, holder in sorted(self.holders.items()):
            if holder.removed:
                self.removed[file_key(holder.source, holder.locator)] = asset_id
            elif not exists.setdefault(holder.source, Path(holder.source).exists()):
                gone[holder.locator].append(asset_id)
        self.gone, self.loaded = dict(gone), True

    def _handed_over(self, derived: str, locator: str) -> str | None:
        """The id a moved library (its folder gone) held for the file at `locator`, derived,
        prefixed or hashed as it was there."""
        for asset_id in self.gone.get(locator, []):
            holder = self.holders[asset_id]
            if holder.removed or holder.source == self.scope.source:
                continue  # taken over already in this run
            old = Scope(Path(holder.source), holder.source, Path(holder.source))
            if asset_id == derived or asset_id in disambiguated(derived, old):
                return asset_id
        return None

    def _free(self, derived: str) -> str:
        """`derived` unless another file holds it (a removed one too), then a disambiguated id;
        the last, hashed on the source, if none is free."""
        others = [c for c in disambiguated(derived, self.scope) if c not in self.natural]
        for candidate in (derived, *others):
            holder = self.holders.get(candidate)
            if holder is None:
                break
            if holder.removed:
                continue  # another file's history: only that file may restore it
            if holder.source == self.scope.source or holder.source in self.scope.adopted:
                break
            if candidate == derived and yields_id(holder.source, self.scope):
                break
        return candidate
