"""The shared bundle store: what is published is fetched byte for byte, and anything else (a
tampered file or manifest, a version missing or half uploaded, a manifest naming paths outside
the bundle) is refused with the reason."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from enablement.catalog.build import BuildOptions
from enablement.index.bundle import current_folder, load_bundle
from enablement.index.bundle_store import MANIFEST, BundleStore, BundleUnavailableError
from tests.index.library import build_small_library


@pytest.fixture
def published(tmp_path: Path, build_options: BuildOptions) -> tuple[BundleStore, str, str]:
    build_small_library(tmp_path, build_options)
    folder = current_folder(tmp_path / "bundles")
    store = BundleStore(str(tmp_path / "store"))
    return store, folder.name, store.publish(folder)


def test_a_published_bundle_is_fetched_whole_and_loads(
    published: tuple[BundleStore, str, str], tmp_path: Path
) -> None:
    store, version, checksum = published
    node = tmp_path / "node-b" / "bundles"
    folder = store.fetch(version, checksum, node)
    original = current_folder(tmp_path / "bundles")
    for path in original.rglob("*"):
        if path.is_file():
            assert (folder / path.relative_to(original)).read_bytes() == path.read_bytes()
    assert load_bundle(folder).meta.version == version
    assert store.versions() == [version]
    assert [p.name for p in node.iterdir()] == [version]  # no staging folder left


def test_a_tampered_file_is_refused_and_nothing_is_left_behind(
    published: tuple[BundleStore, str, str], tmp_path: Path
) -> None:
    store, version, checksum = published
    with (tmp_path / "store" / version / "assets.json").open("ab") as handle:
        handle.write(b" ")
    node = tmp_path / "node-b" / "bundles"
    with pytest.raises(BundleUnavailableError, match=r"assets\.json is not the file"):
        store.fetch(version, checksum, node)
    assert list(node.iterdir()) == []


def test_a_rewritten_manifest_fails_the_databases_checksum(
    published: tuple[BundleStore, str, str], tmp_path: Path
) -> None:
    """Whoever swaps a file and rewrites the manifest to match still cannot pass."""
    store, version, checksum = published
    target = tmp_path / "store" / version
    (target / "assets.json").write_text("[]")
    manifest = json.loads((target / MANIFEST).read_text())
    manifest["assets.json"] = hashlib.sha256(b"[]").hexdigest()
    (target / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BundleUnavailableError, match="its manifest is not the one"):
        store.fetch(version, checksum, tmp_path / "node-b")


def test_a_version_missing_from_the_store_or_half_uploaded_is_refused(
    published: tuple[BundleStore, str, str], tmp_path: Path
) -> None:
    store, version, checksum = published
    with pytest.raises(BundleUnavailableError, match="not in the bundle store"):
        store.fetch("v9-missing", checksum, tmp_path / "node-b")
    (tmp_path / "store" / version / "chunk_asset.npy").unlink()
    with pytest.raises(BundleUnavailableError, match=r"is incomplete: .*chunk_asset\.npy"):
        store.fetch(version, checksum, tmp_path / "node-b")


@pytest.mark.parametrize("bad", ["../escape.json", "/etc/passwd", "a/../../b"])
def test_a_manifest_naming_paths_outside_the_bundle_is_refused(tmp_path: Path, bad: str) -> None:
    store = BundleStore(str(tmp_path / "store"))
    body = json.dumps({"meta.json": "0" * 64, bad: "0" * 64}).encode()
    (tmp_path / "store" / "v1").mkdir(parents=True)
    (tmp_path / "store" / "v1" / MANIFEST).write_bytes(body)
    with pytest.raises(BundleUnavailableError, match="outside the bundle"):
        store.fetch("v1", hashlib.sha256(body).hexdigest(), tmp_path / "node")
    assert not (tmp_path / "escape.json").exists()
