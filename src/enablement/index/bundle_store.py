"""The shared bundle store: a built bundle is published once and fetched by every node.

The store is a directory every node can read (NFS in production) or object storage named by an
fsspec URL (`s3://bucket/prefix` with s3fs installed). A published bundle is its files under
`<store>/<version>/` and, written last, a MANIFEST.json naming each file's sha256. The database
records the manifest's own sha256 (index/published.py), so a node fetches a bundle only when
every byte is what the publisher wrote: a partial upload, a bit flip or a swapped file is never
served."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

import fsspec

from enablement.checksums import file_sha256
from enablement.errors import EnablementError

MANIFEST = "MANIFEST.json"
FETCHING = ".fetch-"  # a local folder being fetched; index/bundle._prune removes stale ones


class BundleUnavailableError(EnablementError):
    """The live bundle cannot be fetched from the store, or fails its checksum."""

    status = 503
    code = "bundle_unavailable"


class BundleStore:
    """Publishes bundle folders to, and fetches them from, the store at `url`."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.fs, self.root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:  # e.g. s3:// without s3fs installed
            raise EnablementError(f"Cannot open the bundle store '{url}': {exc}") from None
        self.root = self.root.rstrip("/")

    def publish(self, folder: Path) -> str:
        """Copy the bundle `folder` to the store (the manifest last) and return the manifest's
        sha256, which the database records."""
        manifest = {rel: file_sha256(folder / rel) for rel in _files(folder)}
        body = json.dumps(manifest, sort_keys=True, indent=1).encode()
        target = f"{self.root}/{folder.name}"
        for rel in manifest:
            destination = f"{target}/{rel}"
            self.fs.makedirs(destination.rsplit("/", 1)[0], exist_ok=True)
            self.fs.put_file(str(folder / rel), destination)
        self.fs.pipe_file(f"{target}/{MANIFEST}", body)
        return hashlib.sha256(body).hexdigest()

    def fetch(self, version: str, checksum: str, bundles: Path) -> Path:
        """The local folder of bundle `version` under `bundles`, fetched from the store and
        verified against `checksum` when it is not there yet; raises BundleUnavailableError
        saying why when it is missing from the store or any checksum differs."""
        final = bundles / version
        if (final / "meta.json").is_file():  # built here, or fetched and verified before
            return final
        source = f"{self.root}/{version}"
        manifest = self._manifest(version, source, checksum)
        bundles.mkdir(parents=True, exist_ok=True)
        staging = bundles / f"{FETCHING}{version}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            for rel, digest in manifest.items():
                local = staging / rel
                local.parent.mkdir(parents=True, exist_ok=True)
                self._get(f"{source}/{rel}", local, version)
                if file_sha256(local) != digest:
                    raise BundleUnavailableError(
                        f"Bundle {version} in the store fails its checksum: {rel} is not the "
                        "file that was published; not served."
                    )
            staging.rename(final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return final

    def versions(self) -> list[str]:
        """The versions in the store whose manifest was written."""
        if not self.fs.exists(self.root):
            return []
        return sorted(
            PurePosixPath(path).parent.name for path in self.fs.glob(f"{self.root}/*/{MANIFEST}")
        )

    def remove(self, version: str) -> None:
        self.fs.rm(f"{self.root}/{version}", recursive=True)

    def _manifest(self, version: str, source: str, checksum: str) -> dict[str, str]:
        try:
            body = self.fs.cat_file(f"{source}/{MANIFEST}")
        except FileNotFoundError:
            raise BundleUnavailableError(
                f"Bundle {version} is named live in the database but is not in the bundle store "
                f"{self.url}; not served."
            ) from None
        except OSError as exc:
            raise BundleUnavailableError(
                f"Cannot read the bundle store {self.url}: {exc}"
            ) from None
        if hashlib.sha256(body).hexdigest() != checksum:
            raise BundleUnavailableError(
                f"Bundle {version} in the store fails its checksum: its manifest is not the one "
                "that was published; not served."
            )
        return _checked_manifest(json.loads(body), version)

    def _get(self, remote: str, local: Path, version: str) -> None:
        try:
            self.fs.get_file(remote, str(local))
        except FileNotFoundError:
            raise BundleUnavailableError(
                f"Bundle {version} in the store is incomplete: {remote} is missing; not served."
            ) from None
        except OSError as exc:
            raise BundleUnavailableError(
                f"Cannot read the bundle store {self.url}: {exc}"
            ) from None


def _files(folder: Path) -> list[str]:
    return sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    )


def _checked_manifest(raw: Any, version: str) -> dict[str, str]:
    """The manifest's {relative path: sha256}, refusing paths that would leave the bundle."""
    if not isinstance(raw, dict) or "meta.json" not in raw:
        raise BundleUnavailableError(f"Bundle {version}'s manifest is not a bundle's; not served.")
    for rel, digest in raw.items():
        parts = PurePosixPath(rel).parts
        if not parts or rel.startswith("/") or ".." in parts or not isinstance(digest, str):
            raise BundleUnavailableError(
                f"Bundle {version}'s manifest names a path outside the bundle ({rel!r}); "
                "not served."
            )
    return raw
