"""Bundles: what they hold, the embedding cache, and the atomic switch."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.store import CatalogStore
from enablement.db import connect
from enablement.index import bundle as bundle_module
from enablement.index.build import IndexOptions, build_index, passage_text
from enablement.index.bundle import IndexMissingError, current_folder, load_bundle
from enablement.index.cache import EmbeddingCache
from tests.fakes import HashingEncoder
from tests.index.library import ASSETS, build_small_library


def test_bundle_holds_every_chunk_with_metadata(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    bundle, _ = build_small_library(tmp_path, build_options)
    assert bundle.meta.assets == len(ASSETS) == len(bundle.assets)
    assert bundle.meta.chunks == len(bundle.chunks) == len(bundle.dense) == len(bundle.lexical)
    assert bundle.meta.model == "test-hashing-384" and bundle.meta.dimension == 384
    assert bundle.meta.dense_kind == "flat" and bundle.meta.catalog_version >= 1
    by_id = {a.id: a for a in bundle.assets}
    assert by_id["battlecard-oxley"].competitors == ("oxley",)
    assert by_id["pricing-old"].expires_at is not None
    assert bundle.asset_vectors.shape == (len(ASSETS), 384)


def test_passage_text_carries_title_and_headings() -> None:
    assert passage_text("FAQ", ("FAQ", "Encryption"), "AES.") == "FAQ > Encryption\nAES."


def test_rebuild_encodes_only_new_passages(tmp_path: Path, build_options: BuildOptions) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    for name, text in list(ASSETS.items())[:4]:
        (library / name).write_text(text)
    engine = connect(f"sqlite:///{tmp_path / 'c.db'}")
    store, cache, encoder = CatalogStore(engine), EmbeddingCache(engine), HashingEncoder()
    ingest(library, store=store, options=build_options)
    first = build_index(
        store, encoder=encoder, cache=cache, bundles=tmp_path / "b", options=IndexOptions()
    )
    assert first.encoded == first.chunks
    (library / "extra.md").write_text("# Extra\n\nA brand new passage.")
    ingest(library, store=store, options=build_options)
    second = build_index(
        store, encoder=encoder, cache=cache, bundles=tmp_path / "b", options=IndexOptions()
    )
    assert second.encoded == 1 and second.chunks == first.chunks + 1
    assert current_folder(tmp_path / "b").name == second.version
    engine.dispose()


def test_failed_build_leaves_the_old_bundle_current(
    tmp_path: Path, build_options: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle, _ = build_small_library(tmp_path, build_options)
    before = current_folder(tmp_path / "bundles")

    def broken_save(self: object, path: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(bundle_module.LexicalIndex, "save", broken_save)
    engine = connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    with pytest.raises(OSError, match="disk full"):
        build_index(
            CatalogStore(engine),
            encoder=HashingEncoder(),
            cache=EmbeddingCache(engine),
            bundles=tmp_path / "bundles",
            options=IndexOptions(),
        )
    engine.dispose()
    assert current_folder(tmp_path / "bundles") == before
    assert load_bundle(before).meta.version == bundle.meta.version
    assert not [p for p in (tmp_path / "bundles").iterdir() if p.name.startswith(".build")]


def test_build_killed_midway_leaves_the_old_bundle_serving(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    bundle, _ = build_small_library(tmp_path, build_options)
    script = textwrap.dedent(f"""
        import time
        from enablement.catalog.store import CatalogStore
        from enablement.db import connect
        from enablement.index import bundle as b
        from enablement.index.build import IndexOptions, build_index
        from enablement.index.cache import EmbeddingCache
        from tests.fakes import HashingEncoder

        real = b.LexicalIndex.save
        def slow(self, path):
            real(self, path)
            print("saving", flush=True)
            time.sleep(60)
        b.LexicalIndex.save = slow
        engine = connect("sqlite:///{tmp_path / "catalog.db"}")
        bundles = __import__("pathlib").Path("{tmp_path / "bundles"}")
        build_index(CatalogStore(engine), encoder=HashingEncoder(), cache=EmbeddingCache(engine),
                    bundles=bundles, options=IndexOptions())
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "saving"
    process.kill()
    process.wait()
    loaded = load_bundle(current_folder(tmp_path / "bundles"))
    assert loaded.meta.version == bundle.meta.version
    assert len(loaded.assets) == len(ASSETS)
    assert list((tmp_path / "bundles").glob(".build-*"))  # the killed build's staging folder

    engine = connect(f"sqlite:///{tmp_path / 'catalog.db'}")
    encoder, cache = HashingEncoder(), EmbeddingCache(engine)
    store = CatalogStore(engine)
    build_index(
        store, encoder=encoder, cache=cache, bundles=tmp_path / "bundles", options=IndexOptions()
    )
    engine.dispose()
    assert not list((tmp_path / "bundles").glob(".build-*"))  # cleaned up by the next build


def test_missing_bundle_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="enablement index"):
        current_folder(tmp_path / "nothing")


def test_incomplete_bundle_is_never_loaded(tmp_path: Path) -> None:
    (tmp_path / "v1").mkdir()
    with pytest.raises(IndexMissingError, match="incomplete"):
        load_bundle(tmp_path / "v1")
    time.sleep(0)


def test_empty_catalog_says_to_ingest_first(tmp_path: Path) -> None:
    from enablement.index.build import EmptyCatalogError

    engine = connect(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(EmptyCatalogError, match="enablement ingest"):
        build_index(
            CatalogStore(engine),
            encoder=HashingEncoder(),
            cache=EmbeddingCache(engine),
            bundles=tmp_path / "b",
            options=IndexOptions(),
        )
    engine.dispose()
    assert not (tmp_path / "b" / "CURRENT").exists()


def test_loading_asks_the_kernel_to_read_every_file_ahead(
    tmp_path: Path, build_options: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle, _ = build_small_library(tmp_path, build_options)
    advised: list[tuple[str, int]] = []

    def advise(descriptor: int, offset: int, length: int, advice: int) -> None:
        advised.append((str(Path(f"/proc/self/fd/{descriptor}").readlink()), advice))

    monkeypatch.setattr(os, "posix_fadvise", advise)
    load_bundle(bundle.path)
    files = sorted(str(p) for p in bundle.path.rglob("*") if p.is_file())
    assert sorted(path for path, _ in advised) == files
    assert {advice for _, advice in advised} == {os.POSIX_FADV_WILLNEED}
