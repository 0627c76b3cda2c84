"""The hostile library through the real `ingest` on both stores: no file stops the run."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.store import CatalogStore
from enablement.db import tables
from enablement.errors import IngestRejectedError
from tests.catalog.hostile import (
    BAD_REASONS,
    CHUNK_CAP,
    GOOD_TEXT,
    WARNINGS,
    build_hostile_library,
)


def capped(options: BuildOptions, cap: int = CHUNK_CAP) -> BuildOptions:
    return replace(options, chunk_spec=replace(options.chunk_spec, max_chunks=cap))


def _texts(store: CatalogStore, asset_id: str) -> str:
    return " ".join(chunk["text"] for chunk in store.chunks(asset_id))


def test_every_bad_file_is_reported_and_every_good_one_stored(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_hostile_library(tmp_path / "library")
    summary = ingest(library, store=store, options=capped(build_options))

    reasons = {report.path: report.reason for report in summary.reports}
    assert set(reasons) == set(BAD_REASONS)
    for path, fragment in BAD_REASONS.items():
        assert fragment in reasons[path], (path, reasons[path])
    warnings = {report.path: report.reason for report in summary.warnings}
    assert set(warnings) == set(WARNINGS)
    for path, fragment in WARNINGS.items():
        assert fragment in warnings[path], (path, warnings[path])

    assert {asset["id"] for asset in store.assets()} == set(GOOD_TEXT)
    for asset_id, fragment in GOOD_TEXT.items():
        assert fragment in _texts(store, asset_id), asset_id
    assert len(store.chunks("deep-long")) == CHUNK_CAP  # truncated, but stored
    assert store.get("enc-declared")["title"] == "Declared"  # type: ignore[index]

    with store.engine.connect() as connection:  # the run record holds the escaped names
        record = connection.scalar(select(tables.ingest_runs.c.summary))
    assert {e["path"] for e in record["errors"]} == set(BAD_REASONS)
    assert [w["path"] for w in record["warnings"]] == list(WARNINGS)
    json.dumps(summary.to_dict(), ensure_ascii=False).encode("utf-8")  # printable as UTF-8


def test_a_second_run_loses_nothing(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_hostile_library(tmp_path / "library")
    first = ingest(library, store=store, options=capped(build_options))
    second = ingest(library, store=store, options=capped(build_options))
    assert sorted(second.unchanged) == sorted(first.added) == sorted(GOOD_TEXT)
    assert second.added == second.changed == second.removed == []
    assert {report.path for report in second.reports} == set(BAD_REASONS)
    assert [report.path for report in second.warnings] == list(WARNINGS)  # still truncated


def test_strict_refuses_a_truncation_too(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "long.txt").write_text(" ".join(f"w{i}" for i in range(3000)))
    summary = ingest(library, store=sqlite_store, options=capped(build_options))
    assert summary.reports == [] and summary.added == ["long"]  # a warning never skips a file
    with pytest.raises(IngestRejectedError, match=r"long\.txt: truncated"):
        ingest(library, store=sqlite_store, options=capped(build_options, 2), strict=True)
    assert len(sqlite_store.chunks("long")) == CHUNK_CAP  # strict wrote nothing


def test_raising_the_cap_reprocesses_truncated_files(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "long.txt").write_text(" ".join(f"w{i}" for i in range(3000)))
    ingest(library, store=sqlite_store, options=capped(build_options))
    again = ingest(library, store=sqlite_store, options=capped(build_options, 1000))
    assert again.changed == ["long"] and again.warnings == []
    assert len(sqlite_store.chunks("long")) > CHUNK_CAP


def test_permission_errors_are_reported(
    tmp_path: Path,
    sqlite_store: CatalogStore,
    build_options: BuildOptions,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Tests run as root, where chmod 000 stops nothing: make the calls fail as they would.
    library = tmp_path / "library"
    for name in ("ok.md", "locked/hidden.md", "nostat.md", "noread.md"):
        (library / name).parent.mkdir(parents=True, exist_ok=True)
        (library / name).write_text(f"# {name}\n\nText of {name}.\n")
    denied = PermissionError(13, "Permission denied")
    real_scandir, real_stat, real_open = os.scandir, os.stat, os.open

    def scandir(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).endswith("nostat.md"):
            raise denied
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    def open_(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("noread.md"):
            raise denied
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "open", open_)
    summary = ingest(library, store=sqlite_store, options=build_options)
    assert {(r.path, r.reason) for r in summary.reports} == {
        ("locked", "cannot list folder: Permission denied"),
        ("nostat.md", "cannot read: Permission denied"),
        ("noread.md", "cannot read file: Permission denied"),
    }
    assert summary.added == ["ok"]
