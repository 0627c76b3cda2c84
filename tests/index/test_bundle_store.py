"""The shared bundle store: what is published is fetched byte for byte, and anything else (a
tampered file or manifest, a version missing or half uploaded, a manifest naming paths outside
the bundle) is refused with the reason."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from enablement.catalog.build import BuildOptions
from enablement.index.bundle import current_folder, load_bundle
from enablement.index.bundle_store import MANIFEST, BundleStore, BundleUnavailableError
from tests.index.library import build_small_library
from tests.s3_server import BUCKET, s3_server


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BundleStore:
    """A store in a folder, and one on S3 (a fresh prefix of the test server's bucket)."""
    if request.param == "folder":
        return BundleStore(str(tmp_path / "store"))
    request.getfixturevalue("s3_endpoint")
    return BundleStore(f"s3://{BUCKET}/{tmp_path.name}")


@pytest.fixture
def published(
    store: BundleStore, tmp_path: Path, build_options: BuildOptions
) -> tuple[BundleStore, str, str]:
    build_small_library(tmp_path, build_options)
    folder = current_folder(tmp_path / "bundles")
    return store, folder.name, store.publish(folder)


def _in_store(store: BundleStore, version: str, name: str) -> str:
    return f"{store.root}/{version}/{name}"


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
    path = _in_store(store, version, "assets.json")
    store.fs.pipe_file(path, store.fs.cat_file(path) + b" ")
    node = tmp_path / "node-b" / "bundles"
    with pytest.raises(BundleUnavailableError, match=r"assets\.json is not the file"):
        store.fetch(version, checksum, node)
    assert list(node.iterdir()) == []


def test_a_rewritten_manifest_fails_the_databases_checksum(
    published: tuple[BundleStore, str, str], tmp_path: Path
) -> None:
    """Whoever swaps a file and rewrites the manifest to match still cannot pass."""
    store, version, checksum = published
    store.fs.pipe_file(_in_store(store, version, "assets.json"), b"[]")
    manifest = json.loads(store.fs.cat_file(_in_store(store, version, MANIFEST)))
    manifest["assets.json"] = hashlib.sha256(b"[]").hexdigest()
    store.fs.pipe_file(_in_store(store, version, MANIFEST), json.dumps(manifest).encode())
    with pytest.raises(BundleUnavailableError, match="its manifest is not the one"):
        store.fetch(version, checksum, tmp_path / "node-b")


def test_a_version_missing_from_the_store_or_half_uploaded_is_refused(
    published: tuple[BundleStore, str, str], tmp_path: Path
) -> None:
    store, version, checksum = published
    with pytest.raises(BundleUnavailableError, match="not in the bundle store"):
        store.fetch("v9-missing", checksum, tmp_path / "node-b")
    store.fs.rm(_in_store(store, version, "chunk_asset.npy"))
    with pytest.raises(BundleUnavailableError, match=r"is incomplete: .*chunk_asset\.npy"):
        store.fetch(version, checksum, tmp_path / "node-b")


@pytest.mark.parametrize("bad", ["../escape.json", "/etc/passwd", "a/../../b"])
def test_a_manifest_naming_paths_outside_the_bundle_is_refused(
    store: BundleStore, tmp_path: Path, bad: str
) -> None:
    body = json.dumps({"meta.json": "0" * 64, bad: "0" * 64}).encode()
    store.fs.makedirs(f"{store.root}/v1", exist_ok=True)
    store.fs.pipe_file(_in_store(store, "v1", MANIFEST), body)
    with pytest.raises(BundleUnavailableError, match="outside the bundle"):
        store.fetch("v1", hashlib.sha256(body).hexdigest(), tmp_path / "node")
    assert not (tmp_path / "escape.json").exists()
