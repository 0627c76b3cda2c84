"""A worker notices a bundle published by another process and switches without a restart."""

from __future__ import annotations

import time
from pathlib import Path

from enablement.catalog.build import BuildOptions
from enablement.catalog.store import CatalogStore
from enablement.db import connect
from enablement.index.build import IndexOptions, build_index
from enablement.index.bundle import current_folder, load_bundle
from enablement.index.cache import EmbeddingCache
from enablement.live import LiveRecommender, Pointer, Watcher
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender
from enablement.taxonomy import Taxonomy
from tests.fakes import HashingEncoder
from tests.index.library import build_small_library


def test_switches_when_current_moves(
    tmp_path: Path, build_options: BuildOptions, taxonomy: Taxonomy
) -> None:
    build_small_library(tmp_path, build_options)
    bundles = tmp_path / "bundles"
    encoder = HashingEncoder()
    loads: list[str] = []

    def load(pointer: Pointer, current: Recommender | None) -> Recommender:
        bundle = load_bundle(current_folder(bundles))
        loads.append(bundle.meta.version)
        return Recommender(bundle, encoder, taxonomy, RecommenderConfig())

    live = LiveRecommender(load, bundles, interval=0.01)
    first = live.get().bundle.meta.version
    engine = connect(f"sqlite:///{tmp_path / 'catalog.db'}")  # "another process" rebuilds
    build_index(
        CatalogStore(engine),
        encoder=encoder,
        cache=EmbeddingCache(engine),
        bundles=bundles,
        options=IndexOptions(),
    )
    engine.dispose()
    # the switch may come before the first look: wait for a version other than the first
    now = first
    for _ in range(300):
        now = live.get().bundle.meta.version
        if now != first:
            break
        time.sleep(0.01)
    assert now != first and loads == [first, now]
    assert loads == [first, live.get().bundle.meta.version]


def test_a_bundle_that_fails_to_load_keeps_the_old_one(
    tmp_path: Path, build_options: BuildOptions, taxonomy: Taxonomy
) -> None:
    build_small_library(tmp_path, build_options)
    bundles = tmp_path / "bundles"
    calls = {"n": 0}

    def load(pointer: Pointer, current: Recommender | None) -> Recommender:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError("half-copied bundle")
        return Recommender(
            load_bundle(current_folder(bundles)), HashingEncoder(), taxonomy, RecommenderConfig()
        )

    live = LiveRecommender(load, bundles, interval=0.01)
    first = live.get()
    (bundles / "CURRENT").write_text("v-does-not-exist")
    for _ in range(50):
        time.sleep(0.01)
        assert live.get() is first
    assert calls["n"] == 2  # tried once, not on every request
    assert live.problem == (
        f"serving {first.bundle.meta.version}: cannot switch to v-does-not-exist: "
        "OSError: half-copied bundle"
    )


def test_a_failed_switch_is_retried_after_a_backoff_and_the_problem_clears(
    tmp_path: Path, build_options: BuildOptions, taxonomy: Taxonomy, monkeypatch
) -> None:
    """A store that was down comes back: the node switches without a new publish."""
    import enablement.live

    monkeypatch.setattr(enablement.live, "RETRY_S", (0.05, 0.1))
    build_small_library(tmp_path, build_options)
    bundles = tmp_path / "bundles"
    version = {"name": current_folder(bundles).name}
    store_up = {"up": False}

    def load(pointer: Pointer, current: Recommender | None) -> Recommender:
        if pointer.bundle == "v-next" and not store_up["up"]:
            raise OSError("store unreachable")
        bundle = load_bundle(current_folder(bundles))
        return Recommender(bundle, HashingEncoder(), taxonomy, RecommenderConfig())

    live = LiveRecommender(load, lambda: version["name"], interval=0.01)
    first = live.get()
    version["name"] = "v-next"
    for _ in range(100):
        live.get()
        if live.problem:
            break
        time.sleep(0.01)
    assert live.problem is not None and "store unreachable" in live.problem
    store_up["up"] = True
    for _ in range(300):
        if live.get() is not first:
            break
        time.sleep(0.01)
    assert live.get() is not first and live.pointer == Pointer("v-next", "")
    assert live.problem is None


def test_the_watcher_switches_an_idle_worker(
    tmp_path: Path, build_options: BuildOptions, taxonomy: Taxonomy
) -> None:
    """No request comes, yet the new bundle is loaded: the watcher looked."""
    build_small_library(tmp_path, build_options)
    bundles = tmp_path / "bundles"
    version = {"name": "v1"}

    def load(pointer: Pointer, current: Recommender | None) -> Recommender:
        bundle = load_bundle(current_folder(bundles))
        return Recommender(bundle, HashingEncoder(), taxonomy, RecommenderConfig())

    live = LiveRecommender(load, lambda: version["name"], interval=60)  # requests: rarely
    live.get()
    watcher = Watcher(live, interval=0.02)
    watcher.start()
    version["name"] = "v2"
    for _ in range(300):
        if live.pointer == Pointer("v2", ""):
            break
        time.sleep(0.01)
    watcher.stop()
    assert live.pointer == Pointer("v2", "")


def test_a_new_live_ranker_is_loaded_over_the_same_bundle_and_a_bad_one_keeps_the_old(
    tmp_path: Path, build_options: BuildOptions, taxonomy: Taxonomy
) -> None:
    from enablement.errors import RankerFileError

    build_small_library(tmp_path, build_options)
    bundles = tmp_path / "bundles"
    live_ranker = {"key": ""}
    loads: list[tuple[str, bool]] = []

    def load(pointer: Pointer, current: Recommender | None) -> Recommender:
        loads.append((pointer.ranker, current is not None))
        if pointer.ranker == "lambdarank:bad":
            raise RankerFileError("rankers/lambdarank-bad/ranker.txt", "could not be read")
        bundle = current.bundle if current else load_bundle(current_folder(bundles))
        return Recommender(bundle, HashingEncoder(), taxonomy, RecommenderConfig())

    live = LiveRecommender(load, bundles, interval=0.01, ranker=lambda: live_ranker["key"])
    first = live.get()
    live_ranker["key"] = "lambdarank:good"
    for _ in range(300):
        if live.get() is not first:
            break
        time.sleep(0.01)
    second = live.get()
    assert second is not first and second.bundle is first.bundle  # the bundle reused
    assert loads == [("", False), ("lambdarank:good", True)]
    live_ranker["key"] = "lambdarank:bad"
    for _ in range(50):
        time.sleep(0.01)
        assert live.get() is second  # kept, never something else
    assert loads[2:] == [("lambdarank:bad", True)]  # tried once, not on every request
