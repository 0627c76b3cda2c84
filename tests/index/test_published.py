"""Several nodes on one database and one bundle store: a build on any node is published,
named live in the database, and fetched (verified) by every other node, which switches to it;
a live bundle that fails its checksum or is missing from the store is never served, and the
node says why. On SQLite and on PostgreSQL (whose NOTIFY wakes a listener at once)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from enablement.db.notify import Listener
from enablement.index.bundle import IndexMissingError
from enablement.index.bundle_store import BundleUnavailableError
from enablement.index.published import CHANNEL
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.fakes import HashingEncoder
from tests.index.library import ASSETS


def node(tmp_path: Path, name: str, database_url: str) -> EnablementService:
    settings = Settings(
        data_dir=tmp_path / name,
        database_url=database_url,
        bundle_store=str(tmp_path / "store"),
        scorer="linear",
        intent_path=tmp_path / "no-intent",
    )
    return EnablementService(settings, encoder=HashingEncoder())


def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir(exist_ok=True)
    for name, text in ASSETS.items():
        (folder / name).write_text(text)
    return folder


def switched(service: EnablementService, version: str) -> bool:
    for _ in range(500):
        service.recommending.live.check()
        if service.serving_version() == version:
            return True
        time.sleep(0.01)
    return False


def test_a_build_on_one_node_reaches_the_others_and_a_bad_one_never_serves(
    tmp_path: Path, database_url: str
) -> None:
    a, b = node(tmp_path, "a", database_url), node(tmp_path, "b", database_url)
    folder = library(tmp_path)
    a.ingest(folder)
    with pytest.raises(IndexMissingError, match="No index bundle was published"):
        b.recommender  # noqa: B018
    first = a.build_index().version
    assert b.recommender.bundle.meta.version == first  # fetched from the store
    assert (tmp_path / "b" / "bundles" / first / "meta.json").is_file()
    assert b.index_version() == first and b.index_is_current()

    (folder / "new.md").write_text("---\ntitle: New Guide\ntype: faq\n---\nWhat is new.")
    a.ingest(folder)
    assert not b.index_is_current()  # every node sees the catalog moved past the live bundle
    second = a.build_index().version
    assert switched(b, second)
    assert b.bundle_sync() == {"live_bundle_version": second, "bundle_problem": None}

    (folder / "newer.md").write_text("---\ntitle: Newer Guide\ntype: faq\n---\nNewer.")
    a.ingest(folder)
    third = a.build_index().version
    with (tmp_path / "store" / third / "chunks.jsonl").open("a") as handle:
        handle.write("{}\n")  # the store's copy is damaged after the publish
    for _ in range(50):
        b.recommending.live.check()
        time.sleep(0.01)
    assert b.serving_version() == second  # kept
    sync = b.bundle_sync()
    assert sync["live_bundle_version"] == third
    assert sync["bundle_problem"] == (
        f"serving {second}: cannot switch to {third}: Bundle {third} in the store fails its "
        "checksum: chunks.jsonl is not the file that was published; not served."
    )
    c = node(tmp_path, "c", database_url)  # a node that starts now has nothing to fall back on
    with pytest.raises(BundleUnavailableError, match="fails its checksum"):
        c.recommender  # noqa: B018
    for _ in range(3):
        a.build_index()
    assert len(a.bundles.store.versions()) == 3  # the store keeps the newest three
    for service in (a, b, c):
        service.close()


def test_a_version_the_database_names_but_the_store_lacks_is_not_served(
    tmp_path: Path, database_url: str
) -> None:
    import shutil

    a, b = node(tmp_path, "a", database_url), node(tmp_path, "b", database_url)
    a.ingest(library(tmp_path))
    version = a.build_index().version
    shutil.rmtree(tmp_path / "store" / version)
    with pytest.raises(BundleUnavailableError, match="not in the bundle store"):
        b.recommender  # noqa: B018
    assert a.recommender.bundle.meta.version == version  # the builder has its own copy
    a.close()
    b.close()


@pytest.mark.postgres
def test_a_publish_wakes_a_listening_node_at_once(tmp_path: Path, postgres_server) -> None:
    from tests.conftest import fresh_postgres_url

    url = fresh_postgres_url(postgres_server)
    a = node(tmp_path, "a", url)
    a.ingest(library(tmp_path))
    listener = Listener(url, CHANNEL)
    assert listener.wait(0.05) is False  # connects and listens; nothing yet
    woke: list[bool] = []
    waited = threading.Thread(target=lambda: woke.append(listener.wait(30)))
    waited.start()
    start = time.monotonic()
    a.build_index()
    waited.join(timeout=30)
    assert woke == [True] and time.monotonic() - start < 20  # woken, not timed out
    listener.close()
    a.close()
