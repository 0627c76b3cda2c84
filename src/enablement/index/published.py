"""Which bundle serves: where a node reads the live bundle's version and gets its folder.

`FileBundles` is one machine's default: the bundle the CURRENT file names under data_dir. With
ENABLEMENT_BUNDLE_STORE set, `SharedBundles` makes the database the one record of the live
bundle, so every node agrees on it: a build is copied to the bundle store, recorded with its
checksum in the `bundles` table and named live in `live_state`, in one transaction that also
sends a PostgreSQL NOTIFY on CHANNEL (live.Watcher listens). Each node fetches the named
version from the store (verified) before it switches."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, insert, select, text, update

from enablement.db import tables
from enablement.index.bundle import (
    BundleMeta,
    IndexMissingError,
    current_folder,
    point_current,
    prune,
    read_meta,
)
from enablement.index.bundle_store import BundleStore, BundleUnavailableError

log = logging.getLogger(__name__)

CHANNEL = "enablement_bundle"  # NOTIFY'd with the new version when a bundle is named live
LIVE = "bundle"  # live_state's row for the live bundle
KEEP_IN_STORE = 3  # published versions kept in the store; the live one is always the newest


@dataclass(frozen=True)
class LiveBundle:
    """What a node needs to know of the live bundle without loading it."""

    version: str
    catalog_version: int
    model: str


class Bundles(Protocol):
    """Where the live bundle is named and its folder found."""

    def version(self) -> str:
        """The live bundle's version; IndexMissingError when none was built."""
        ...

    def folder(self, version: str) -> Path:
        """The local folder of bundle `version`, fetched first if need be."""
        ...

    def live(self) -> LiveBundle | None:
        """The live bundle's version, catalog version and model; None when there is none."""
        ...

    def built(self, folder: Path, meta: BundleMeta) -> None:
        """Make the bundle just built in `folder` (CURRENT names it already) the live one."""
        ...


class FileBundles:
    """The bundle CURRENT names under `bundles` (one machine)."""

    def __init__(self, bundles: Path) -> None:
        self.bundles = bundles

    def version(self) -> str:
        return current_folder(self.bundles).name

    def folder(self, version: str) -> Path:
        return self.bundles / version

    def live(self) -> LiveBundle | None:
        try:
            meta = read_meta(current_folder(self.bundles))
        except (IndexMissingError, OSError, ValueError, TypeError):
            return None
        return LiveBundle(meta.version, meta.catalog_version, meta.model)

    def built(self, folder: Path, meta: BundleMeta) -> None:
        return None


class SharedBundles:
    """The bundle the database names live, fetched from `store` into `bundles` (see module)."""

    def __init__(self, engine: Engine, store: BundleStore, bundles: Path, *, node: str) -> None:
        self.engine = engine
        self.store = store
        self.bundles = bundles
        self.node = node

    def version(self) -> str:
        live = self.live()
        if live is None:
            raise IndexMissingError(
                "No index bundle was published to the shared store yet: run `enablement index` "
                "(or `enablement ingest PATH`) on any node."
            )
        return live.version

    def live(self) -> LiveBundle | None:
        bundles, state = tables.bundles.c, tables.live_state.c
        with self.engine.connect() as connection:
            row = connection.execute(
                select(bundles.version, bundles.catalog_version, bundles.model)
                .join(tables.live_state, state.value == bundles.version)
                .where(state.name == LIVE)
            ).first()
        return LiveBundle(*row) if row is not None else None

    def folder(self, version: str) -> Path:
        with self.engine.connect() as connection:
            checksum = connection.scalar(
                select(tables.bundles.c.checksum).where(tables.bundles.c.version == version)
            )
        if checksum is None:
            raise BundleUnavailableError(f"Bundle {version} was never published; not served.")
        folder = self.store.fetch(version, checksum, self.bundles)
        point_current(self.bundles, version)  # local tools (eval, audit) see what serves
        prune(self.bundles, keep=2, current=version)
        return folder

    def built(self, folder: Path, meta: BundleMeta) -> None:
        checksum = self.store.publish(folder)
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            connection.execute(
                insert(tables.bundles).values(
                    version=meta.version, checksum=checksum, catalog_version=meta.catalog_version,
                    model=meta.model, published_at=now, published_by=self.node,
                )
            )  # fmt: skip
            named = connection.execute(
                update(tables.live_state)
                .where(tables.live_state.c.name == LIVE)
                .values(value=meta.version, updated_at=now)
            ).rowcount
            if not named:
                connection.execute(
                    insert(tables.live_state).values(name=LIVE, value=meta.version, updated_at=now)
                )
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_notify(:channel, :version)"),
                    {"channel": CHANNEL, "version": meta.version},
                )
        self._prune_store(keep=KEEP_IN_STORE)

    def _prune_store(self, *, keep: int) -> None:
        """Remove all but the `keep` newest published versions from the store (a node still
        switching to an older one fails its fetch, keeps what it serves, and follows the live
        one at its next check)."""
        bundles = tables.bundles.c
        with self.engine.connect() as connection:
            newest = connection.scalars(
                select(bundles.version).order_by(bundles.published_at.desc()).limit(keep)
            ).all()
        for version in set(self.store.versions()) - set(newest):
            try:
                self.store.remove(version)
            except OSError:
                log.warning("could not remove bundle %s from the store", version, exc_info=True)
